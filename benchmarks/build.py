"""Tongxin build vs. a plain MkDocs + Material build of the same text, in one run.

    .venv/bin/python benchmarks/build.py                      # N = 1,000 and 10,000
    .venv/bin/python benchmarks/build.py --n 50000 --keep     # keep the generated projects
    .venv/bin/python benchmarks/build.py --n 1000 --json out.json --repeat 3
    .venv/bin/python benchmarks/build.py --n 10000 --search-cost  # what the search index adds
    .venv/bin/python benchmarks/build.py --n 10000 --no-warm      # cold builds only

For each N the script generates N synthetic records (benchmarks/make_content.py), times
``tongxin check`` and a cold ``tongxin build --date 2026-11-22`` (into an empty site folder,
with an empty build cache), then writes the same titles and bodies as N Markdown pages of a
plain MkDocs + Material site (not in nav, Material's search plugin on with ``lang: zh``,
which segments Chinese with jieba) and builds that with ``python -m mkdocs build``, also
into an empty folder. With ``--search-cost`` it also builds the Tongxin project without its
search index, to show what indexing adds.

Then come the warm rebuilds, each after one edit an editor makes, starting from the cold
build and its cache: nothing changed, one record's body edited, the organisation most
records refer to renamed, a record added, a record template changed. After each kind of
edit the same content is built once more from scratch (empty cache) and every file of the
two sites is compared by its SHA-256: a warm build must be byte-identical to a cold one.

Every command runs in its own process and is repeated ``--repeat`` times; the table shows
medians (wall and CPU time) and the highest memory seen: the peak resident memory of the
largest process (from ``wait4``) and of the whole process tree (polling /proc). Ratios
compare figures measured in the same run, which holds on a busy machine where seconds do
not. ``--json`` writes all figures for the regression guard.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from edits import middle_notice, most_referenced_organization, renamed, with_body_line
from make_content import BUILD_DATE, GeneratedRecord, make_project, write_config

REPO = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).resolve().parent / "baseline.json"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
POLL_SECONDS = 0.05
SEARCH_MARKERS = ("search", "pagefind", "lunr")
# Where ``tongxin build`` keeps its build cache (generator/mkdocs_plugin/cache.py): every cold
# build gets an empty one, the warm rebuilds share one.
CACHE_ENV = "TONGXIN_CACHE_DIR"
# The record template the "template changed" rebuild edits (its type's pages change).
EDITED_TEMPLATE = "tongxin/record/notices.html"

MKDOCS_CONFIG = """\
site_name: 基准测试 · MkDocs + Material
docs_dir: docs
site_dir: site
theme:
  name: material
  language: zh
  font: false
plugins:
  - search:
      lang: zh
nav:
  - 首页: index.md
"""

# ``tongxin build`` with every output but the search index (for ``--search-cost``).
BUILD_WITHOUT_SEARCH = (
    "import sys, generator.outputs.writers as outputs; "
    "outputs.EARLY_WRITERS.remove(outputs.write_search_index); "
    "from generator.cli import main; sys.exit(main(sys.argv[1:]))"
)


# --- running one command -------------------------------------------------------------------


@dataclass
class Run:
    command: str
    seconds: float
    cpu_seconds: float  # user + system time of the command and the children it waited for
    peak_rss_mb: float  # the largest single process (the command or any child it waited for)
    peak_tree_rss_mb: float  # all processes of the tree at once, sampled every POLL_SECONDS
    returncode: int
    output_tail: str = ""
    samples: list[float] = field(default_factory=list)  # wall time of every run, for medians


def _process_tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every descendant, read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE_SIZE
        except OSError:
            pass
        pending.extend(parents.get(pid, []))
    return total


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Measure the generator next to this script, whatever copy is installed in the venv."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def run_measured(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` to completion, measuring wall time and peak memory."""
    # The last build's writes (a 10,000-record site is ~200 MB in 20,000 files) are still
    # being flushed for a while: started now, this build would pay for them, by seconds.
    os.sync()
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=_environment(env), stdout=output,
                                   stderr=subprocess.STDOUT)
        peak_tree = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_tree = max(peak_tree, _process_tree_rss(process.pid))
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        tail = output.read().decode("utf-8", "replace")[-3000:]
    peak_single = usage.ru_maxrss * 1024  # kilobytes on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return Run(" ".join(command[2:]), seconds, cpu, peak_single / 2**20, max(peak_tree, peak_single) / 2**20,
               process.returncode, tail)


