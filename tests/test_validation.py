"""Every kind of content error is reported by `tongxin check` as `path:line:column: field: message`.

Each test writes the broken YAML itself, so the expected line (and column) is known from the
text written, not from the code under test.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import BaseModel

from generator.cli import main
from generator.content.models import RECORD_TYPES, nested_model
from tests.support.project import Project

PROBLEM_LINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<column>\d+): (?P<rest>.*)$")

# Valid records the broken ones can refer to.
PARENT_ORG = "name: 望京街道党工委\nkind: 党工委\n"
BRANCH_ORG = "name: 叶青大厦联合党委\nkind: 联合党委\nparent: wangjing\n"


@dataclass(frozen=True)
class Reported:
    path: str
    line: int
    column: int
    rest: str  # "field: message" (or just "message" for problems of the whole file)

    @property
    def field(self) -> str:
        return self.rest.split(": ", 1)[0]


def reported(result: subprocess.CompletedProcess[str]) -> list[Reported]:
    found = []
    for text in result.stderr.splitlines():
        match = PROBLEM_LINE.match(text)
        if match:
            found.append(
                Reported(match["path"], int(match["line"]), int(match["column"]), match["rest"])
            )
    return found


def line_of(text: str, needle: str) -> int:
    """1-based number of the only line of ``text`` containing ``needle``."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} must occur on exactly one line"
    return lines[0]


def column_of(text: str, needle: str) -> int:
    line = text.splitlines()[line_of(text, needle) - 1]
    return line.index(needle) + 1


Checker = Callable[[Project], subprocess.CompletedProcess[str]]


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str]) -> Checker:
    """`tongxin check` run in this process: the same code as the command, without its start-up cost."""

    def run(project: Project) -> subprocess.CompletedProcess[str]:
        code = main(["check", "--config", str(project.config)])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["tongxin", "check"], code, out, err)

    return run


def only_problem_in(result: subprocess.CompletedProcess[str], path: str) -> Reported:
    assert result.returncode == 1, result.stdout + result.stderr
    matching = [item for item in reported(result) if item.path == path]
    assert len(matching) == 1, result.stderr
    return matching[0]


@pytest.fixture
def portal(empty_project: Project) -> Project:
    empty_project.write("content/organizations/wangjing.yml", PARENT_ORG)
    empty_project.write("content/organizations/yeqing.yml", BRANCH_ORG)
    return empty_project


def test_valid_content_passes(portal: Project, check: Checker) -> None:
    result = check(portal)
    assert result.returncode == 0, result.stderr
    assert reported(result) == []


def test_yaml_syntax_error_points_at_the_offending_character(portal: Project, check: Checker) -> None:
    text = "name: 测试党支部\nkind: 党支部\naddress: 北京市: 一号楼\n"
    portal.write("content/organizations/broken.yml", text)
    problem = only_problem_in(check(portal), "content/organizations/broken.yml")
    assert (problem.line, problem.column) == (line_of(text, "address"), column_of(text, ": 一号楼"))
    assert "YAML" in problem.rest and "syntax error" in problem.rest


def test_unknown_key_is_named_and_nearest_key_suggested(portal: Project, check: Checker) -> None:
    text = "name: 测试党支部\nkind: 党支部\nparent: wangjing\nadress: 北京市朝阳区\n"
    portal.write("content/organizations/typo.yml", text)
    problem = only_problem_in(check(portal), "content/organizations/typo.yml")
    assert (problem.line, problem.column) == (line_of(text, "adress"), 1)
    assert problem.field == "adress"
    message = problem.rest.split(": ", 1)[1]
    assert "adress" in message and "address" in message


def test_unknown_key_inside_a_nested_part(portal: Project, check: Checker) -> None:
    text = (
        "title: 微型党课\nseries: 微型党课\norganization: yeqing\nvenue: 一层活动室\n"
        'start: "2026-11-24 19:00"\nend: "2026-11-24 20:00"\n'
        "speaker:\n  name: 王建华\n  titel: 社区党委书记\n"
    )
    portal.write("content/lectures/nested.yml", text)
    problem = only_problem_in(check(portal), "content/lectures/nested.yml")
    assert (problem.line, problem.column) == (line_of(text, "titel"), column_of(text, "titel"))
    assert problem.field.startswith("speaker.titel")
    assert "title" in problem.rest.split(": ", 1)[1]


def test_missing_required_field(portal: Project, check: Checker) -> None:
    text = "name: 测试党支部\nparent: wangjing\n"
    portal.write("content/organizations/no-kind.yml", text)
    problem = only_problem_in(check(portal), "content/organizations/no-kind.yml")
    # The field is absent, so the record itself (its first line) is the place to add it.
    assert (problem.line, problem.column) == (1, 1)
    assert problem.field.startswith("kind")
    assert "required" in problem.rest and "kind:" in problem.rest


def test_missing_field_of_a_nested_part_points_at_the_part(portal: Project, check: Checker) -> None:
    text = (
        "title: 公示\ncategory: 发展党员公示\norganization: yeqing\npublished: 2026-11-20\n"
        "window:\n  start: 2026-11-21\ncontact:\n  phone: 010-64708860\n"
    )
    portal.write("content/notices/no-end.yml", text)
    problem = only_problem_in(check(portal), "content/notices/no-end.yml")
    assert problem.line == line_of(text, "window:")
    assert problem.field.startswith("window.end")


def test_wrong_type(portal: Project, check: Checker) -> None:
    text = "name: 测试党支部\nkind: 党支部\nparent: wangjing\nmembers_count: 很多\n"
    portal.write("content/organizations/count.yml", text)
    problem = only_problem_in(check(portal), "content/organizations/count.yml")
    assert (problem.line, problem.column) == (line_of(text, "members_count"), 1)
    assert problem.field.startswith("members_count")
    assert "很多" in problem.rest and "integer" in problem.rest


def test_invalid_date(portal: Project, check: Checker) -> None:
    text = "name: 测试党支部\nkind: 党支部\nparent: wangjing\nestablished: 2026-02-30\n"
    portal.write("content/organizations/feb30.yml", text)
    problem = only_problem_in(check(portal), "content/organizations/feb30.yml")
    assert (problem.line, problem.column) == (line_of(text, "established"), 1)
    assert problem.field.startswith("established")
    assert "2026-02-30" in problem.rest and "YYYY-MM-DD" in problem.rest


def test_invalid_time(portal: Project, check: Checker) -> None:
    text = (
        "name: 党员之家\nkind: 党员之家\norganization: yeqing\naddress: 一层\n"
        "hours:\n  periods:\n    - days: [周一]\n      open: \"08:30\"\n      close: \"25:00\"\n"
    )
    portal.write("content/places/late.yml", text)
    problem = only_problem_in(check(portal), "content/places/late.yml")
    assert (problem.line, problem.column) == (line_of(text, "close"), column_of(text, "close"))
    assert problem.field.startswith("hours.periods[0].close")
    assert "25:00" in problem.rest and '"08:30"' in problem.rest


def test_invalid_datetime(portal: Project, check: Checker) -> None:
    text = (
        "title: 微型党课\nseries: 微型党课\norganization: yeqing\nvenue: 一层活动室\n"
        "speaker:\n  name: 王建华\n"
        'start: "2026-11-31 19:00"\nend: "2026-12-01 20:00"\n'
    )
    portal.write("content/lectures/nov31.yml", text)
    problem = only_problem_in(check(portal), "content/lectures/nov31.yml")
    assert (problem.line, problem.column) == (line_of(text, "start:"), 1)
    assert problem.field.startswith("start")
    assert "2026-11-31 19:00" in problem.rest and "YYYY-MM-DD HH:MM" in problem.rest


@pytest.mark.parametrize("written", ["2026-11-24", '"2026-11-24"'])
def test_lecture_time_without_a_time_of_day(portal: Project, written: str, check: Checker) -> None:
    """A bare date would silently become a lecture at midnight."""
    text = (
        "title: 微型党课\nseries: 微型党课\norganization: yeqing\nvenue: 一层活动室\n"
        f"speaker:\n  name: 王建华\nstart: {written}\nend: \"2026-11-24 20:00\"\n"
    )
    portal.write("content/lectures/no-time.yml", text)
    problem = only_problem_in(check(portal), "content/lectures/no-time.yml")
    assert (problem.line, problem.column) == (line_of(text, "start:"), 1)
    assert problem.field.startswith("start")
    assert "2026-11-24" in problem.rest and "HH:MM" in problem.rest


def test_value_outside_enumeration_lists_allowed_values(portal: Project, check: Checker) -> None:
    text = "name: 测试党支部\nkind: 党小队\nparent: wangjing\n"
    portal.write("content/organizations/kind.yml", text)
    problem = only_problem_in(check(portal), "content/organizations/kind.yml")
    assert (problem.line, problem.column) == (line_of(text, "kind"), 1)
    assert problem.field.startswith("kind")
    for allowed in ("党工委", "党委", "党总支", "党支部", "网格党支部", "流动党员党支部", "党小组"):
        assert allowed in problem.rest
    assert "党小队" in problem.rest


