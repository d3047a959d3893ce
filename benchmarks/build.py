"""Tongxin build vs. a plain MkDocs + Material build of the same text, in one run.

    .venv/bin/python benchmarks/build.py                      # N = 1,000 and 10,000
    .venv/bin/python benchmarks/build.py --n 50000 --keep     # keep the generated projects
    .venv/bin/python benchmarks/build.py --n 1000 --json out.json --repeat 2
    .venv/bin/python benchmarks/build.py --n 10000 --search-cost  # what the search index adds

For each N the script generates N synthetic records (benchmarks/make_content.py), times
``tongxin check`` and ``tongxin build --date 2026-11-22``, then writes the same titles and
bodies as N Markdown pages of a plain MkDocs + Material site (not in nav, Material's search
plugin on with ``lang: zh``, which segments Chinese with jieba) and builds that with
``python -m mkdocs build``. With ``--search-cost`` it also builds the Tongxin project without
its search index, to show what indexing adds. Every command runs in its own process; the script measures its
wall time, the peak resident memory of the largest process (from ``wait4``) and of the whole
process tree (polling /proc), and the site it wrote. The table ends with tongxin/mkdocs
ratios; ``--json`` writes all figures for the regression guard.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_content import BUILD_DATE, GeneratedRecord, make_project

REPO = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).resolve().parent / "baseline.json"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
POLL_SECONDS = 0.05
SEARCH_MARKERS = ("search", "pagefind", "lunr")

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


def _environment() -> dict[str, str]:
    """Measure the generator next to this script, whatever copy is installed in the venv."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_measured(command: list[str], cwd: Path) -> Run:
    """Run ``command`` to completion, measuring wall time and peak memory."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=_environment(), stdout=output, stderr=subprocess.STDOUT)
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


def best_of(command: list[str], cwd: Path, repeat: int) -> Run:
    """The fastest of ``repeat`` runs (noise only ever adds time), with the highest memory seen."""
    runs = [run_measured(command, cwd) for _ in range(repeat)]
    for run in runs:
        if run.returncode != 0:
            raise SystemExit(f"command failed ({run.returncode}) in {cwd}: {run.command}\n{run.output_tail}")
    best = min(runs, key=lambda run: run.seconds)
    best.cpu_seconds = min(run.cpu_seconds for run in runs)
    best.peak_rss_mb = max(run.peak_rss_mb for run in runs)
    best.peak_tree_rss_mb = max(run.peak_tree_rss_mb for run in runs)
    return best


# --- what a build wrote --------------------------------------------------------------------


@dataclass
class SiteFigures:
    bytes: int = 0
    files: int = 0
    html_pages: int = 0
    largest_html_bytes: int = 0
    largest_html: str = ""
    search_bytes: int = 0
    search_paths: list[str] = field(default_factory=list)


def _is_search_output(relative: str) -> bool:
    """Search indexes, whatever writer made them: top-level entries named like search."""
    top = relative.split("/", 1)[0].lower()
    return top != "assets" and any(marker in top for marker in SEARCH_MARKERS)


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
    return figures


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


@dataclass
class Side:
    build: Run
    site: SiteFigures

    @property
    def pages_per_second(self) -> float:
        return self.site.html_pages / self.build.seconds


@dataclass
class Result:
    n: int
    seed: int
    generate_seconds: float
    check: Run
    tongxin: Side
    mkdocs: Side
    without_search: Run | None = None  # the Tongxin build without its search index

    @property
    def time_ratio(self) -> float:
        return self.tongxin.build.seconds / self.mkdocs.build.seconds

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for side in ("tongxin", "mkdocs"):
            data[side]["pages_per_second"] = getattr(self, side).pages_per_second
            data[side]["build"].pop("output_tail")
        data["check"].pop("output_tail")
        if data["without_search"]:
            data["without_search"].pop("output_tail")
        data["time_ratio"] = self.time_ratio
        return data


def benchmark(n: int, workdir: Path, seed: int, repeat: int, search_cost: bool = False) -> Result:
    portal, plain = workdir / f"tongxin-{n}", workdir / f"mkdocs-{n}"
    print(f"[N={n}] generating content in {portal}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    records = make_project(n, portal, seed)
    write_mkdocs_project(records, plain)
    generated = time.perf_counter() - started
    python = sys.executable
    print(f"[N={n}] tongxin check", file=sys.stderr, flush=True)
    check = best_of([python, "-m", "generator.cli", "check"], portal, repeat)
    print(f"[N={n}] tongxin build", file=sys.stderr, flush=True)
    tongxin = best_of([python, "-m", "generator.cli", "build", "--date", BUILD_DATE.isoformat()], portal, repeat)
    tongxin_site = measure_site(portal / "site")
    print(f"[N={n}] mkdocs build (Material, search lang zh)", file=sys.stderr, flush=True)
    mkdocs = best_of([python, "-m", "mkdocs", "build", "--quiet"], plain, repeat)
    mkdocs_site = measure_site(plain / "site")
    without_search = None
    if search_cost:
        print(f"[N={n}] tongxin build without the search index", file=sys.stderr, flush=True)
        without_search = best_of([python, "-c", BUILD_WITHOUT_SEARCH, "build", "--date", BUILD_DATE.isoformat(),
                                  "--site-dir", "site-without-search"], portal, repeat)
    return Result(n, seed, generated, check, Side(tongxin, tongxin_site), Side(mkdocs, mkdocs_site), without_search)


# --- reporting -----------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value / 2**20:,.1f} MB"


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
        ("largest HTML page", f"{t.site.largest_html_bytes / 1024:,.1f} KB",
         f"{m.site.largest_html_bytes / 1024:,.1f} KB", _ratio(t.site.largest_html_bytes, m.site.largest_html_bytes)),
        ("pages per second", f"{t.pages_per_second:,.0f}", f"{m.pages_per_second:,.0f}",
         _ratio(t.pages_per_second, m.pages_per_second)),
        ("search index", _mb(t.site.search_bytes), _mb(m.site.search_bytes),
         _ratio(t.site.search_bytes, m.site.search_bytes)),
    ]
    width = max(len(row[0]) for row in rows)
    lines = [
        f"N = {result.n:,} records (seed {result.seed}; generated in {result.generate_seconds:.1f} s)",
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
    lines.append(f"largest tongxin page: {t.site.largest_html}; largest mkdocs page: {m.site.largest_html}")
    lines.append(f"search outputs: tongxin {t.site.search_paths or 'none'}; mkdocs {m.site.search_paths or 'none'}")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def baseline_from(result: Result) -> dict[str, object]:
    return {
        "n": result.n,
        "seed": result.seed,
        "time_ratio": round(result.time_ratio, 3),
        "cpu_ratio": round(result.tongxin.build.cpu_seconds / result.mkdocs.build.cpu_seconds, 3),
        "tongxin_peak_rss_mb": round(result.tongxin.build.peak_rss_mb, 1),
        "tongxin_seconds": round(result.tongxin.build.seconds, 2),
        "mkdocs_seconds": round(result.mkdocs.build.seconds, 2),
        "measured": time.strftime("%Y-%m-%d"),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000], help="record counts (default 1000 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="build each site this many times, keep the fastest")
    parser.add_argument("--workdir", type=Path, help="where to generate the projects (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and sites")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--search-cost", action="store_true",
                        help="also build without the search index, to show what indexing adds")
    parser.add_argument("--update-baseline", action="store_true",
                        help=f"write the first N's ratio and memory to {BASELINE.relative_to(REPO)}")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tongxin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    try:
        for n in args.n:
            result = benchmark(n, workdir, args.seed, args.repeat, args.search_cost)
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
                for name in (f"tongxin-{n}", f"mkdocs-{n}"):
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