def median_of(
    command: list[str], cwd: Path, repeat: int, before_each: Callable[[int], dict[str, str] | None] | None = None,
) -> Run:
    """``repeat`` runs, each after ``before_each(run number)`` (untimed; it may return extra
    environment variables): the median wall and CPU time, the highest memory seen."""
    runs = []
    for number in range(repeat):
        env = before_each(number) if before_each is not None else None
        run = run_measured(command, cwd, env)
        if run.returncode != 0:
            raise SystemExit(f"command failed ({run.returncode}) in {cwd}: {run.command}\n{run.output_tail}")
        runs.append(run)
    result = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
    result.seconds = statistics.median(run.seconds for run in runs)
    result.cpu_seconds = statistics.median(run.cpu_seconds for run in runs)
    result.peak_rss_mb = max(run.peak_rss_mb for run in runs)
    result.peak_tree_rss_mb = max(run.peak_tree_rss_mb for run in runs)
    result.samples = [round(run.seconds, 3) for run in runs]
    return result


# --- what a build wrote --------------------------------------------------------------------


@dataclass
class PageWeight:
    """What a browser loads for one page on a cold cache: the page, its stylesheets, scripts
    and images (as the HTML names them; what scripts fetch later is not counted)."""

    bytes: int = 0
    gzip_bytes: int = 0  # each file gzipped on its own (level 6, as nginx's gzip_comp_level 6)
    files: list[str] = field(default_factory=list)


@dataclass
class SiteFigures:
    bytes: int = 0
    files: int = 0
    html_pages: int = 0
    largest_html_bytes: int = 0
    largest_html: str = ""
    search_bytes: int = 0
    search_paths: list[str] = field(default_factory=list)
    home: PageWeight = field(default_factory=PageWeight)


def _is_search_output(relative: str) -> bool:
    """Search indexes, whatever writer made them: top-level entries named like search."""
    top = relative.split("/", 1)[0].lower()
    return top != "assets" and any(marker in top for marker in SEARCH_MARKERS)


# Resources a page loads by itself: stylesheets, scripts, images, icons.
_RESOURCE = re.compile(
    r"<link\b[^>]*\brel=\"?(?:stylesheet|icon|shortcut icon)\"?[^>]*\bhref=\"?([^\" >]+)"
    r"|<script\b[^>]*\bsrc=\"?([^\" >]+)|<img\b[^>]*\bsrc=\"?([^\" >]+)",
    re.IGNORECASE,
)


def page_weight(site: Path, page: str = "index.html") -> PageWeight:
    """The bytes of ``page`` and of every local resource it names, plain and gzipped."""
    weight = PageWeight()
    html = site / page
    found = [html]
    for match in _RESOURCE.finditer(html.read_text(encoding="utf-8")):
        url = next(group for group in match.groups() if group).split("#")[0].split("?")[0]
        if "://" in url or url.startswith(("data:", "//")):
            continue
        found.append((html.parent / url).resolve())
    for path in dict.fromkeys(found):
        if not path.is_file():
            continue
        data = path.read_bytes()
        weight.bytes += len(data)
        weight.gzip_bytes += len(gzip.compress(data, compresslevel=6, mtime=0))
        weight.files.append(path.relative_to(site.resolve()).as_posix() if path.is_relative_to(site.resolve())
                            else path.name)
    return weight


