"""``tongxin new``: a commented template that passes ``tongxin check`` once filled in."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from generator.content.models import RECORD_TYPES, nested_model
from generator.content.scaffold import ScaffoldError, create_record, template_text
from tests.support.project import Project


def every_field(model: type[BaseModel]) -> list[tuple[str, str]]:
    """(name, Chinese title) of every field, nested parts included, except the id."""
    found = []
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        found.append((name, str(info.title)))
        inner = nested_model(info)
        if inner is not None:
            found += every_field(inner)
    return found


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_every_template_is_yaml_with_every_field_explained(type_name: str, tmp_path: Path) -> None:
    text = template_text(type_name, "new-record", tmp_path)
    data = yaml.safe_load(text)
    model = RECORD_TYPES[type_name]
    required = {name for name, info in model.model_fields.items() if info.is_required() and name != "id"}
    assert set(data) == required  # optional fields are there, but commented out
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    for name, title in every_field(model):
        assert any(f"{title}（{name}）" in line for line in comments), (type_name, name)
        assert any(re.match(rf"^[#\s-]*{name}:", line) for line in text.splitlines()), (type_name, name)


def fill(template: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The template's empty fields given the test's values; nested parts filled the same way."""
    filled = dict(template)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(filled.get(key), dict):
            filled[key] = fill(filled[key], value)
        else:
            filled[key] = value
    return filled


NOTICE_VALUES = {
    "title": "叶青大厦联合党委关于2026年度党费收缴情况的公开",
    "category": "党费收缴",
    "organization": "yeqing-dasha-lianhe-dangwei",
    "published": "2026-12-01",
    "window": {"start": "2026-12-01", "end": "2026-12-07"},
    "contact": {"department": "叶青大厦联合党委办公室", "phone": "010-64708860"},
}


def problems(project: Project) -> list[dict[str, Any]]:
    return json.loads(project.check("--format", "json").stdout)


def test_a_new_notice_names_what_to_fill_in_and_passes_once_filled(project: Project) -> None:
    result = project.tongxin("new", "notice", "2026-12-yeqing-dangfei")
    assert result.returncode == 0, result.stderr
    path = project.content / "notices" / "2026-12-yeqing-dangfei.yml"
    text = path.read_text(encoding="utf-8")
    assert "content/notices/2026-12-yeqing-dangfei.yml" in result.stdout

    # Unfilled, check names every required field at its own line and publishes nothing.
    reported = {p["line"]: p for p in problems(project) if p["path"].endswith("2026-12-yeqing-dangfei.yml")}
    lines = text.splitlines()
    for key in ("title:", "category:", "organization:", "published:", "  start:", "  end:", "contact:"):
        line = next(number for number, line in enumerate(lines, 1) if line == key)
        assert line in reported, key
        assert "还没有填写" in reported[line]["message"]

    path.write_text(yaml.safe_dump(fill(yaml.safe_load(text), NOTICE_VALUES), allow_unicode=True), encoding="utf-8")
    result = project.check()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("given", ["lecture", "lectures", "党课讲座"])
def test_the_type_may_be_singular_plural_or_chinese(tmp_path: Path, given: str) -> None:
    path = create_record(tmp_path, given, "a-lecture")
    assert path == tmp_path / "lectures" / "a-lecture.yml"


@pytest.mark.parametrize("bad_id", ["Yeqing", "ye qing", "叶青", "ye_qing", "yeqing-", "ye--qing", "../escape", ""])
def test_an_id_that_is_not_a_slug_is_refused(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(ScaffoldError) as refused:
        create_record(tmp_path, "notice", bad_id)
    assert "小写" in refused.value.zh
    assert list(tmp_path.rglob("*")) == []


def test_the_command_refuses_a_bad_id_in_plain_words(project: Project) -> None:
    before = sorted(project.content.rglob("*"))
    result = project.tongxin("new", "notice", "Ye_Qing")
    assert result.returncode == 1
    assert "编号" in result.stderr and "小写" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(project.content.rglob("*")) == before


def test_an_existing_id_is_refused_and_the_file_kept(project: Project) -> None:
    existing = next((project.content / "notices").glob("*.yml"))
    original = existing.read_bytes()
    result = project.tongxin("new", "notice", existing.stem, "--lang", "en")
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert existing.read_bytes() == original


def test_an_unknown_type_lists_the_types(project: Project) -> None:
    result = project.tongxin("new", "event", "x")
    assert result.returncode == 1
    assert all(model.type_label in result.stderr for model in RECORD_TYPES.values())


def test_a_reference_field_offers_existing_ids(project: Project) -> None:
    text = create_record(project.content, "place", "new-place").read_text(encoding="utf-8")
    comment = next(line for line in text.splitlines() if "（organization）" in line)
    some_org = sorted(p.stem for p in (project.content / "organizations").glob("*.yml"))[0]
    assert some_org in comment
