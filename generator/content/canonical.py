"""Record data -> the canonical text of its YAML file.

Saves from the browser forms (``/admin/``) are written in one canonical form, so that a file
saved by a form reads like one written by hand and the next save changes only what the
editor changed:

- keys in the model's field order (``body`` last, as in the sample records and ``tongxin
  new``), nested parts too; keys the model does not know are kept after them, so that
  validation can name them;
- empty values (``""``, ``[]``, ``{}``, null) left out: an empty form field is no field;
- block style, lists indented under their key, Chinese written as it is (not escaped);
- dates plain (``2026-11-16``), clock times and date-times quoted (``"08:30"``,
  ``"2026-11-24 19:00"``: unquoted, YAML 1.1 reads 08:30 as a number), long text as a
  ``body: |`` literal block.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .models import annotation_parts, nested_model

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Longer than any line: PyYAML would otherwise fold long Chinese lines.
_NO_FOLDING = 1 << 30


class _Quoted(str):
    """Text always written in double quotes."""


class _Literal(str):
    """Text written as a ``|`` literal block."""


class _Choices(list):  # type: ignore[type-arg]
    """A list of enumerated values, written on one line: ``days: [周一, 周二]``."""


class _Dumper(yaml.SafeDumper):
    """Block style with list items indented under their key, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_quoted(dumper: yaml.SafeDumper, value: _Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _represent_literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


def _represent_choices(dumper: yaml.SafeDumper, value: _Choices) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)


_Dumper.add_representer(_Quoted, _represent_quoted)
_Dumper.add_representer(_Choices, _represent_choices)
_Dumper.add_representer(_Literal, _represent_literal)


def scalar_kind(info: FieldInfo) -> type | None:
    """The scalar type a field holds (directly, optionally or as list items), if any."""
    kinds = [t for t in annotation_parts(info.annotation) if isinstance(t, type)]
    for kind in (dt.datetime, dt.date, dt.time, bool, int, str):  # datetime is a date: first
        if kind in kinds:
            return kind
    return None


def holds_choices(info: FieldInfo) -> bool:
    """Whether a field's values come from an enumeration (``Literal``)."""
    return any(typing.get_origin(t) is typing.Literal for t in annotation_parts(info.annotation))


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _clock(value: dt.time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _scalar(kind: type | None, value: Any) -> Any:
    """``value`` as the canonical file writes a field of ``kind``."""
    if kind is dt.datetime:
        if isinstance(value, dt.datetime):
            return _Quoted(f"{value:%Y-%m-%d} {_clock(value.time())}")
        return _Quoted(value) if isinstance(value, str) else value
    if kind is dt.date and isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # not a real date: validation says so against the field
    if kind is dt.time:
        if isinstance(value, dt.time):
            return _Quoted(_clock(value))
        return _Quoted(value) if isinstance(value, str) else value
    if isinstance(value, str):
        return _text(value)
    return value


def _text(value: str, block: bool = False) -> str:
    """One-line text stripped; longer text (and every body) as a literal block."""
    if "\n" not in value.strip() and not block:
        return value.strip()
    # One trailing newline, as a hand-written ``body: |`` block has.
    lines = value.replace("\r\n", "\n").strip("\n").split("\n")
    return _Literal("\n".join(line.rstrip() for line in lines) + "\n")


def _value(info: FieldInfo | None, value: Any) -> Any:
    part = nested_model(info) if info is not None else None
    kind = scalar_kind(info) if info is not None else None
    if isinstance(value, Mapping):
        return ordered(part, value) if part is not None else ordered(None, value)
    if isinstance(value, list):
        items = [_value(info, item) for item in value]
        kept = [item for item in items if not is_empty(item)]
        return _Choices(kept) if info is not None and holds_choices(info) else kept
    return _scalar(kind, value)


def ordered(model: type[BaseModel] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with keys in ``model``'s field order (``body`` last), empty values left out.

    The ``id`` is never written: it is the file name.
    """
    fields = dict(model.model_fields) if model is not None else {}
    names = [name for name in fields if name not in ("id", "body")]
    if "body" in fields:
        names.append("body")
    names += [key for key in data if key not in fields]
    result: dict[str, Any] = {}
    for name in names:
        if name not in data or (name == "id" and model is not None):
            continue
        value = data[name]
        if name == "body" and isinstance(value, str):
            value = _text(value, block=True)
        else:
            value = _value(fields.get(name), value)
        if not is_empty(value):
            result[name] = value
    return result


def canonical_text(model: type[BaseModel], data: Mapping[str, Any]) -> str:
    """The canonical YAML text of a record of ``model`` holding ``data``."""
    return yaml.dump(
        ordered(model, data),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=_NO_FOLDING,
        indent=2,
    )
