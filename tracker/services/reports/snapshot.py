"""A report's data as JSON and back: what a document version keeps, so that its files and its HTML
view can be made again from exactly what was approved, whatever the plan says today. The JSON is
canonical (sorted keys, no spaces), so its sha256 is the version's content hash."""
import dataclasses
import hashlib
import json
import types
import typing
from datetime import date
from decimal import Decimal

from tracker.services.reports.data import Report


def dumps(report: Report) -> str:
    return json.dumps(_plain(report), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Report:
    return _build(Report, json.loads(text))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _build(kind, value):
    """`value` read back as the type `kind` of a field of Report or of the dataclasses in it."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _build(next(arg for arg in typing.get_args(kind) if arg is not type(None)), value)
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        return [_build(item_kind, item) for item in value]
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        names = {f.name for f in dataclasses.fields(kind)}
        return kind(**{name: _build(hints[name], item) for name, item in value.items() if name in names})
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value