def measure_site(site: Path) -> SiteFigures:
    figures = SiteFigures()
    search_tops: set[str] = set()
    for folder, _dirs, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            size = path.stat().st_size
            relative = path.relative_to(site).as_posix()
            figures.bytes += size
            figures.files += 1
            if name.endswith(".html"):
                figures.html_pages += 1
                if size > figures.largest_html_bytes:
                    figures.largest_html_bytes, figures.largest_html = size, relative
            if _is_search_output(relative):
                figures.search_bytes += size
                search_tops.add(relative.split("/", 1)[0])
    figures.search_paths = sorted(search_tops)
    figures.home = page_weight(site)
    return figures


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``root``."""
    digests = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            digests[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(digests.items()))


def differing_files(first: Path, second: Path) -> tuple[int, list[str]]:
    """How many files ``first`` has, and the paths whose bytes differ or that only one has."""
    a, b = tree_digest(first), tree_digest(second)
    return len(a), sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


# --- the two sites -------------------------------------------------------------------------


def write_mkdocs_project(records: list[GeneratedRecord], out: Path) -> None:
    """The same titles and bodies as plain Markdown pages, none of them in the nav."""
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n\n同样文字的普通 MkDocs + Material 站点。\n", encoding="utf-8")
    for record in records:
        folder = docs / record.type_name
        folder.mkdir(exist_ok=True)
        (folder / f"{record.record_id}.md").write_text(f"# {record.title}\n\n{record.body}", encoding="utf-8")
    (out / "mkdocs.yml").write_text(MKDOCS_CONFIG, encoding="utf-8")


def with_own_theme(portal: Path) -> None:
    """A copy of the repository's theme inside the project, so that a template can be edited."""
    theme = portal / "theme"
    if theme.exists():
        shutil.rmtree(theme)
    shutil.copytree(REPO / "theme", theme)
    write_config(portal, theme.resolve())


@dataclass
class Side:
    build: Run
    site: SiteFigures

    @property
    def pages_per_second(self) -> float:
        return self.site.html_pages / self.build.seconds


@dataclass
class WarmRebuild:
    """``tongxin build`` after one kind of edit, and how its site compares with a cold build."""

    kind: str  # "none", "body", "rename", "add" or "template"
    edit: str  # what was edited, for the table
    build: Run
    files: int  # files of the warm site
    differing: list[str]  # paths whose bytes differ from the cold build's (or that only one has)
    cold_seconds: float  # the cold build of the same content it was compared with

    @property
    def identical(self) -> bool:
        return not self.differing


@dataclass
class Result:
    n: int
    seed: int
    generate_seconds: float
    check: Run
    tongxin: Side
    mkdocs: Side
    without_search: Run | None = None  # the Tongxin build without its search index
    warm: list[WarmRebuild] = field(default_factory=list)

    @property
    def time_ratio(self) -> float:
        return self.tongxin.build.seconds / self.mkdocs.build.seconds

    def warm_rebuild(self, kind: str) -> WarmRebuild | None:
        return next((rebuild for rebuild in self.warm if rebuild.kind == kind), None)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for side in ("tongxin", "mkdocs"):
            data[side]["pages_per_second"] = getattr(self, side).pages_per_second
            data[side]["build"].pop("output_tail")
        data["check"].pop("output_tail")
        if data["without_search"]:
            data["without_search"].pop("output_tail")
        for rebuild, entry in zip(self.warm, data["warm"], strict=True):
            entry["build"].pop("output_tail")
            entry["identical"] = rebuild.identical
            entry["ratio_to_cold"] = rebuild.build.seconds / self.tongxin.build.seconds
        data["time_ratio"] = self.time_ratio
        return data


