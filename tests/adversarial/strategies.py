"""Generators of hostile and careless input: personal numbers as people write them, markup
payloads, and valid records of every type with a chosen text in every free-text field.

Nothing here imports the code under test's privacy or markup modules: the expected answers
(what an ID number is, which fields are free text) come from the standard and from the
content model's declared field types.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from generator.content.models import RECORD_TYPES, RefTo, annotation_parts, field_marks, nested_model

# --- personal numbers ------------------------------------------------------------------

# GB 11643-1999, section 7: weights of the first 17 digits and the check characters.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
AREAS = ("110101", "110105", "310104", "310106", "330225", "320203", "440305", "510107", "650102", "230103")
# What people put between digit groups: spaces (ASCII, ideographic, no-break, doubled),
# hyphens and dashes (ASCII, full-width, Unicode), dots (ASCII, full-width, middle) and
# an invisible zero-width space pasted from a web page.
SEPARATORS = (" ", "  ", "\u3000", "\u00a0", "-", "－", "‐", "–", "—", ".", "．", "·", "\u200b")
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class Number:
    kind: str  # "id18", "id15" or "mobile"
    digits: str  # the number itself, digits only (and X)
    written: str  # as an editor wrote it


birth_dates = st.dates(dt.date(1930, 1, 1), dt.date(2012, 12, 31))


@st.composite
def id18(draw: st.DrawFn) -> str:
    sequence = draw(st.from_regex(r"\d{3}", fullmatch=True))
    first17 = draw(st.sampled_from(AREAS)) + draw(birth_dates).strftime("%Y%m%d") + sequence
    return first17 + check_character(first17)


@st.composite
def id15(draw: st.DrawFn) -> str:
    # First-generation cards (GB 11643-1989): area, YYMMDD of a 19xx birth date, sequence.
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(1999, 12, 31)))
    return draw(st.sampled_from(AREAS)) + birth.strftime("%y%m%d") + draw(st.from_regex(r"\d{3}", fullmatch=True))


mobile = st.builds("1{}{}".format, st.sampled_from("3456789"), st.from_regex(r"\d{9}", fullmatch=True))


@st.composite
def written(draw: st.DrawFn, digits: str, prefixes: tuple[str, ...] = ("",)) -> str:
    """``digits`` as someone might type them: digit widths, groupings and separators."""
    width = draw(st.sampled_from(("ascii", "full", "mixed")))
    chars = []
    for char in digits:
        full = width == "full" or (width == "mixed" and draw(st.booleans()))
        if char in FULL_WIDTH and full:
            chars.append(FULL_WIDTH[char])
        elif char == "X":
            chars.append(draw(st.sampled_from(("X", "x", "Ｘ"))))
        else:
            chars.append(char)
    cuts = draw(st.sets(st.integers(1, len(digits) - 1), max_size=5))
    separator = st.sampled_from(SEPARATORS)
    text = "".join((draw(separator) if index in cuts else "") + char for index, char in enumerate(chars))
    return draw(st.sampled_from(prefixes)) + text


@st.composite
def personal_number(draw: st.DrawFn) -> Number:
    kind = draw(st.sampled_from(("id18", "id15", "mobile")))
    if kind == "mobile":
        digits = draw(mobile)
        text = draw(written(digits, ("", "+86", "+86 ", "0086-", "＋８６ ", "(+86)")))
    else:
        digits = draw(id18() if kind == "id18" else id15())
        text = draw(written(digits))
    return Number(kind, digits, text)


SENTENCES = ("{}", "联系人：张某某，{}。", "身份证号码 {}", "手机{}（本人）", "ID: {} ", "号码为“{}”")
HOME_ADDRESSES = (
    "住3栋501", "3#楼501", "Room 501, Building 3", "家住5号楼2单元301室", "住在12幢3单元402",
    "3号楼2单元501室", "住址：幸福小区8栋1203", "Flat 12B, Block 7", "lives at Building 2, Room 1502",
    "住７栋６０２室",
)

# --- markup ------------------------------------------------------------------------------

# Each payload runs ``alert(N)`` if it ever becomes live; N is filled in per field, so a
# finding in the output names the field it came from.
MARKUP_TEMPLATES = (
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    "<img src=x onerror=alert('{n}')>",
    '<img src="x" onerror="alert({n})">',
    "</title><img src=x onerror=alert({n})>",
    "&lt;/title&gt;&lt;img src=x onerror=alert({n})&gt;",
    "<svg onload=alert({n})>",
    "<svg/onload=alert({n})>",
    "\"><script>alert({n})</script>",
    "'><img src=x onerror=alert({n})>",
    "<a href=\"javascript:alert({n})\">x</a>",
    "<iframe srcdoc=\"<script>alert({n})</script>\"></iframe>",
    "<details open ontoggle=alert({n})>",
    "<body onload=alert({n})>",
    "<!--><script>alert({n})</script>-->",
    "<style>@import 'javascript:alert({n})'</style>",
    "[x](javascript:alert({n}))",
    "<math><a xlink:href=javascript:alert({n})>x</a></math>",
    "<scr<script>ipt>alert({n})</script>",
    "<IMG SRC=x OnErRoR=alert({n})>",
    "<img src=x onerror=&#97;lert({n})>",
    "]]></content><script>alert({n})</script>",
    "\nDESCRIPTION:x\nURL:javascript:alert({n})",
    "{{ alert({n}) }}{% raw %}",
)


def markup_payload(template: str, n: int) -> str:
    return template.replace("{n}", str(n))


# --- records -----------------------------------------------------------------------------

FIXED_FIELDS = {
    # Rules between fields (an end after its start, a window long enough) and references to
    # files take fixed values; every other free-text field takes the text under test.
    "end": "2026-11-24 20:30",
    "start": "2026-11-24 19:00",
    "close": "17:30",
    "open": "08:30",
    "file": "adversarial.pdf",
}
WINDOW = {"start": dt.date(2026, 11, 20), "end": dt.date(2026, 11, 30)}


def is_free_text(annotation: Any) -> bool:
    parts = list(annotation_parts(annotation))
    return str in parts and not any(typing.get_origin(p) is typing.Literal for p in parts)


def _value(model: type[BaseModel], name: str, text: Any, anchors: dict[str, str], path: str) -> Any:
    info = model.model_fields[name]
    refs = [m for m in field_marks(info) if isinstance(m, RefTo)]
    parts = list(annotation_parts(info.annotation))
    is_list = any(typing.get_origin(p) is list for p in parts)
    if refs:
        target = anchors[refs[0].type_name]
        return [target] if is_list else target
    part = nested_model(info)
    if part is not None:
        if name == "window":
            return dict(WINDOW)
        filled = fill(part, text, anchors, f"{path}{name}.")
        return [filled] if is_list else filled
    if name in FIXED_FIELDS and path.count(".") <= 2:
        return FIXED_FIELDS[name]
    literal = next((p for p in parts if typing.get_origin(p) is typing.Literal), None)
    if literal is not None:
        choice = typing.get_args(literal)[0]
        return [choice] if is_list else choice
    if is_free_text(info.annotation):
        value = text(f"{path}{name}") if callable(text) else text
        return [value] if is_list else value
    if dt.datetime in parts:
        return "2026-11-24 19:00"
    if dt.date in parts:
        return dt.date(2026, 11, 20)
    if dt.time in parts:
        return "08:30"
    if bool in parts:
        return False
    if int in parts:
        low = next((getattr(m, "ge", None) for m in info.metadata if getattr(m, "ge", None) is not None), 1)
        return max(low, 1)
    if float in parts:
        return 1.5  # within every bounded number's range (coordinates)
    raise AssertionError(f"no value for {model.__name__}.{name}")


def fill(model: type[BaseModel], text: Any, anchors: dict[str, str], path: str = "") -> dict[str, Any]:
    """Every field of ``model`` (required and optional) with a valid value; ``text`` (or
    ``text(field_path)``) in every free-text field."""
    return {name: _value(model, name, text, anchors, path) for name in model.model_fields if name != "id"}


def free_text_fields(type_name: str) -> list[str]:
    """Dotted paths of the free-text fields ``fill`` puts the text into."""
    found: list[str] = []
    fill(RECORD_TYPES[type_name], lambda path: found.append(path) or "x", anchor_ids())
    return found


def anchor_ids() -> dict[str, str]:
    return {type_name: f"anchor-{type_name}" for type_name in RECORD_TYPES}


def anchor_records() -> dict[str, dict[str, Any]]:
    """One plain, valid record per type that the generated records refer to."""
    anchors = anchor_ids()
    records = {}
    for type_name, model in RECORD_TYPES.items():
        data = fill(model, "普通文字", anchors)
        data.pop("parent", None)  # the anchor organisation is the root
        records[type_name] = data
    return records


def examples(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` values drawn from ``strategy``, the same on every run (the first is the
    simplest). The corpus draws its inputs this way to build one project from many."""
    from hypothesis import HealthCheck, Phase, given, settings

    drawn: list[Any] = []

    @settings(max_examples=count, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn
