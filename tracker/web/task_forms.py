from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from tracker.models.task import STATUS_LABELS
from tracker.services.tasks import ProgressInput
from tracker.web.fields import (
    BahtField, BooleanField, Form, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField,
    ThaiIntegerField, max_length, number_range,
)
from tracker.web.request_input import read_integer

MAX_LINKS = 20


class ReportFields(Form):
    """What a progress report says: a new report's form and a correction's."""
    status = SelectField("สถานะ", choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()])
    percent = ThaiIntegerField("ความก้าวหน้า (%)", validators=[
        InputRequired(message="กรุณากรอกความก้าวหน้าเป็นตัวเลข 0–100"), number_range(0, 100)])
    done_text = TextAreaField("ผลการดำเนินงาน (ทำอะไรไปแล้ว)", validators=[Optional(), max_length(5000)])
    problems = TextAreaField("ปัญหา อุปสรรค และข้อเสนอแนะ", validators=[Optional(), max_length(5000)])
    indicator_value = StringField("ผลตามตัวชี้วัดที่ทำได้ถึงตอนนี้", validators=[Optional(), max_length(300)],
                                  render_kw={"placeholder": "เช่น ร้อยละ 60 หรือ 2 ครั้ง"})
    budget_spent = BahtField("งบประมาณที่ใช้ไปแล้ว (บาท)", validators=[Optional()],
                             render_kw={"placeholder": "เช่น 12,500", "inputmode": "decimal"})
    confirm_done = BooleanField("งานเสร็จสิ้นแล้วจริง บันทึกความก้าวหน้าเป็น 100%")
    version = HiddenField()
    asks_done = False  # the form asks to confirm "เสร็จสิ้น" below 100%

    def validate_percent(self, field):
        """"เสร็จสิ้น" is saved as 100%: below it, the form asks first rather than change it silently."""
        if self.status.data == "done" and field.data is not None and field.data < 100 and not self.confirm_done.data:
            self.asks_done = True
            raise ValidationError(f"เลือก “เสร็จสิ้น” แต่ความก้าวหน้าเป็น {field.data}% ถ้างานเสร็จแล้ว "
                                  "ให้ติ๊กยืนยันด้านล่าง (บันทึกเป็น 100%) ถ้ายังไม่เสร็จ ให้เลือกสถานะ “กำลังดำเนินการ”")

    def validate_budget_spent(self, field):
        if field.data is not None and field.data >= 10 ** 12:
            raise ValidationError("จำนวนเงินมากเกินไป")

    def seen_version(self) -> int:
        """The task version the form was built from; 0 (no task has it, so the save meets an edit
        conflict and the page shows the task afresh with what was typed) when it cannot be read."""
        return read_integer(self.version.data) or 0

    def report(self, **more) -> ProgressInput:
        return ProgressInput(status=self.status.data, percent=self.percent.data, done_text=self.done_text.data or "",
                             problems=self.problems.data or "",
                             indicator_value=(self.indicator_value.data or "").strip(),
                             budget_spent=self.budget_spent.data, **more)


class CorrectionForm(ReportFields):
    """The author's correction of their newest report: evidence stays as it was saved."""


class ProgressForm(ReportFields):
    links = TextAreaField("ลิงก์หลักฐาน (บรรทัดละ 1 ลิงก์)", validators=[Optional(), max_length(5000)],
                          render_kw={"placeholder": "https://www.pichai.go.th/..."})
    links_public = BooleanField("เผยแพร่ลิงก์เหล่านี้ในหน้าสาธารณะ")
    files = MultipleFileField("ไฟล์หลักฐาน")
    files_public = BooleanField("เผยแพร่ไฟล์เหล่านี้ในหน้าสาธารณะ")
    pending = HiddenField()  # ids of files kept from a submission that met an edit conflict

    def validate_links(self, field):
        for link in self.link_list():
            if not link.startswith(("http://", "https://")) or " " in link:
                raise ValidationError(f"ลิงก์ “{link}” ไม่ถูกต้อง ต้องขึ้นต้นด้วย http:// หรือ https://")
        if len(self.link_list()) > MAX_LINKS:
            raise ValidationError(f"ใส่ลิงก์ได้ไม่เกิน {MAX_LINKS} ลิงก์ต่อครั้ง")

    def link_list(self) -> list[str]:
        return [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]

    def pending_ids(self) -> list[int]:
        return [number for part in (self.pending.data or "").split(",") if (number := read_integer(part)) is not None]

    def report(self, **more) -> ProgressInput:
        return super().report(links=self.link_list(), links_public=self.links_public.data,
                              files_public=self.files_public.data, **more)
