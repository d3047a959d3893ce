"""A record type is declared once, by its model class.

The proof: one more type (the issue's "ninth type"), written as a new engineer would: one model
class and the type's two templates, in a temporary project, nothing else changed. It gets its
pages, its listing, a place in the navigation and on the home page, its records on the pages of
the records they point to, search results with facets, open data, the sitemap, a JSON Schema
and ``tongxin new``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.support.project import Project, copy_project
from tests.support.server import serve

# The model module: a reference deliberately not named "organization", an enumeration, a date.
NINTH_TYPE = '''\
"""走访慰问: a ninth record type, declared the way every type is."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.content.models import Category, PlaceRef, Record, RefTo

VisitKind = Literal["走访老党员", "慰问困难党员", "看望困难群众"]


class Visit(Record):
    type_name = "visits"
    type_label = "走访慰问"
    title_field = "title"
    intro = "党组织走访老党员、慰问困难党员和群众的记录"
    newest_first = "date"
    facts = ("{kind}", "{date}")
    tally = ("branch", "kind")

    title: str = Field(title="标题", description="走访慰问的标题")
    kind: Annotated[VisitKind, Category()] = Field(title="类别", description="走访还是慰问")
    branch: Annotated[str, RefTo("organizations", back="本组织的走访慰问")] = Field(
        title="党组织", description="开展走访的党组织编号"
    )
    place: PlaceRef | None = Field(default=None, title="阵地", description="从哪个阵地出发")
    date: dt.date = Field(title="日期", description="走访的日期")
    summary: str = Field(title="摘要", description="一两句话的摘要")
'''

# The command line with the new type imported first, as models.py would import it.
RUNNER = '''\
import sys

import visits  # noqa: F401  (registers the record type)
from generator.cli import main

