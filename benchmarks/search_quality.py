"""Search quality and cost, measured through the real search box in headless Chromium.

    .venv/bin/python benchmarks/search_quality.py                      # sample + pack dev queries, HTTP and file://
    .venv/bin/python benchmarks/search_quality.py --sets heldout       # the held-out queries (aggregate only)
    .venv/bin/python benchmarks/search_quality.py --engines tongxin    # without Pagefind
    .venv/bin/python benchmarks/search_quality.py --show               # also print each query's top 5
    .venv/bin/python benchmarks/search_quality.py --scale 10000        # 10,000 synthetic records + the pack

The default run copies the sample project, adds the search pack (``benchmarks/search_pack/``:
records of a street that is not in ``content/``), builds it twice (directory URLs for HTTP,
``--for-file`` for file://), then for every query of the chosen sets types it into the
header's search box, presses Enter, applies the query's facets in the filter panel and reads
the result links. Query sets: ``sample`` (``search_queries.yml``, over ``content/``), ``dev``
and ``heldout`` (``search_pack/queries_*.yml``, over the pack). The held-out set is scored
only when asked for, and its misses are printed only with ``--show``.

Figures per set, engine and mode: recall@5 (the share of a query's expected records among
its first five results, averaged over queries) and MRR@10 (1 / the rank of the first
expected record among the first ten, 0 when none is there, averaged). Pagefind (PyPI
``pagefind[extended]``, pinned in the ``bench`` extra: ``./scripts/setup test,bench``)
indexes the same built record and free pages (``article.md-content__inner``) and is queried
over HTTP through its own JavaScript API in the same browser; it has no facets on these
pages, so the query's facets are applied to its results by the benchmark, with the records'
own facet values (as if Pagefind had the same filters).

``--scale N`` builds N synthetic records (benchmarks/make_content.py) with the pack mixed in
and prints the bytes a first search loads with an empty cache, the time from Enter to results
once the files are cached, and recall@5 / MRR@10 of the pack's queries that stay decidable
among the synthetic records (see ``decidable``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.support.browser import chromium  # noqa: E402
from tests.support.server import serve  # noqa: E402

BENCHMARKS = Path(__file__).resolve().parent
QUERIES = BENCHMARKS / "search_queries.yml"
PACK = BENCHMARKS / "search_pack"
PACK_CONTENT = PACK / "content"
QUERY_SETS = {
    "sample": QUERIES,
    "dev": PACK / "queries_dev.yml",
    "heldout": PACK / "queries_heldout.yml",
}
PACK_SETS = ("dev", "heldout")
BUILD_DATE = "2026-11-22"
TOP = 5
MRR_DEPTH = 10
# Pagefind results read before the benchmark applies a query's facets to them.
PAGEFIND_DEPTH = 50
RESULT_TIMEOUT_MS = 15_000
PAGEFIND_GLOB = "{organizations,places,grids,projects,cases,notices,lectures,pages}/*/index.html"
PAGEFIND_ROOT = "article.md-content__inner"


@dataclass(frozen=True)
class Query:
    query: str
    expect: list[str]
    kind: str = ""
    facets: dict[str, str] = field(default_factory=dict)
    means: str = ""  # what the resident meant (for the tie rule only); default: the query


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

    @property
    def reciprocal_rank(self) -> float:
        for rank, key in enumerate(self.found[:MRR_DEPTH], start=1):
            if key in self.query.expect:
                return 1 / rank
        return 0.0


@dataclass(frozen=True)
class Score:
    query_set: str
    engine: str
    mode: str
    outcomes: list[Outcome]

    @property
    def recall(self) -> float:
        return statistics.mean(o.recall for o in self.outcomes) if self.outcomes else 0.0

    @property
    def mrr(self) -> float:
        return statistics.mean(o.reciprocal_rank for o in self.outcomes) if self.outcomes else 0.0


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Query(
            str(item["query"]),
            list(item["expect"]),
            item.get("kind", ""),
            dict(item.get("facets") or {}),
            str(item.get("means") or ""),
        )
        for item in data["queries"]
    ]


def load_sets(names: Iterable[str]) -> dict[str, list[Query]]:
    return {name: load_queries(QUERY_SETS[name]) for name in names}


# --- projects and builds ---------------------------------------------------------------------


def build_site(project: Path, for_file: bool) -> Path:
    args = [sys.executable, "-m", "generator.cli", "build", "--date", BUILD_DATE]
    if for_file:
        args.append("--for-file")
    result = subprocess.run(args, cwd=project, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr}")
    return project / ("site-file" if for_file else "site")


def copy_sample_project(destination: Path, with_pack: bool = True) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site_config.yml", destination / "site_config.yml")
    shutil.copytree(REPO / "theme", destination / "theme")
    shutil.copytree(REPO / "content", destination / "content")
    if with_pack:
        add_pack(destination / "content")
    return destination


def add_pack(content: Path, records: Iterable[str] | None = None) -> list[str]:
    """Copy the search pack's records (all, or the ``type/id`` keys given) into a content
    folder; refuses to overwrite a record of the same type and id."""
    wanted = set(records) if records is not None else None
    added: list[str] = []
    for source in sorted(PACK_CONTENT.glob("*/*.yml")):
        key = f"{source.parent.name}/{source.stem}"
        if wanted is not None and key not in wanted:
            continue
        target = content / source.parent.name / source.name
        if target.exists():
            raise SystemExit(f"search pack record {key} already exists in {content}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        added.append(key)
    return added


def pack_records() -> set[str]:
    return {f"{p.parent.name}/{p.stem}" for p in PACK_CONTENT.glob("*/*.yml")}


def record_key(href: str) -> str:
    """A result link -> ``type/id`` (``organizations/foo/`` or ``…/foo.html``)."""
    path = unquote(urlsplit(href).path)
    path = path.removesuffix("/index.html").removesuffix(".html").rstrip("/")
    parts = path.split("/")
    return "/".join(parts[-2:])


# --- Tongxin's search box ------------------------------------------------------------------


class SearchBox:
    """Drives the header search box of one browser page, as a resident would."""

    def __init__(self, page: object, site_dir: Path, start_url: str) -> None:
        self.page = page
        self.site_dir = site_dir.resolve()
        self.start_url = start_url
        self._counted: set[str] = set()
        self.last_files: list[tuple[str, int]] = []  # search files the last query loaded

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
        self.last_files = self.new_files()
        return Outcome(query, found, sum(size for _, size in self.last_files), elapsed)

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

    def new_files(self) -> list[tuple[str, int]]:
        """(site-relative path, bytes) of search files loaded since the last call."""
        urls: list[str] = self.page.evaluate(  # type: ignore[attr-defined]
            """() => Array.from(document.scripts, s => s.src).filter(n => n.includes('/assets/search/'))
                 .concat(window.TongxinSearch ? window.TongxinSearch.loadedUrls : [])"""
        )
        files = []
        for url in urls:
            if url in self._counted:
                continue
            self._counted.add(url)
            relative = self._relative(url)
            file = self.site_dir / relative
            files.append((relative, file.stat().st_size if relative and file.is_file() else 0))
        return files

    @staticmethod
    def _relative(url: str) -> str:
        path = unquote(urlsplit(url).path)
        marker = path.find("/assets/search/") if "/assets/search/" in path else path.find("/search/data/")
        return path[marker + 1 :] if marker >= 0 else ""


def run_mode(browser: object, site_dir: Path, start_url: str, queries: list[Query]) -> list[Outcome]:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        box = SearchBox(context.new_page(), site_dir, start_url)
        box.open()
        return [box.ask(query) for query in queries]
    finally:
        context.close()


# --- Pagefind --------------------------------------------------------------------------------


def pagefind_index(site_dir: Path) -> None:
    """Index the built record and free pages with Pagefind (the extended, CJK-aware binary)."""
    try:
        import pagefind  # type: ignore[import-not-found]  # noqa: F401
    except ImportError as error:
        raise SystemExit("Pagefind is not installed: ./scripts/setup test,bench (or --engines tongxin)") from error
    args = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--root-selector", PAGEFIND_ROOT,
            "--glob", PAGEFIND_GLOB, "--quiet"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"pagefind failed:\n{result.stdout}\n{result.stderr}")


def pagefind_mode(
    browser: object, start_url: str, queries: list[Query], facets: dict[str, dict[str, list[str]]]
) -> list[Outcome]:
    """Each query through Pagefind's JavaScript API in one page; facets applied afterwards."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(start_url)
        outcomes = []
        for query in queries:
            started = time.perf_counter()
            urls: list[str] = page.evaluate(
                """async ([q, depth]) => {
                    if (!window.__pagefind) {
                        window.__pagefind = await import(new URL('pagefind/pagefind.js', document.baseURI).href);
                        await window.__pagefind.init();
                    }
                    const search = await window.__pagefind.search(q);
                    const data = await Promise.all(search.results.slice(0, depth).map(r => r.data()));
                    return data.map(d => new URL(d.url, document.baseURI).href);
                }""",
                [query.query, PAGEFIND_DEPTH],
            )
            elapsed = (time.perf_counter() - started) * 1000
            found = [key for key in map(record_key, urls) if _passes_facets(facets.get(key, {}), query.facets)]
            outcomes.append(Outcome(query, found, 0, elapsed))
        return outcomes
    finally:
        context.close()


