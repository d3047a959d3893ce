"""Raw records -> typed records, with every problem located and explained.

Three passes, each reporting everything it finds before the run stops:

1. each file on its own: ids, unknown keys, types, enumerations (pydantic does the typing,
   this module turns its errors into messages an editor can act on, with ``meaning`` saying
   what a refused value or key most likely meant);
2. each record's own rules: a window that ends before it starts, a lecture that ends
   before it begins, opening hours that close before they open, missing attachments;
3. across records: duplicate ids, references that resolve, no cycles in ``parent``.

A record that fails pass 1 still goes through pass 2 with the fields that are valid, and
through pass 3 as a record that exists: every problem shows in one run, and a mistake in
one record never makes the records that refer to it report a reference that is correct.

``check_record_text`` validates one record's text in the context of the others (for an
editor's tool that refuses to save an invalid record).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..parallel import fork_map
from .characters import invisible_characters
from .folder import check_content_folder
from .loading import (
    DEFAULT_MAX_BYTES,
    KeyPath,
    RawRecord,
    display_path,
    load_record,
    parse_record_document,
    record_files,
    shown_value,
)
from .markup import unsafe_markup, unsafe_page_markup
from .meaning import (
    KeyHint,
    NameIndex,
    accepts,
    better_type,
    choices_of,
    closest_choice,
    key_hint,
    lenient,
    name_fields,
    part_model,
    part_outside_hint,
    value_hint,
)
from .models import (
    MINIMUM_WINDOW_DAYS,
    RECORD_TYPES,
    FileLink,
    Lecture,
    Notice,
    Place,
    Record,
    nested_model,
    reference_fields,
)
from .offline import check_record_body
from .privacy import _texts, check_privacy
from .problems import Position, ProblemLog, Severity

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass
class ValidRecord:
    """A typed record together with the raw data it came from (for positions)."""

    model: Record
    raw: RawRecord

    @property
    def key(self) -> tuple[str, str]:
        return (self.raw.type_name, self.raw.record_id)


@dataclass
class InvalidRecord:
    """A record file with problems of its own: it still exists for references to it, and
    its valid fields (``model``, partly filled, None if unreadable) are checked across records."""

    model: Record | None
    raw: RawRecord

    @property
    def key(self) -> tuple[str, str]:
        return (self.raw.type_name, self.raw.record_id)


CheckedRecord = ValidRecord | InvalidRecord


# --- model introspection ---------------------------------------------------------------


_part_model = part_model


def _field_title(model: type[BaseModel], loc: KeyPath) -> str:
    if not loc or isinstance(loc[-1], int):
        return ""
    parent = _part_model(model, loc[:-1])
    info = parent.model_fields.get(str(loc[-1])) if parent else None
    return info.title or "" if info else ""


def format_key_path(loc: Iterable[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- pass 1: pydantic errors as editor messages ----------------------------------------


def _allowed(ctx: dict[str, Any]) -> str:
    return "、".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))


def _describe(error: dict[str, Any], model: type[Record]) -> tuple[str, str]:
    """(zh, en) for one pydantic error."""
    kind = error["type"]
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    value = shown_value(error.get("input"))
    detail = ctx.get("error", "")
    if error.get("input") is None and (kind.endswith("_type") or kind == "literal_error"):
        # "key:" with nothing after it, as a scaffolded record has until it is filled in.
        info = _part_model(model, loc[:-1])
        key = str(loc[-1])
        description = info.model_fields[key].description if info and key in info.model_fields else ""
        if kind in ("model_type", "dict_type"):
            return (
                f"还没有填写（empty）：{description}；请在下一行缩进两个空格写它的字段"
                "（去掉模板里行首的“# ”）",
                "empty: write its fields on the next lines, indented by two spaces",
            )
        choices = f"；只能填：{_allowed(ctx)}" if kind == "literal_error" else ""
        return (
            f"还没有填写（empty）；请在冒号后面填写{('：' + description) if description else ''}{choices}",
            "empty; write a value after the colon",
        )
    if kind == "missing":
        key = loc[-1]
        info = _part_model(model, loc[:-1])
        description = info.model_fields[str(key)].description if info and str(key) in info.model_fields else ""
        return (
            f"缺少必填字段（required）；请添加 {key}: …（{description}）",
            f"required field missing; add {key}: …",
        )
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _part_model(model, loc[:-1])
        known = [name for name in (parent.model_fields if parent else {}) if name != "id"]
        return (
            f"未知字段 {shown_value(key)}（unknown key）；可用的字段有：{'、'.join(known)}",
            f"unknown key {shown_value(key)!r}; valid keys: {', '.join(known)}",
        )
    hint = value_hint(model, loc, error.get("input"))
    if hint is not None:
        return hint
    raw_input = error.get("input")
    if kind in ("string_type", "literal_error") and isinstance(raw_input, list | dict):
        shape = "列表（list，以“- ”开头的几行）" if isinstance(raw_input, list) else "几行缩进的“字段: 值”（mapping）"
        return (
            f"这里只写一个值（一段文字），不能写成{shape}；请把内容写在冒号后面的同一行",
            "a single value is expected here, not a list or mapping: write it after the colon",
        )
    if kind == "literal_error":
        meant = closest_choice(raw_input, choices_of(model, loc))
        guess = f"是不是想写“{meant}”？" if meant else ""
        return (
            f"“{value}”不是允许的取值（enumeration）；{guess}可选：{_allowed(ctx)}",
            f"{value!r} is not allowed; " + (f"did you mean {meant!r}? " if meant else "")
            + f"choose one of: {_allowed(ctx).replace('、', ', ')}",
        )
    if kind.startswith("datetime"):
        return (
            f"时间“{value}”无效（datetime）{('：' + detail) if detail else ''}；"
            "应写成 \"YYYY-MM-DD HH:MM\"，如 \"2026-11-24 19:00\"",
            f"invalid date and time {value!r} {detail}; write \"YYYY-MM-DD HH:MM\"",
        )
    if kind.startswith("date"):
        return (
            f"日期“{value}”无效（date）{('：' + detail) if detail else ''}；"
            "应写成 YYYY-MM-DD，如 2026-11-22",
            f"invalid date {value!r} {detail}; write YYYY-MM-DD, e.g. 2026-11-22",
        )
    if kind.startswith("time"):
        return (
            f"时刻“{value}”无效（time）{('：' + detail) if detail else ''}；"
            "应写成带引号的 24 小时制时刻，如 \"08:30\"",
            f"invalid time {value!r} {detail}; write a quoted 24-hour time such as \"08:30\"",
        )
    messages: dict[str, tuple[str, str]] = {
        "string_type": (f"应为文字（text），现在是“{value}”", f"expected text, got {value!r}"),
        "int_type": ("应为整数（integer），如 12", "expected a whole number such as 12"),
        "int_parsing": (f"“{value}”不是整数（integer）；请写数字，如 12", "expected a whole number"),
        "int_from_float": ("应为整数（integer），不能有小数", "expected a whole number"),
        "bool_type": ("应为 true 或 false", "expected true or false"),
        "bool_parsing": ("应为 true 或 false", "expected true or false"),
        "list_type": (
            f"应为列表（list），现在是“{value}”：每一项另起一行，以“- ”开头；或写成 [项一, 项二]",
            "expected a list: one item per line starting with '- '",
        ),
        "model_type": (
            "应为映射（mapping）：在下一行缩进两个空格写“字段: 值”",
            "expected a mapping: indented 'key: value' lines",
        ),
        "dict_type": (
            "应为映射（mapping）：在下一行缩进两个空格写“字段: 值”",
            "expected a mapping: indented 'key: value' lines",
        ),
        "too_short": (
            f"至少需要 {ctx.get('min_length', 1)} 项",
            f"needs at least {ctx.get('min_length', 1)} item(s)",
        ),
        "greater_than_equal": (f"应不小于 {ctx.get('ge')}", f"must be at least {ctx.get('ge')}"),
        "less_than_equal": (f"应不大于 {ctx.get('le')}", f"must be at most {ctx.get('le')}"),
    }
    return messages.get(kind, (f"取值无效：{error.get('msg')}", str(error.get("msg"))))


def _field_label(model: type[Record], loc: KeyPath) -> str:
    shown = format_key_path(loc)
    title = _field_title(model, loc)
    return f"{shown}（{title}）" if title else shown


def type_record(raw: RawRecord, log: ProblemLog) -> CheckedRecord:
    """Validate one raw record against its model (or the model its fields fit better)."""
    model = RECORD_TYPES[raw.type_name]
    ok = True
    if not SLUG.fullmatch(raw.record_id):
        ok = False
        log.add(
            raw.path,
            Position(1, 1),
            "id",
            f"文件名“{raw.record_id}”不能用作编号（id）：只能用小写英文字母、数字和连字符，"
            "如 yeqing-dasha.yml",
            f"file name {raw.record_id!r} is not a valid id: use a-z, 0-9 and '-' only",
        )
    if "id" in raw.data:
        ok = False
        log.add(
            raw.path,
            raw.position_of(("id",)),
            "id",
            "不要在文件里写 id：编号由文件名决定；请删除这一行",
            "do not write id in the file: the file name is the id",
        )
    data = lenient(model, {key: value for key, value in raw.data.items() if key != "id"})
    try:
        typed = model.model_validate({**data, "id": raw.record_id})
    except ValidationError as error:
        fitting = better_type(raw.data, raw.type_name)
        if fitting is not None:
            _report_other_type(raw, fitting, log)
            return InvalidRecord(None, raw)
        meant = _report_errors(raw, model, error, log)
        # The fields as the editor meant them (标题 as title), for the checks of passes 2 and 3.
        for key, name in meant.items():
            data.setdefault(name, data[key])
        return InvalidRecord(_valid_fields(model, data, raw.record_id), raw)
    _report_duplicates(raw, model, set(), log)
    return ValidRecord(typed, raw) if ok else InvalidRecord(typed, raw)


def _report_errors(raw: RawRecord, model: type[Record], error: ValidationError, log: ProblemLog) -> dict[str, str]:
    """Every pydantic error as a message, without the ones that another message explains;
    the top-level keys written for a field, and the field meant."""
    items = [dict(item) for item in error.errors()]
    hints: dict[KeyPath, KeyHint] = {}
    for item in items:
        loc = tuple(item["loc"])
        if item["type"] == "extra_forbidden":
            found = key_hint(model, loc, _mapping_at(raw.data, loc[:-1]))
            if found is not None:
                hints[loc] = found
    # A key meant as a field (标题 for title, titel) makes "title is missing" redundant, and
    # fields written outside their part make "the part is empty" redundant.
    meant = {(*loc[:-1], hint.meant) for loc, hint in hints.items() if hint.meant}
    parts_outside = {(*loc[:-1], hint.part) for loc, hint in hints.items() if hint.part}
    # Fields of a part written outside it: one message, at the first of them.
    outside: dict[KeyPath, list[KeyPath]] = {}
    for loc, hint in hints.items():
        if hint.part:
            outside.setdefault((*loc[:-1], hint.part), []).append(loc)
    for item in items:
        loc = tuple(item["loc"])
        if item["type"] == "missing" and loc in meant:
            continue
        if loc in parts_outside and item.get("input") is None:
            continue
        hint = hints.get(loc)
        key = str(loc[-1])
        if hint is not None and hint.part:
            group = sorted(outside[(*loc[:-1], hint.part)], key=raw.position_of)
            if loc != group[0]:
                continue
            keys = [str(other[-1]) for other in group]
            zh, en = part_outside_hint(keys, hint.part, _field_title(model, (*loc[:-1], hint.part)))
        elif hint is not None:
            zh, en = f"未知字段 {shown_value(key)}（unknown key）；{hint.zh}", f"unknown key {key!r}; {hint.en}"
        else:
            zh, en = _describe(item, model)
        log.add(raw.path, raw.position_of(loc), _field_label(model, loc), zh, en)
    explained: set[object] = set()
    for part_loc in parts_outside:
        inner = _part_model(model, part_loc)
        explained.update(inner.model_fields if inner is not None else ())
    _report_duplicates(raw, model, explained, log)
    return {str(loc[0]): hint.meant for loc, hint in hints.items() if hint.meant and len(loc) == 1}


def _mapping_at(data: Any, loc: KeyPath) -> dict[str, Any]:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return data if isinstance(data, dict) else {}


def _report_duplicates(raw: RawRecord, model: type[Record], explained: set[object], log: ProblemLog) -> None:
    for key_path, where, first in raw.duplicates:
        if len(key_path) == 1 and key_path[0] in explained:
            continue  # a field of a part written outside it: already said so at its first line
        key = shown_value(key_path[-1])
        log.add(
            raw.path, where, _field_label(model, key_path),
            f"字段 {key} 重复出现（duplicate key），第一次在第 {first.line} 行；请删除其中一个",
            f"duplicate key {key!r} (first at line {first.line}); keep only one",
        )


def _report_other_type(raw: RawRecord, fitting: str, log: ProblemLog) -> None:
    """A record saved in another type's folder: say so, and check it as what it is."""
    other = RECORD_TYPES[fitting]
    here = RECORD_TYPES[raw.type_name]
    log.add(
        raw.path, Position(1, 1), "",
        f"这个文件的字段像是{other.type_label}（{fitting}），是否放错了文件夹 {raw.type_name}/？"
        f"{raw.type_name}/ 里放的是{here.type_label}；请把文件移到 content/{fitting}/",
        f"this file's fields are those of {fitting}, not {raw.type_name}: move it to content/{fitting}/",
    )
    moved = RawRecord(fitting, raw.record_id, raw.path, raw.data, raw.positions, raw.block_starts, raw.file,
                      raw.duplicates)
    data = lenient(other, {key: value for key, value in raw.data.items() if key != "id"})
    try:
        other.model_validate({**data, "id": raw.record_id})
    except ValidationError as error:
        _report_errors(moved, other, error, log)


