from flask_wtf.file import FileField
from wtforms.validators import Optional, ValidationError

from tracker.web.fields import BooleanField, Form, MonthDayField, StringField, TextAreaField, max_length, required

MAX_LETTERHEAD = 5 * 1024 * 1024


class ReportSettingsForm(Form):
    TEXT_FIELDS = ("reporter_name", "reporter_position", "chief_name", "chief_position", "executive_name",
                   "executive_position", "suggestions", "monitoring", "midyear_compile_on", "yearend_compile_on")

    reporter_name = StringField("ผู้รายงาน (ชื่อ-สกุล)", validators=[Optional(), max_length(200)])
    reporter_position = StringField("ตำแหน่งผู้รายงาน", validators=[Optional(), max_length(200)])
    chief_name = StringField("ปลัด (ชื่อ-สกุล)", validators=[Optional(), max_length(200)])
    chief_position = StringField("ตำแหน่ง", validators=[Optional(), max_length(200)],
                                 render_kw={"placeholder": "ปลัดองค์การบริหารส่วนตำบล…"})
    executive_name = StringField("ผู้บริหาร (ชื่อ-สกุล)", validators=[Optional(), max_length(200)])
    executive_position = StringField("ตำแหน่ง", validators=[Optional(), max_length(200)],
                                     render_kw={"placeholder": "นายกองค์การบริหารส่วนตำบล…"})
    suggestions = TextAreaField("ข้อเสนอแนะ (ในรายงานผลการดำเนินการ)", validators=[Optional(), max_length(10000)])
    monitoring = TextAreaField("การกำกับติดตามและรายงานผลต่อผู้บริหาร (ในเอกสารมาตรการ)",
                               validators=[Optional(), max_length(10000)])
    midyear_compile_on = MonthDayField("จัดทำฉบับร่างรอบ 6 เดือนวันที่", validators=[required("กรุณากรอกวันและเดือน")])
    yearend_compile_on = MonthDayField("จัดทำฉบับร่างประจำปีวันที่", validators=[required("กรุณากรอกวันและเดือน")])
    letterhead = FileField("แบบหัวกระดาษของหน่วยงาน (ไฟล์ Word .docx)")
    remove_letterhead = BooleanField("เลิกใช้หัวกระดาษที่อัปโหลดไว้")

    def letterhead_bytes(self) -> tuple[bytes, str]:
        upload = self.letterhead.data
        return upload.stream.read(MAX_LETTERHEAD + 1), upload.filename

    def validate_letterhead(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            field.data = None
            return
        if not upload.filename.lower().endswith(".docx"):
            raise ValidationError("หัวกระดาษต้องเป็นไฟล์ Word (.docx)")
        head = upload.stream.read(4)
        upload.stream.seek(0)
        if head != b"PK\x03\x04":
            raise ValidationError("ไฟล์นี้ไม่ใช่ไฟล์ .docx ที่สมบูรณ์")
        upload.stream.seek(0, 2)
        too_big = upload.stream.tell() > MAX_LETTERHEAD
        upload.stream.seek(0)
        if too_big:
            raise ValidationError("ไฟล์หัวกระดาษใหญ่เกิน 5 MB")
        from docx import Document  # python-docx loads when a letterhead is checked
        try:
            Document(upload.stream)
        except Exception:  # python-docx raises several kinds for a damaged package
            raise ValidationError("เปิดไฟล์ .docx นี้ไม่ได้ ไฟล์อาจเสียหาย กรุณาบันทึกจาก Word ใหม่แล้วอัปโหลดอีกครั้ง") from None
        finally:
            upload.stream.seek(0)
