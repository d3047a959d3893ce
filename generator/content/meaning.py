"""What the editor meant: spellings that are unambiguous are read, likely intentions named.

Validation asks here before it refuses a value or a key:

- ``lenient``: dates, times and date-times written without leading zeros (2026-1-5, 9:00)
  are read as the day or time they plainly are;
- ``value_hint``: a refused value that some common slip explains — full-width punctuation
  (``“08:30”``, ``[周一，周二]``, ``【…】``), a date written the Chinese way
  (``2026年11月5日``), ``24:00``, a number with its unit (``4100人``), 是/否 for true/false —
  gets a message naming the slip and the exact text to write instead;
- ``key_hint``: an unknown key that is a field's Chinese title (``标题``), a field of a part
  written without its indentation, or a full-width-spaced key, is mapped to the key meant;
- ``better_type``: a record whose fields fit another record type names the folder it
  belongs in;
- ``NameIndex``: a reference written as a record's name or short name names its id.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import typing
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .models import RECORD_TYPES, Record, annotation_parts, nested_model

KeyPath = tuple[str | int, ...]
Hint = tuple[str, str]  # (zh, en)

# Full-width characters an input method types where YAML needs ASCII (besides U+FF01–FF5E,
# which NFKC folds): brackets, quotes, the ideographic space and comma.
_FULL_WIDTH_EXTRA = str.maketrans({"【": "[", "】": "]", "“": '"', "”": '"', "‘": "'", "’": "'",
                                   "\u3000": " ", "、": ","})
_CHINESE_QUOTES = ("“”", "‘’", "「」", "『』")


# --- the model's view of a key path ---------------------------------------------------


def part_model(model: type[BaseModel], loc: KeyPath) -> type[BaseModel] | None:
    """The nested model that ``loc`` points into, if any."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = nested_model(info)
    return current


def _field_of(model: type[BaseModel], loc: KeyPath) -> tuple[type[BaseModel], str, bool] | None:
    """(model holding the field, field name, whether ``loc`` is an item of a list field)."""
    names = list(loc)
    item = False
    while names and isinstance(names[-1], int):
        names.pop()
        item = True
    if not names:
        return None
    parent = part_model(model, tuple(names[:-1]))
    name = str(names[-1])
    if parent is None or name not in parent.model_fields:
        return None
    return parent, name, item


def accepts(model: type[BaseModel], loc: KeyPath, value: Any) -> bool:
    """Whether the field at ``loc`` would take ``value`` (an item, if ``loc`` ends in an index)."""
    found = _field_of(model, loc)
    if found is None:
        return False
    parent, name, item = found
    try:
        parent.__pydantic_validator__.validate_assignment(parent.model_construct(), name, [value] if item else value)
    except (ValidationError, TypeError, ValueError):
        return False
    return True


def _kinds(model: type[BaseModel], loc: KeyPath) -> set[type]:
    found = _field_of(model, loc)
    if found is None:
        return set()
    parent, name, _item = found
    return {part for part in annotation_parts(parent.model_fields[name].annotation) if isinstance(part, type)}


def _choices(model: type[BaseModel], loc: KeyPath) -> list[str]:
    found = _field_of(model, loc)
    if found is None:
        return []
    parent, name, _item = found
    for part in annotation_parts(parent.model_fields[name].annotation):
        if typing.get_origin(part) is typing.Literal:
            return [str(choice) for choice in typing.get_args(part)]
    return []


# --- lenient reading ------------------------------------------------------------------

