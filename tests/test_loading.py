"""Loading a small content set into the site graph: references both ways, order, date states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.content.loading import parse_record_text
from generator.content.problems import Position, ProblemLog
from generator.content.validation import ValidRecord
from generator.site.graph import (
    LECTURE_PAST,
    LECTURE_UPCOMING,
    NOTICE_CLOSED,
    NOTICE_OPEN,
    NOTICE_UPCOMING,
    SiteGraph,
)
from generator.site.source import ContentSource

# Names chosen so that pinyin order (ai, an, bei, zhong) is the reverse of code-point order.
CONTENT = {
    "organizations/beiyuan.yml": "name: 北苑街道党工委\nkind: 党工委\n",
    "organizations/anhuali.yml": "name: 安华里社区党委\nkind: 党委\nparent: beiyuan\n",
    "organizations/aixin.yml": "name: 爱心党支部\nkind: 党支部\nparent: anhuali\n",
    "organizations/zhongguancun.yml": "name: 中关村党支部\nkind: 党支部\nparent: anhuali\n",
    "places/anhuali-zhijia.yml": (
        "name: 安华里党员之家\nkind: 党员之家\norganization: anhuali\naddress: 安华里一区活动室\n"
    ),
    "grids/anhuali-diyi.yml": (
        "name: 安华里第一网格\ncommunity: 安华里社区\narea: [1号楼, 2号楼]\norganization: anhuali\n"
    ),
    "projects/aixin-chuxu.yml": (
        "name: 爱心储蓄银行\norganizers: [anhuali, zhongguancun]\ncategory: 志愿服务\nstatus: 进行中\n"
        "places: [anhuali-zhijia]\n"
    ),
    "notices/fazhan-gongshi.yml": (
        "title: 发展对象公示\ncategory: 发展党员公示\norganization: anhuali\npublished: 2026-11-09\n"
        "window:\n  start: 2026-11-10\n  end: 2026-11-16\ncontact:\n  phone: 010-64708860\n"
    ),
    "lectures/weixing-dangke.yml": (
        "title: 微型党课\nseries: 微型党课\norganization: anhuali\nplace: anhuali-zhijia\n"
        'speaker:\n  name: 王建华\nstart: "2026-11-24 19:00"\nend: "2026-11-24 20:30"\n'
    ),
    "lectures/dongfang-dajiangtan.yml": (
        "title: 东方大讲坛\nseries: 专题讲座\norganization: beiyuan\nvenue: 街道礼堂\n"
        'speaker:\n  name: 李明\nstart: "2026-12-01 14:00"\nend: "2026-12-01 16:00"\n'
    ),
    "cases/anhuali-anli.yml": (
        "title: 安华里的爱心储蓄\nregion: 北京市朝阳区\nyear: 2026\nsummary: 以时间换服务。\n"
        "organizations: [anhuali]\nprojects: [aixin-chuxu]\n"
    ),
}


@pytest.fixture(scope="module")
def valid_records(tmp_path_factory: pytest.TempPathFactory) -> list[ValidRecord]:
    root = tmp_path_factory.mktemp("loading")
    for relative, text in CONTENT.items():
        path = root / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = ContentSource(root, root / "content").validate()
    assert not result.log.problems, result.log.report()
    return result.records


@pytest.fixture(scope="module")
def graph(valid_records: list[ValidRecord]) -> SiteGraph:
    return SiteGraph.build(valid_records, dt.date(2026, 11, 22))


def ids(records: list) -> list[str]:
    return [record.id for record in records]


def test_every_record_is_loaded_under_its_file_name(graph: SiteGraph) -> None:
    expected = {(relative.split("/")[0], Path(relative).stem) for relative in CONTENT}
    assert {(record.type_name, record.id) for record in graph.all_records()} == expected


def test_names_are_in_pinyin_order(graph: SiteGraph) -> None:
    assert list(graph.records["organizations"]) == ["aixin", "anhuali", "beiyuan", "zhongguancun"]


def test_organisation_lists_everything_that_refers_to_it(graph: SiteGraph) -> None:
    anhuali = graph.get("organizations", "anhuali")
    assert anhuali is not None
    assert ids(graph.referrers(anhuali, "organizations", "parent")) == ["aixin", "zhongguancun"]
    assert ids(graph.referrers(anhuali, "places", "organization")) == ["anhuali-zhijia"]
    assert ids(graph.referrers(anhuali, "grids", "organization")) == ["anhuali-diyi"]
    assert ids(graph.referrers(anhuali, "projects", "organizers")) == ["aixin-chuxu"]
    assert ids(graph.referrers(anhuali, "notices", "organization")) == ["fazhan-gongshi"]
    assert ids(graph.referrers(anhuali, "lectures", "organization")) == ["weixing-dangke"]
    assert ids(graph.referrers(anhuali, "cases", "organizations")) == ["anhuali-anli"]
    # A project with two organisers appears on both of them.
    zhongguancun = graph.get("organizations", "zhongguancun")
    assert ids(graph.referrers(zhongguancun, "projects", "organizers")) == ["aixin-chuxu"]


def test_references_resolve_forwards(graph: SiteGraph) -> None:
    project = graph.get("projects", "aixin-chuxu")
    assert ids(graph.resolve("organizations", project.organizers)) == ["anhuali", "zhongguancun"]
    assert ids(graph.resolve("places", project.places)) == ["anhuali-zhijia"]
    aixin = graph.get("organizations", "aixin")
    assert ids(graph.ancestors(aixin)) == ["beiyuan", "anhuali"]


def test_place_and_project_list_their_referrers(graph: SiteGraph) -> None:
    place = graph.get("places", "anhuali-zhijia")
    assert ids(graph.referrers(place, "projects", "places")) == ["aixin-chuxu"]
    assert ids(graph.referrers(place, "lectures", "place")) == ["weixing-dangke"]
    project = graph.get("projects", "aixin-chuxu")
    assert ids(graph.referrers(project, "cases", "projects")) == ["anhuali-anli"]


def test_organisation_tree(graph: SiteGraph) -> None:
    (root,) = graph.organization_tree
    assert root.organization.id == "beiyuan"
    (community,) = root.children
    assert community.organization.id == "anhuali"
    assert [child.organization.id for child in community.children] == ["aixin", "zhongguancun"]
    assert ids(community.grids) == ["anhuali-diyi"]


@pytest.mark.parametrize(
    ("day", "state"),
    [
        ("2026-11-09", NOTICE_UPCOMING),  # the day before the window
        ("2026-11-10", NOTICE_OPEN),  # first day
        ("2026-11-16", NOTICE_OPEN),  # last day counts
        ("2026-11-17", NOTICE_CLOSED),  # the day after
    ],
)
def test_notice_state_around_the_window_edges(valid_records: list[ValidRecord], day: str, state: str) -> None:
    graph = SiteGraph.build(valid_records, dt.date.fromisoformat(day))
    notice = graph.get("notices", "fazhan-gongshi")
    assert graph.notice_state(notice) == state
    assert ids(graph.notices_by_state()[state]) == ["fazhan-gongshi"]


@pytest.mark.parametrize(
    ("day", "upcoming", "past"),
    [
        ("2026-11-22", ["weixing-dangke", "dongfang-dajiangtan"], []),  # soonest first
        ("2026-11-24", ["weixing-dangke", "dongfang-dajiangtan"], []),  # the evening's lecture is still ahead
        ("2026-11-25", ["dongfang-dajiangtan"], ["weixing-dangke"]),
        ("2026-12-05", [], ["dongfang-dajiangtan", "weixing-dangke"]),  # most recent first
    ],
)
def test_lectures_upcoming_and_past(
    valid_records: list[ValidRecord], day: str, upcoming: list[str], past: list[str]
) -> None:
    graph = SiteGraph.build(valid_records, dt.date.fromisoformat(day))
    groups = graph.lectures_by_state()
    assert ids(groups[LECTURE_UPCOMING]) == upcoming
    assert ids(groups[LECTURE_PAST]) == past


def test_loader_remembers_where_every_key_and_item_is() -> None:
    text = "name: 党员之家\nhours:\n  periods:\n    - days: [周一, 周二]\n      open: 9:30\n"
    log = ProblemLog()
    parsed = parse_record_text(text.encode(), "content/places/x.yml", log)
    assert parsed is not None, log.report()
    data, positions = parsed
    lines = text.splitlines()
    assert positions[("hours",)] == Position(2, 1)
    assert positions[("hours", "periods", 0)] == Position(4, lines[3].index("days") + 1)
    assert positions[("hours", "periods", 0, "days", 1)] == Position(4, lines[3].index("周二") + 1)
    assert positions[("hours", "periods", 0, "open")] == Position(5, lines[4].index("open") + 1)
    # YAML 1.1 would read 9:30 as the number 570; an editor means a clock time.
    assert data["hours"]["periods"][0]["open"] == "9:30"


def test_loader_reads_both_suffixes(tmp_path: Path) -> None:
    (tmp_path / "content" / "organizations").mkdir(parents=True)
    (tmp_path / "content" / "organizations" / "a.yml").write_text("name: 甲党委\nkind: 党委\n", encoding="utf-8")
    (tmp_path / "content" / "organizations" / "b.yaml").write_text("name: 乙党委\nkind: 党委\n", encoding="utf-8")
    result = ContentSource(tmp_path, tmp_path / "content").validate()
    assert sorted(record.raw.record_id for record in result.records) == ["a", "b"]
