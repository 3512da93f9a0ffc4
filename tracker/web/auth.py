from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import Regexp

from tracker import clock
from tracker.services import users
from tracker.web.fields import required

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("อีเมล", validators=[required("กรุณากรอกอีเมล"), Regexp(r"^[^@\s]+@[^@\s]+$", message="อีเมลไม่ถูกต้อง")])
    password = PasswordField("รหัสผ่าน", validators=[required("กรุณากรอกรหัสผ่าน")])


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/") and not target.startswith("//") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email, ip, now = form.email.data, request.remote_addr or "", clock.now()
        if users.login_blocked(email, ip, now):
            flash(users.LOGIN_BLOCKED_MESSAGE, "danger")
            return render_template("auth/login.html", form=form), 429
        user = users.authenticate(email, form.password.data)
        users.record_login(email, ip, user is not None, now)
        if user:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.home"))
        flash("อีเมลหรือรหัสผ่านไม่ถูกต้อง", "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("ออกจากระบบแล้ว", "info")
    return redirect(url_for("auth.login"))
