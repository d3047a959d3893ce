"""Search quality and cost, measured through the real search box in headless Chromium.

    .venv/bin/python benchmarks/search_quality.py                 # sample content, HTTP and file://
    .venv/bin/python benchmarks/search_quality.py --show          # also print each query's top 5
    .venv/bin/python benchmarks/search_quality.py --scale 10000   # bytes and times at 10,000 records

The default run builds the sample content twice (directory URLs for HTTP, ``--for-file`` for
file://), then for every query of ``search_queries.yml`` types it into the header's search
box, presses Enter, applies the query's facets in the filter panel, and reads the first five
result links. It prints recall@5 per mode and the bytes of search files each query loaded
(the script, manifest, shards and record metadata, as file sizes: the server sends them
uncompressed). ``--scale N`` builds N synthetic records (benchmarks/make_content.py) and
measures cold first-search bytes and the time from Enter to results with warm files.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.support.browser import chromium  # noqa: E402
from tests.support.server import serve  # noqa: E402

QUERIES = Path(__file__).resolve().parent / "search_queries.yml"
BUILD_DATE = "2026-11-22"
TOP = 5
RESULT_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Query:
    query: str
    expect: list[str]
    kind: str = ""
    facets: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    query: Query
    found: list[str]
    bytes_loaded: int
    milliseconds: float

    @property
    def recall(self) -> float:
        hits = sum(1 for wanted in self.query.expect if wanted in self.found[:TOP])
        return hits / len(self.query.expect)


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Query(str(item["query"]), list(item["expect"]), item.get("kind", ""), dict(item.get("facets") or {}))
        for item in data["queries"]
    ]


def build_site(project: Path, for_file: bool) -> Path:
    args = [sys.executable, "-m", "generator.cli", "build", "--date", BUILD_DATE]
    if for_file:
        args.append("--for-file")
    result = subprocess.run(args, cwd=project, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr}")
    return project / ("site-file" if for_file else "site")


def copy_sample_project(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site_config.yml", destination / "site_config.yml")
    shutil.copytree(REPO / "theme", destination / "theme")
    shutil.copytree(REPO / "content", destination / "content")
    return destination


def record_key(href: str) -> str:
    """A result link -> ``type/id`` (``organizations/foo/`` or ``…/foo.html``)."""
    path = unquote(urlsplit(href).path)
    path = path.removesuffix("/index.html").removesuffix(".html").rstrip("/")
    parts = path.split("/")
    return "/".join(parts[-2:])


class SearchBox:
    """Drives the header search box of one browser page, as a resident would."""

    def __init__(self, page: object, site_dir: Path, start_url: str) -> None:
        self.page = page
        self.site_dir = site_dir.resolve()
        self.start_url = start_url
        self._counted: set[str] = set()

    def open(self) -> None:
        self.page.goto(self.start_url)  # type: ignore[attr-defined]

    def ask(self, query: Query) -> Outcome:
        page = self.page
        box = page.get_by_role("search").get_by_label("搜索本站")  # type: ignore[attr-defined]
        box.fill(query.query)
        started = time.perf_counter()
        if page.locator("#tx-search-results").count():  # type: ignore[attr-defined]
            box.press("Enter")  # the results page searches in place
        else:
            with page.expect_navigation():  # type: ignore[attr-defined]
                box.press("Enter")
        self._wait_done(query.query)
        for label, value in query.facets.items():
            self._apply_facet(label, value)
        elapsed = (time.perf_counter() - started) * 1000
        links = page.locator("#tx-search-results .tx-result__title a")  # type: ignore[attr-defined]
        found = [record_key(href) for href in links.evaluate_all("(as) => as.map(a => a.href)")]
        return Outcome(query, found, self._new_bytes(), elapsed)

    def _wait_done(self, query: str) -> None:
        self.page.wait_for_function(  # type: ignore[attr-defined]
            """(q) => {
                const list = document.getElementById('tx-search-results');
                const box = document.querySelector('form[data-tx-search] input[name=q]');
                return list && box && box.value.trim() === q.trim()
                    && list.getAttribute('data-tx-state') === 'done'
                    && new URLSearchParams(location.search).get('q') === q.trim();
            }""",
            arg=query,
            timeout=RESULT_TIMEOUT_MS,
        )

    def _apply_facet(self, label: str, value: str) -> None:
        page = self.page
        filters = page.locator("#tx-search-filters")  # type: ignore[attr-defined]
        if filters.get_attribute("open") is None:
            filters.locator("summary").click()
        select = filters.get_by_label(label, exact=True)
        select.wait_for()
        option = select.locator("option", has_text=value).first
        select.select_option(value=option.get_attribute("value"))
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.getElementById('tx-search-results').getAttribute('data-tx-state') === 'done'",
            timeout=RESULT_TIMEOUT_MS,
        )

    def _new_bytes(self) -> int:
        """Bytes of search files (script and index) this page loaded since the last call."""
        urls: list[str] = self.page.evaluate(  # type: ignore[attr-defined]
            """() => Array.from(document.scripts, s => s.src).filter(n => n.includes('/assets/search/'))
                 .concat(window.TongxinSearch ? window.TongxinSearch.loadedUrls : [])"""
        )
        total = 0
        for url in urls:
            if url in self._counted:
                continue
            self._counted.add(url)
            total += self._size(url)
        return total

    def _size(self, url: str) -> int:
        path = unquote(urlsplit(url).path)
        marker = path.find("/assets/search/") if "/assets/search/" in path else path.find("/search/data/")
        relative = path[marker + 1 :] if marker >= 0 else ""
        file = self.site_dir / relative
        return file.stat().st_size if relative and file.is_file() else 0


def run_mode(browser: object, site_dir: Path, start_url: str, queries: list[Query]) -> list[Outcome]:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        box = SearchBox(context.new_page(), site_dir, start_url)
        box.open()
        return [box.ask(query) for query in queries]
    finally:
        context.close()


def cold_first_searches(browser: object, site_dir: Path, start_url: str, queries: list[Query]) -> list[Outcome]:
    """Each query in a fresh browser: what a resident's first search costs."""
    outcomes = []
    for query in queries:
        context = browser.new_context()  # type: ignore[attr-defined]
        try:
            box = SearchBox(context.new_page(), site_dir, start_url)
            box.open()
            outcomes.append(box.ask(query))
        finally:
            context.close()
    return outcomes


