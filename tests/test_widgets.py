"""The quicker widgets (tracker.web.widgets) write what WTForms' own widgets write, for every field
class the forms take from tracker.web.fields, with awkward values and attributes."""
import pytest
import wtforms
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from tracker.web import fields, widgets

AWKWARD = 'เอ "ก" <b>&amp;</b> \'ข\''
ATTRIBUTES = [
    {},
    {"class_": "wide", "placeholder": AWKWARD, "data_file_list": "chosen", "aria_label": "ป้ายกำกับ"},
    {"rows": 4, "disabled": True, "readonly": False, "title": Markup('<i>"ตัวเอียง"</i>')},
    {"id": "own-id", "autocomplete": None, "min": 0, "max": 100},
]
CHOICES = [SelectChoice("a", "ก"), SelectChoice("b", AWKWARD), SelectChoice("", "– ไม่ระบุ –"),
           SelectChoice("c", "ค", render_kw={"disabled": True})]
SHOWN = {  # field class: the form data it is shown with (None: fresh, from `default`)
    "StringField": [None, AWKWARD, ""],
    "TextAreaField": [None, AWKWARD + "\nบรรทัดที่สอง"],
    "IntegerField": [None, "12", "ไม่ใช่ตัวเลข"],
    "EmailField": [None, "head@pichai.example"],
    "PasswordField": [None, "secret"],
    "HiddenField": [None, "7"],
    "BooleanField": [None, "y"],
    "MultipleFileField": [None],
    "SelectField": [None, "b", "x"],
    "SelectMultipleField": [None, ["a", "c"]],
}


def twins(name: str):
    """Two forms alike but for the widgets: ours, and WTForms' own."""
    extra = {"choices": CHOICES} if "Select" in name else {}
    validators = ([InputRequired(), Length(max=20)] if name in {"StringField", "TextAreaField"}
                  else [InputRequired(), NumberRange(min=0, max=100)] if name == "IntegerField" else [])

    class Ours(wtforms.Form):
        item = getattr(fields, name)("ช่อง", validators=validators, **extra)

    class Theirs(wtforms.Form):
        item = getattr(wtforms, name)("ช่อง", validators=validators, **extra)
    return Ours, Theirs


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_each_field_renders_as_wtforms_renders_it(name):
    ours_class, theirs_class = twins(name)
    assert type(ours_class().item.widget).__module__ == widgets.__name__
    for data in SHOWN[name]:
        formdata = None if data is None else MultiDict({"item": data} if not isinstance(data, list)
                                                       else [("item", value) for value in data])
        ours, theirs = ours_class(formdata), theirs_class(formdata)
        for attributes in ATTRIBUTES:
            rendered = ours.item(**attributes)
            assert isinstance(rendered, Markup)
            assert rendered == theirs.item(**attributes), (name, data, attributes)


def test_html_params_matches_wtforms():
    for attributes in ATTRIBUTES + [{"checked": True, "name": AWKWARD, "value": Markup('a"b')}]:
        assert widgets.html_params(**attributes) == wtforms.widgets.html_params(**attributes)
    assert widgets.html_params(value=AWKWARD) == 'value="เอ &#34;ก&#34; &lt;b&gt;&amp;amp;&lt;/b&gt; &#39;ข&#39;"'


def test_the_field_macro_writes_the_label_wtforms_writes(app):
    ours_class, theirs_class = twins("StringField")
    with app.test_request_context():
        macro = app.jinja_env.get_template("macros.html").module.field
        shown = macro(ours_class().item)
    assert str(theirs_class().item.label) in shown


def test_the_forms_csrf_token_renders_as_flask_wtfs_and_still_guards_the_form(app):
    """fields.Form writes its CSRF field with the quick hidden widget: the same HTML as FlaskForm's
    for the same token, and a post without the token is still refused."""
    from flask_wtf import FlaskForm

    class Ours(fields.Form):
        item = fields.StringField("ช่อง")

    class Theirs(FlaskForm):
        item = wtforms.StringField("ช่อง")

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context():
        ours, theirs = Ours(), Theirs()
        assert type(ours.csrf_token.widget).__module__ == widgets.__name__
        assert ours.csrf_token.current_token and ours.hidden_tag() == theirs.hidden_tag()
    with app.test_request_context(method="POST", data={"item": "x"}):
        refused = Ours()
        assert not refused.validate_on_submit() and "csrf_token" in refused.errors