def _valid_fields(model: type[Record], data: dict[str, Any], record_id: str) -> Record:
    """The record with only the fields that are valid on their own (for the checks that
    need them: a window's dates when the category is wrong, references when a date is)."""
    partial = model.model_construct()
    for key, value in {**data, "id": record_id}.items():
        if key in model.model_fields and accepts(model, (key,), value):
            model.__pydantic_validator__.validate_assignment(partial, key, value)
    return partial


# --- pass 2: a record's own rules ------------------------------------------------------


def _check_notice(record: ValidRecord, log: ProblemLog) -> None:
    notice = record.model
    assert isinstance(notice, Notice)
    start, end = notice.window.start, notice.window.end
    where = record.raw.position_of(("window", "end"))
    if end < start:
        log.add(
            record.raw.path, where, "window.end（结束日期）",
            f"公示期结束日期 {end} 早于开始日期 {start}；结束日期应不早于开始日期",
            f"window ends ({end}) before it starts ({start})",
        )
        return
    days = (end - start).days + 1
    minimum = MINIMUM_WINDOW_DAYS[notice.form]
    if days < minimum:
        log.add(
            record.raw.path, where, "window.end（结束日期）",
            f"{notice.form}期只有 {days} 天；按党务公开规定，{notice.form}不少于 {minimum} 天，"
            f"结束日期应不早于 {start + dt.timedelta(days=minimum - 1)}",
            f"a {notice.form} window must last at least {minimum} days; it lasts {days}",
        )


