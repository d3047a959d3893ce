"""The privacy guard: ID-card numbers, personal mobiles and home addresses are refused.

The ID numbers used are the examples printed in GB 11643-1999 itself, so their check
characters come from the standard, not from the code under test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.privacy import id_card_checksum_ok, id_card_numbers, mobile_numbers, privacy_problems
from tests.support.project import Project

STANDARD_EXAMPLES = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("number", STANDARD_EXAMPLES)
def test_the_standards_own_examples_are_ids(number: str) -> None:
    assert id_card_checksum_ok(number)
    assert [m.text for m in id_card_numbers(f"身份证号{number}，")] == [number]
    assert [m.text for m in id_card_numbers(f"号码 {number[:6]} {number[6:14]} {number[14:]}")]


@pytest.mark.parametrize("number", STANDARD_EXAMPLES)
def test_a_wrong_check_character_is_not_an_id(number: str) -> None:
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    assert not id_card_checksum_ok(wrong)
    assert list(id_card_numbers(f"编号 {wrong}")) == []


@pytest.mark.parametrize(
    "text",
    [
        "账号 6222021234567890123 已公开",  # 19 digits: a bank account, not an ID
        "批准文号 110105194912310021",  # valid-looking, wrong check character
        "日期 2026-11-22，电话 010-67126320",
    ],
)
def test_numbers_that_are_not_ids(text: str) -> None:
    assert list(id_card_numbers(text)) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("手机 13812345678", True),
        ("手机 138-1234-5678", True),
        ("手机 +86 138 1234 5678", True),
        ("座机 010-67126320", False),
        ("热线 12345", False),
        ("座机 0510-82702356", False),
        ("编号 213812345678", False),  # twelve digits: not a mobile number
    ],
)
def test_mobile_numbers(text: str, found: bool) -> None:
    assert bool(list(mobile_numbers(text))) is found


# Digits as they reach a record: typed, pasted from a full-width document, or another script's.
DIGIT_FORMS = {"ASCII": "0123456789", "full-width": "０１２３４５６７８９", "Arabic-Indic": "٠١٢٣٤٥٦٧٨٩",
               "Devanagari": "०१२३४५६७८९"}
# Characters whose compatibility form is longer or shorter than they are: "……" is the Chinese
# ellipsis; ㎡, ℃ and № are in notices about flats, heating and numbering.
OTHER_TEXT = ("", "……", "面积约80㎡", "室温18℃", "№3", "约½", "ｶﾞ")
DWELLINGS = ("{building}号楼{unit}单元{room}室", "住{building}栋{room}", "{building}#楼{room}",
             "{building}-{unit}-{room}室", "Room {room}, Building {building}", "{building}幢{unit}单元{room}")


@settings(max_examples=200)
@given(st.sampled_from(DWELLINGS), st.sampled_from(sorted(DIGIT_FORMS)), st.sampled_from(OTHER_TEXT), st.booleans(),
       st.tuples(st.integers(1, 30), st.integers(1, 9), st.integers(101, 2802)))
def test_a_home_address_is_refused_in_any_digits_whatever_else_the_text_holds(
    template: str, form: str, other: str, other_first: bool, numbers: tuple[int, int, int]
) -> None:
    digits = str.maketrans("0123456789", DIGIT_FORMS[form])
    building, unit, room = (str(number).translate(digits) for number in numbers)
    dwelling = template.format(building=building, unit=unit, room=room)
    sentence = f"联系人王某，{dwelling}。"
    text = other + sentence if other_first else sentence + other
    start = text.index(dwelling)
    offsets = [offset for offset, _zh, _en in privacy_problems(text, frozenset())]
    assert any(start <= offset < start + len(dwelling) for offset in offsets), (text, offsets)


# Marks that combine with the character before them (accents, underline, an enclosing circle):
# the text still reads as the number or address to anyone looking at the page.
COMBINING_MARKS = ("\u0301", "\u0307", "\u0308", "\u0332", "\u20dd", "\u0300", "\u0323")
PERSONAL = ("13812345678", "138 1234 5678", "11010519491231002X", *(
    template.format(building="3", unit="2", room="501") for template in DWELLINGS))


@settings(max_examples=200)
@given(st.sampled_from(PERSONAL), st.lists(st.sampled_from(("", *COMBINING_MARKS)), min_size=20, max_size=20))
def test_personal_data_with_combining_marks_on_its_characters_is_refused(written: str, marks: list[str]) -> None:
    marked = "".join(char + marks[index % len(marks)] for index, char in enumerate(written))
    text = f"居民李某，{marked}。"
    start = text.index(marked)
    offsets = [offset for offset, _zh, _en in privacy_problems(text, frozenset())]
    assert any(start <= offset < start + len(marked) for offset in offsets), (text, offsets)


@pytest.mark.parametrize("text", [
    "面积约80㎡Room 920, Building 6", "№Room 5 Building 3", "住址1-2-3011½", "Ⅲ Flat 12, Block 7½",
])
def test_an_address_is_refused_where_a_neighbour_folds_into_letters_or_digits(text: str) -> None:
    # ㎡ reads as "m2" and ½ as "1⁄2": folded, they run into the address's first word or last number.
    assert any(privacy_problems(text, frozenset())), text


NOTICE = """title: 关于拟发展党员的公示
category: 发展党员公示
form: 公示
organization: donghuashi-nanli-shequ-dangwei
published: 2026-11-19
window:
  start: 2026-11-19
  end: 2026-11-25