@pytest.mark.parametrize("file_name", ["叶青.yml", "Foo_Bar.yml"])
def test_id_that_is_not_an_ascii_slug(portal: Project, file_name: str, check: Checker) -> None:
    portal.write(f"content/organizations/{file_name}", "name: 测试党支部\nkind: 党支部\nparent: wangjing\n")
    problem = only_problem_in(check(portal), f"content/organizations/{file_name}")
    assert (problem.line, problem.column) == (1, 1)
    assert problem.field == "id"
    assert file_name.rsplit(".", 1)[0] in problem.rest


def test_duplicate_ids_in_one_folder(portal: Project, check: Checker) -> None:
    portal.write("content/organizations/twin.yml", "name: 甲党支部\nkind: 党支部\nparent: wangjing\n")
    portal.write("content/organizations/twin.yaml", "name: 乙党支部\nkind: 党支部\nparent: wangjing\n")
    result = check(portal)
    assert result.returncode == 1
    problems = [item for item in reported(result) if item.path.startswith("content/organizations/twin.")]
    assert len(problems) == 1, result.stderr
    problem = problems[0]
    other = ({"content/organizations/twin.yml", "content/organizations/twin.yaml"} - {problem.path}).pop()
    assert (problem.line, problem.column, problem.field) == (1, 1, "id")
    assert other in problem.rest and "duplicate" in problem.rest


def test_reference_to_a_missing_record(portal: Project, check: Checker) -> None:
    text = "name: 测试党支部\nkind: 党支部\nparent: wangjin\n"
    portal.write("content/organizations/orphan.yml", text)
    problem = only_problem_in(check(portal), "content/organizations/orphan.yml")
    assert (problem.line, problem.column) == (line_of(text, "parent"), 1)
    assert problem.field.startswith("parent")
    assert "wangjin" in problem.rest and "wangjing" in problem.rest  # the nearest existing id


def test_reference_in_a_list_points_at_the_item(portal: Project, check: Checker) -> None:
    text = (
        "name: 爱心储蓄银行\norganizers:\n  - yeqing\n  - no-such-org\n"
        "category: 志愿服务\nstatus: 进行中\n"
    )
    portal.write("content/projects/bank.yml", text)
    problem = only_problem_in(check(portal), "content/projects/bank.yml")
    assert (problem.line, problem.column) == (line_of(text, "no-such-org"), column_of(text, "no-such-org"))
    assert problem.field.startswith("organizers[1]")
    assert "no-such-org" in problem.rest


def test_cycle_in_parent(portal: Project, check: Checker) -> None:
    first = "name: 甲党支部\nkind: 党支部\nparent: loop-b\n"
    portal.write("content/organizations/loop-a.yml", first)
    portal.write("content/organizations/loop-b.yml", "name: 乙党支部\nkind: 党支部\nparent: loop-a\n")
    result = check(portal)
    assert result.returncode == 1
    problems = [item for item in reported(result) if "loop-" in item.path]
    assert len(problems) == 1, result.stderr  # one cycle, reported once
    problem = problems[0]
    assert (problem.line, problem.column) == (line_of(first, "parent"), 1)
    assert problem.field.startswith("parent")
    assert "cycle" in problem.rest and "loop-a" in problem.rest and "loop-b" in problem.rest


def test_notice_window_that_ends_before_it_starts(portal: Project, check: Checker) -> None:
    text = (
        "title: 发展对象公示\ncategory: 发展党员公示\norganization: yeqing\npublished: 2026-11-20\n"
        "window:\n  start: 2026-11-25\n  end: 2026-11-21\ncontact:\n  phone: 010-64708860\n"
    )
    portal.write("content/notices/backwards.yml", text)
    problem = only_problem_in(check(portal), "content/notices/backwards.yml")
    assert (problem.line, problem.column) == (line_of(text, "end:"), column_of(text, "end:"))
    assert problem.field.startswith("window.end")
    assert "2026-11-21" in problem.rest and "2026-11-25" in problem.rest


def test_lecture_that_ends_before_it_starts(portal: Project, check: Checker) -> None:
    text = (
        "title: 微型党课\nseries: 微型党课\norganization: yeqing\nvenue: 一层活动室\n"
        "speaker:\n  name: 王建华\n"
        'start: "2026-11-24 19:00"\nend: "2026-11-24 18:30"\n'
    )
    portal.write("content/lectures/backwards.yml", text)
    problem = only_problem_in(check(portal), "content/lectures/backwards.yml")
    assert (problem.line, problem.column) == (line_of(text, "end:"), 1)
    assert problem.field.startswith("end")
    assert "18:30" in problem.rest and "19:00" in problem.rest