def warm_times(browser: object, site_dir: Path, start_url: str, queries: list[Query]) -> list[Outcome]:
    """Every query twice in one page; the second run's time is with the index files cached."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        box = SearchBox(context.new_page(), site_dir, start_url)
        box.open()
        for query in queries:
            box.ask(query)
        return [box.ask(query) for query in queries]
    finally:
        context.close()


@contextmanager
def served(site_dir: Path, mode: str) -> Iterator[str]:
    if mode == "file":
        yield (site_dir / "index.html").resolve().as_uri()
    else:
        with serve(site_dir) as base:
            yield base


def report(mode: str, outcomes: list[Outcome], show: bool) -> float:
    recall = statistics.mean(o.recall for o in outcomes)
    loaded = [o.bytes_loaded for o in outcomes]
    print(f"\n== {mode}: {len(outcomes)} queries, recall@{TOP} = {recall:.3f}")
    later = loaded[1:] or [0]
    print(f"   search bytes: first query {loaded[0]:,} B (cold), later queries median "
          f"{statistics.median(later):,.0f} B, max {max(later):,} B")
    for outcome in outcomes:
        missed = [w for w in outcome.query.expect if w not in outcome.found[:TOP]]
        if show or missed:
            chosen = ", ".join(f"{k}={v}" for k, v in outcome.query.facets.items())
            facet = f" [{chosen}]" if chosen else ""
            mark = "MISS " + ", ".join(missed) if missed else "ok"
            print(f"   {outcome.query.query}{facet} ({outcome.query.kind}) {outcome.bytes_loaded:,} B: {mark}")
            if show:
                print("      top:", ", ".join(outcome.found[:TOP]))
    return recall


def measure(browser: object, sites: dict[str, Path], show: bool = False) -> dict[str, float]:
    """Recall@5 of every mode ("http": a directory-URL site, "file": a --for-file site)."""
    queries = load_queries()
    results: dict[str, float] = {}
    for mode, site_dir in sites.items():
        with served(site_dir, mode) as start_url:
            results[mode] = report(mode, run_mode(browser, site_dir, start_url, queries), show)
    return results


def quality(show: bool, modes: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as holder:
        project = copy_sample_project(Path(holder) / "portal")
        sites = {mode: build_site(project, for_file=mode == "file") for mode in modes}
        with chromium() as browser:
            return measure(browser, sites, show)


def scale(records: int, keep: Path | None) -> None:
    """Bytes of a first search and time to results with cached files, on N synthetic records."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_content import make_project  # type: ignore[import-not-found]

    holder = keep or Path(tempfile.mkdtemp(prefix="tongxin-search-"))
    project = holder / f"portal-{records}"
    if not (project / "site").is_dir():
        make_project(records, project)
        started, cpu = time.perf_counter(), _children_cpu()
        build_site(project, for_file=False)
        build_cpu = _children_cpu() - cpu
        print(f"build of {records} records: {time.perf_counter() - started:.1f} s wall, {build_cpu:.1f} s CPU")
        print("(what the search index adds to the build: benchmarks/build.py --search-cost)")
    site_dir = project / "site"
    data = site_dir / "search" / "data"
    files = [p for p in data.rglob("*.js")]
    print(f"index: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
    queries = [Query(q, ["-"]) for q in SCALE_QUERIES]
    with chromium() as browser, served(site_dir, "http") as start_url:
        cold = cold_first_searches(browser, site_dir, start_url, queries)
        warm = warm_times(browser, site_dir, start_url, queries)
    print(f"{'query':<14}{'first search B':>16}{'results':>9}{'warm ms':>9}")
    for c, w in zip(cold, warm, strict=True):
        print(f"{c.query.query:<14}{c.bytes_loaded:>16,}{len(c.found):>9}{w.milliseconds:>9.0f}")
    print(f"first search: max {max(c.bytes_loaded for c in cold):,} B; "
          f"warm: max {max(w.milliseconds for w in warm):.0f} ms")
    if keep is None:
        shutil.rmtree(holder, ignore_errors=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Queries for the synthetic site: names, places, bigrams, pinyin, 繁體, a typo, common words.
SCALE_QUERIES = [
    "党员服务中心", "网格", "社区党委", "志愿服务", "党費收繳", "dangyuan", "fwzx", "民主评议党员", "爱心储银行", "党",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print every query's top results")
    parser.add_argument("--mode", choices=("http", "file", "both"), default="both")
    parser.add_argument("--scale", type=int, help="measure bytes and times on N synthetic records instead")
    parser.add_argument("--keep", type=Path, help="with --scale: keep (and reuse) the generated project here")
    parser.add_argument("--json", type=Path, help="write recall per mode as JSON")
    args = parser.parse_args()
    if args.scale:
        scale(args.scale, args.keep)
        return
    modes = ["http", "file"] if args.mode == "both" else [args.mode]
    results = quality(args.show, modes)
    if args.json:
        args.json.write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main()
