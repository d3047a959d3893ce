"""The configuration of the browser forms (Decap CMS, served at ``/admin/``), from the models.

Nothing here is kept by hand: every record type in ``RECORD_TYPES`` is one collection of
``content/<type>/``, every field of its model one form field, labelled and explained with the
model's Chinese title and description. How a field is edited follows from its type:

======================================  =============================================
model                                    form (Decap widget)
======================================  =============================================
``Literal[...]`` (or a list of them)     select (multiple)
``RefTo`` (or a list of them)            relation: search the Chinese name, store the id
``date`` / ``datetime`` / ``time``        date, date-and-time or clock-time picker
``bool`` / ``int``                       switch / whole number
a part (``OpeningHours``, ``Speaker``)    object with its own fields; a list of them: list
``StoredFile`` (attachments, materials)  file, uploaded into content/files/
``body``                                 Markdown editor
======================================  =============================================

Free pages (``content/pages/*.md``) are one more collection. The id, which is the file
name, is a form field of its own: the file is named after it and it is never written into
the file (the save removes it). Nested fields of optional parts are not required by the
form: Tongxin's own check says what a part that is filled in still lacks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .canonical import scalar_kind
from .models import RECORD_TYPES, OtherName, Record, StoredFile, field_marks, marked_fields, nested_model
from .scaffold import FieldFacts
from .validation import SLUG

# Decap CMS's name for Simplified Chinese.
LOCALE = "zh_Hans"
PAGES = "pages"
FILES = "files"
ID_FIELD = "id"
ID_HINT = "小写英文字母、数字和连字符，如 2026-12-dangfei-gongkai；它是文件名和页面地址，保存后不能再改"
ID_PATTERN = [f"^{SLUG.pattern}$", "编号只能用小写英文字母、数字和连字符（a-z、0-9、-），如 2026-12-dangfei"]
# What the backend of the forms is when Tongxin serves them itself (``tongxin serve``).
SERVE_API_PATH = "api/v1"

DATE_FORMAT = "YYYY-MM-DD"
TIME_FORMAT = "HH:mm"


def _picker(kind: type) -> dict[str, Any]:
    """A Decap datetime widget storing the text Tongxin's records use."""
    if kind is dt.datetime:
        return {"widget": "datetime", "format": f"{DATE_FORMAT} {TIME_FORMAT}",
                "date_format": DATE_FORMAT, "time_format": TIME_FORMAT}
    if kind is dt.date:
        return {"widget": "datetime", "format": DATE_FORMAT, "date_format": DATE_FORMAT, "time_format": False}
    return {"widget": "datetime", "format": TIME_FORMAT, "date_format": False, "time_format": TIME_FORMAT}


def _relation(type_name: str) -> dict[str, Any]:
    """Pick a record of ``type_name`` by typing part of its Chinese name; its id is stored."""
    model = RECORD_TYPES[type_name]
    searched = [model.title_field, *marked_fields(model, OtherName)]
    return {
        "widget": "relation",
        "collection": type_name,
        "value_field": "{{slug}}",
        "search_fields": searched,
        "display_fields": [model.title_field],
    }


def _limits(info: FieldInfo) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for mark in info.metadata:
        for attribute, option in (("ge", "min"), ("le", "max"), ("min_length", "min")):
            if getattr(mark, attribute, None) is not None:
                found[option] = getattr(mark, attribute)
    return found