contact:
  department: 社区党委
  phone: "13911112222"
  note: 也可联系 13855556666
body: |
  第一段。

  拟发展对象：张某某，身份证号 11010519491231002X。
  咨询电话 010-67126320。
"""

ORGANIZATION = """name: 测试社区党委
kind: 党委
address: 北京市东城区某路 8 号 3 号楼 2 单元 501 室
secretary: 李某（家住 5 号楼 2 单元 301 室）
phone: "13700001111"
"""


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def problems_of(project: Project, path: str) -> list[dict[str, object]]:
    result = project.check("--format", "json")
    return [p for p in json.loads(result.stdout) if p["path"] == path]


def test_check_refuses_personal_data_at_its_line(project: Project) -> None:
    project.write("content/notices/privacy-notice.yml", NOTICE)
    project.write("content/organizations/privacy-org.yml", ORGANIZATION)
    notice = problems_of(project, "content/notices/privacy-notice.yml")
    org = problems_of(project, "content/organizations/privacy-org.yml")
    assert {(p["line"], str(p["field"]).split("（")[0]) for p in notice if p["severity"] == "error"} == {
        (line_of(NOTICE, "11010519491231002X"), "body"),
        (line_of(NOTICE, "13855556666"), "contact.note"),
    }
    # The full ID number is never repeated into logs.
    assert all("11010519491231002X" not in str(p["message"]) for p in notice)
    # phone fields are public phones; the organisation's own address may name a room.
    assert {(p["line"], str(p["field"]).split("（")[0]) for p in org} == {
        (line_of(ORGANIZATION, "secretary"), "secretary"),
    }
    assert "住址" in str(org[0]["message"])


def test_an_allow_listed_number_is_accepted(project: Project) -> None:
    project.write("content/notices/privacy-notice.yml", NOTICE.replace("11010519491231002X", "（已删除）"))
    assert len(problems_of(project, "content/notices/privacy-notice.yml")) == 1  # the mobile in note
    config = project.config.read_text(encoding="utf-8")
    project.config.write_text(
        config.replace("  - tongxin:\n", "  - tongxin:\n      privacy_allow:\n        - 138-5555-6666\n", 1),
        encoding="utf-8",
    )
    result = project.check("--format", "json")
    assert json.loads(result.stdout) == []
    assert result.returncode == 0


def test_check_in_english_names_the_problem_in_english(project: Project) -> None:
    project.write("content/notices/privacy-notice.yml", NOTICE)
    result = project.check("--lang", "en")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "privacy-notice.yml" in line]
    assert any("ID-card number" in line for line in lines)
    assert any("mobile number" in line for line in lines)
    assert not any("身份证" in line for line in lines)


ALIAS_BOMB = (
    'name: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "kind: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "short_name: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
)
SCRIPT_BODY = "name: 脚本党支部\nkind: 党支部\nbody: |\n  正常文字。\n  <script>alert(document.cookie)</script>\n"


def test_a_build_with_an_id_a_script_and_an_alias_bomb_publishes_nothing(project: Project, sample_site: Path) -> None:
    """The issue's acceptance test, as an editor would meet it."""
    shutil.copytree(sample_site, project.site)  # the site published before the bad commit
    published = sorted(p.relative_to(project.site) for p in project.site.rglob("*"))
    home = (project.site / "index.html").read_bytes()
    project.write("content/notices/privacy-notice.yml", NOTICE)
    project.write("content/organizations/alias-bomb.yml", ALIAS_BOMB)
    project.write("content/organizations/script-body.yml", SCRIPT_BODY)
    result = project.build()
    assert result.returncode == 1
    assert f"content/notices/privacy-notice.yml:{line_of(NOTICE, '11010519491231002X')}:" in result.stderr
    assert "content/organizations/alias-bomb.yml:1:" in result.stderr
    assert f"content/organizations/script-body.yml:{line_of(SCRIPT_BODY, '<script>')}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(project.site) for p in project.site.rglob("*")) == published
    assert (project.site / "index.html").read_bytes() == home


def test_json_output_and_english_builds_name_file_line_field_and_fix(project: Project) -> None:
    project.write("content/notices/privacy-notice.yml", NOTICE)
    result = project.check("--format", "json", "--lang", "en")
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert items and all(set(item) >= {"path", "line", "column", "field", "message", "severity"} for item in items)
    id_problem = next(item for item in items if "ID-card" in item["message"])
    assert id_problem["path"] == "content/notices/privacy-notice.yml"
    assert id_problem["line"] == line_of(NOTICE, "11010519491231002X")
    assert id_problem["field"].startswith("body")
    assert "delete it" in id_problem["message"]

    built = project.build("--lang", "en")
    assert built.returncode == 1
    assert "nothing was published" in built.stderr
    assert "ID-card number" in built.stderr
    assert "身份证" not in built.stderr
