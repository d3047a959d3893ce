"""JSON Schemas of the record types, for completion and checking in the editor.

``tongxin schema`` writes one schema per record type into ``schemas/`` and maps
``content/<type>/*.yml`` to them in the project's ``.vscode/settings.json``, so VS Code with
the YAML extension (yaml-language-server) completes field names, lists enumerations and
explains every field in Chinese, offline.

The schemas come from the pydantic models, adjusted to what an editor's YAML reader
sees: the id is the file name (never a field), times are written 08:30 and date-times
"2026-11-24 19:00" (not JSON Schema's formats, which require seconds and a zone), and each
field's "如…" example in its description becomes a JSON Schema example.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .loading import RECORD_SUFFIXES
from .models import RECORD_TYPES, Record, nested_model

SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
DEFAULT_SCHEMA_DIR = "schemas"
# Leading zeros may be left out (2026-1-5, 9:00): tongxin check reads them as meant.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"
CLOCK_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T]([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
# The example in a description: 如“…” or 如 08:30.
_EXAMPLE = re.compile(r"如[“\"]([^”\"]+)[”\"]|如 ?([0-9A-Za-z][^，；（）。]*)")


def schema_file_name(type_name: str) -> str:
    return f"{type_name}.schema.json"


def examples_in(description: str | None) -> list[str]:
    """The examples a field's Chinese description gives (如“叶青大厦联合党委”)."""
    found = []
    for quoted, bare in _EXAMPLE.findall(description or ""):
        found.append(quoted or bare.strip())
    return found


def _models_within(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    yield model
    for info in model.model_fields.values():
        inner = nested_model(info)
        if inner is not None:
            yield from _models_within(inner)


def _add_examples(properties: dict[str, Any], model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        examples = examples_in(info.description)
        if name in properties and examples:
            properties[name]["examples"] = examples


def _add_chinese_labels(target: dict[str, Any], model: type[BaseModel]) -> None:
    """Show each field's Chinese name where VS Code completes keys.

    The YAML extension labels a completion with the key and documents it with the
    property's markdownDescription; a snippet per field (defaultSnippets) is listed under
    its own label, so "标题 title" is there to choose, typed in Chinese or in English.
    """
    properties = target.get("properties", {})
    snippets = []
    for name, info in model.model_fields.items():
        if name not in properties or not info.title:
            continue
        required = "必填" if info.is_required() else "选填"
        properties[name]["markdownDescription"] = f"**{info.title}**（`{name}`，{required}）：{info.description}"
        snippets.append({"label": f"{info.title} {name}", "description": info.description, "body": {name: "$1"}})
    if snippets:
        target["defaultSnippets"] = snippets


def _text_accepts_numbers(node: Any) -> None:
    """Free text may be written as digits (a phone number): YAML 1.2 reads those as numbers."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not ({"enum", "pattern", "format", "const"} & node.keys()):
            node["type"] = ["string", "number"]
        for value in node.values():
            _text_accepts_numbers(value)
    elif isinstance(node, list):
        for value in node:
            _text_accepts_numbers(value)


def _editor_formats(node: Any) -> None:
    """Express dates, times and date-times as the patterns records are written in."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node["pattern"] = CLOCK_PATTERN
        elif node.get("format") == "date-time":
            del node["format"]
            node["pattern"] = DATETIME_PATTERN
        elif node.get("format") == "date":
            del node["format"]  # a validator of "date" would refuse 2026-1-5, which records may hold
            node["pattern"] = DATE_PATTERN
        for value in node.values():
            _editor_formats(value)
    elif isinstance(node, list):
        for value in node:
            _editor_formats(value)


def record_schema(model: type[Record]) -> dict[str, Any]:
    """The JSON Schema of one record file of ``model``'s type."""
    schema = model.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    schema["properties"].pop("id", None)
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    for part in _models_within(model):
        target = schema if part is model else definitions.get(part.__name__)
        if target is not None:
            _add_examples(target.get("properties", {}), part)
            _add_chinese_labels(target, part)
    result: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": schema_file_name(model.type_name),
        "title": f"{model.type_label}（{model.type_name}）",
        "description": (
            f"content/{model.type_name}/<编号>.yml 里的一条{model.type_label}记录；"
            "编号就是文件名（小写字母、数字和连字符），不要写在文件里"
        ),
        **{key: value for key, value in schema.items() if key not in {"title", "description"}},
    }
    if definitions:
        result["definitions"] = definitions
    _editor_formats(result)
    _text_accepts_numbers(result)
    return result


def schema_text(model: type[Record]) -> str:
    return json.dumps(record_schema(model), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def vscode_schema_mapping(schema_folder: str) -> dict[str, list[str]]:
    """VS Code's ``yaml.schemas``: each type's schema for the record files in its folder."""
    return {
        f"./{schema_folder}/{schema_file_name(type_name)}": [
            f"**/content/{type_name}/*{suffix}" for suffix in RECORD_SUFFIXES
        ]
        for type_name in RECORD_TYPES
    }


def update_vscode_settings(settings: Path, schema_folder: str) -> bool:
    """Map every record type's schema in the project's .vscode/settings.json, keeping its other
    settings; False when the project has no such file."""
    if not settings.is_file():
        return False
    data = json.loads(settings.read_text(encoding="utf-8"))
    data["yaml.schemas"] = vscode_schema_mapping(schema_folder)
    settings.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return True


def write_schemas(folder: Path) -> list[Path]:
    """Write every record type's schema into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for type_name, model in RECORD_TYPES.items():
        path = folder / schema_file_name(type_name)
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