def form_field(name: str, info: FieldInfo, required: bool = True) -> dict[str, Any]:
    """The Decap field of one model field; ``required`` is False inside an optional part."""
    facts = FieldFacts(name, info)
    field: dict[str, Any] = {"name": name, "label": info.title or name}
    if info.description and info.description != info.title:
        field["hint"] = info.description
    field["required"] = required and facts.required
    part = nested_model(info)
    kind = scalar_kind(info)
    limits = _limits(info)
    if name == "body":
        field.update(widget="markdown", modes=["raw", "rich_text"], sanitize_preview=True)
    elif part is not None:
        # An item of a list exists only when the editor adds it: its fields are required as
        # the model says. A single optional part may stay empty: then nothing in it is.
        inner = _fields(part, required=field["required"] or facts.is_list)
        if facts.is_list:
            field.update(widget="list", fields=inner, collapsed=False, **limits)
            field.setdefault("summary", "{{fields." + inner[0]["name"] + "}}")
        else:
            field.update(widget="object", fields=inner, collapsed=not field["required"])
    elif facts.reference:
        field.update(_relation(facts.reference))
        if facts.is_list:
            field.update(multiple=True, **{k: v for k, v in limits.items() if k == "min"})
    elif facts.choices:
        field.update(widget="select", options=facts.choices)
        if facts.is_list:
            field.update(multiple=True, **{k: v for k, v in limits.items() if k == "min"})
    elif any(isinstance(mark, StoredFile) for mark in field_marks(info)):
        field.update(widget="file", choose_url=False, media_library={"config": {"multiple": False}})
    elif kind in (dt.datetime, dt.date, dt.time):
        field.update(_picker(kind))
    elif kind is bool:
        field.update(widget="boolean")
    elif kind is int:
        field.update(widget="number", value_type="int", **limits)
    elif facts.is_list:
        field.update(widget="list", field={"name": "item", "label": info.title or name, "widget": "string"})
        if "min" in limits:
            field["min"] = limits["min"]
    else:
        field.update(widget="string")
    default = None if facts.required else info.get_default(call_default_factory=True)
    # Only meaningful defaults (form: 公示, lang: zh-Hans); a switch inside an optional part
    # with a default would make Decap fill in the part the editor left empty.
    if default not in (None, [], "") and not isinstance(default, bool):
        field["default"] = default
    return field


def _fields(model: type[BaseModel], required: bool = True) -> list[dict[str, Any]]:
    """Form fields of every model field but the id, ``body`` last (as in the files)."""
    names = [name for name in model.model_fields if name not in (ID_FIELD, "body")]
    if "body" in model.model_fields:
        names.append("body")
    return [form_field(name, model.model_fields[name], required) for name in names]


def _id_field() -> dict[str, Any]:
    return {"name": ID_FIELD, "label": "编号（文件名）", "widget": "string", "hint": ID_HINT,
            "pattern": list(ID_PATTERN)}


def record_collection(model: type[Record], folder_prefix: str) -> dict[str, Any]:
    title = model.title_field
    return {
        "name": model.type_name,
        "label": model.type_label,
        "label_singular": model.type_label,
        "description": f"content/{model.type_name}/ 下的{model.type_label}记录，一条记录一个文件",
        "folder": f"{folder_prefix}{model.type_name}",
        "extension": "yml",
        "format": "yml",
        "create": True,
        "delete": True,
        "slug": "{{" + ID_FIELD + "}}",
        "identifier_field": title,
        "summary": "{{" + title + "}}",
        "sortable_fields": [title],
        "fields": [_id_field(), *_fields(model)],
    }


def pages_collection(folder_prefix: str) -> dict[str, Any]:
    return {
        "name": PAGES,
        "label": "页面",
        "label_singular": "页面",
        "description": "content/pages/ 下的自由页面（关于本站、使用说明等），Markdown 格式",
        "folder": f"{folder_prefix}{PAGES}",
        "extension": "md",
        "format": "frontmatter",
        "create": True,
        "delete": True,
        "slug": "{{" + ID_FIELD + "}}",
        "identifier_field": ID_FIELD,
        "summary": "{{" + ID_FIELD + "}}",
        "fields": [
            _id_field(),
            {"name": "body", "label": "正文", "widget": "markdown", "modes": ["raw", "rich_text"],
             "hint": "Markdown 格式：第一行“# 标题”是页面标题，空一行分段，## 小标题"},
        ],
    }


def cms_config(
    backend: Mapping[str, Any], folder_prefix: str = "content/", local_backend: str | None = None
) -> dict[str, Any]:
    """The whole Decap CMS configuration (``config.yml``).

    ``backend`` is Decap's backend section: the proxy ``tongxin serve`` provides, or the
    intranet's git server (``gitea``, ``gitlab``). ``folder_prefix`` is where the content
    folder is inside the repository the backend sees. ``local_backend``, if given, is the URL
    of a ``tongxin serve`` backend that Decap uses instead when the forms are opened on
    this computer.
    """
    config: dict[str, Any] = {
        "locale": LOCALE,
        "backend": dict(backend),
        "publish_mode": "simple",
        "media_folder": f"{folder_prefix}{FILES}",
        "public_folder": "",
        "editor": {"preview": False},
        "show_preview_links": False,
        "search": True,
        "collections": [
            *(record_collection(model, folder_prefix) for model in RECORD_TYPES.values()),
            pages_collection(folder_prefix),
        ],
    }
    if local_backend:
        config["local_backend"] = {"url": local_backend}
    return config
