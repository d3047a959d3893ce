"""组织生活 (meetings) and 办事指南 (guides), the two types added by their models alone.

What a resident sees: an organisation's 三会一课 with a count per year and kind, the 组织生活
overview of every organisation, guides on the pages of the places that handle them and of the
notices they name; what an editor gets: the privacy guard and the sanitiser on every field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.content.models import Meeting, MeetingKind, enumeration
from generator.outputs.search.documents import record_document
from generator.site.graph import yearly_tally
from generator.site.source import ContentSource
from generator.site.urls import UrlScheme
from tests.support.project import REPO, SAMPLE_DATE, Project
from tests.test_privacy import line_of, problems_of
from tests.test_sanitize import XSS_PAYLOADS, dangers

BRANCH = "donghuashi-nanli-diyi-wangge-dangzhibu"
PLACE = "libangcun-dangyuan-fuwu-zhongxin"
GUIDE = "liudong-dangyuan-dengji"
NOTICE = "2026-xiwu-libangcun-liudong-dangzhibu-sheli"


def page(site: Path, relative: str) -> str:
    return (site / relative / "index.html").read_text(encoding="utf-8")


def sample(type_name: str) -> dict[str, dict[str, object]]:
    folder = REPO / "content" / type_name
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yml"))}


def section(html: str, heading: str) -> str:
    found = re.search(rf'<section class="tx-related"[^>]*>\s*<h2[^>]*>{heading}.*?</section>', html, re.DOTALL)
    assert found, f"no section {heading}"
    return found.group(0)


def table_rows(html: str) -> list[list[str]]:
    """The body rows of the first table in ``html``, each cell as its text."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    assert body
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)
    ]


# --- meetings ------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.sampled_from(enumeration(Meeting, "kind")),
                          st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))), min_size=1, max_size=40))
def test_the_yearly_tally_counts_every_meeting_once_by_year_and_kind(held: list[tuple[str, dt.date]]) -> None:
    meetings = [
        Meeting(id=f"m{number}", title="会议", kind=kind, organization="zhibu", date=date, summary="内容")
        for number, (kind, date) in enumerate(held)
    ]
    tally = yearly_tally(meetings)
    assert tally is not None and tally.values == enumeration(Meeting, "kind")
    assert [year for year, _counts in tally.years] == sorted({date.year for _kind, date in held}, reverse=True)
    expected = Counter((date.year, kind) for kind, date in held)
    counted = {(year, kind): count for year, counts in tally.years
               for kind, count in zip(tally.values, counts, strict=True) if count}
    assert counted == expected


def test_an_organisation_page_lists_its_meetings_with_a_count_per_year_and_kind(sample_site: Path) -> None:
    held = [m for m in sample("meetings").values() if m["organization"] == BRANCH]
    assert len(held) >= 5
    life = section(page(sample_site, f"organizations/{BRANCH}"), "组织生活")
    assert f"组织生活<span class=\"tx-count\">（{len(held)}）" in life
    kinds = list(MeetingKind.__args__)  # type: ignore[attr-defined]
    for year, *counts, total in table_rows(life):
        number = int(year.removesuffix(" 年"))
        expected = Counter(m["kind"] for m in held if m["date"].year == number)
        assert [int(c) for c in counts] == [expected[kind] for kind in kinds]
        assert int(total) == sum(expected.values())
    # Newest first, each with its kind and date.
    dates = [m["date"] for m in held]
    shown = re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日", life.split("</table>")[1])
    assert [dt.date(int(y), int(m), int(d)) for y, m, d in shown] == sorted(dates, reverse=True)


def test_the_meetings_listing_summarises_every_organisation(sample_site: Path) -> None:
    meetings = sample("meetings")
    html = page(sample_site, "meetings")
    overview = html.split('<h2 id="tally"')[1].split("</section>")[0]
    rows = table_rows(overview)
    # One row per organisation and year; the first row of an organisation starts with its name.
    per_year = Counter((m["organization"], m["date"].year) for m in meetings.values())
    assert len(rows) == len(per_year)
    assert sum(int(row[-1]) for row in rows) == len(meetings)
    assert "草厂社区党委" not in overview  # only organisations that held meetings
    listed = re.findall(r'href="([a-z0-9-]+)/"', html.split('id="records"')[1])
    assert listed == sorted(meetings, key=lambda i: (meetings[i]["date"], i), reverse=True)[: len(listed)]


def test_a_meeting_page_names_its_organisation_place_and_attendance(sample_site: Path) -> None:
    html = page(sample_site, "meetings/2026-03-libangcun-liudong-dangyuan-dahui")
    assert "<h1>力邦村流动党员党支部成立暨第一次支部党员大会</h1>" in html
    assert "应到 52 人，实到 47 人，请假 5 人" in html
    assert f'href="../../places/{PLACE}/"' in html
    assert 'href="../../organizations/libangcun-liudong-dangyuan-dangzhibu/"' in html


# --- guides ----------------------------------------------------------------------------------


def test_guides_are_listed_by_the_places_that_handle_them_and_the_notices_they_name(sample_site: Path) -> None:
    guides = sample("guides")
    for place in {p for guide in guides.values() for p in guide["places"]}:
        handled = section(page(sample_site, f"places/{place}"), "在这里办理的事项")
        expected = {f"../../guides/{gid}/" for gid, guide in guides.items() if place in guide["places"]}
        assert set(re.findall(r'href="([^"]+)"', handled)) == expected
    related = section(page(sample_site, f"notices/{NOTICE}"), "相关办事指南")
    assert f"../../guides/{GUIDE}/" in related


