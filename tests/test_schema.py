"""JSON Schemas in the editor: committed, up to date, mapped by .vscode, and right about records.

VS Code's YAML extension reads YAML 1.2, where 2026-11-22 and 9:30 are strings; the
sample records are read the same way here before they are checked against the schemas.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.content.models import RECORD_TYPES
from generator.content.schema import schema_file_name, schema_text
from tests.support.project import REPO, Project

SCHEMA_DIR = REPO / "schemas"


def as_editor_reads_it(value: Any) -> Any:
    """Plain data as YAML 1.2 gives it: dates and times are text."""
    if isinstance(value, dict):
        return {key: as_editor_reads_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_editor_reads_it(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validator(type_name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMA_DIR / schema_file_name(type_name)).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def sample_records() -> list[tuple[str, Path]]:
    paths = (REPO / "content").glob("*/*.yml")
    return sorted((path.parent.name, path) for path in paths if path.parent.name in RECORD_TYPES)


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_committed_schemas_are_up_to_date(type_name: str) -> None:
    committed = (SCHEMA_DIR / schema_file_name(type_name)).read_text(encoding="utf-8")
    assert committed == schema_text(RECORD_TYPES[type_name]), "run: tongxin schema"


def test_vscode_maps_every_record_folder_to_its_schema() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping: dict[str, list[str]] = settings["yaml.schemas"]
    for type_name in RECORD_TYPES:
        record = f"/home/editor/portal/content/{type_name}/2026-new-record.yml"
        matched = [schema for schema, globs in mapping.items() if any(fnmatch.fnmatch(record, g) for g in globs)]
        assert matched == [f"./schemas/{schema_file_name(type_name)}"], type_name
        assert (REPO / matched[0]).is_file()


def test_every_sample_record_validates_against_its_schema() -> None:
    records = sample_records()
    assert len(records) >= 7
    for type_name, path in records:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator(type_name).iter_errors(as_editor_reads_it(data))]
        assert errors == [], f"{path}: {errors}"


NOTICE = {
    "title": "关于党费收缴情况的公开",
    "category": "党费收缴",
    "form": "公开",
    "organization": "yeqing-dasha-lianhe-dangwei",
    "published": "2026-11-20",
    "window": {"start": "2026-11-20", "end": "2026-11-30"},
    "contact": {"department": "党委办公室", "phone": "010-64708860"},
}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"titel": "拼错的字段"}, "unknown key"),
        ({"category": "党费"}, "not one of the enumeration"),
        ({"form": "通知"}, "not one of the enumeration"),
        ({"title": None}, "empty required field"),
        ({"window": {"start": "2026-11-20"}}, "missing nested field"),
        ({"window": {"start": "2026/11/20", "end": "2026-11-30"}}, "date written wrongly"),
        ({"attachments": "a.pdf"}, "list expected"),
        ({"contact": {"department": "x", "fax": "1"}}, "unknown nested key"),
        ({"id": "written-in-the-file"}, "the id is the file name"),
    ],
)
def test_a_broken_notice_fails_its_schema(change: dict[str, Any], why: str) -> None:
    notice_validator = validator("notices")
    assert list(notice_validator.iter_errors(NOTICE)) == []
    broken = {**NOTICE, **change}
    assert list(notice_validator.iter_errors(broken)), why


def test_removing_a_required_field_fails() -> None:
    broken = {key: value for key, value in NOTICE.items() if key != "organization"}
    assert list(validator("notices").iter_errors(broken))


@pytest.mark.parametrize("value", ["25:00", "8.30", "早上八点"])
def test_clock_times_are_checked_as_records_write_them(value: str) -> None:
    place = {
        "name": "党员之家", "kind": "党员之家", "organization": "x", "address": "某路 1 号",
        "hours": {"periods": [{"days": ["周一"], "open": "08:30", "close": "17:30"}]},
    }
    assert list(validator("places").iter_errors(place)) == []
    place["hours"]["periods"][0]["open"] = value
    assert list(validator("places").iter_errors(place))


def test_every_field_is_explained_in_chinese_for_completion() -> None:
    schema = json.loads((SCHEMA_DIR / "notices.schema.json").read_text(encoding="utf-8"))
    properties = schema["properties"]
    assert set(properties) == set(RECORD_TYPES["notices"].model_fields) - {"id"}
    for name, prop in properties.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in prop["title"] + prop["description"]), name
    assert "党费收缴" in properties["category"]["enum"]
    assert set(schema["required"]) >= {"title", "category", "organization", "published", "window", "contact"}
    lecture = json.loads((SCHEMA_DIR / "lectures.schema.json").read_text(encoding="utf-8"))
    assert lecture["properties"]["start"]["examples"] == ["2026-11-24 19:00"]


def test_tongxin_schema_writes_the_same_files(project: Project, tmp_path: Path) -> None:
    result = project.tongxin("schema", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(schema_file_name(t) for t in RECORD_TYPES)
    for name in written:
        assert (tmp_path / "out" / name).read_bytes() == (SCHEMA_DIR / name).read_bytes()


def test_the_pre_commit_hook_runs_tongxin_check_on_content_changes() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    command, *arguments = hook["entry"].split()
    assert command in scripts and arguments == ["check"]
    assert hook["pass_filenames"] is False  # references cross files: check the whole folder
    watched = re.compile(hook["files"])
    for path in ("content/notices/2026-x.yml", "content/pages/about.md", "site_config.yml"):
        assert watched.search(path), path
    assert not watched.search("README.md")


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_completion_shows_the_chinese_field_names(type_name: str) -> None:
    """VS Code labels a completion with the key and documents it with markdownDescription;
    its snippets (defaultSnippets) are listed under their own labels."""
    schema = json.loads((SCHEMA_DIR / schema_file_name(type_name)).read_text(encoding="utf-8"))
    model = RECORD_TYPES[type_name]
    labels = {snippet["label"] for snippet in schema["defaultSnippets"]}
    for name, prop in schema["properties"].items():
        title = model.model_fields[name].title
        assert prop["markdownDescription"].startswith(f"**{title}**"), name
        assert f"{title} {name}" in labels, name


def test_what_check_accepts_the_schema_accepts_too() -> None:
    """Digits in a phone field and dates or times without leading zeros pass both."""
    place = {
        "name": "党员之家", "kind": "党员之家", "organization": "x", "address": "某路 1 号", "phone": 13800138000,
        "hours": {"periods": [{"days": ["周一"], "open": "8:30", "close": "17:30"}],
                  "exceptions": [{"date": "2027-1-1", "closed": True}]},
    }
    assert [error.message for error in validator("places").iter_errors(place)] == []
