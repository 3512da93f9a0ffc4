"""Rules every request's input passes before a view sees it, so that no view has to remember them:
an id in a URL is a whole number the database can hold (else 404), a name in a URL holds no
control characters (else 404), and control characters are taken out of every posted or queried
text. Such characters are invisible, never meant, and PostgreSQL refuses a NUL outright, as the
Word and Excel writers refuse the rest."""
import re

from flask import Flask, Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.datastructures.structures import iter_multi_items
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

DATABASE_INTEGER_MAX = 2 ** 31 - 1  # PostgreSQL's INTEGER, the type of every id column
# C0 controls except tab and line breaks, DEL, and the two non-characters XML refuses.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def read_integer(text: str | None) -> int | None:
    """A whole number in the database's range typed in a query or form (Thai digits too), or None.
    The length is checked before int() runs: int() of a huge string is slow or refused."""
    text = (text or "").strip()
    if not (text.isdecimal() and len(text) <= 10):
        return None
    number = int(text)
    return number if number <= DATABASE_INTEGER_MAX else None


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


class IdConverter(IntegerConverter):
    """`<int:…>` with ASCII digits only, and 404 above the database's integer range."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INTEGER_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str):
        if len(value) > len(str(self.max)):
            raise ValidationError()
        return super().to_python(value)


class NameConverter(UnicodeConverter):
    """`<name>` segments (slugs, formats, kinds) with no control characters."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


class CleanTextMultiDict(ImmutableMultiDict):
    """Query and form values (and keys) with control characters removed; of an uploaded file, its
    name (the contents are the file's own business)."""

    def __init__(self, mapping=None):
        pairs = [] if mapping is None else iter_multi_items(mapping)
        super().__init__([(_clean(key), _clean(value)) for key, value in pairs])


def _clean(value):
    if isinstance(value, FileStorage):
        value.filename = value.filename and without_control_characters(value.filename)
        return value
    return without_control_characters(value) if isinstance(value, str) else value


class CleanRequest(Request):
    parameter_storage_class = CleanTextMultiDict


def install(app: Flask) -> None:
    """Call before the blueprints are registered: their rules pick their converters when added."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = NameConverter
    app.url_map.converters["string"] = NameConverter