def _check_lecture(record: ValidRecord, log: ProblemLog) -> None:
    lecture = record.model
    assert isinstance(lecture, Lecture)
    for key in ("start", "end"):
        written = record.raw.data.get(key)
        # pydantic reads a bare date as midnight; a lecture at 00:00 is always a missing time.
        if isinstance(written, dt.date | str) and not isinstance(written, dt.datetime) and ":" not in str(written):
            log.add(
                record.raw.path, record.raw.position_of((key,)), _field_label(Lecture, (key,)),
                f"只写了日期“{written}”，没有写时刻；应写成 \"YYYY-MM-DD HH:MM\"，如 \"{written} 19:00\"",
                f"{written} has no time of day; write \"YYYY-MM-DD HH:MM\"",
            )
    if lecture.end <= lecture.start:
        log.add(
            record.raw.path, record.raw.position_of(("end",)), "end（结束时间）",
            f"结束时间 {lecture.end:%Y-%m-%d %H:%M} 不晚于开始时间 {lecture.start:%Y-%m-%d %H:%M}；"
            "结束时间应晚于开始时间",
            "the lecture ends before it starts",
        )
    if lecture.place is None and not lecture.venue:
        log.add(
            record.raw.path, record.raw.position_of(()), "place（阵地）",
            "没有写地点：请填写 place（阵地编号），或在 venue 写其他地点或网上平台",
            "no place: give place (a place id) or venue",
        )


