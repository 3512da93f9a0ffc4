from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from tracker.models import Division
from tracker.services import access, plan, users
from tracker.services.errors import ServiceError
from tracker.transactions import transaction
from tracker.web.common import page_arg, require
from tracker.web.people_forms import ChangePasswordForm, NewUserForm, PasswordResetForm, UserForm

bp = Blueprint("people", __name__)
coordinator_only = require(access.can_manage_users)


def _user(user_id: int):
    return users.get_user(current_user.organization_id, user_id)


def _division(division_id: int | None):
    if division_id is None:
        return None
    return access.get_owned(current_user, Division, division_id)


def _divisions():
    return plan.divisions(current_user.organization_id)


@bp.route("/people")
@coordinator_only
def index():
    return render_template("people/index.html", users=users.people_page(current_user.organization_id, page_arg()))


@bp.route("/people/new", methods=["GET", "POST"])
@coordinator_only
def new():
    form = NewUserForm(_divisions())
    if form.validate_on_submit():
        division = _division(form.division_id.data)
        try:
            with transaction():
                user = users.create_user(
                    current_user.organization, form.email.data, form.role.data, form.password.data,
                    form.name.data.strip(), division.name if division else None, (form.position.data or "").strip(),
                    actor=current_user, config=current_app.config)
            flash("เพิ่มผู้ใช้แล้ว แจ้งอีเมลและรหัสผ่านเริ่มต้นให้ผู้ใช้ และให้เปลี่ยนรหัสผ่านเมื่อเข้าระบบครั้งแรก",
                  "success")
            return redirect(url_for("people.index", page=users.page_listing(user), _anchor=f"user-{user.id}"))
        except users.WeakPassword as error:
            form.password.errors.append(str(error))
        except ServiceError as error:
            form.email.errors.append(str(error))
    return render_template("people/new.html", form=form)


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@coordinator_only
def edit(user_id: int):
    user = _user(user_id)
    form = UserForm(_divisions(), obj=user)
    if form.validate_on_submit():
        try:
            with transaction():
                users.update_user(user, form.name.data, form.position.data or "", form.role.data,
                                  _division(form.division_id.data), form.active.data, current_user)
            flash("บันทึกข้อมูลผู้ใช้แล้ว", "success")
            return redirect(url_for("people.index", page=users.page_listing(user), _anchor=f"user-{user.id}"))
        except ServiceError as error:
            form.role.errors.append(str(error))
    return render_template("people/edit.html", form=form, user=user)


@bp.route("/people/<int:user_id>/password", methods=["GET", "POST"])
@coordinator_only
def reset_password(user_id: int):
    user = _user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            with transaction():
                users.reset_password(user, form.new_password.data, current_user, config=current_app.config)
            if user.id == current_user.id:
                login_user(user)  # a coordinator setting their own: this session goes on
            flash(f"ตั้งรหัสผ่านใหม่ให้ {user.name} แล้ว", "success")
            return redirect(url_for("people.index", page=users.page_listing(user), _anchor=f"user-{user.id}"))
        except ServiceError as error:
            form.new_password.errors.append(str(error))
    return render_template("people/password.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                users.change_own_password(current_user, form.current_password.data, form.new_password.data, config=current_app.config)
            login_user(current_user._get_current_object())  # this session goes on; others end
            flash("เปลี่ยนรหัสผ่านแล้ว ระบบออกจากระบบในอุปกรณ์อื่นให้แล้ว", "success")
            return redirect(url_for("dashboard.home"))
        except users.WeakPassword as error:
            form.new_password.errors.append(str(error))
        except ServiceError as error:
            form.current_password.errors.append(str(error))
    return render_template("people/change_password.html", form=form)