_UNPADDED_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_UNPADDED_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_UNPADDED_MOMENT = re.compile(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})[ T]([0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)")


def _padded_date(text: str) -> str | None:
    match = _UNPADDED_DATE.fullmatch(text)
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else None


def _padded_time(text: str) -> str | None:
    match = _UNPADDED_TIME.fullmatch(text)
    if not match:
        return None
    return f"{int(match[1]):02d}:{match[2]}" + (f":{match[3]}" if match[3] else "")


def _padded_moment(text: str) -> str | None:
    match = _UNPADDED_MOMENT.fullmatch(text)
    if not match:
        return None
    return f"{_padded_date(match[1])} {_padded_time(match[2])}"


def lenient(model: type[BaseModel], data: Any, loc: KeyPath = ()) -> Any:
    """``data`` with unpadded dates and clock times in date and time fields zero-padded.

    Returns ``data`` itself when nothing needs padding (the common case: no copy).
    """
    if isinstance(data, dict):
        changed = {key: padded for key, value in data.items()
                   if (padded := lenient(model, value, (*loc, key))) is not value}
        return {**data, **changed} if changed else data
    if isinstance(data, list):
        items = [lenient(model, value, (*loc, index)) for index, value in enumerate(data)]
        return items if any(new is not old for new, old in zip(items, data, strict=True)) else data
    # Only text starting with a digit can be an unpadded date or time.
    if not isinstance(data, str) or not data[:1].isdigit() or not loc:
        return data
    kinds = _kinds_by_names(model, tuple(part for part in loc if isinstance(part, str)))
    padded = None
    if dt.datetime in kinds:
        padded = _padded_moment(data)
    elif dt.date in kinds:
        padded = _padded_date(data)
    elif dt.time in kinds:
        padded = _padded_time(data)
    return padded if padded is not None and padded != data else data


@functools.cache
def _kinds_by_names(model: type[BaseModel], names: tuple[str, ...]) -> frozenset[type]:
    return frozenset(_kinds(model, names))


# --- values ---------------------------------------------------------------------------

_CHINESE_DATE = re.compile(
    r"\s*([0-9]{4})\s*(?:年|/|\.|-|－)\s*([0-9]{1,2})\s*(?:月|/|\.|-|－)\s*([0-9]{1,2})\s*(?:日|号)?\s*"
)
_DAY_PREFIX = re.compile(r"\s*([0-9]{4})\s*(?:年|/|\.|-)\s*([0-9]{1,2})\s*(?:月|/|\.|-)\s*([0-9]{1,2})\s*(?:日|号)?")
_CLOCK = re.compile(r"\s*([0-9]{1,2})\s*(?:[:：.点时]\s*([0-9]{1,2})?\s*分?|点半)\s*")
_NUMBER_WITH_EXTRA = re.compile(r"\s*([0-9][0-9,，]*)\s*([^0-9\s]{0,4})\s*")
_YES = ("是", "对", "有", "需要", "要", "开", "闭馆", "需")
_NO = ("否", "不", "无", "不需要", "没有", "不要", "不是")


def _full_width_folded(text: str) -> str:
    folded = "".join(unicodedata.normalize("NFKC", c) if "\uff01" <= c <= "\uff5e" else c for c in text)
    return folded.translate(_FULL_WIDTH_EXTRA)


def _full_width_in(text: str) -> list[str]:
    return sorted({c for c in text if "\uff01" <= c <= "\uff5e" or c in "【】“”‘’\u3000、"})


def _named(chars: list[str]) -> str:
    names = {"：": "全角冒号", "，": "全角逗号", "【": "全角方括号", "】": "全角方括号", "［": "全角方括号",
             "］": "全角方括号", "“": "中文引号", "”": "中文引号", "‘": "中文引号", "’": "中文引号",
             "\u3000": "全角空格", "、": "顿号", "；": "全角分号"}
    shown = []
    for char in chars:
        label = names.get(char, "全角字符")
        shown.append(f"{label}“{char}”" if char != "\u3000" else label)
    return "、".join(dict.fromkeys(shown))


def _clock_text(match: re.Match[str]) -> str | None:
    hour = int(match[1])
    minute = 30 if match.group(0).strip().endswith("点半") else int(match[2] or 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _as_list(text: str) -> Any:
    """A [ … ] flow list as YAML reads it, or the text itself."""
    if not text.strip().startswith("["):
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def value_hint(model: type[BaseModel], loc: KeyPath, value: Any) -> Hint | None:
    """The slip that explains why the field at ``loc`` refuses ``value``, and the fix."""
    if not isinstance(value, str):
        return None
    kinds = _kinds(model, loc)
    for finder in (_quotes_hint, _midnight_hint, _date_hint, _moment_hint, _clock_hint, _full_width_hint,
                   _list_hint, _number_hint, _yes_no_hint):
        found = finder(model, loc, value, kinds)
        if found is not None:
            return found
    return None


def _quotes_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    text = value.strip()
    for pair in _CHINESE_QUOTES:
        if len(text) >= 2 and text[0] == pair[0] and text[-1] == pair[1]:
            inner = text[1:-1]
            fixed = lenient(model, inner, loc) if isinstance(lenient(model, inner, loc), str) else inner
            if accepts(model, loc, fixed):
                return (
                    f"值两边用了中文引号{pair}（full-width quotes）；YAML 只认英文引号，请写成 \"{inner}\"，或去掉引号",
                    f"Chinese quotation marks {pair} around the value; write \"{inner}\" with ASCII quotes",
                )
    return None


def _midnight_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    if dt.time in kinds and re.fullmatch(r"\s*24\s*[:：]\s*00\s*", value):
        return (
            "“24:00”不是有效的时刻（time）：24 小时制的时刻从 00:00 到 23:59；开放到午夜请写 \"23:59\"",
            "24:00 is no time of day (00:00 to 23:59); for midnight write \"23:59\"",
        )
    return None


def _date_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    if dt.date not in kinds or dt.datetime in kinds:
        return None
    match = _CHINESE_DATE.fullmatch(_full_width_folded(value))
    if not match:
        return None
    fixed = f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}"
    if not accepts(model, loc, fixed):
        return None
    return (
        f"日期要写成“年-月-日”（YYYY-MM-DD）：请把“{value}”改成 {fixed}",
        f"write dates as YYYY-MM-DD: {fixed} instead of {value!r}",
    )


def _moment_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    if dt.datetime not in kinds:
        return None
    text = _full_width_folded(value).strip()
    day = _DAY_PREFIX.match(text)
    if not day:
        return None
    rest = text[day.end():].strip().lstrip("T").strip()
    rest = re.sub(r"^(上午|早上|晨)", "", rest)
    afternoon = bool(re.match(r"^(下午|晚上|傍晚)", rest))
    rest = re.sub(r"^(下午|晚上|傍晚)", "", rest)
    clock = _CLOCK.fullmatch(rest) if rest else None
    if not clock:
        return None
    time_text = _clock_text(clock)
    if time_text is None:
        return None
    if afternoon and int(time_text[:2]) < 12:
        time_text = f"{int(time_text[:2]) + 12:02d}{time_text[2:]}"
    fixed = f"{day[1]}-{int(day[2]):02d}-{int(day[3]):02d} {time_text}"
    if fixed == value or not accepts(model, loc, fixed):
        return None
    return (
        f"日期和时刻要写成 \"YYYY-MM-DD HH:MM\"（24 小时制，带引号）：请把“{value}”改成 \"{fixed}\"",
        f"write date and time as \"YYYY-MM-DD HH:MM\": \"{fixed}\" instead of {value!r}",
    )


def _clock_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    if dt.time not in kinds:
        return None
    clock = _CLOCK.fullmatch(_full_width_folded(value))
    if not clock:
        return None
    fixed = _clock_text(clock)
    if fixed is None or not accepts(model, loc, fixed):
        return None
    full_width = _full_width_in(value)
    cause = f"用了{_named(full_width)}（full-width）" if full_width else "写法不对"
    return (
        f"时刻“{value}”{cause}；请写成带引号的 24 小时制时刻 \"{fixed}\"（半角冒号）",
        f"write the time as \"{fixed}\" (24-hour, ASCII colon)",
    )


def _full_width_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    found = _full_width_in(value)
    if not found:
        return None
    folded = _full_width_folded(value)
    candidate = _as_list(folded) if list in kinds or folded.strip().startswith("[") else folded
    if isinstance(candidate, str):
        candidate = lenient(model, candidate, loc)
    if candidate == value or not accepts(model, loc, candidate):
        return None
    return (
        f"“{value}”里用了{_named(found)}（full-width）；YAML 需要半角符号，请改成：{folded}",
        f"full-width characters in {value!r}; write {folded!r} with ASCII punctuation",
    )


def _list_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    """A list written as one text: items run together with full-width commas."""
    parts = [part.strip() for part in re.split(r"[，、,；;]", value.strip().strip("[]【】［］")) if part.strip()]
    if len(parts) < 2:
        return None
    is_item = bool(loc) and isinstance(loc[-1], int)
    target_loc = loc if is_item else (*loc, 0)
    if not all(accepts(model, target_loc, part) for part in parts):
        return None
    separators = [c for c in value if c in "，、；"]
    cause = f"各项之间用了{_named(separators)}（full-width comma）" if separators else "各项写在了一起"
    written = "[" + ", ".join(parts) + "]"
    return (
        f"列表{cause}，YAML 读成了一项“{value}”；请用半角逗号加空格分开：{written}，或每项一行以“- ”开头",
        f"list items separated by full-width commas read as one item; write {written}",
    )


def _number_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    if int not in kinds or bool in kinds:
        return None
    match = _NUMBER_WITH_EXTRA.fullmatch(_full_width_folded(value))
    if not match:
        return None
    digits = re.sub(r"[,，]", "", match[1])
    if digits == value or not accepts(model, loc, digits):
        return None
    extra = [part for part in (("千位分隔符“,”" if "," in match[1] or "，" in match[1] else ""),
                                (f"单位“{match[2]}”" if match[2] else "")) if part]
    return (
        f"这里只写整数（integer）：请写 {digits}，不要写{'和'.join(extra)}",
        f"write the whole number only: {digits}",
    )


def _yes_no_hint(model: type[BaseModel], loc: KeyPath, value: str, kinds: set[type]) -> Hint | None:
    if bool not in kinds:
        return None
    text = value.strip()
    meant = "true" if text in _YES else "false" if text in _NO else None
    if meant is None:
        return None
    return (
        f"这里要写 true（是）或 false（否）；“{text}”请写 {meant}",
        f"write true or false: {meant} for {text!r}",
    )


def closest_choice(value: Any, choices: list[str]) -> str | None:
    """The allowed value an editor most likely meant (党费 -> 党费收缴)."""
    if not isinstance(value, str) or not choices:
        return None
    text = value.strip()
    containing = [choice for choice in choices if text and (text in choice or choice in text)]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.5)
    return close[0] if close else None


