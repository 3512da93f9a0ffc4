"""WTForms' widgets, writing the same HTML more quickly. WTForms writes each attribute with
Markup.format, whose pure-Python formatter made a sixth of the task page's time; here an attribute
is escaped once and joined as text. tracker.web.fields gives every field one of these widgets;
tests/test_widgets.py holds their HTML to WTForms' own."""
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets.core import clean_key


def html_params(**attributes) -> Markup:
    """wtforms.widgets.html_params: sorted, `class_` / `data_x` / `aria_x` spelt as HTML, True
    written bare and False left out, every name and value escaped."""
    written = []
    for name, value in sorted(attributes.items()):
        name = escape(clean_key(name))
        if value is True:
            written.append(name)
        elif value is not False:
            written.append(f'{name}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(written))  # nosec B704


def _validation_attributes(widget, field, attributes: dict) -> None:
    """The field's flags that the widget writes as attributes (required, maxlength …). Read from
    the flags' own attributes: WTForms asks dir(), a sorted list of every attribute, per field."""
    flags = getattr(field, "flags", None)
    for name, value in (vars(flags) if flags is not None else {}).items():
        if name in widget.validation_attrs and name not in attributes:
            attributes[name] = value() if callable(value) else value


class Input(widgets.Input):
    def __call__(self, field, **attributes):
        attributes.setdefault("id", field.id)
        attributes.setdefault("type", self.input_type)
        if "value" not in attributes:
            attributes["value"] = field._value()
        datalist = getattr(field, "_datalist", None)
        if datalist is not None and "list" not in attributes:
            attributes["list"] = datalist if isinstance(datalist, str) else datalist.id
        _validation_attributes(self, field, attributes)
        return Markup(f"<input {html_params(name=field.name, **attributes)}>")  # nosec B704


class TextInput(widgets.TextInput, Input):
    pass


class NumberInput(widgets.NumberInput, Input):
    pass


class EmailInput(widgets.EmailInput, Input):
    pass


class PasswordInput(widgets.PasswordInput, Input):
    pass


class HiddenInput(widgets.HiddenInput, Input):
    pass


class CheckboxInput(widgets.CheckboxInput, Input):
    pass


class FileInput(widgets.FileInput, Input):
    pass


class TextArea(widgets.TextArea):
    def __call__(self, field, **attributes):
        attributes.setdefault("id", field.id)
        _validation_attributes(self, field, attributes)
        return Markup(f"<textarea {html_params(name=field.name, **attributes)}>\r\n"  # nosec B704
                      f"{escape(field._value())}</textarea>")


class Select(widgets.Select):
    """A select without option groups (none of ours has them): WTForms' Select otherwise."""

    def __call__(self, field, **attributes):
        if field.has_groups():
            return super().__call__(field, **attributes)
        attributes.setdefault("id", field.id)
        if self.multiple:
            attributes["multiple"] = True
        _validation_attributes(self, field, attributes)
        options = "".join(self.render_option(choice) for choice in field._iter_choices_normalized())
        return Markup(f"<select {html_params(name=field.name, **attributes)}>{options}</select>")  # nosec B704

    @classmethod
    def render_option(cls, choice, **attributes):
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        written = {"value": value, **(choice.render_kw or {}), **attributes}
        if choice.selected:
            written["selected"] = True
        return Markup(f"<option {html_params(**written)}>{escape(choice.label or choice.value)}</option>")  # nosec B704