# --- the records' facets and texts, from the content itself ------------------------------


@dataclass(frozen=True)
class RecordText:
    """A record's normalised names and whole text, and its facet values (by facet label)."""

    names: str
    text: str
    facets: dict[str, list[str]]


def record_texts(project: Path) -> dict[str, RecordText]:
    """``type/id`` -> what the record says, read through the generator's own search documents."""
    from generator.outputs.search.documents import FACETS, record_documents
    from generator.outputs.search.text import normalize
    from generator.site.source import ContentSource
    from generator.site.urls import UrlScheme

    graph, _ = ContentSource(project, project / "content").load_graph(dt.date.fromisoformat(BUILD_DATE))
    texts: dict[str, RecordText] = {}
    for document in record_documents(graph, UrlScheme(directory_urls=True)):
        names = normalize(" ".join(document.names))
        texts[record_key(document.url)] = RecordText(
            names=names,
            text=names + " " + normalize(" ".join(t for t in (*document.texts, document.summary, document.body) if t)),
            facets={FACETS[key]: values for key, values in document.facets.items() if key in FACETS},
        )
    return texts


def _passes_facets(values: dict[str, list[str]], chosen: dict[str, str]) -> bool:
    """Whether a record with these facet values stays when a resident picks ``chosen``
    (label -> the start of an option, as in the query files)."""
    return all(any(v.startswith(start) for v in values.get(label, [])) for label, start in chosen.items())