def _check_place(record: ValidRecord, log: ProblemLog) -> None:
    place = record.model
    assert isinstance(place, Place)
    _check_exceptions(place, record, log)
    if place.hours is None:
        return
    for index, period in enumerate(place.hours.periods):
        if period.close <= period.open:
            log.add(
                record.raw.path,
                record.raw.position_of(("hours", "periods", index, "close")),
                f"hours.periods[{index}].close（关门时间）",
                f"关门时间 {period.close:%H:%M} 不晚于开门时间 {period.open:%H:%M}",
                "closing time is not after opening time",
            )


@functools.cache
def _file_link_fields(model: type[Record]) -> tuple[str, ...]:
    """Fields holding links to files in content/files/ (attachments, materials …)."""
    return tuple(name for name, info in model.model_fields.items() if nested_model(info) is FileLink)


def _check_exceptions(place: Place, record: ValidRecord, log: ProblemLog) -> None:
    for index, exception in enumerate(place.hours.exceptions if place.hours else []):
        where = record.raw.position_of(("hours", "exceptions", index, "close"))
        label = f"hours.exceptions[{index}]（特殊安排）"
        if exception.closed:
            continue
        if (exception.open is None) != (exception.close is None):
            log.add(record.raw.path, where, label, "特殊安排要同时写开门时间 open 和关门时间 close，或写 closed: true",
                    "an exception needs both open and close, or closed: true")
        elif exception.open is not None and exception.close is not None and exception.close <= exception.open:
            log.add(record.raw.path, where, label,
                    f"关门时间 {exception.close:%H:%M} 不晚于开门时间 {exception.open:%H:%M}",
                    "closing time is not after opening time")