def choices_of(model: type[BaseModel], loc: KeyPath) -> list[str]:
    return _choices(model, loc)


# --- keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyHint:
    zh: str
    en: str
    meant: str | None = None  # the field the key stands for, in the same part
    part: str | None = None  # the part whose fields were written outside it


def key_hint(model: type[BaseModel], loc: KeyPath, data: dict[str, Any]) -> KeyHint | None:
    """What an unknown key at ``loc`` stands for, given the mapping ``data`` it is written in."""
    key = str(loc[-1])
    bare = key.strip(" \u3000\t")
    found = _key_meaning(model, loc, bare, data)
    if bare == key:
        return found
    spaced = KeyHint(
        f"字段名 {bare} 前面有全角空格（full-width space）；缩进只能用半角空格，请把它换成半角空格",
        f"a full-width space before the key {bare!r}; indent with ASCII spaces only",
        bare if found is None else found.meant, None if found is None else found.part,
    )
    if found is None or found.meant == bare:
        return spaced
    return KeyHint(f"{spaced.zh}；{found.zh}", f"{spaced.en}; {found.en}", found.meant, found.part)


def _key_meaning(model: type[BaseModel], loc: KeyPath, bare: str, data: dict[str, Any]) -> KeyHint | None:
    parent = part_model(model, loc[:-1])
    if parent is None:
        return None
    fields = {name: info for name, info in parent.model_fields.items() if name != "id"}
    if bare in fields:
        return KeyHint("", "", bare)
    # A field of a part left empty above it: the part's lines lost their indentation.
    for name, info in fields.items():
        inner = nested_model(info)
        if inner is not None and bare in inner.model_fields and not data.get(name):
            zh, en = part_outside_hint([bare], name, info.title or "")
            return KeyHint(zh, en, None, name)
    close = difflib.get_close_matches(bare, list(fields), n=1, cutoff=0.6)
    if close:
        return KeyHint(f"是不是想写 {close[0]}？", f"did you mean {close[0]!r}?", close[0])
    titled = _by_title(bare, fields)
    if titled:
        name = titled
        title = fields[name].title
        shown = f"“{bare}”" if title == bare else f"“{bare}”（{title}）"
        return KeyHint(
            f"字段名要用英文：{shown}应写作 {name}，如“{name}: …”",
            f"keys are written in English: {bare!r} is {name!r}",
            name,
        )
    if len(loc) >= 2:
        enclosing = list(loc[:-1])
        while enclosing and isinstance(enclosing[-1], int):
            enclosing.pop()
        outer = part_model(model, tuple(enclosing[:-1]))
        if outer is not None and bare in outer.model_fields:
            return KeyHint(
                f"这一行缩进多了（indentation）：{bare} 不属于 {_last_name(loc[:-1])}，要与 {_last_name(loc[:-1])} "
                "左边对齐",
                f"{bare!r} is indented too deep: it does not belong to {_last_name(loc[:-1])!r}",
            )
    return None


