"""The portal as residents meet it on an intranet without internet, in headless Chromium.

Every host but 127.0.0.1 is unreachable (tests/support/browser.py). Three ways of hosting:
served at the root, served under a sub-path (/dangjian/), and opened from disk (file://),
including from the unzipped USB package.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import yaml

from generator.content.models import RECORD_TYPES
from tests.support.browser import PageWatch
from tests.support.project import SAMPLE_DATE, Project, copy_project
from tests.support.server import serve

SITE_NAME = "同心 · 社区党建服务平台"  # from site_config.yml; shown on every page
SUB_PATH_URL = "http://intranet.example/dangjian/"


def _first_record(content: Path, type_name: str) -> str:
    return sorted((content / type_name).glob("*.yml"))[0].stem


def _first_record_field(content: Path, type_name: str, field: str) -> str:
    path = content / type_name / f"{_first_record(content, type_name)}.yml"
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))[field])


def page_of_every_type(content: Path) -> list[str]:
    """Site-relative URLs: home, every listing, one record of every type, tree, a free page, 404."""
    pages = ["", "organizations/tree/", "pages/about/", "404.html"]
    for type_name in RECORD_TYPES:
        pages += [f"{type_name}/", f"{type_name}/{_first_record(content, type_name)}/"]
    return pages


def _visit(page: object, watch: PageWatch, url: str, wait_until: str = "networkidle") -> list[str]:
    """Load ``url``; every way it fails a resident offline, as readable strings.

    "networkidle" also waits for what scripts request after the page loaded (0.5 s per page);
    crawls over every page use "load" to stay fast.
    """
    before = (len(watch.external), len(watch.failed), len(watch.errors))
    page.goto(url, wait_until=wait_until)  # type: ignore[attr-defined]
    charset, text = page.evaluate(  # type: ignore[attr-defined]
        "[document.characterSet, document.body ? document.body.textContent : '']"
    )
    problems = [f"external request: {u}" for u in watch.external[before[0]:]]
    problems += [f"failed request: {u}" for u in watch.failed[before[1]:]]
    problems += [f"JavaScript error: {e}" for e in watch.errors[before[2]:]]
    if charset != "UTF-8":
        problems.append(f"decoded as {charset}, not UTF-8")
    if SITE_NAME not in text:
        problems.append("the Chinese site name is not in the page text (mojibake?)")
    return [f"{url}: {problem}" for problem in problems]


@pytest.fixture
def tab(browser: object) -> Iterator[tuple[object, PageWatch]]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        yield page, PageWatch().attach(page)
    finally:
        context.close()


def test_every_page_type_loads_offline_without_external_requests(
    sample_site: Path, tab: tuple[object, PageWatch]
) -> None:
    page, watch = tab
    content = sample_site.parent / "content"
    with serve(sample_site) as base:
        problems = [p for url in page_of_every_type(content) for p in _visit(page, watch, base + url)]
    assert not problems, "\n".join(problems)


# --- sub-path hosting --------------------------------------------------------------------


class _Links(HTMLParser):
    """Every URL an HTML page links to or loads (href, src, srcset, poster, data, form action)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            if name in ("href", "src", "poster", "data", "action"):
                self.urls.append(value)
            elif name.endswith("srcset"):
                self.urls += [c.split()[0] for c in value.split(",") if c.split()]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def _urls_in(url: str, kind: str, body: bytes) -> list[str]:
    """Links found in one response: HTML attributes, CSS url(), and site_url addresses anywhere."""
    text = body.decode("utf-8", errors="replace")
    if kind == "text/calendar":
        text = re.sub(r"\r?\n[ \t]", "", text)  # iCalendar folds long lines (RFC 5545 3.1)
    found: list[str] = []
    if kind == "text/html":
        parser = _Links()
        parser.feed(text)
        found = parser.urls
    elif kind == "text/css":
        found = _CSS_URL.findall(text)
    # Feeds, calendars, sitemaps and data files name pages by their absolute site_url address.
    found += re.findall(re.escape(SUB_PATH_URL) + r"[^\s\"'<>)]*", text)
    return found