# Dates a portal's records can mean: the calendar, feeds and time zones work within these.
YEARS = range(1900, 2101)


def _dates(value: object, path: KeyPath = ()) -> Iterator[tuple[KeyPath, dt.date]]:
    if isinstance(value, dt.date):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _dates(getattr(value, name, None), (*path, name))  # a partly valid record lacks some
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _dates(item, (*path, index))


def _check_years(record: ValidRecord, log: ProblemLog) -> bool:
    """A date in year 1 or 9999 is a typo, and no calendar or feed can show it; True if any."""
    model = type(record.model)
    found = False
    for path, value in _dates(record.model):
        if value.year not in YEARS:
            found = True
            log.add(record.raw.path, record.raw.position_of(path), _field_label(model, path),
                    f"日期 {value.isoformat()} 不在 {YEARS.start}–{YEARS.stop - 1} 年之间，多半是笔误；请改正年份",
                    f"the date {value.isoformat()} is outside {YEARS.start}-{YEARS.stop - 1}; fix the year")
    return found


def _check_files(record: ValidRecord, files_dir: Path, log: ProblemLog) -> None:
    for name in _file_link_fields(type(record.model)):
        value = getattr(record.model, name)
        links: list[tuple[KeyPath, FileLink]] = (
            [((name, index), link) for index, link in enumerate(value)] if isinstance(value, list)
            else [((name,), value)] if value is not None else []
        )
        for loc, link in links:
            target = files_dir / link.file
            plain = _PLAIN_FILE_NAME.fullmatch(link.file) is not None and len(link.file.encode()) < 250
            inside = plain and files_dir.resolve() in target.resolve().parents
            if not inside or not target.is_file():
                log.add(
                    record.raw.path,
                    record.raw.position_of((*loc, "file")),
                    f"{format_key_path(loc)}.file（文件）",
                    f"找不到文件 content/files/{link.file}；请把文件放进 content/files/，或改正文件名",
                    f"file content/files/{link.file} not found",
                )