def part_outside_hint(keys: list[str], part: str, title: str) -> Hint:
    """The fields ``keys`` of ``part`` written at the level of ``part`` itself."""
    return (
        f"{'、'.join(keys)} 是 {part}（{title}）里的字段：要写在“{part}:”下面，并比 {part} 多缩进两个空格"
        "（indentation）",
        f"{', '.join(keys)} belong to {part!r}: write them under '{part}:', indented by two more spaces",
    )


def _last_name(loc: KeyPath) -> str:
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "")


def _by_title(key: str, fields: dict[str, Any]) -> str | None:
    """The field whose Chinese title (or description) is the key an editor wrote."""
    exact = [name for name, info in fields.items() if info.title == key]
    if len(exact) == 1:
        return exact[0]
    if not key or key.isascii():
        return None
    within = [name for name, info in fields.items() if info.title and len(key) >= 2
              and (key in info.title or info.title in key)]
    if len(within) == 1:
        return within[0]
    titles = {info.title: name for name, info in fields.items() if info.title}
    close = difflib.get_close_matches(key, list(titles), n=1, cutoff=0.5)
    return titles[close[0]] if close else None


# --- the record type ------------------------------------------------------------------


def _misfit(model: type[Record], data: dict[str, Any]) -> int:
    fields = model.model_fields
    unknown = sum(1 for key in data if key not in fields)
    missing = sum(1 for name, info in fields.items() if info.is_required() and name != "id" and name not in data)
    return unknown + missing