def test_a_guide_page_gives_where_what_to_bring_and_the_steps_in_order(sample_site: Path) -> None:
    guide = sample("guides")[GUIDE]
    html = page(sample_site, f"guides/{GUIDE}")
    steps = re.search(r'<h2 id="steps">办理步骤</h2>\s*<ol>(.*?)</ol>', html, re.DOTALL)
    assert steps and re.findall(r"<li>(.*?)</li>", steps.group(1)) == guide["steps"]
    assert all(f"<li>{item}</li>" in html for item in guide["what_to_bring"])
    where = html.split('<h2 id="places">')[1].split("</section>")[0]
    assert [f"../../places/{p}/" for p in guide["places"]] == re.findall(r'href="(\.\./\.\./places/[^"]+)"', where)
    assert "data-tx-hours=" in where  # 现在开放 / 已关闭, by the visitor's clock
    assert f'href="../../notices/{NOTICE}/"' in html


# --- search, open data ---------------------------------------------------------------------


def test_search_facets_of_meetings_and_guides_come_from_their_markers() -> None:
    graph, _ = ContentSource(REPO, REPO / "content").load_graph(dt.date.fromisoformat(SAMPLE_DATE))
    scheme = UrlScheme(directory_urls=True)
    meeting = record_document(graph.records["meetings"]["2026-07-libangcun-zhuti-dangri"], graph, scheme)
    assert meeting.type_label == "组织生活"
    assert meeting.facets["organization"] == ["力邦村流动党员党支部"]
    assert meeting.facets["category"] == ["主题党日"]
    assert meeting.facets["area"] == ["西坞街道", "力邦村"]
    assert meeting.facts == ["力邦村流动党员党支部", "主题党日", "2026年7月5日"]
    guide = record_document(graph.records["guides"]["rudang-shenqing"], graph, scheme)
    assert guide.facets["category"] == ["入党申请人", "居民"]
    assert "递交入党申请" in guide.names


def test_open_data_has_meetings_with_attendance_and_guides_with_steps(sample_site: Path) -> None:
    meetings = json.loads((sample_site / "data/meetings.json").read_text(encoding="utf-8"))
    record = next(r for r in meetings["records"] if r["id"] == "2026-03-libangcun-liudong-dangyuan-dahui")
    assert record["attendance"] == {"expected": 52, "present": 47, "on_leave": 5}
    guides = json.loads((sample_site / "data/guides.json").read_text(encoding="utf-8"))
    record = next(r for r in guides["records"] if r["id"] == GUIDE)
    assert record["steps"] == sample("guides")[GUIDE]["steps"]


# --- what editors may not publish --------------------------------------------------------------

MEETING = """title: 测试支部党员大会
kind: 支部党员大会
organization: donghuashi-nanli-diyi-wangge-dangzhibu
date: 2026-11-12
summary: 请假的同志可以打 13855556666 补学
body: |
  发展对象：王某，身份证号 11010519491231002X。
"""

GUIDE_TEXT = """title: 测试事项
audience: [居民]
places: [donghuashi-dangyuan-fuwu-zhongxin]
steps:
  - 先打 13911112222 预约
contact:
  department: 服务中心
  phone: "13700001111"
"""


def test_personal_data_in_meetings_and_guides_is_refused_at_its_line(project: Project) -> None:
    project.write("content/meetings/privacy-meeting.yml", MEETING)
    project.write("content/guides/privacy-guide.yml", GUIDE_TEXT)
    meeting = problems_of(project, "content/meetings/privacy-meeting.yml")
    guide = problems_of(project, "content/guides/privacy-guide.yml")
    assert {(p["line"], str(p["field"]).split("（")[0]) for p in meeting} == {
        (line_of(MEETING, "13855556666"), "summary"),
        (line_of(MEETING, "11010519491231002X"), "body"),
    }
    # The guide's contact phone is a public phone by its model; a mobile in a step is not.
    assert {(p["line"], str(p["field"]).split("（")[0]) for p in guide} == {
        (line_of(GUIDE_TEXT, "13911112222"), "steps[0]"),
    }


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_markup_in_every_text_of_meetings_and_guides_is_shown_as_text(project: Project) -> None:
    for index, payload in enumerate(XSS_PAYLOADS):
        text = _yaml_text(payload)
        project.write(
            f"content/meetings/xss-meeting-{index}.yml",
            f"title: {text}\nkind: 党课\norganization: {BRANCH}\ndate: 2026-11-{index % 28 + 1:02d}\n"
            f"venue: {text}\nsummary: {text}\n",
        )
        project.write(
            f"content/guides/xss-guide-{index}.yml",
            f"title: {text}\naudience: [党员]\nplaces: [{PLACE}]\nwhat_to_bring:\n  - {text}\n"
            f"steps:\n  - {text}\ntime_limit: {text}\ncontact:\n  department: {text}\n  note: {text}\n",
        )
    result = project.build()
    assert result.returncode == 0, result.stderr
    shown = [
        project.site / "meetings" / "index.html", project.site / "guides" / "index.html",
        project.site / "organizations" / BRANCH / "index.html", project.site / "places" / PLACE / "index.html",
        *sorted((project.site / "meetings").glob("xss-*/index.html")),
        *sorted((project.site / "guides").glob("xss-*/index.html")),
    ]
    assert len(shown) == 4 + 2 * len(XSS_PAYLOADS)
    for path in shown:
        assert dangers(path.read_text(encoding="utf-8"), content_only=True) == [], path
    guide = (project.site / "guides" / "xss-guide-0" / "index.html").read_text(encoding="utf-8")
    assert guide.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