# A file under content/files/: no control characters, no way up or out ("..", "/", "\\", "~", "C:").
_PLAIN_FILE_NAME = re.compile(
    r"(?!.*(?:^|/)\.\.?(?:/|$))(?![/~])[^\x00-\x1f\x7f\\:%\u200b-\u200f\u202a-\u202e\u2066-\u2069]+(?<!/)"
)


RECORD_RULES = {"notices": _check_notice, "lectures": _check_lecture, "places": _check_place}


def _check_own_rules(record: CheckedRecord, files_dir: Path, log: ProblemLog) -> None:
    """Pass 2 on the fields that are valid; a rule whose fields are not is left out."""
    if record.model is None:
        return
    checked = ValidRecord(record.model, record.raw)
    rule = RECORD_RULES.get(record.raw.type_name)
    if not _check_years(checked, log) and rule:  # the rules' date arithmetic needs real years
        with contextlib.suppress(AttributeError):  # a field the rule needs failed pass 1
            rule(checked, log)
    with contextlib.suppress(AttributeError):
        _check_files(checked, files_dir, log)


# --- pass 3: across records ------------------------------------------------------------


def _check_duplicates(records: list[CheckedRecord], log: ProblemLog) -> list[CheckedRecord]:
    seen: dict[tuple[str, str], CheckedRecord] = {}
    unique = []
    for record in records:
        key = (record.raw.type_name, record.raw.record_id.lower())
        first = seen.get(key)
        if first is not None:
            log.add(
                record.raw.path, Position(1, 1), "id",
                f"编号重复（duplicate id）：{first.raw.path} 已经使用了“{record.raw.record_id}”；"
                "请给其中一个文件改名",
                f"duplicate id: {first.raw.path} already uses {record.raw.record_id!r}",
            )
            continue
        seen[key] = record
        unique.append(record)
    return unique


def _name_index(records: list[CheckedRecord]) -> NameIndex:
    index = NameIndex()
    for record in records:
        if record.model is not None:
            names = [getattr(record.model, name, None) for name in name_fields(type(record.model))]
            index.add(record.raw.type_name, record.raw.record_id, names)
    return index


def _check_references(records: list[CheckedRecord], log: ProblemLog) -> None:
    """Every reference resolves to a record file (valid or not: its own errors say what to fix)."""
    ids = {record.key for record in records}
    names: NameIndex | None = None

    # One suggestion per missing id: a broken organisation leaves dozens of records pointing
    # at the same id, and matching against thousands of ids is slow.
    @functools.cache
    def closest(target_type: str, target: str) -> list[str]:
        known = sorted(i for t, i in ids if t == target_type)
        return difflib.get_close_matches(target, known, n=1, cutoff=0.6)

    for record in records:
        if record.model is None:
            continue
        model = type(record.model)
        for name, target_type in reference_fields(model).items():
            value = getattr(record.model, name, None)
            targets = value if isinstance(value, list) else [value]
            for index, target in enumerate(targets):
                if target is None or (target_type, target) in ids:
                    continue
                if names is None:
                    names = _name_index(records)
                loc: KeyPath = (name, index) if isinstance(value, list) else (name,)
                label = model.model_fields[name].title
                target_label = RECORD_TYPES[target_type].type_label
                named = names.id_named(target_type, target)
                close = closest(target_type, target)
                if named is not None:
                    hint_zh = (f"；引用要写编号（文件名），不是名称：“{shown_value(target)}”是 {named} 的名称，"
                               f"请改写为 {named}")
                    hint_en = f"; references are ids, not names: write {named}"
                elif close:
                    hint_zh, hint_en = f"；是不是想写 {close[0]}？", f"; did you mean {close[0]!r}?"
                else:
                    hint_zh = f"；请填写 content/{target_type}/ 下已有文件的文件名（不含 .yml）"
                    hint_en = ""
                log.add(
                    record.raw.path, record.raw.position_of(loc), f"{format_key_path(loc)}（{label}）",
                    f"引用的{target_label}“{shown_value(target)}”不存在"
                    f"（content/{target_type}/{shown_value(target)}.yml）{hint_zh}",
                    f"no {target_type} record with id {shown_value(target)!r}{hint_en}",
                )