def crawl(base: str, seeds: list[str]) -> tuple[set[str], list[str]]:
    """Breadth-first over every same-origin href/src from ``seeds``; (pages, broken links)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    queue = deque(base + seed for seed in seeds)
    seen: set[str] = set(queue)
    pages: set[str] = set()
    broken: list[str] = []
    while queue:
        url = queue.popleft()
        status, kind, body = _get(url)
        if status != 200:
            broken.append(f"{status} {url}")
            continue
        if kind == "text/html":
            pages.add(url)
        for found in _urls_in(url, kind, body):
            if found.startswith(SUB_PATH_URL):
                found = base + found[len(SUB_PATH_URL):]
            target = urldefrag(urljoin(url, found)).url
            if urlsplit(target).scheme not in ("http", "https") or not target.startswith(origin):
                continue  # mailto:, tel:, data:, and links for people to other sites
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages, broken


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = copy_project(tmp_path_factory.mktemp("subpath"))
    config = project.config.read_text(encoding="utf-8")
    config = re.sub(r"(?m)^# site_url: .*$", f"site_url: {SUB_PATH_URL}", config)
    assert f"site_url: {SUB_PATH_URL}" in config
    project.config.write_text(config, encoding="utf-8")
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def test_under_a_sub_path_every_link_and_asset_resolves(sub_path_site: Project) -> None:
    with serve(sub_path_site.site, "/dangjian/") as base:
        assert base.endswith("/dangjian/")
        # 404.html is not linked from anywhere but must work at any depth: check its links too.
        pages, broken = crawl(base, ["", "404.html"])
    assert not broken, "\n".join(broken)
    reached = {_file_of(url, base, sub_path_site.site) for url in pages}
    built = set(sub_path_site.site.rglob("*.html"))
    assert built - reached == set(), "every built page should be reachable from the home page"


def _file_of(url: str, base: str, site: Path) -> Path:
    relative = url[len(base):]
    return site / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)


def test_under_a_sub_path_pages_load_cleanly_in_the_browser(
    sub_path_site: Project, tab: tuple[object, PageWatch]
) -> None:
    """Scripts see the sub-path too: pages at each depth, and 404.html, which has absolute links."""
    page, watch = tab
    record = f"notices/{_first_record(sub_path_site.content, 'notices')}/"
    with serve(sub_path_site.site, "/dangjian/") as base:
        problems = [p for url in ("", "notices/", record, "404.html") for p in _visit(page, watch, base + url)]
        # Search fetches its index relative to the page: a resident searching for a grid finds it.
        name = _first_record_field(sub_path_site.content, "grids", "name")
        problems += _visit(page, watch, base + "search/?q=" + urllib.parse.quote("网格"))
        if name not in page.inner_text(".md-content"):  # type: ignore[attr-defined]
            problems.append(f"search under /dangjian/ did not find {name}")
    assert not problems, "\n".join(problems)


# --- from disk: --for-file and the USB package -------------------------------------------


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """``tongxin package``: builds site-file/ (the --for-file site) and zips it into dist/."""
    project = copy_project(tmp_path_factory.mktemp("package"))
    result = project.tongxin("package", "--date", SAMPLE_DATE)
    assert result.returncode == 0, result.stderr
    return project


def crawl_from_disk(page: object, watch: PageWatch, start: Path) -> tuple[set[Path], list[str]]:
    """Open ``start`` from disk and follow every link and form that stays in its folder."""
    root = start.parent.resolve()
    queue = deque([start.resolve()])
    seen = {start.resolve()}
    problems: list[str] = []
    while queue:
        path = queue.popleft()
        problems += _visit(page, watch, path.as_uri(), wait_until="load")
        hrefs = page.eval_on_selector_all(  # type: ignore[attr-defined]
            "a[href], form[action]", "links => links.map(l => l.href || l.action)"
        )
        for href in hrefs:
            target_url = urldefrag(href).url
            if not target_url.startswith("file://"):
                continue
            target = Path(urllib.request.url2pathname(urlsplit(target_url).path))
            if root not in target.parents and target != root:
                continue
            if target in seen:
                continue
            seen.add(target)
            if target.is_dir() or not target.exists():
                kind = "a folder (the browser shows a file listing)" if target.is_dir() else "a missing file"
                problems.append(f"{path.relative_to(root)}: link {href} lands on {kind}")
            elif target.suffix == ".html":
                queue.append(target)
    return seen, problems


def test_for_file_build_navigates_every_page_from_disk(
    packaged: Project, tab: tuple[object, PageWatch]
) -> None:
    page, watch = tab
    site = packaged.root / "site-file"
    reached, problems = crawl_from_disk(page, watch, site / "index.html")
    assert not problems, "\n".join(problems)
    pages = {p.resolve() for p in site.rglob("*.html") if p.name != "404.html"}
    assert pages - reached == set(), "every page should be reachable by links from index.html"


def test_the_usb_package_unzips_and_opens_from_disk(
    packaged: Project, tab: tuple[object, PageWatch], tmp_path: Path
) -> None:
    zips = list((packaged.root / "dist").glob("*.zip"))
    assert [z.name for z in zips] == [f"tongxin-portal-{SAMPLE_DATE}.zip"]
    with zipfile.ZipFile(zips[0]) as archive:
        assert archive.testzip() is None
        archive.extractall(tmp_path)
    top = tmp_path / f"tongxin-portal-{SAMPLE_DATE}"
    assert "index.html" in (top / "README.txt").read_text(encoding="utf-8-sig")
    page, watch = tab
    assert _visit(page, watch, (top / "index.html").as_uri()) == []
    # A resident clicks through to the notices listing and on to a notice.
    page.click("a[href='notices/index.html'] >> nth=0")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert page.url == (top / "notices" / "index.html").as_uri()  # type: ignore[attr-defined]
    notice = _first_record(packaged.content, "notices")
    title = _first_record_field(packaged.content, "notices", "title")
    page.click(f"a[href='{notice}.html'] >> nth=0")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert title in page.inner_text("h1")  # type: ignore[attr-defined]
    # Searching works from disk too: the results page finds a grid by the word 网格.
    name = _first_record_field(packaged.content, "grids", "name")
    assert _visit(page, watch, (top / "search.html").as_uri() + "?q=" + urllib.parse.quote("网格")) == []
    assert name in page.inner_text(".md-content")  # type: ignore[attr-defined]
    assert watch.clean, (watch.external, watch.failed, watch.errors)