def meaning_words(query: Query) -> list[str]:
    from generator.outputs.search.text import normalize

    return normalize(query.means or query.query).split()


def _level(record: RecordText, word: str) -> int:
    """2: the word is in the record's name; 1: in its text; 0: absent."""
    return 2 if word in record.names else 1 if word in record.text else 0


def decidable(query: Query, texts: dict[str, RecordText], others: Iterable[str]) -> bool:
    """Whether a query's expected records can all be in the first five among look-alikes.

    A look-alike of an expected record E is another record S (a synthetic one) that passes
    the query's facets and has every word of what the resident meant (``means``) at least as
    prominently as E does: in its name where E has it in its name, anywhere where E has it
    anywhere. Such a record matches the query as well as E by anything the query says, so no
    ranking could be blamed for putting it first. The query is decidable when, for every
    expected record, its look-alikes plus the expected records fit into the first five;
    only decidable queries count in the scale run. The rule reads the records' texts, never
    an engine's results.
    """
    words = meaning_words(query)
    candidates = [texts[k] for k in others if _passes_facets(texts[k].facets, query.facets)]
    for wanted in query.expect:
        expected = texts[wanted]
        levels = [(w, _level(expected, w)) for w in words]
        levels = [(w, level) for w, level in levels if level]
        lookalikes = sum(1 for s in candidates if all(_level(s, w) >= level for w, level in levels))
        if lookalikes + len(query.expect) > TOP:
            return False
    return True