def _check_parent_cycles(records: list[CheckedRecord], log: ProblemLog) -> None:
    parents = {
        r.raw.record_id: r for r in records if r.raw.type_name == "organizations" and r.model is not None
    }
    reported: set[str] = set()
    for start_id, record in parents.items():
        chain = [start_id]
        current = getattr(record.model, "parent", None)
        while current in parents and current not in chain:
            chain.append(current)
            current = getattr(parents[current].model, "parent", None)
        if current == start_id and start_id not in reported:
            reported.update(chain)
            cycle = " → ".join([*chain, start_id])
            log.add(
                record.raw.path, record.raw.position_of(("parent",)), "parent（上级党组织）",
                f"上级党组织形成了循环（cycle）：{cycle}；请改正其中一个 parent",
                f"parent references form a cycle: {cycle}",
            )


# --- the whole run ---------------------------------------------------------------------


@dataclass
class ValidationResult:
    records: list[ValidRecord]
    log: ProblemLog


def _check_publishable(raw: RawRecord, privacy_allow: Iterable[str], log: ProblemLog) -> None:
    """Personal data is refused; what sanitising would remove from the body is reported."""
    model = RECORD_TYPES[raw.type_name]
    check_privacy(raw, model, _field_label, privacy_allow, log)
    for key_path, text in _texts(raw.data):
        for offset, character in invisible_characters(text):
            log.add(raw.path, raw.position_in(key_path, offset), _field_label(model, key_path),
                    f"这里有一个看不见或会改变文字方向的字符（{character}），会让显示的文字与实际不同；请删除它"
                    "（常见于从网页或聊天软件复制的文字）",
                    f"an invisible or direction-changing character ({character}); delete it")
    body = raw.data.get("body")
    if not isinstance(body, str):
        return
    folded = body.lower()
    for removal in unsafe_markup(body):
        offset = folded.find(removal.needle.lower())
        where = raw.position_in(("body",), offset) if offset >= 0 else raw.position_of(("body",))
        zh, en = removal.describe()
        severity = Severity.ERROR if removal.dangerous else Severity.WARNING
        log.add(raw.path, where, _field_label(model, ("body",)), zh, en, severity)


def _validate_file(
    item: tuple[str, Path],
    project_root: Path,
    files_dir: Path,
    max_bytes: int,
    privacy_allow: tuple[str, ...],
) -> tuple[CheckedRecord, ProblemLog]:
    """Passes 1 and 2 for one record file: everything that needs no other record."""
    type_name, path = item
    log = ProblemLog()
    raw = load_record(type_name, path, project_root, log, max_bytes)
    if raw is None:
        # Unreadable, but the file is there: references to it are right.
        return InvalidRecord(None, RawRecord(type_name, path.stem, display_path(path, project_root), {},
                                             None, {}, os.fspath(path))), log
    _check_publishable(raw, privacy_allow, log)
    record = type_record(raw, log)
    _check_own_rules(record, files_dir, log)
    check_record_body(raw, _field_label(RECORD_TYPES[type_name], ("body",)), project_root, log)
    if isinstance(record, ValidRecord) and log.has_errors():
        record = InvalidRecord(record.model, record.raw)  # a syntax slip, personal data …
    return replace(record, raw=raw.detached()), log


def validate_content(
    content_dir: Path, project_root: Path, max_bytes: int, privacy_allow: Iterable[str] = ()
) -> ValidationResult:
    """Load and validate every record under ``content_dir``; never raises on bad content."""
    items = list(record_files(content_dir, list(RECORD_TYPES)))
    checked = validate_files(items, content_dir, project_root, max_bytes, privacy_allow)
    return check_across_records(checked, content_dir, project_root, privacy_allow)


def validate_files(
    items: Sequence[tuple[str, Path]],
    content_dir: Path,
    project_root: Path,
    max_bytes: int,
    privacy_allow: Iterable[str] = (),
) -> Iterator[tuple[CheckedRecord, ProblemLog]]:
    """Passes 1 and 2 for each ``(type name, path)``, in order, on every core when it pays."""
    check_file = functools.partial(
        _validate_file,
        project_root=project_root,
        files_dir=content_dir / "files",
        max_bytes=max_bytes,
        privacy_allow=tuple(privacy_allow),
    )
    return fork_map(check_file, items)