def better_type(data: dict[str, Any], current: str | None) -> str | None:
    """The record type whose fields ``data`` fits clearly better than ``current``'s."""
    if not data:
        return None
    scores = {name: _misfit(model, data) for name, model in RECORD_TYPES.items()}
    best = min(scores, key=lambda name: (scores[name], name != current))
    if best == current:
        return None
    if current is None:
        return best if scores[best] * 3 < len(data) else None
    return best if scores[current] >= 3 and scores[best] * 3 <= scores[current] else None


# --- references -----------------------------------------------------------------------


def _folded_name(text: str) -> str:
    return re.sub(r"[\s“”\"'‘’「」（）()·]", "", _full_width_folded(text)).lower()


class NameIndex:
    """Records by their names, short names and titles, to turn a name into the id meant."""

    def __init__(self) -> None:
        self._by_name: dict[tuple[str, str], set[str]] = {}

    def add(self, type_name: str, record_id: str, names: Iterable[object]) -> None:
        for name in names:
            if isinstance(name, str) and name.strip():
                self._by_name.setdefault((type_name, _folded_name(name)), set()).add(record_id)

    def id_named(self, type_name: str, written: str) -> str | None:
        found = self._by_name.get((type_name, _folded_name(written)))
        return next(iter(found)) if found and len(found) == 1 else None


@functools.cache
def name_fields(model: type[Record]) -> tuple[str, ...]:
    """The fields that name a record: its title field and a short name, if it has one."""
    return tuple(name for name in dict.fromkeys((model.title_field, "short_name", "name", "title"))
                 if name in model.model_fields)
