from wtforms.validators import Optional

from tracker.web.fields import Form, StringField, TextAreaField, max_length


class RequestForm(Form):
    memo_number = StringField("ที่ (เลขที่หนังสือ)", validators=[Optional(), max_length(100)],
                              render_kw={"placeholder": "เช่น ลป 88001/123 (เว้นว่างไว้เขียนด้วยมือได้)"})
    memo_text = TextAreaField("ข้อความในบันทึกข้อความ (ย่อหน้าละบรรทัด)", validators=[Optional(), max_length(10000)],
                              render_kw={"rows": 8})


class DecisionForm(Form):
    comment = TextAreaField("ความเห็น (จำเป็นเมื่อส่งกลับให้แก้ไข)", validators=[Optional(), max_length(5000)],
                            render_kw={"rows": 3})