def check_across_records(
    checked: Iterable[tuple[CheckedRecord | None, ProblemLog]], content_dir: Path, project_root: Path,
    privacy_allow: Iterable[str] = (), folder_problems: Callable[[], ProblemLog] | None = None,
) -> ValidationResult:
    """Pass 3 over every file's own result (in ``record_files`` order), and the folder checks
    (``content_folder_problems``, or what ``folder_problems`` returns: the same, found elsewhere)."""
    log = ProblemLog()
    every: list[CheckedRecord] = []
    for record, problems in checked:
        log.extend(problems)
        if record is not None:
            every.append(record)
    if folder_problems is None:
        check_content_folder(content_dir, project_root, privacy_allow, log)
    else:
        log.extend(folder_problems())
    _check_free_pages(content_dir, project_root, log)
    every = _check_duplicates(every, log)
    _check_references(every, log)
    _check_parent_cycles(every, log)
    return ValidationResult([record for record in every if isinstance(record, ValidRecord)], log)


def check_record_text(
    content_dir: Path,
    project_root: Path,
    type_name: str,
    record_id: str,
    text: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
    privacy_allow: Iterable[str] = (),
) -> ValidationResult:
    """Validate one record's text as if saved as ``content/<type>/<id>.yml``, among the others.

    For an editing tool that must refuse an invalid save: the problems returned are those
    of the whole content with this text in place (the others' own problems included).
    """
    privacy_allow = tuple(privacy_allow)
    target = content_dir / type_name / f"{record_id}.yml"
    items = [item for item in record_files(content_dir, list(RECORD_TYPES)) if item[1] != target.resolve()]
    checked = list(validate_files(items, content_dir, project_root, max_bytes, privacy_allow))
    log = ProblemLog()
    shown = display_path(target, project_root)
    raw = _raw_from_text(type_name, record_id, shown, text, max_bytes, log)
    if raw is None:
        record: CheckedRecord = InvalidRecord(None, RawRecord(type_name, record_id, shown, {}, {}, {}, None))
    else:
        _check_publishable(raw, tuple(privacy_allow), log)
        record = type_record(raw, log)
        _check_own_rules(record, content_dir / "files", log)
        check_record_body(raw, _field_label(RECORD_TYPES[type_name], ("body",)), project_root, log)
        if isinstance(record, ValidRecord) and log.has_errors():
            record = InvalidRecord(record.model, record.raw)
    return check_across_records([*checked, (record, log)], content_dir, project_root, privacy_allow)


def _raw_from_text(
    type_name: str, record_id: str, shown: str, text: bytes, max_bytes: int, log: ProblemLog
) -> RawRecord | None:
    if len(text) > max_bytes:
        log.add(shown, Position(1, 1), "", f"文件太大（{len(text)} 字节，上限 {max_bytes} 字节）",
                f"file too large ({len(text)} bytes, limit {max_bytes})")
        return None
    parsed = parse_record_document(text, shown, log)
    if parsed is None:
        return None
    return RawRecord(type_name, record_id, shown, parsed.data, parsed.positions, parsed.block_starts, None,
                     parsed.duplicates)


def _check_free_pages(content_dir: Path, root: Path, log: ProblemLog) -> None:
    """Free pages are published sanitised too; say what would be removed, at its line."""
    for path in sorted((content_dir / "pages").glob("**/*.md")):
        if not path.is_file():
            continue  # not a regular file: the folder check reports it
        text = path.read_text(encoding="utf-8", errors="replace")
        folded = text.lower()
        for removal in unsafe_page_markup(text):
            offset = max(folded.find(removal.needle.lower()), 0)
            line = text.count("\n", 0, offset) + 1
            zh, en = removal.describe()
            severity = Severity.ERROR if removal.dangerous else Severity.WARNING
            log.add(display_path(path, root), Position(line, 1), "", zh, en, severity)
