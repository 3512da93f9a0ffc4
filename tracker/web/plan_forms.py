import re

from wtforms.validators import Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.services.imports.scores import parse_score
from tracker.thai import format_date, format_score
from tracker.web.fields import (
    BahtField, BooleanField, Form, SelectMultipleField, StringField, TextAreaField, ThaiDateField, ThaiIntegerField,
    ThaiTextField, max_length, number_range, required,
)

STEP_NUMBER = re.compile(r"^\s*\d+\s*[.)]\s*")


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        values = {str(choice.value) for choice in self.choices}
        for data in self.data or []:
            if str(data) not in values:
                raise ValidationError("ตัวเลือกไม่ถูกต้อง")


class TopicForm(Form):
    number = ThaiIntegerField("ลำดับประเด็น", validators=[required("กรุณากรอกลำดับประเด็น"), number_range(1, 99)])
    title = StringField("ชื่อประเด็น", validators=[required("กรุณากรอกชื่อประเด็น"), max_length(500)])
    analysis = TextAreaField("การวิเคราะห์ผลการประเมิน", validators=[Optional(), max_length(20000)])
    item_ids = CheckboxListField("ข้อคำถาม ITA ที่เกี่ยวข้อง", coerce=int)


class MeasureForm(Form):
    title = TextAreaField("มาตรการ หรือ กิจกรรม", validators=[required("กรุณากรอกชื่อมาตรการ"), max_length(2000)])
    details = TextAreaField("รายละเอียดเพิ่มเติม", validators=[Optional(), max_length(5000)])
    steps = TextAreaField("ขั้นตอนหรือวิธีการปฏิบัติ (บรรทัดละ 1 ขั้นตอน ตามลำดับ)",
                          validators=[required("กรุณากรอกขั้นตอนอย่างน้อย 1 ขั้นตอน"), max_length(20000)])
    start_date = ThaiDateField("วันเริ่ม", validators=[required("กรุณากรอกวันเริ่ม")])
    end_date = ThaiDateField("วันสิ้นสุด (กำหนดเสร็จ)", validators=[required("กรุณากรอกวันสิ้นสุด")])
    period_text = StringField("ช่วงระยะเวลาตามที่เขียนในเอกสาร (เว้นว่างไว้ ระบบเขียนจากวันเริ่มและวันสิ้นสุดให้เสมอ)",
                              validators=[Optional(), max_length(200)])
    all_divisions = BooleanField("ทุกกอง")
    division_ids = CheckboxListField("กองผู้รับผิดชอบ", coerce=int)
    responsible_text = StringField("ผู้รับผิดชอบตามที่เขียนในเอกสาร (เว้นว่างไว้ ระบบเขียนจากกองที่เลือกให้เสมอ)",
                                   validators=[Optional(), max_length(300)])
    budget_amount = BahtField("งบประมาณ (บาท)", validators=[Optional()],
                              render_kw={"placeholder": "เช่น 20,000", "inputmode": "decimal"})
    no_budget = BooleanField("ไม่ใช้งบประมาณ")
    indicator = TextAreaField("ตัวชี้วัด", validators=[Optional(), max_length(2000)])
    target = StringField("ค่าเป้าหมาย", validators=[Optional(), max_length(300)],
                         render_kw={"placeholder": "เช่น ร้อยละ 80 หรือ 4 ครั้ง/ปี"})

    def __init__(self, fiscal_year, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fiscal_year = fiscal_year

    def step_list(self) -> list[str]:
        """One step a line, without the numbers people type in front ("1.", "2)")."""
        texts = (STEP_NUMBER.sub("", line).strip() for line in (self.steps.data or "").splitlines())
        return [text for text in texts if text]

    def validate_steps(self, field):
        if not self.step_list():
            raise ValidationError("กรุณากรอกขั้นตอนอย่างน้อย 1 ขั้นตอน")

    def validate_budget_amount(self, field):
        if field.data is not None and self.no_budget.data:
            raise ValidationError("เลือก “ไม่ใช้งบประมาณ” หรือกรอกจำนวนเงิน อย่างใดอย่างหนึ่ง")
        if field.data is not None and field.data >= 10 ** 12:
            raise ValidationError("จำนวนเงินมากเกินไป")

    def validate_division_ids(self, field):
        if not self.all_divisions.data and not field.data:
            raise ValidationError("กรุณาเลือกกองผู้รับผิดชอบอย่างน้อย 1 กอง หรือเลือก “ทุกกอง”")

    def _inside_fiscal_year(self, field):
        if field.data and not self.fiscal_year.contains(field.data):
            raise ValidationError(
                f"ต้องอยู่ในปีงบประมาณ พ.ศ. {self.fiscal_year.year} "
                f"({format_date(self.fiscal_year.start_date)} – {format_date(self.fiscal_year.end_date)})")

    def validate_start_date(self, field):
        self._inside_fiscal_year(field)

    def validate_end_date(self, field):
        self._inside_fiscal_year(field)
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม")


class DivisionForm(Form):
    name = StringField("ชื่อกอง/ส่วนราชการ", validators=[required("กรุณากรอกชื่อกอง"), max_length(200)])


class MarkField(ThaiTextField):
    """A score mark as officials type it: 85, 85.5, ๘๕ or 85%."""

    parse = staticmethod(parse_score)
    show = staticmethod(format_score)
    message = "กรุณากรอกเป็นตัวเลข เช่น 85 หรือ 85.5"

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)  # a mark of 0 is shown, not blanked


def filled(message: str):
    """Required, where 0 is a value (DataRequired would refuse it)."""
    def check(form, field):
        if field.data is None:
            raise StopValidation(message)
    return check


class ThresholdForm(Form):
    oit_threshold = MarkField("เกณฑ์ OIT", validators=[filled("กรุณากรอกเกณฑ์ OIT"), number_range(0, 100)])
    iit_threshold = MarkField("เกณฑ์ IIT", validators=[filled("กรุณากรอกเกณฑ์ IIT"), number_range(0, 100)])
    eit_threshold = MarkField("เกณฑ์ EIT", validators=[filled("กรุณากรอกเกณฑ์ EIT"), number_range(0, 100)])

    def marks(self) -> dict:
        return {"OIT": self.oit_threshold.data, "IIT": self.iit_threshold.data, "EIT": self.eit_threshold.data}