def check_meanings(sets: dict[str, list[Query]], texts: dict[str, RecordText]) -> list[str]:
    """Query-file mistakes: expected records that do not exist or contain none of the meant
    words, and letters that spell neither the meaning's pinyin nor its initials."""
    problems = []
    for name, queries in sets.items():
        for query in queries:
            words = meaning_words(query)
            misspelt = _unspelt_letters(query)
            if misspelt:
                problems.append(f"{name}: {query.query}: {misspelt} spell no part of {query.means or query.query}")
            for wanted in query.expect:
                if wanted not in texts:
                    problems.append(f"{name}: {query.query}: no record {wanted}")
                elif not any(_level(texts[wanted], w) for w in words):
                    problems.append(f"{name}: {query.query}: {wanted} contains none of {words}")
    return problems


def _unspelt_letters(query: Query) -> list[str]:
    """Letter runs of the query that are neither in its meaning (an English word such as SOHO)
    nor a piece of the meaning's full pinyin or initials."""
    import re

    from pypinyin import lazy_pinyin

    from generator.outputs.search.text import normalize

    meaning = normalize(query.means or query.query)
    syllables = [s for s in lazy_pinyin(meaning.replace(" ", "")) if s.strip()]
    full, initials = "".join(syllables), "".join(s[0] for s in syllables)
    letters = re.findall(r"[a-z]+", normalize(query.query).replace(" ", ""))
    return [run for run in letters if run not in meaning and run not in full and run not in initials]


# --- reports -------------------------------------------------------------------------------


@contextmanager
def served(site_dir: Path, mode: str) -> Iterator[str]:
    if mode == "file":
        yield (site_dir / "index.html").resolve().as_uri()
    else:
        with serve(site_dir) as base:
            yield base


def report_misses(score: Score, show: bool) -> None:
    """Every missed query (and with ``show`` every query's top five); for the held-out set
    only with ``show``, so that tuning never sees which held-out queries fail."""
    if score.query_set == "heldout" and not show:
        return
    for outcome in score.outcomes:
        missed = [w for w in outcome.query.expect if w not in outcome.found[:TOP]]
        if show or missed:
            chosen = ", ".join(f"{k}={v}" for k, v in outcome.query.facets.items())
            facet = f" [{chosen}]" if chosen else ""
            mark = "MISS " + ", ".join(missed) if missed else "ok"
            print(f"   {score.engine}/{score.mode} {score.query_set}: {outcome.query.query}{facet} "
                  f"({outcome.query.kind}): {mark}")
            if show:
                print("      top:", ", ".join(outcome.found[:TOP]))


def print_table(scores: list[Score], note: str = "") -> None:
    print(f"\n{'set':<9}{'queries':>8}  {'engine':<10}{'mode':<6}{'recall@5':>9}{'MRR@10':>8}  {note}")
    for score in scores:
        print(f"{score.query_set:<9}{len(score.outcomes):>8}  {score.engine:<10}{score.mode:<6}"
              f"{score.recall:>9.3f}{score.mrr:>8.3f}")


def print_bytes(score: Score) -> None:
    loaded = [o.bytes_loaded for o in score.outcomes]
    later = loaded[1:] or [0]
    print(f"   {score.query_set} {score.engine}/{score.mode} search bytes: first query {loaded[0]:,} B (cold), "
          f"later queries median {statistics.median(later):,.0f} B, max {max(later):,} B")