sys.exit(main(sys.argv[1:]))
'''

RECORD_TEMPLATE = """\
{% from "macros.html" import referrers, record_link, fact, body, breadcrumb with context %}
<article class="tx-record">
{{ breadcrumb(links, record.type_name) }}
<h1>{{ record.title }}</h1>
<p class="tx-summary">{{ record.summary }}</p>
<dl class="tx-facts">
  {{ fact(field_label("visits", "kind"), record.kind) }}
  {% call fact(field_label("visits", "branch"), record.branch) %}
    {{- record_link(graph.get("organizations", record.branch), links) -}}
  {% endcall %}
</dl>
{{ body(record, markdown) }}
{{ referrers(record) }}
</article>
"""

LISTING_TEMPLATE = """\
{% from "macros.html" import record_link, pager_nav with context %}
<h1>{{ page_title }}</h1>
<p class="tx-lead">{{ model.intro }}，共 {{ total }} 次。</p>
<ul class="tx-list">
{% for visit in items %}
  <li>{{ record_link(visit, links) }} <span class="tx-meta">{{ facts(visit) | join(" · ") }}</span></li>
{% endfor %}
</ul>
{{ pager_nav(pager) }}
"""

ORG = "qianmen-caochang-shequ-dangwei"  # short name 草厂社区党委
PLACE = "donghuashi-dangyuan-fuwu-zhongxin"
RECORDS = {
    "2026-10-caochang-zoufang": f"""\
title: 重阳节走访草厂社区老党员
kind: 走访老党员
branch: {ORG}
date: 2026-10-29
summary: 社区党委班子成员分三路走访八十岁以上的老党员，送去重阳糕和慰问信。
""",
    "2026-11-caochang-weiwen": f"""\
title: 入冬前慰问草厂社区困难党员
kind: 慰问困难党员
branch: {ORG}
place: {PLACE}
date: 2026-11-18
summary: 入冬前为困难党员家庭检查取暖设施，登记需要帮办的事项。
""",
}
OLDER, NEWER = "2026-10-caochang-zoufang", "2026-11-caochang-weiwen"


def run(project: Project, *args: str) -> str:
    """The command line of a project whose models include the ninth type."""
    result = project.tongxin_script("run_tongxin.py", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def ninth(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = copy_project(tmp_path_factory.mktemp("ninth"))
    project.write("visits.py", NINTH_TYPE)
    project.write("run_tongxin.py", RUNNER)
    project.write("theme/tongxin/record/visits.html", RECORD_TEMPLATE)
    project.write("theme/tongxin/listing/visits.html", LISTING_TEMPLATE)
    for record_id, text in RECORDS.items():
        project.write(f"content/visits/{record_id}.yml", text)
    run(project, "build", "--date", "2026-11-22")
    return project


def page_text(project: Project, relative: str) -> str:
    return (project.site / relative / "index.html").read_text(encoding="utf-8")


def links_in(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_each_record_gets_its_page(ninth: Project) -> None:
    html = page_text(ninth, f"visits/{NEWER}")
    assert "<h1>入冬前慰问草厂社区困难党员</h1>" in html
    assert any(link.endswith(f"organizations/{ORG}/") for link in links_in(html))


def test_the_listing_shows_the_intro_and_the_newest_record_first(ninth: Project) -> None:
    html = page_text(ninth, "visits")
    assert "党组织走访老党员、慰问困难党员和群众的记录，共 2 次。" in html
    assert html.index(f'href="{NEWER}/"') < html.index(f'href="{OLDER}/"')
    assert "慰问困难党员 · 2026年11月18日" in html  # the fact line declared by the model


def test_the_type_has_a_section_in_the_navigation_and_on_the_home_page(ninth: Project) -> None:
    home = page_text(ninth, "")
    nav = re.search(r'<nav class="md-tabs".*?</nav>', home, re.DOTALL)
    assert nav and re.search(r'href="visits/"[^>]*>\s*走访慰问\s*<', nav.group(0))
    assert "党组织走访老党员、慰问困难党员和群众的记录" in home


def related_section(html: str, heading: str) -> str:
    found = re.search(rf'<section class="tx-related"[^>]*>\s*<h2[^>]*>{heading}.*?</section>', html, re.DOTALL)
    assert found, f"no section {heading}"
    return found.group(0)


def test_referenced_records_list_the_new_records_under_the_declared_label(ninth: Project) -> None:
    visits = related_section(page_text(ninth, f"organizations/{ORG}"), "本组织的走访慰问")
    assert {f"../../visits/{OLDER}/", f"../../visits/{NEWER}/"} <= set(links_in(visits))
    # The declared tally: this year's visits counted by kind, in the enumeration's order.
    row = re.search(r"<tr><th scope=\"row\">2026 年</th>(.*?)</tr>", visits)
    assert row and re.findall(r"<td>(\d+)</td>", row.group(1)) == ["1", "1", "0", "2"]
    # Without a declared label the section is named after the type.
    visits = related_section(page_text(ninth, f"places/{PLACE}"), "走访慰问")
    assert links_in(visits) == [f"../../visits/{NEWER}/"]


def test_search_finds_the_records_with_their_facts_and_facets(ninth: Project, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve(ninth.site) as base:
            page.goto(base + "search/?q=" + "重阳节走访")
            page.wait_for_selector("#tx-search-results[data-tx-state=done]", state="attached")
            first = page.locator(".tx-result").first
            assert first.locator(".tx-result__type").inner_text() == "走访慰问"
            assert first.locator(".tx-result__title").inner_text() == "重阳节走访草厂社区老党员"
            assert first.locator(".tx-result__facts").inner_text() == "草厂社区党委 · 走访老党员 · 2026年10月29日"
            page.locator("#tx-search-filters summary").click()
            page.wait_for_selector(".tx-search-filters__field select")
            organizations = page.get_by_label("党组织", exact=True).locator("option").all_inner_texts()
            categories = page.get_by_label("类别", exact=True).locator("option").all_inner_texts()
            areas = page.get_by_label("街道/社区", exact=True).locator("option").all_inner_texts()
    finally:
        context.close()
    assert any(option.startswith("草厂社区党委（") for option in organizations)
    assert any(option.startswith("走访老党员（") for option in categories)
    assert any(option.startswith("草厂社区（") for option in areas)


def test_open_data_and_the_sitemap_have_the_new_records(ninth: Project) -> None:
    catalogue = json.loads((ninth.site / "data/index.json").read_text(encoding="utf-8"))
    entry = next(item for item in catalogue["datasets"] if item["type"] == "visits")
    assert entry["label"] == "走访慰问" and entry["count"] == 2
    data = json.loads((ninth.site / "data/visits.json").read_text(encoding="utf-8"))
    assert [record["id"] for record in data["records"]] == [NEWER, OLDER]
    assert data["records"][0]["branch"] == ORG
    schema = json.loads((ninth.site / "data/schema/visits.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]) >= {"title", "kind", "branch", "date", "summary"}
    sitemap = (ninth.site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"visits/{NEWER}/</loc>" in sitemap and "visits/</loc>" in sitemap


def test_the_editor_tools_know_the_new_type(ninth: Project, tmp_path: Path) -> None:
    assert "visit（走访慰问）" in run(ninth, "new", "--help")
    run(ninth, "new", "visit", "2026-12-caochang-zoufang")
    scaffold = (ninth.content / "visits/2026-12-caochang-zoufang.yml").read_text(encoding="utf-8")
    assert "branch:" in scaffold and "走访老党员、慰问困难党员、看望困难群众" in scaffold
    (ninth.content / "visits/2026-12-caochang-zoufang.yml").unlink()
    run(ninth, "schema", "--output", str(tmp_path))
    schema = json.loads((tmp_path / "visits.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["kind"]["enum"] == ["走访老党员", "慰问困难党员", "看望困难群众"]
    # The project's own schemas are mapped for VS Code too, its other settings kept.
    ninth.write(".vscode/settings.json", json.dumps({"yaml.schemas": {}, "files.encoding": "utf8"}))
    run(ninth, "schema")
    settings = json.loads((ninth.root / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"]["./schemas/visits.schema.json"] == ["**/content/visits/*.yml",
                                                                        "**/content/visits/*.yaml"]
    assert settings["files.encoding"] == "utf8" and (ninth.root / "schemas/visits.schema.json").is_file()


def test_the_browser_forms_have_the_new_type(ninth: Project, tmp_path: Path) -> None:
    run(ninth, "cms", "--output", str(tmp_path / "admin"))
    config = yaml.safe_load((tmp_path / "admin" / "config.yml").read_text(encoding="utf-8"))
    visits = next(item for item in config["collections"] if item["name"] == "visits")
    fields = {field["name"]: field for field in visits["fields"]}
    assert visits["label"] == "走访慰问" and visits["folder"] == "content/visits"
    assert fields["kind"]["widget"] == "select"
    assert fields["kind"]["options"] == ["走访老党员", "慰问困难党员", "看望困难群众"]
    assert fields["branch"]["widget"] == "relation" and fields["branch"]["collection"] == "organizations"
    assert fields["date"]["widget"] == "datetime" and fields["date"]["format"] == "YYYY-MM-DD"
