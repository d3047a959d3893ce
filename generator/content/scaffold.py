"""``tongxin new <type> <id>``: a new record file with every field explained.

Editors are party-affairs workers, not programmers: the new file lists every field of the
type with a Chinese comment (what it is, whether it is required, the allowed values or
the format, an existing id to refer to). Required fields are left empty, so ``tongxin
check`` names each one still to fill in; optional fields are commented out.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .loading import RECORD_SUFFIXES
from .models import RECORD_TYPES, Record, RefTo, annotation_parts, field_marks, nested_model
from .validation import SLUG

INDENT = "  "
# How many existing ids a reference field's comment offers as examples.
SHOWN_IDS = 3


class ScaffoldError(Exception):
    """Why no file was written, in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def type_choices(separator: str = "、") -> str:
    """Every record type as ``tongxin new`` accepts it: notice（党务公开）、lecture（党课讲座）…"""
    return separator.join(f"{t.removesuffix('s')}（{m.type_label}）" for t, m in RECORD_TYPES.items())


def resolve_type(name: str) -> str:
    """The record type for ``notice``, ``notices`` or its Chinese label ``党务公开``."""
    for type_name, model in RECORD_TYPES.items():
        if name in (type_name, type_name.removesuffix("s"), model.type_label):
            return type_name
    raise ScaffoldError(
        f"没有“{name}”这种记录类型；可用：{type_choices()}",
        f"no record type {name!r}; choose one of: {', '.join(RECORD_TYPES)}",
    )


@dataclass(frozen=True)
class FieldFacts:
    """What the comment above a field says."""

    name: str
    info: FieldInfo

    @property
    def required(self) -> bool:
        return self.info.is_required()

    @property
    def is_list(self) -> bool:
        return any(typing.get_origin(t) is list for t in annotation_parts(self.info.annotation))

    @property
    def choices(self) -> list[str]:
        for part in annotation_parts(self.info.annotation):
            if typing.get_origin(part) is typing.Literal:
                return [str(value) for value in typing.get_args(part)]
        return []

    @property
    def reference(self) -> str | None:
        return next((m.type_name for m in field_marks(self.info) if isinstance(m, RefTo)), None)

    def format_hint(self) -> str:
        kinds = set(annotation_parts(self.info.annotation))
        if dt.datetime in kinds:
            return "格式 YYYY-MM-DD HH:MM，如 2026-11-24 19:00"
        if dt.date in kinds:
            return "格式 YYYY-MM-DD"
        if dt.time in kinds:
            return "格式 HH:MM（24 小时制），如 08:30"
        if bool in kinds:
            return "写 true 或 false"
        if int in kinds:
            return "写整数"
        return ""


def _comment(facts: FieldFacts, content_dir: Path) -> str:
    parts = [f"{facts.info.title}（{facts.name}）：{facts.info.description}"]
    minimum = next((getattr(m, "min_length", None) for m in facts.info.metadata if hasattr(m, "min_length")), None)
    if facts.required:
        parts.append("必填" + (f"，至少 {minimum} 项" if minimum else ""))
    else:
        parts.append("选填，不需要时保持注释")
    if facts.choices:
        parts.append("只能填：" + "、".join(facts.choices))
    hint = facts.format_hint()
    if hint:
        parts.append(hint)
    if facts.reference:
        ids = sorted(p.stem for p in (content_dir / facts.reference).glob("*.y*ml"))[:SHOWN_IDS]
        shown = f"，如 {'、'.join(ids)}" if ids else ""
        parts.append(f"填写 content/{facts.reference}/ 下某个文件的文件名（不含 .yml）{shown}")
    if facts.is_list:
        parts.append("列表：每项一行，以“- ”开头")
    return "# " + "；".join(parts)


def _field_lines(model: type[BaseModel], content_dir: Path, depth: int) -> Iterator[str]:
    """The lines of every field of ``model``, optional ones commented out."""
    # The body comes last, as in the sample records: it is the longest part of a file.
    for name, info in sorted(model.model_fields.items(), key=lambda item: item[0] == "body"):
        if name == "id":
            continue
        facts = FieldFacts(name, info)
        lines = [_comment(facts, content_dir), *_value_lines(facts, content_dir)]
        prefix = INDENT * depth
        for line in lines:
            commented = not facts.required and not line.startswith("#")
            yield prefix + ("# " + line if commented else line)


def _value_lines(facts: FieldFacts, content_dir: Path) -> list[str]:
    part = nested_model(facts.info)
    if facts.name == "body":
        return ["body: |", f"{INDENT}在这里用 Markdown 写正文：空一行分段，## 小标题，**加粗**，[链接文字](https://…)"]
    if part is None and facts.is_list:
        return [f"{facts.name}:", f"{INDENT}-"]
    if part is None:
        return [f"{facts.name}:"]
    inner = list(_field_lines(part, content_dir, 0))
    if facts.is_list:
        # The first key of a list item sits after "- "; comments stay above it.
        first = next(i for i, line in enumerate(inner) if not line.startswith("#"))
        item = [INDENT + line for line in inner[:first]]
        item.append(f"{INDENT}- {inner[first]}")
        item += [INDENT * 2 + line for line in inner[first + 1:]]
        return [f"{facts.name}:", *item]
    return [f"{facts.name}:", *(INDENT + line for line in inner)]


def template_text(type_name: str, record_id: str, content_dir: Path) -> str:
    model: type[Record] = RECORD_TYPES[type_name]
    header = [
        f"# {model.type_label}：content/{type_name}/{record_id}.yml",
        f"# 编号（id）就是文件名“{record_id}”，不要写在文件里；页面地址是 /{type_name}/{record_id}/。",
        "# 每个字段上面的注释说明了要填什么。必填字段的冒号后面现在是空的，请填上；",
        "# 可选字段以 # 开头，需要时删掉行首的“# ”再填写。写完运行 tongxin check 检查。",
        "# 不要填写居民或党员的身份证号、个人手机号和家庭住址。",
        "",
    ]
    return "\n".join([*header, *_field_lines(model, content_dir, 0)]) + "\n"


def create_record(content_dir: Path, type_or_label: str, record_id: str) -> Path:
    """Write the template of a new record; refuse a bad or existing id."""
    type_name = resolve_type(type_or_label)
    if not SLUG.fullmatch(record_id):
        raise ScaffoldError(
            f"“{record_id}”不能用作编号（id）：只能用小写英文字母、数字和连字符，如 yeqing-dasha 或 2026-12-dangfei",
            f"{record_id!r} is not a valid id: use a-z, 0-9 and '-' only, e.g. yeqing-dasha",
        )
    folder = content_dir / type_name
    for suffix in RECORD_SUFFIXES:
        existing = folder / f"{record_id}{suffix}"
        if existing.exists():
            raise ScaffoldError(
                f"已经有这条记录：{existing}；请换一个编号，或直接编辑这个文件",
                f"the record already exists: {existing}; choose another id or edit that file",
            )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_id}.yml"
    path.write_text(template_text(type_name, record_id, content_dir), encoding="utf-8")
    return path