def measure(
    browser: object,
    sites: dict[str, Path],
    sets: dict[str, list[Query]],
    project: Path | None = None,
    engines: Iterable[str] = ("tongxin",),
    show: bool = False,
) -> list[Score]:
    """Scores of every query set, engine and mode ("http": a directory-URL site, "file": a
    --for-file site; Pagefind over HTTP only). ``project`` (for Pagefind's facets) is the
    project the sites were built from."""
    scores: list[Score] = []
    everything = [q for queries in sets.values() for q in queries]
    if "tongxin" in engines:
        for mode, site_dir in sites.items():
            with served(site_dir, mode) as start_url:
                outcomes = iter(run_mode(browser, site_dir, start_url, everything))
                for name, queries in sets.items():
                    scores.append(Score(name, "tongxin", mode, [next(outcomes) for _ in queries]))
    if "pagefind" in engines and "http" in sites:
        facets = {key: text.facets for key, text in record_texts(project).items()} if project else {}
        pagefind_index(sites["http"])
        with served(sites["http"], "http") as start_url:
            outcomes = iter(pagefind_mode(browser, start_url, everything, facets))
            for name, queries in sets.items():
                scores.append(Score(name, "pagefind", "http", [next(outcomes) for _ in queries]))
    for score in scores:
        report_misses(score, show)
    return scores


def quality(show: bool, modes: list[str], set_names: list[str], engines: list[str]) -> list[Score]:
    sets = load_sets(set_names)
    with tempfile.TemporaryDirectory() as holder:
        project = copy_sample_project(Path(holder) / "portal")
        problems = check_meanings({n: q for n, q in sets.items() if n in PACK_SETS}, record_texts(project))
        if problems:
            raise SystemExit("query files:\n" + "\n".join(problems))
        sites = {mode: build_site(project, for_file=mode == "file") for mode in modes}
        with chromium() as browser:
            scores = measure(browser, sites, sets, project, engines, show)
        print_table(scores)
        for score in scores:
            if score.engine == "tongxin":
                print_bytes(score)
        return scores


# --- at scale --------------------------------------------------------------------------------


def first_search_bytes(browser: object, site_dir: Path, start_url: str, query: Query) -> tuple[int, int]:
    """(index data, script) bytes of one first search with an empty cache."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        box = SearchBox(context.new_page(), site_dir, start_url)
        box.open()
        box.ask(query)
        files = box.last_files
        data = sum(size for path, size in files if path.startswith("search/data/"))
        return data, sum(size for path, size in files) - data
    finally:
        context.close()


def warm_times(
    browser: object, site_dir: Path, start_url: str, queries: list[Query], repeats: int = 3
) -> list[list[float]]:
    """Every query once to fill the cache, then ``repeats`` more times in the same page:
    milliseconds from Enter to results with the index files cached, per query."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        box = SearchBox(context.new_page(), site_dir, start_url)
        box.open()
        for query in queries:
            box.ask(query)
        times: list[list[float]] = [[] for _ in queries]
        for _ in range(repeats):
            for i, query in enumerate(queries):
                times[i].append(box.ask(query).milliseconds)
        return times
    finally:
        context.close()


