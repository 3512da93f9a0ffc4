from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, Length, Optional, Regexp, ValidationError

from tracker.models.org import ROLE_LABELS, Role
from tracker.services.users import MIN_PASSWORD_LENGTH
from tracker.web.auth import EMAIL_SHAPE
from tracker.web.fields import (
    BooleanField, EmailField, Form, PasswordField, SelectField, StringField, max_length, required,
)

INVALID_CHOICE = "ตัวเลือกไม่ถูกต้อง"


def _optional_id(value) -> int | None:
    return int(value) if value not in (None, "") else None


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def _password(label: str, message: str) -> PasswordField:
    return PasswordField(label, validators=[
        required(message),
        Length(min=MIN_PASSWORD_LENGTH, message=f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร"),
        max_length(200)], render_kw={"autocomplete": "new-password"})


def _confirmation(other: str) -> PasswordField:
    return PasswordField("ยืนยันรหัสผ่านใหม่", validators=[
        required("กรุณากรอกรหัสผ่านใหม่อีกครั้ง"), EqualTo(other, message="รหัสผ่านทั้งสองช่องไม่ตรงกัน")],
        render_kw={"autocomplete": "new-password"})


class UserForm(Form):
    """Name, position, role and division: what the coordinator sets on the edit page."""

    name = StringField("ชื่อ-นามสกุล", validators=[required("กรุณากรอกชื่อ-นามสกุล"), max_length(200)])
    position = StringField("ตำแหน่ง", validators=[Optional(), max_length(200)])
    role = SelectField("บทบาท", choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
                       invalid_choice_message=INVALID_CHOICE)
    division_id = SelectField("กอง", coerce=_optional_id, invalid_choice_message=INVALID_CHOICE,
                              invalid_value_message=INVALID_CHOICE)
    active = BooleanField("ใช้งานได้ (เอาเครื่องหมายออกเพื่อปิดบัญชี)")

    def __init__(self, divisions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.division_id.choices = [SelectChoice("", "— ไม่สังกัดกอง —")] + [
            SelectChoice(division.id, division.name) for division in divisions]

    def validate_division_id(self, field):
        if self.role.data == Role.HEAD and field.data is None:
            raise ValidationError("หัวหน้ากองต้องเลือกกอง")


class NewUserForm(UserForm):
    email = EmailField("อีเมล (ใช้เข้าสู่ระบบ)", filters=[_strip], validators=[
        required("กรุณากรอกอีเมล"), Regexp(EMAIL_SHAPE, message="อีเมลไม่ถูกต้อง"), max_length(254)])
    password = _password("รหัสผ่านเริ่มต้น", "กรุณากำหนดรหัสผ่านเริ่มต้น")
    active = None  # a new account is always active


class PasswordResetForm(Form):
    new_password = _password("รหัสผ่านใหม่", "กรุณากรอกรหัสผ่านใหม่")
    confirm = _confirmation("new_password")


class ChangePasswordForm(Form):
    current_password = PasswordField("รหัสผ่านปัจจุบัน", validators=[required("กรุณากรอกรหัสผ่านปัจจุบัน")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = _password("รหัสผ่านใหม่", "กรุณากรอกรหัสผ่านใหม่")
    confirm = _confirmation("new_password")

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError("รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม")