class WarmRebuilds:
    """The edits between warm rebuilds, each repeatable with a new mark (see ``edits``)."""

    def __init__(self, portal: Path) -> None:
        content = portal / "content"
        self.notice = middle_notice(content)
        organization, self.referrers = most_referenced_organization(content)
        self.organization = content / "organizations" / f"{organization}.yml"
        self.template = portal / "theme" / EDITED_TEMPLATE
        self.added = content / "notices"
        self.originals = {path: path.read_text(encoding="utf-8")
                          for path in (self.notice, self.organization, self.template)}

    def edits(self) -> list[tuple[str, str, Callable[[int], None]]]:
        """(kind, what is edited, the edit) for each warm rebuild."""
        return [
            ("none", "nothing changed", lambda _number: None),
            ("body", "one record's body edited", self.edit_body),
            ("rename", f"organisation renamed ({len(self.referrers)} records name it)", self.rename_organization),
            ("add", "record added (a notice)", self.add_record),
            ("template", f"template changed ({EDITED_TEMPLATE.removeprefix('tongxin/')})", self.change_template),
        ]

    def edit_body(self, number: int) -> None:
        self._write(self.notice, with_body_line(self.originals[self.notice], f"基准测试修改正文第 {number + 1} 次。"))

    def rename_organization(self, number: int) -> None:
        self._write(self.organization, renamed(self.originals[self.organization], f"（更名{number + 1}）"))

    def add_record(self, number: int) -> None:
        added = self.added / f"{self.notice.stem}-bench-added-{number + 1}.yml"
        self._write(added, renamed(self.originals[self.notice], f"（新增{number + 1}）"))

    def change_template(self, number: int) -> None:
        self._write(self.template, self.originals[self.template] + f"\n<!-- 基准测试模板修改 {number + 1} -->\n")

    @staticmethod
    def _write(path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8")


def benchmark(n: int, workdir: Path, seed: int, repeat: int, search_cost: bool = False,
              warm: bool = True) -> Result:
    portal, plain = workdir / f"tongxin-{n}", workdir / f"mkdocs-{n}"
    print(f"[N={n}] generating content in {portal}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    records = make_project(n, portal, seed)
    with_own_theme(portal)
    write_mkdocs_project(records, plain)
    generated = time.perf_counter() - started
    python = sys.executable
    build = [python, "-m", "generator.cli", "build", "--date", BUILD_DATE.isoformat()]
    caches = workdir / f"caches-{n}"
    shutil.rmtree(caches, ignore_errors=True)
    warm_cache = caches / "warm"

    def cold(site: Path, cache: Path | None = None) -> Callable[[int], dict[str, str]]:
        """Before each cold build: no site, an empty cache (``cache`` for the last run)."""

        def prepare(number: int) -> dict[str, str]:
            shutil.rmtree(site, ignore_errors=True)
            folder = cache if cache is not None and number == repeat - 1 else caches / f"cold-{site.name}-{number}"
            shutil.rmtree(folder, ignore_errors=True)
            return {CACHE_ENV: str(folder)}

        return prepare

    print(f"[N={n}] tongxin check", file=sys.stderr, flush=True)
    check = median_of([python, "-m", "generator.cli", "check"], portal, repeat)
    print(f"[N={n}] tongxin build (cold)", file=sys.stderr, flush=True)
    # The last cold build leaves its cache for the warm rebuilds.
    tongxin = median_of(build, portal, repeat, cold(portal / "site", warm_cache))
    tongxin_site = measure_site(portal / "site")
    print(f"[N={n}] mkdocs build (Material, search lang zh)", file=sys.stderr, flush=True)
    mkdocs = median_of([python, "-m", "mkdocs", "build", "--quiet"], plain, repeat,
                       lambda _number: shutil.rmtree(plain / "site", ignore_errors=True))
    mkdocs_site = measure_site(plain / "site")
    without_search = None
    if search_cost:
        print(f"[N={n}] tongxin build without the search index", file=sys.stderr, flush=True)
        bare = portal / "site-without-search"
        without_search = median_of([python, "-c", BUILD_WITHOUT_SEARCH, *build[3:], "--site-dir", bare.name],
                                   portal, repeat, cold(bare))
        shutil.rmtree(bare, ignore_errors=True)
    result = Result(n, seed, generated, check, Side(tongxin, tongxin_site), Side(mkdocs, mkdocs_site), without_search)
    if warm:
        result.warm = warm_rebuilds(portal, build, repeat, warm_cache, caches)
    shutil.rmtree(caches, ignore_errors=True)
    return result


def warm_rebuilds(portal: Path, build: list[str], repeat: int, cache: Path, caches: Path) -> list[WarmRebuild]:
    """After each edit: ``repeat`` warm builds (each after the edit made anew), then a cold
    build of the same content to compare the warm site with, file by file."""
    rebuilds = []
    reference = portal / "site-cold-reference"
    for kind, edit, apply in WarmRebuilds(portal).edits():
        print(f"[{portal.name}] warm rebuild: {edit}", file=sys.stderr, flush=True)

        def edited(number: int, apply: Callable[[int], None] = apply) -> dict[str, str]:
            apply(number)
            return {CACHE_ENV: str(cache)}

        run = median_of(build, portal, repeat, edited)
        shutil.rmtree(reference, ignore_errors=True)
        empty = caches / "reference"
        shutil.rmtree(empty, ignore_errors=True)
        cold = run_measured([*build, "--site-dir", reference.name], portal, {CACHE_ENV: str(empty)})
        if cold.returncode != 0:
            raise SystemExit(f"cold reference build failed in {portal}\n{cold.output_tail}")
        files, differing = differing_files(portal / "site", reference)
        rebuilds.append(WarmRebuild(kind, edit, run, files, differing, cold.seconds))
        shutil.rmtree(reference, ignore_errors=True)
    return rebuilds


# --- reporting -----------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value / 2**20:,.1f} MB"


def _kb(value: float) -> str:
    return f"{value / 1024:,.1f} KB"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def _percent(with_it: float, without: float) -> str:
    return f"{(with_it - without) / without:+.0%}" if without else "-"


def table(result: Result) -> str:
    t, m = result.tongxin, result.mkdocs
    rows = [
        ("build wall time", f"{t.build.seconds:.2f} s", f"{m.build.seconds:.2f} s",
         _ratio(t.build.seconds, m.build.seconds)),
        ("build CPU time", f"{t.build.cpu_seconds:.2f} s", f"{m.build.cpu_seconds:.2f} s",
         _ratio(t.build.cpu_seconds, m.build.cpu_seconds)),
        ("peak RSS, largest process", f"{t.build.peak_rss_mb:,.0f} MB", f"{m.build.peak_rss_mb:,.0f} MB",
         _ratio(t.build.peak_rss_mb, m.build.peak_rss_mb)),
        ("peak RSS, process tree", f"{t.build.peak_tree_rss_mb:,.0f} MB", f"{m.build.peak_tree_rss_mb:,.0f} MB",
         _ratio(t.build.peak_tree_rss_mb, m.build.peak_tree_rss_mb)),
        ("site size", _mb(t.site.bytes), _mb(m.site.bytes), _ratio(t.site.bytes, m.site.bytes)),
        ("files", f"{t.site.files:,}", f"{m.site.files:,}", _ratio(t.site.files, m.site.files)),
        ("HTML pages", f"{t.site.html_pages:,}", f"{m.site.html_pages:,}",
         _ratio(t.site.html_pages, m.site.html_pages)),
        ("largest HTML page", _kb(t.site.largest_html_bytes), _kb(m.site.largest_html_bytes),
         _ratio(t.site.largest_html_bytes, m.site.largest_html_bytes)),
        ("pages per second", f"{t.pages_per_second:,.0f}", f"{m.pages_per_second:,.0f}",
         _ratio(t.pages_per_second, m.pages_per_second)),
        ("search index", _mb(t.site.search_bytes), _mb(m.site.search_bytes),
         _ratio(t.site.search_bytes, m.site.search_bytes)),
        ("home page + its CSS/JS", _kb(t.site.home.bytes), _kb(m.site.home.bytes),
         _ratio(t.site.home.bytes, m.site.home.bytes)),
        ("  the same gzipped", _kb(t.site.home.gzip_bytes), _kb(m.site.home.gzip_bytes),
         _ratio(t.site.home.gzip_bytes, m.site.home.gzip_bytes)),
    ]
    width = max(len(row[0]) for row in rows)
    runs = len(t.build.samples)
    lines = [
        f"N = {result.n:,} records (seed {result.seed}; generated in {result.generate_seconds:.1f} s; "
        f"median of {runs} run{'s' if runs != 1 else ''})",
        f"{'':{width}}  {'tongxin':>12}  {'mkdocs':>12}  {'tongxin/mkdocs':>14}",
    ]
    lines += [f"{name:{width}}  {a:>12}  {b:>12}  {r:>14}" for name, a, b, r in rows]
    lines.append(f"{'tongxin check':{width}}  {result.check.seconds:>10.2f} s  "
                 f"(CPU {result.check.cpu_seconds:.2f} s, peak {result.check.peak_rss_mb:,.0f} MB)")
    if result.without_search is not None:
        bare = result.without_search
        lines.append(f"{'search index adds':{width}}  {t.build.seconds - bare.seconds:>10.2f} s  "
                     f"({_percent(t.build.seconds, bare.seconds)} of the {bare.seconds:.2f} s build without it; "
                     f"CPU {t.build.cpu_seconds - bare.cpu_seconds:+.2f} s, "
                     f"{_percent(t.build.cpu_seconds, bare.cpu_seconds)} of {bare.cpu_seconds:.2f} s)")
    lines.append(f"cold build runs (s): tongxin {t.build.samples}; mkdocs {m.build.samples}")
    lines.append(f"largest tongxin page: {t.site.largest_html}; largest mkdocs page: {m.site.largest_html}")
    lines.append(f"search outputs: tongxin {t.site.search_paths or 'none'}; mkdocs {m.site.search_paths or 'none'}")
    lines.append(f"home page files (tongxin): {', '.join(t.site.home.files)}")
    if result.warm:
        lines += ["", warm_table(result)]
    return "\n".join(lines)


def warm_table(result: Result) -> str:
    cold = result.tongxin.build.seconds
    width = max(len(rebuild.edit) for rebuild in result.warm)
    lines = [
        f"warm rebuilds after a cold build (median of {len(result.warm[0].build.samples)}; each edit compared file "
        "by file with a cold build of the same content)",
        f"{'':{width}}  {'wall':>8}  {'CPU':>8}  {'peak':>7}  {'/cold':>5}  {'/mkdocs':>7}  identical to cold",
    ]
    for rebuild in result.warm:
        run = rebuild.build
        same = (f"yes ({rebuild.files:,} files)" if rebuild.identical else
                f"NO: {len(rebuild.differing):,} of {rebuild.files:,} files differ, e.g. {rebuild.differing[:3]}")
        lines.append(f"{rebuild.edit:{width}}  {run.seconds:>6.2f} s  {run.cpu_seconds:>6.2f} s  "
                     f"{run.peak_tree_rss_mb:>4,.0f} MB  {run.seconds / cold:>5.2f}  "
                     f"{run.seconds / result.mkdocs.build.seconds:>7.2f}  {same}")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def baseline_from(result: Result) -> dict[str, object]:
    baseline: dict[str, object] = {
        "n": result.n,
        "seed": result.seed,
        "time_ratio": round(result.time_ratio, 3),
        "cpu_ratio": round(result.tongxin.build.cpu_seconds / result.mkdocs.build.cpu_seconds, 3),
        "tongxin_peak_rss_mb": round(result.tongxin.build.peak_rss_mb, 1),
        "tongxin_seconds": round(result.tongxin.build.seconds, 2),
        "mkdocs_seconds": round(result.mkdocs.build.seconds, 2),
    }
    edited = result.warm_rebuild("body")
    if edited is not None:
        # A one-record edit's rebuild against the cold build of the same run.
        baseline["warm_ratio"] = round(edited.build.seconds / result.tongxin.build.seconds, 3)
        baseline["warm_seconds"] = round(edited.build.seconds, 2)
    return baseline | {"measured": time.strftime("%Y-%m-%d"), "machine": machine()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000], help="record counts (default 1000 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="run each build this many times, report medians")
    parser.add_argument("--workdir", type=Path, help="where to generate the projects (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and sites")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--search-cost", action="store_true",
                        help="also build without the search index, to show what indexing adds")
    parser.add_argument("--no-warm", dest="warm", action="store_false",
                        help="skip the warm rebuilds after edits (cold builds only)")
    parser.add_argument("--update-baseline", action="store_true",
                        help=f"write the first N's ratios and memory to {BASELINE.relative_to(REPO)}")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tongxin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    try:
        for n in args.n:
            result = benchmark(n, workdir, args.seed, args.repeat, args.search_cost, args.warm)
            results.append(result)
            print(table(result), flush=True)
            print(flush=True)
    finally:
        if args.keep:
            print(f"projects kept in {workdir}", file=sys.stderr)
        elif args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            for n in args.n:
                for name in (f"tongxin-{n}", f"mkdocs-{n}", f"caches-{n}"):
                    shutil.rmtree(workdir / name, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": [r.as_json() for r in results]},
                                        ensure_ascii=False, indent=2), encoding="utf-8")
    if args.update_baseline and results:
        BASELINE.write_text(json.dumps(baseline_from(results[0]), ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
        print(f"baseline written to {BASELINE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
