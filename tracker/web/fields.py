"""Form fields and validators with Thai messages (WTForms ships none in Thai). The forms take
their fields from here: WTForms' own, each with the quicker widget of tracker.web.widgets."""
import wtforms
from flask_wtf import FlaskForm
from wtforms.csrf.core import CSRFTokenField as WTFormsCSRFTokenField
from wtforms.validators import DataRequired, Length, NumberRange, StopValidation

from tracker import thai
from tracker.web import widgets


class CSRFTokenField(WTFormsCSRFTokenField):
    widget = widgets.HiddenInput()


class Form(FlaskForm):
    """Flask-WTF's form, its CSRF token written by the quick hidden widget too (every form has one)."""

    class Meta(FlaskForm.Meta):
        def build_csrf(self, form):
            csrf = super().build_csrf(form)
            csrf.field_class = CSRFTokenField
            return csrf


class StringField(wtforms.StringField):
    widget = widgets.TextInput()


class TextAreaField(wtforms.TextAreaField):
    widget = widgets.TextArea()


class IntegerField(wtforms.IntegerField):
    widget = widgets.NumberInput()


class EmailField(wtforms.EmailField):
    widget = widgets.EmailInput()


class PasswordField(wtforms.PasswordField):
    widget = widgets.PasswordInput()


class HiddenField(wtforms.HiddenField):
    widget = widgets.HiddenInput()


class BooleanField(wtforms.BooleanField):
    widget = widgets.CheckboxInput()


class MultipleFileField(wtforms.MultipleFileField):
    widget = widgets.FileInput(multiple=True)


class SelectField(wtforms.SelectField):
    widget = widgets.Select()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = widgets.Select(multiple=True)

REQUIRED = "กรุณากรอกช่องนี้"


def required(message: str = REQUIRED) -> DataRequired:
    return DataRequired(message=message)


def max_length(limit: int) -> Length:
    return Length(max=limit, message=f"ยาวได้ไม่เกิน {limit} ตัวอักษร")


def number_range(low: int, high: int) -> NumberRange:
    return NumberRange(min=low, max=high, message=f"ต้องเป็นตัวเลขระหว่าง {low} ถึง {high}")


class ParsedField:
    """When the typed text could not be read, say so, and not "please fill in" as well."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class ThaiTextField(ParsedField, StringField):
    """A value typed as Thai officials write it, read by `parse` and shown back by `show`;
    what cannot be read is refused with `message`."""

    parse = staticmethod(lambda text: text)
    show = staticmethod(str)
    message = "รูปแบบไม่ถูกต้อง"

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.show(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            self.data = self.parse(text)
        except ValueError:
            raise ValueError(self.message) from None


class ThaiDateField(ThaiTextField):
    """A date as "30 ก.ย. 2568" or "30/9/2568". The browser's date input would show Gregorian
    mm/dd/yyyy, so this is a text field."""

    parse = staticmethod(thai.parse_date)
    show = staticmethod(thai.format_date)
    message = "รูปแบบวันที่ไม่ถูกต้อง ตัวอย่าง: 30 ก.ย. 2568 หรือ 30/9/2568"

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(placeholder="เช่น 30 ก.ย. 2568 หรือ 30/9/2568", autocomplete="off")
        super().__init__(label, validators, **kwargs)


class MonthDayField(ThaiTextField):
    """A day of every year as "30 เม.ย." (stored as "04-30")."""

    parse = staticmethod(thai.parse_month_day)
    show = staticmethod(thai.format_month_day)
    message = "กรอกวันและเดือน เช่น 30 เม.ย. หรือ 30/4"


class BahtField(ThaiTextField):
    """An amount of baht: "20,000", "๒๐,๐๐๐ บาท"."""

    parse = staticmethod(thai.parse_baht)
    show = staticmethod(lambda amount: thai.format_baht(amount).removesuffix(" บาท"))
    message = "กรอกจำนวนเงินเป็นตัวเลข เช่น 20,000 หรือ 1,500.50"

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)  # 0 บาท is shown, not blanked


class ThaiIntegerField(ParsedField, IntegerField):
    """Accepts Thai digits; says in Thai when the text is not a whole number."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [thai.to_arabic_digits(valuelist[0]).strip()]
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError("กรุณากรอกเป็นตัวเลขจำนวนเต็ม") from None