def scale(records: int, keep: Path | None, set_names: list[str], engines: list[str], show: bool) -> None:
    """Bytes, warm times and the pack's decidable queries on N synthetic records + the pack."""
    sys.path.insert(0, str(BENCHMARKS))
    from make_content import make_project  # type: ignore[import-not-found]

    holder = keep or Path(tempfile.mkdtemp(prefix="tongxin-search-"))
    project = holder / f"portal-{records}-pack"
    if not (project / "site").is_dir():
        make_project(records, project)
        add_pack(project / "content")
        started, cpu = time.perf_counter(), _children_cpu()
        build_site(project, for_file=False)
        build_cpu = _children_cpu() - cpu
        print(f"build of {records} records + the pack: {time.perf_counter() - started:.1f} s wall, "
              f"{build_cpu:.1f} s CPU")
        print("(what the search index adds to the build: benchmarks/build.py --search-cost)")
    site_dir = project / "site"
    data = site_dir / "search" / "data"
    files = list(data.rglob("*.js"))
    print(f"index: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")

    sets = load_sets(set_names)
    texts = record_texts(project)
    pack = pack_records()
    synthetic = [key for key in texts if key not in pack]
    kept = {name: [q for q in queries if decidable(q, texts, synthetic)] for name, queries in sets.items()}
    for name, queries in sets.items():
        print(f"{name}: {len(kept[name])} of {len(queries)} queries decidable "
              f"among {len(synthetic):,} synthetic records")
    timed = [Query(q, ["-"]) for q in SCALE_QUERIES]
    # Bytes and times of the pack's queries too (all of them: costs are not tuned on).
    pack_queries = [Query(q.query, ["-"]) for queries in sets.values() for q in queries]
    with chromium() as browser, served(site_dir, "http") as start_url:
        cold = [first_search_bytes(browser, site_dir, start_url, q) for q in timed + pack_queries]
        warm = warm_times(browser, site_dir, start_url, timed + pack_queries)
        scores = measure(browser, {"http": site_dir}, kept, project, engines, show)
    print(f"\n{'query':<14}{'first search: index B':>22}{'script B':>10}{'warm ms (median)':>18}")
    for query, (index_bytes, script_bytes), times in zip(timed, cold, warm, strict=False):
        print(f"{query.query:<14}{index_bytes:>22,}{script_bytes:>10,}{statistics.median(times):>18.0f}")
    pack_bytes = [c[0] for c in cold[len(timed) :]]
    pack_times = [statistics.median(t) for t in warm[len(timed) :]]
    print(f"the pack's {len(pack_queries)} queries: first search index data "
          f"median {statistics.median(pack_bytes):,.0f} B, max {max(pack_bytes):,} B; "
          f"warm median {statistics.median(pack_times):.0f} ms, max {max(pack_times):.0f} ms")
    print(f"first search: index data max {max(c[0] for c in cold):,} B; "
          f"warm: max of medians {max(statistics.median(t) for t in warm):.0f} ms")
    print_table(scores, note="(decidable queries only)")
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
    parser.add_argument("--show", action="store_true", help="print every query's top results (held-out too)")
    parser.add_argument("--mode", choices=("http", "file", "both"), default="both")
    parser.add_argument("--sets", default="sample,dev", help="query sets: sample, dev, heldout (comma-separated)")
    parser.add_argument("--engines", default="tongxin,pagefind", help="tongxin, pagefind (comma-separated)")
    parser.add_argument("--scale", type=int, help="N synthetic records with the pack mixed in, instead")
    parser.add_argument("--keep", type=Path, help="with --scale: keep (and reuse) the generated project here")
    parser.add_argument("--json", type=Path, help="write recall@5 and MRR@10 per set, engine and mode as JSON")
    args = parser.parse_args()
    set_names = [s for s in args.sets.split(",") if s]
    engines = [e for e in args.engines.split(",") if e]
    unknown = [s for s in set_names if s not in QUERY_SETS] + [e for e in engines if e not in ("tongxin", "pagefind")]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    if args.scale:
        scale(args.scale, args.keep, [s for s in set_names if s in PACK_SETS] or list(PACK_SETS), engines, args.show)
        return
    modes = ["http", "file"] if args.mode == "both" else [args.mode]
    scores = quality(args.show, modes, set_names, engines)
    if args.json:
        rows = [{"set": s.query_set, "engine": s.engine, "mode": s.mode, "queries": len(s.outcomes),
                 "recall@5": round(s.recall, 4), "mrr@10": round(s.mrr, 4)} for s in scores]
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
