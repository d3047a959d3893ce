"""A portal too big for one page per listing: listings, categories, series, contacts, the
organisation tree and the lecture calendar are split into pages that each stay under 100 KB,
list every record exactly once, and link to each other with a pager residents can follow."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest

from tests.support.project import SAMPLE_DATE, Project, copy_project

PAGE_LIMIT = 100 * 1024
BUILD_DAY = dt.date.fromisoformat(SAMPLE_DATE)
ROOTS, BRANCHES_PER_ROOT = 3, 80  # 243 organisations: the tree and directory no longer fit one page
NOTICES, OPEN_NOTICES, UPCOMING_NOTICES = 250, 12, 8
LECTURES = 160
CATEGORIES = ("发展党员公示", "党费收缴")


class Links(HTMLParser):
    """Links of the page body (Material's header and nav are left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_article = False
        self.hrefs: list[str] = []
        # The first link of each list item or table row: the record that item is about.
        self.item_hrefs: list[str] = []
        self.pager: list[tuple[str, str]] = []  # (href, rel or aria-current)
        self._in_pager = False
        self._item_open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "article":
            self.in_article = True
        if tag == "nav" and "tx-pager" in (values.get("class") or ""):
            self._in_pager = True
        if tag in ("li", "tr") and self.in_article:
            self._item_open = True
        if tag == "a" and self.in_article and values.get("href"):
            href = values["href"] or ""
            self.hrefs.append(href)
            if self._item_open:
                self.item_hrefs.append(href)
                self._item_open = False
            if self._in_pager:
                self.pager.append((href, values.get("rel") or ("current" if values.get("aria-current") else "")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("li", "tr"):
            self._item_open = False
        if tag == "nav":
            self._in_pager = False
        if tag == "article":
            self.in_article = False


def parse(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def target(page: Path, href: str) -> Path:
    """The file a relative link of ``page`` opens, for directory URLs or .html files alike."""
    path = (page.parent / unquote(urldefrag(href).url)).resolve()
    return path / "index.html" if path.is_dir() else path


def record_links(page: Path, type_name: str, site: Path, every_link: bool = False) -> list[str]:
    """Ids of the records the page lists, in order (an item's first link names its record)."""
    ids = []
    links = parse(page)
    for href in links.hrefs if every_link else links.item_hrefs:
        file = target(page, href)
        relative = file.relative_to(site).parts if file.is_relative_to(site) else ()
        if len(relative) == 3 and relative[0] == type_name and relative[2] == "index.html":
            ids.append(relative[1])
    return ids


def follow_pager(first: Path) -> list[Path]:
    """Pages reached by clicking 下一页 from ``first``, checking every pager link on the way."""
    pages = [first]
    while True:
        links = parse(pages[-1])
        for href, _rel in links.pager:
            assert target(pages[-1], href).is_file(), f"{pages[-1]}: pager link {href} leads nowhere"
        current = [href for href, rel in links.pager if rel == "current"]
        assert not links.pager or len(current) == 1, f"{pages[-1]}: one page is marked as current"
        following = [href for href, rel in links.pager if rel == "next"]
        if not following:
            return pages
        pages.append(target(pages[-1], following[0]))
        assert len(pages) < 100, "the pager goes round in circles"


# --- a large synthetic portal, written quickly as YAML -------------------------------------


def lecture_days() -> list[dt.date]:
    """Every third day around the build date: past and upcoming lectures over about 16 months."""
    return [BUILD_DAY + dt.timedelta(days=3 * (n - LECTURES // 2)) for n in range(LECTURES)]


def big_project(root: Path) -> tuple[Project, dict[str, list[str]]]:
    project = copy_project(root, with_content=False)
    ids: dict[str, list[str]] = {"organizations": [], "notices": [], "lectures": []}

    def organization(record_id: str, name: str, kind: str, street: str, parent: str | None, phone: str) -> None:
        parent_line = f"parent: {parent}\n" if parent else ""
        project.write(f"content/organizations/{record_id}.yml",
                      f"name: {name}\nkind: {kind}\nbasis: 社区\nstreet: {street}\n{parent_line}phone: {phone}\n")
        ids["organizations"].append(record_id)

    for r in range(ROOTS):
        street = f"测试{'甲乙丙'[r]}街道"
        organization(f"root-{r}", f"中共{street}工作委员会", "党工委", street, None, f"010-6510{r:04d}")
        for b in range(BRANCHES_PER_ROOT):
            organization(f"branch-{r}-{b:03d}", f"{street}第{b + 1}党支部", "党支部", street, f"root-{r}",
                         f"010-66{r:02d}{b:04d}")
    for n in range(NOTICES):
        if n < OPEN_NOTICES:
            start = BUILD_DAY - dt.timedelta(days=n % 3)
        elif n < OPEN_NOTICES + UPCOMING_NOTICES:
            start = BUILD_DAY + dt.timedelta(days=3 + n)
        else:
            start = BUILD_DAY - dt.timedelta(days=10 + 4 * n)  # closed, over about three years
        end = start + dt.timedelta(days=6)
        record_id = f"notice-{n:03d}"
        project.write(
            f"content/notices/{record_id}.yml",
            f"title: 第{n + 1}号党务公示\ncategory: {CATEGORIES[n % 2]}\norganization: root-{n % ROOTS}\n"
            f"published: {start}\nwindow:\n  start: {start}\n  end: {end}\n"
            f"contact:\n  department: 党建办\n  phone: 010-65109999\n",
        )
        ids["notices"].append(record_id)
    for n in range(LECTURES):
        day = lecture_days()[n]
        record_id = f"lecture-{n:03d}"
        project.write(
            f"content/lectures/{record_id}.yml",
            f"title: 第{n + 1}讲 社区党课\nseries: 微型党课\nspeaker:\n  name: 王老师\n"
            f'start: "{day} 19:00"\nend: "{day} 20:00"\nvenue: 社区活动室\norganization: root-0\n',
        )
        ids["lectures"].append(record_id)
    return project, ids


@pytest.fixture(scope="module")
def big_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, list[str]]]:
    """The large portal built twice: for a server (site/) and for opening from disk (site-file/)."""
    project, ids = big_project(tmp_path_factory.mktemp("big") / "portal")
    for options in ((), ("--for-file",)):
        result = project.build(*options)
        assert result.returncode == 0, result.stderr
    return project, ids


@pytest.fixture(scope="module")
def big_site(big_built: tuple[Project, dict[str, list[str]]]) -> tuple[Path, dict[str, list[str]]]:
    project, ids = big_built
    return project.site, ids


# --- the tests -----------------------------------------------------------------------------


def test_no_page_is_over_100_kb(big_site: tuple[Path, dict[str, list[str]]]) -> None:
    site, _ = big_site
    sizes = {page.relative_to(site).as_posix(): page.stat().st_size for page in site.rglob("*.html")}
    assert sizes["notices/index.html"] > 0
    assert {page: size for page, size in sizes.items() if size > PAGE_LIMIT} == {}


@pytest.mark.parametrize("type_name", ["organizations", "notices", "lectures"])
def test_listing_pages_list_every_record_once(big_site: tuple[Path, dict[str, list[str]]], type_name: str) -> None:
    site, ids = big_site
    pages = follow_pager(site / type_name / "index.html")
    assert len(pages) == -(-len(ids[type_name]) // 100), "100 items a page"
    listed = [record for page in pages for record in record_links(page, type_name, site)]
    assert sorted(listed) == sorted(ids[type_name])
    assert len(listed) == len(set(listed))


def test_open_notices_come_first_and_the_archive_follows_year_by_year(
    big_site: tuple[Path, dict[str, list[str]]],
) -> None:
    site, _ = big_site
    pages = follow_pager(site / "notices" / "index.html")
    first = pages[0].read_text(encoding="utf-8")
    assert "目前没有正在公示的事项" in first
    listed = [record for page in pages for record in record_links(page, "notices", site)]
    open_ones = {f"notice-{n:03d}" for n in range(OPEN_NOTICES)}
    assert set(listed[:OPEN_NOTICES]) == open_ones
    later = "".join(page.read_text(encoding="utf-8") for page in pages[1:])
    assert "目前没有正在公示的事项" not in later, "only page 1 says whether anything is open"
    years = [int(year) for page in pages for year in re.findall(r'id="archive-(\d{4})"', page.read_text("utf-8"))]
    assert years == sorted(years, reverse=True) and len(set(years)) >= 3


def test_pager_marks_the_current_page_and_offers_previous_and_next(
    big_site: tuple[Path, dict[str, list[str]]],
) -> None:
    site, _ = big_site
    second = site / "notices" / "page" / "2" / "index.html"
    links = parse(second)
    rels = {rel: target(second, href) for href, rel in links.pager if rel}
    assert rels["prev"] == site / "notices" / "index.html"
    assert rels["next"] == site / "notices" / "page" / "3" / "index.html"
    assert rels["current"] == second
    html = second.read_text(encoding="utf-8")
    assert "党务公开（第 2 页）" in html and 'aria-label="分页：第 2 页，共 3 页"' in html


def test_category_and_series_pages_are_paginated_too(big_site: tuple[Path, dict[str, list[str]]]) -> None:
    site, ids = big_site
    category = follow_pager(site / "notices" / "category" / "fazhandangyuangongshi" / "index.html")
    listed = [record for page in category for record in record_links(page, "notices", site)]
    assert sorted(listed) == sorted(ids["notices"][0::2]) and len(category) == 2
    series = follow_pager(site / "lectures" / "series" / "weixingdangke" / "index.html")
    assert sorted(r for page in series for r in record_links(page, "lectures", site)) == sorted(ids["lectures"])


def test_organisation_tree_gets_a_page_per_branch(big_site: tuple[Path, dict[str, list[str]]]) -> None:
    site, ids = big_site
    tree = site / "organizations" / "tree" / "index.html"
    assert "下属 80 个党组织、0 个网格" in tree.read_text(encoding="utf-8")
    reached: list[str] = []
    for r in range(ROOTS):
        branch = site / "organizations" / "tree" / f"root-{r}" / "index.html"
        assert branch in [target(tree, href) for href in parse(tree).hrefs]
        # Every link but the breadcrumb's way back to the tree page (organizations/tree/).
        reached += [i for i in record_links(branch, "organizations", site, every_link=True) if i != "tree"]
    assert sorted(reached) == sorted(ids["organizations"])


def test_contacts_are_paginated_with_every_number_once(big_site: tuple[Path, dict[str, list[str]]]) -> None:
    site, ids = big_site
    pages = follow_pager(site / "contacts" / "index.html")
    assert len(pages) > 1
    numbers = [n for page in pages for n in re.findall(r'href="tel:(\d+)"', page.read_text(encoding="utf-8"))]
    organisation_numbers = [n for n in numbers if n != "01065109999"]  # the notices' 受理电话 is listed once
    assert len(organisation_numbers) == len(set(organisation_numbers)) == len(ids["organizations"])


def test_calendar_gets_a_page_per_month_linked_back_and_forth(big_site: tuple[Path, dict[str, list[str]]]) -> None:
    site, ids = big_site
    front = site / "lectures" / "calendar" / "index.html"
    months = [target(front, href) for href in parse(front).hrefs if re.search(r"\d{4}-\d{2}/$", href)]
    lecture_months = {(day.year, day.month) for day in lecture_days()}
    assert len(months) == len(lecture_months) > 12 and all(month.is_file() for month in months)
    assert "2026年11月" in front.read_text(encoding="utf-8"), "the front page shows the build month"
    listed = [r for month in months for r in record_links(month, "lectures", site)]
    assert sorted(listed) == sorted(ids["lectures"])
    middle = months[5]
    neighbours = {rel: target(middle, href) for href, rel in parse(middle).pager if rel}
    assert neighbours == {"prev": months[4], "next": months[6]}


def test_file_build_pager_links_open_html_files(big_built: tuple[Project, dict[str, list[str]]]) -> None:
    """--for-file: pages are .html files and the pager's relative links still open them."""
    project, ids = big_built
    site = project.root / "site-file"
    pages = follow_pager(site / "notices" / "index.html")
    assert [page.relative_to(site).as_posix() for page in pages] == [
        "notices/index.html", "notices/page/2.html", "notices/page/3.html"]
    listed = [record for page in pages for record in record_links_file(page, "notices", site)]
    assert sorted(listed) == sorted(ids["notices"])


def record_links_file(page: Path, type_name: str, site: Path) -> list[str]:
    """Record ids linked from ``page`` in a --for-file build (notices/<id>.html)."""
    ids = []
    for href in parse(page).item_hrefs:
        file = target(page, href)
        if file.parent == site / type_name and file.suffix == ".html" and file.stem != "index":
            ids.append(file.stem)
    return ids
