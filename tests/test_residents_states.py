"""党务公开 and lecture states decided by the build date, checked on the built pages around window edges."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.support.project import Project, copy_project

ORGANIZATION = """\
name: 测试社区党委
kind: 党委
"""
# The window is 19–25 November inclusive; the lecture is on the evening of the 24th.
NOTICE = """\
title: 测试社区党委关于拟确定发展对象的公示
category: 发展党员公示
organization: ceshi-dangwei
published: 2026-11-19
window:
  start: 2026-11-19
  end: 2026-11-25
contact:
  department: 测试社区党委组织委员办公室
  phone: 010-12345678
"""
LECTURE = """\
title: 测试微型党课
series: 微型党课
speaker:
  name: 王某
start: "2026-11-24 19:00"
end: "2026-11-24 19:30"
venue: 社区活动室
organization: ceshi-dangwei
"""
# A lecture over midnight: under way at the start of the 25th, the moment a build on that day is.
NIGHT_LECTURE = """\
title: 测试跨夜讲座
series: 专题讲座
speaker:
  name: 李某
start: "2026-11-24 22:00"
end: "2026-11-25 01:00"
venue: 社区活动室
organization: ceshi-dangwei
"""


@dataclass
class Badge:
    text: str
    state: str  # data-tx-state, what the visitor's script starts from
    group: str | None  # data-tx-group of the list the item sits in
    lecture: str | None = None  # the lecture id the badge is about (data-tx-lecture), if any


class _BadgeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.badges: list[Badge] = []
        self._groups: list[str | None] = []
        self._current: Badge | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "ul":
            self._groups.append(found.get("data-tx-group"))
        if tag == "span" and "tx-state" in (found.get("class") or "").split():
            group = next((g for g in reversed(self._groups) if g), None)
            self._current = Badge("", found.get("data-tx-state") or "", group, found.get("data-tx-lecture"))
            self.badges.append(self._current)

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self._groups:
            self._groups.pop()
        if tag == "span":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.text += data.strip()


def badges(page: Path) -> list[Badge]:
    parser = _BadgeParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.badges


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = copy_project(tmp_path_factory.mktemp("states"), with_content=False)
    project.write("content/organizations/ceshi-dangwei.yml", ORGANIZATION)
    project.write("content/notices/ceshi-gongshi.yml", NOTICE)
    project.write("content/lectures/ceshi-dangke.yml", LECTURE)
    project.write("content/lectures/ceshi-kuaye.yml", NIGHT_LECTURE)
    return project


@pytest.fixture(scope="module")
def sites(tiny_project: Project) -> dict[str, tuple[Path, str]]:
    """The tiny portal built on each date around the edges: site folder and build stderr."""
    built = {}
    for date in ("2026-11-18", "2026-11-19", "2026-11-24", "2026-11-25", "2026-11-26"):
        site = tiny_project.root / f"site-{date}"
        result = tiny_project.build("--site-dir", str(site), date=date)
        assert result.returncode == 0, result.stderr
        built[date] = (site, result.stderr)
    return built


@pytest.mark.parametrize(
    ("date", "text", "group"),
    [
        ("2026-11-18", "即将公示", "notice-upcoming"),  # the day before the window
        ("2026-11-19", "公示中", "notice-open"),  # first day
        ("2026-11-24", "公示中", "notice-open"),
        ("2026-11-25", "今天截止", "notice-open"),  # last day counts (inclusive) and says so
        ("2026-11-26", "已结束", "notice-closed-2026"),  # the day after: archived by year
    ],
)
def test_notice_state_follows_the_window_on_the_build_date(
    sites: dict[str, tuple[Path, str]], date: str, text: str, group: str
) -> None:
    site = sites[date][0]
    record_badge = badges(site / "notices/ceshi-gongshi/index.html")[0]
    assert record_badge.text == text
    for listing in ("notices/index.html", "notices/category/fazhandangyuangongshi/index.html"):
        [listed] = badges(site / listing)
        assert (listed.text, listed.group) == (text, group), listing


def test_home_page_lists_open_notices_and_leaves_ended_ones_to_the_archive(
    sites: dict[str, tuple[Path, str]],
) -> None:
    open_home = [b for b in badges(sites["2026-11-19"][0] / "index.html") if b.group == "notice-open"]
    assert [b.text for b in open_home] == ["公示中"]
    ended_home = [b for b in badges(sites["2026-11-26"][0] / "index.html") if b.group and b.group.startswith("notice")]
    assert ended_home == []
    archive = (sites["2026-11-26"][0] / "notices/index.html").read_text(encoding="utf-8")
    assert "2026 年" in archive and "往期公示" in archive


@pytest.mark.parametrize(
    ("date", "text", "group"),
    [
        ("2026-11-24", "即将举行", "lecture-upcoming"),  # built on the day: still ahead for the morning reader
        ("2026-11-25", "已结束", "lecture-past"),
    ],
)
def test_lecture_is_upcoming_until_its_day_is_over(
    sites: dict[str, tuple[Path, str]], date: str, text: str, group: str
) -> None:
    site = sites[date][0]
    [listed] = [b for b in badges(site / "lectures/index.html") if b.lecture == "ceshi-dangke"]
    assert (listed.text, listed.group) == (text, group)
    assert badges(site / "lectures/ceshi-dangke/index.html")[0].text == text
    assert badges(site / "lectures/series/weixingdangke/index.html")[0].text == text


def test_a_lecture_under_way_at_the_build_moment_says_so_everywhere(sites: dict[str, tuple[Path, str]]) -> None:
    site = sites["2026-11-25"][0]  # the build's moment is 00:00 on the 25th: 22:00–01:00 is on
    for page in ("lectures/index.html", "index.html", "lectures/calendar/index.html",
                 "lectures/ceshi-kuaye/index.html", "lectures/series/zhuantijiangzuo/index.html"):
        [badge] = [b for b in badges(site / page) if b.lecture == "ceshi-kuaye"]
        assert (badge.text, badge.state) == ("进行中", "ongoing"), page
    [listed] = [b for b in badges(site / "lectures/index.html") if b.lecture == "ceshi-kuaye"]
    assert listed.group == "lecture-upcoming", "an ongoing lecture is listed with the coming ones"
    assert badges(sites["2026-11-26"][0] / "lectures/ceshi-kuaye/index.html")[0].text == "已结束"


def test_badges_carry_the_window_for_the_visitors_clock(sites: dict[str, tuple[Path, str]]) -> None:
    page = (sites["2026-11-19"][0] / "notices/ceshi-gongshi/index.html").read_text(encoding="utf-8")
    assert 'data-tx-window-start="2026-11-19"' in page and 'data-tx-window-end="2026-11-25"' in page
    lecture = (sites["2026-11-19"][0] / "lectures/ceshi-dangke/index.html").read_text(encoding="utf-8")
    assert 'data-tx-lecture-end="2026-11-24T19:30:00"' in lecture


def test_build_without_site_url_says_once_that_printouts_have_no_qr_code(
    sites: dict[str, tuple[Path, str]],
) -> None:
    site, stderr = sites["2026-11-19"]
    assert stderr.count("site_url") >= 1 and stderr.count("site_url 未设置") == 1
    page = (site / "notices/ceshi-gongshi/index.html").read_text(encoding="utf-8")
    assert "<svg class=\"tx-qr\"" not in page and "site_url" not in page
