from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.validators import Regexp

from tracker import clock
from tracker.models.base import utcnow
from tracker.services import sessions, users
from tracker.transactions import transaction
from tracker.web.fields import EmailField, Form, PasswordField, required

bp = Blueprint("auth", __name__)


# One "@" and no spaces (control characters never reach a form: request_input takes them out).
EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+$"


class LoginForm(Form):
    email = EmailField("อีเมล", validators=[required("กรุณากรอกอีเมล"), Regexp(EMAIL_SHAPE, message="อีเมลไม่ถูกต้อง")])
    password = PasswordField("รหัสผ่าน", validators=[required("กรุณากรอกรหัสผ่าน")])


# What a browser does to a Location before it resolves it (WHATWG URL parsing): it drops tab,
# CR and LF anywhere, trims C0 controls and spaces at both ends, and reads a backslash as "/". A check on
# the raw text would let "/\t/evil.example" through as a path and the browser go to //evil.example.
_DROPPED = str.maketrans("", "", "\t\r\n")
_TRIMMED = "".join(chr(code) for code in range(0x21))


def local_path(target: str | None) -> str | None:
    """The target as the browser would read it, if that is a path on this site; else None."""
    if not target:
        return None
    path = target.translate(_DROPPED).strip(_TRIMMED).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        now = clock.now()
        with transaction():  # the attempt is counted before its password is checked
            attempt = users.claim_login_attempt(form.email.data, request.remote_addr or "", now)
        if attempt is None:
            flash(users.LOGIN_BLOCKED_MESSAGE, "danger")
            return render_template("auth/login.html", form=form), 429
        user = users.authenticate(form.email.data, form.password.data, current_app.config)
        if user:
            with transaction():
                users.login_succeeded(attempt)
                sessions.start(user, utcnow(), current_app.config)
            login_user(user)
            return redirect(local_path(request.args.get("next")) or url_for("dashboard.home"))
        flash("อีเมลหรือรหัสผ่านไม่ถูกต้อง", "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with transaction():
        sessions.end(current_user, utcnow())
    logout_user()
    flash("ออกจากระบบแล้ว", "info")
    return redirect(url_for("auth.login"))