def test_all_errors_of_a_run_are_reported_together(portal: Project) -> None:
    broken = {
        "content/organizations/typo.yml": ("name: 甲党支部\nkind: 党支部\nparent: wangjing\nadress: 一号\n", "adress"),
        "content/organizations/kind.yml": ("name: 乙党支部\nkind: 党小队\nparent: wangjing\n", "kind"),
        "content/grids/grid.yml": ("name: 第一网格\ncommunity: 南里\narea: [1号楼]\nhouseholds: 很多\n", "households"),
        "content/places/place.yml": ("name: 党员之家\nkind: 党员之家\norganization: nowhere\naddress: 一层\n",
                                     "organization"),
        "content/notices/syntax.yml": ("title: 公示\ncategory: [发展党员公示\n", None),
    }
    for path, (text, _) in broken.items():
        portal.write(path, text)
    result = portal.check()
    assert result.returncode == 1
    problems = reported(result)
    assert {item.path for item in problems} == set(broken)
    for path, (text, key) in broken.items():
        if key is not None:
            assert any(
                item.path == path and item.line == line_of(text, f"{key}:") and item.field.startswith(key)
                for item in problems
            ), f"{path} {key} not reported in:\n{result.stderr}"
    # The summary counts every problem printed.
    assert f"{len(problems)} 处错误" in result.stdout


# --- docs/content.md stays true ---------------------------------------------------------

DOC = Path(__file__).resolve().parents[1] / "docs" / "content.md"
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXAMPLE_PATH = re.compile(r"# (content/(\w+)/[a-z0-9-]+\.yml)\n")


def test_every_example_in_the_editor_guide_passes_check(empty_project: Project) -> None:
    blocks = YAML_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    examples_of: dict[str, int] = {}
    for block in blocks:
        match = EXAMPLE_PATH.match(block)
        assert match, f"a yaml example must start with its file path comment:\n{block}"
        path, type_name = match.groups()
        examples_of[type_name] = examples_of.get(type_name, 0) + 1
        empty_project.write(path, block)
        for file_name in re.findall(r"^ +file: (\S+)$", block, re.MULTILINE):
            empty_project.write(f"content/files/{file_name}", "%PDF-1.4\n")
    assert set(examples_of) == set(RECORD_TYPES), "every record type needs an example"
    result = empty_project.check()
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "the examples must not even raise warnings"
    assert f"检查了 {len(blocks)} 条有效记录" in result.stdout


def _documented_keys(section: str) -> set[str]:
    return set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n### ", start + len(heading))
    return text[start: end if end != -1 else len(text)]


def test_the_editor_guide_documents_every_field() -> None:
    text = DOC.read_text(encoding="utf-8")
    parts: set[type[BaseModel]] = set()
    for type_name, model in RECORD_TYPES.items():
        section = _section(text, f"（{type_name}）\n")
        expected = set(model.model_fields) - {"id"}
        assert _documented_keys(section) == expected, type_name
        parts.update(part for info in model.model_fields.values() if (part := nested_model(info)))
    while parts:
        part = parts.pop()
        section = _section(text, f"### {part.__name__}")
        assert _documented_keys(section) == set(part.model_fields), part.__name__
        parts.update(inner for info in part.model_fields.values() if (inner := nested_model(info)))


def test_one_record_text_is_checked_among_the_others(portal: Project) -> None:
    """What an editing tool calls before saving: the text in place, the other records around it."""
    from generator.content.validation import check_record_text

    good = "name: 测试党支部\nkind: 党支部\nparent: yeqing\n"
    result = check_record_text(portal.content, portal.root, "organizations", "ceshi", good.encode())
    assert not result.log.has_errors(), result.log.report()
    assert ("organizations", "ceshi") in {record.key for record in result.records}

    broken = "name: 测试党支部\nkind: 党支部\nparent: bu-cunzai\n"
    result = check_record_text(portal.content, portal.root, "organizations", "ceshi", broken.encode())
    (problem,) = result.log.errors
    assert problem.path == "content/organizations/ceshi.yml" and problem.position.line == 3
    assert not (portal.content / "organizations" / "ceshi.yml").exists()  # nothing was written

    # Replacing an existing record's text: its old text does not count any more.
    renamed = "name: 叶青大厦联合党委\nkind: 党工的\nparent: wangjing\n"
    result = check_record_text(portal.content, portal.root, "organizations", "yeqing", renamed.encode())
    (problem,) = result.log.errors
    assert problem.position.line == 2 and "党工委" in problem.message.zh
