from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, Regexp, ValidationError

from tracker import thai
from tracker.web.fields import (
    BooleanField, Form, MonthDayField, SelectField, StringField, TextAreaField, ThaiIntegerField, max_length,
    number_range, required,
)

WEEKDAYS = ("วันจันทร์", "วันอังคาร", "วันพุธ", "วันพฤหัสบดี", "วันศุกร์")
DAY_LIST = Regexp(r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$", message="กรอกจำนวนวันคั่นด้วยจุลภาค เช่น 14,3")


class ReminderSettingsForm(Form):
    send_time = StringField("เวลาส่ง (น.)", validators=[
        required("กรุณากรอกเวลา"), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="กรอกเวลาแบบ 08:30")])
    monthly_enabled = BooleanField("ขอรายงานความก้าวหน้าทุกเดือน")
    monthly_day = ThaiIntegerField("ทุกวันที่", validators=[required("กรุณากรอกวันที่"), number_range(1, 31)])
    due_enabled = BooleanField("เตือนก่อนถึงกำหนดเสร็จ")
    due_days_before = StringField("ก่อนกำหนด (วัน)", validators=[required("กรุณากรอกจำนวนวัน"), DAY_LIST])
    late_enabled = BooleanField("เตือนทุกสัปดาห์เมื่องานล่าช้า")
    late_weekday = SelectField("ทุก", coerce=int, choices=[SelectChoice(n, name) for n, name in enumerate(WEEKDAYS)])
    escalation_enabled = BooleanField("แจ้งผู้บริหารและผู้ประสานงานเมื่องานล่าช้านาน")
    escalation_days = ThaiIntegerField("ล่าช้าเกิน (วัน)", validators=[required("กรุณากรอกจำนวนวัน"),
                                                                      number_range(1, 365)])
    report_enabled = BooleanField("เตือนผู้ประสานงานก่อนถึงกำหนดรายงานผลการดำเนินการ")
    midyear_report_due = MonthDayField("กำหนดรายงานรอบ 6 เดือน", validators=[required("กรุณากรอกวันและเดือน")])
    yearend_report_due = MonthDayField("กำหนดรายงานประจำปี", validators=[required("กรุณากรอกวันและเดือน")])
    report_days_before = StringField("เตือนก่อน (วัน)", validators=[required("กรุณากรอกจำนวนวัน"), DAY_LIST])
    holidays = TextAreaField("วันหยุดราชการ (บรรทัดละ 1 วัน เช่น 13 เม.ย. 2568 วันสงกรานต์)",
                             validators=[Optional(), max_length(10000)])

    def holiday_list(self) -> list[tuple]:
        days = []
        for number, line in enumerate((self.holidays.data or "").splitlines(), start=1):
            if line.strip():
                days.append(parse_holiday_line(line, number))
        return days

    def validate_holidays(self, field):
        self.holiday_list()


def parse_holiday_line(line: str, number: int) -> tuple:
    """ "13 เม.ย. 2568 วันสงกรานต์" or "13/4/2568 วันสงกรานต์" → (date, name)."""
    words = line.split()
    for size in (3, 1):
        try:
            return thai.parse_date(" ".join(words[:size])), " ".join(words[size:])
        except ValueError:
            continue
    raise ValidationError(f"บรรทัดที่ {number} “{line.strip()}” อ่านวันที่ไม่ได้ ตัวอย่าง: 13 เม.ย. 2568 วันสงกรานต์")


class PreferenceForm(Form):
    email_enabled = BooleanField("รับทางอีเมล")
    line_enabled = BooleanField("รับทาง LINE")
    webhook_enabled = BooleanField("ส่งไปยัง webhook (Google Chat, Teams, Discord ฯลฯ)")
    webhook_url = StringField("ที่อยู่ webhook", validators=[max_length(1000)],
                              render_kw={"placeholder": "https://chat.googleapis.com/..."})
    opted_out = BooleanField("ไม่ต้องการรับการแจ้งเตือนใด ๆ")

    def validate_webhook_url(self, field):
        if self.webhook_enabled.data and not (field.data or "").startswith(("https://", "http://")):
            raise ValidationError("กรุณากรอกที่อยู่ webhook ที่ขึ้นต้นด้วย https://")


class TestMessageForm(Form):
    user_id = SelectField("ผู้รับ", coerce=int)
