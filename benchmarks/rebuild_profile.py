"""Where a warm ``tongxin build`` spends its time: the stages of one rebuild, after one edit.

    .venv/bin/python benchmarks/rebuild_profile.py --n 2000                  # every edit kind
    .venv/bin/python benchmarks/rebuild_profile.py --n 10000 --edit none body
    .venv/bin/python benchmarks/rebuild_profile.py --project /tmp/p --edit body --cprofile /tmp/body.prof

The script makes a project of N synthetic records (benchmarks/make_content.py, as
``build.py`` does; or uses ``--project``, made by an earlier ``--keep`` run), builds it
once from scratch into its build cache, then for each edit kind (``benchmarks/edits.py``,
the same edits as ``build.py``'s warm rebuilds) makes the edit and runs one warm build in
a fresh process that times its stages: each stage is a function of the build wrapped in a
timer (wall and CPU time of the main process, inclusive of the stages inside it), and
``imports`` is the time from the interpreter's start until the build begins. What forked
processes do (the search index, rendering in parallel) shows as the main process waiting.

``build.py`` measures the totals and checks byte-identity; this script tells which part of
a rebuild to work on. Stage times sum to more than the build when stages nest (indented).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
BUILD_DATE = "2026-11-22"

# (label, module, attribute path, depth in the table): the functions timed, inclusive.
STAGES: list[tuple[str, str, str, int]] = [
    ("build (mkdocs.commands.build)", "mkdocs.commands.build", "build", 0),
    ("load_config", "generator.cli", "load_config", 1),
    ("on_config (tongxin)", "generator.mkdocs_plugin.plugin", "TongxinPlugin.on_config", 1),
    ("open the cache", "generator.mkdocs_plugin.plugin", "TongxinPlugin._open_cache", 2),
    ("read + check the state", "generator.mkdocs_plugin.cache", "BuildCache.load", 3),
    ("verify the site copy", "generator.mkdocs_plugin.plugin", "verify_tree", 3),
    ("restore the last graph", "generator.mkdocs_plugin.incremental", "IncrementalSite.restored", 3),
    ("load the graph", "generator.site.source", "ContentSource.load_graph", 2),
    ("validate changed files", "generator.mkdocs_plugin.incremental", "validate_files", 3),
    ("check across records", "generator.mkdocs_plugin.incremental", "check_across_records", 3),
    ("content folder check", "generator.content.validation", "check_content_folder", 4),
    ("link the site graph", "generator.site.graph", "SiteGraph.build", 3),
    ("records an edit reaches", "generator.mkdocs_plugin.incremental", "IncrementalSite.affected", 2),
    ("start the early outputs", "generator.mkdocs_plugin.plugin", "TongxinPlugin._start_early_outputs", 2),
    ("inputs digest", "generator.mkdocs_plugin.plugin", "TongxinPlugin._inputs", 2),
    ("templates digest", "generator.mkdocs_plugin.plugin", "TongxinPlugin._templates", 2),
    ("pages to render, render", "generator.mkdocs_plugin.incremental", "IncrementalSite.render", 2),
    ("section plans", "generator.render.rendering", "PortalRenderer.section_plans", 3),
    ("section shapes", "generator.mkdocs_plugin.incremental", "_Shaper.context", 3),
    ("render pages", "generator.mkdocs_plugin.incremental", "fork_map", 3),
    ("get_files (docs + theme)", "mkdocs.commands.build", "get_files", 1),
    ("on_files (tongxin)", "generator.mkdocs_plugin.plugin", "TongxinPlugin.on_files", 1),
    ("on_env (tongxin: page shell)", "generator.mkdocs_plugin.plugin", "TongxinPlugin.on_env", 1),
    ("MkDocs pages (nav, free, sections)", "mkdocs.commands.build", "_build_page", 1),
    ("theme files copied", "mkdocs.structure.files", "File.copy_file", 1),
    ("on_post_build (tongxin)", "generator.mkdocs_plugin.plugin", "TongxinPlugin.on_post_build", 1),
    ("record pages written", "generator.mkdocs_plugin.plugin", "TongxinPlugin._write_record_pages", 2),
    ("calendars", "generator.outputs.writers", "write_calendars", 2),
    ("feeds", "generator.outputs.writers", "write_feeds", 2),
    ("open data", "generator.outputs.writers", "write_opendata", 2),
    ("sitemap", "generator.outputs.writers", "write_sitemap", 2),
    ("wait for the early outputs", "generator.mkdocs_plugin.plugin", "TongxinPlugin._finish_early_outputs", 2),
    ("files MkDocs wrote", "generator.outputs.files", "SiteFiles.adopt", 2),
    ("external-resource check", "generator.mkdocs_plugin.plugin", "TongxinPlugin._refuse_external_in_written", 2),
    ("external-resource check (all)", "generator.mkdocs_plugin.plugin", "TongxinPlugin._refuse_external_resources", 2),
    ("publish (site from copy, swap)", "generator.mkdocs_plugin.plugin", "publish_with_tree", 2),
    ("save the cache", "generator.mkdocs_plugin.plugin", "TongxinPlugin._save_cache", 2),
]

# Run in a fresh interpreter: times the stages of one build and prints them as JSON.
CHILD = r"""
import importlib, json, sys, time
started_wall, started_cpu = float(sys.argv[1]), time.process_time()
sys.argv[1:2] = []
stages = json.loads(sys.argv.pop(1))
options = json.loads(sys.argv.pop(1))
import generator.cli
import generator.mkdocs_plugin.plugin, generator.mkdocs_plugin.incremental, mkdocs.commands.build
import generator.outputs.writers, generator.outputs.files, generator.site.graph, generator.content.validation
timed = {}
if options.get("without_search"):  # the main process's share only, quicker on a busy machine
    generator.outputs.writers.EARLY_WRITERS.remove(generator.outputs.writers.write_search_index)
if options.get("no_gc"):  # what the cyclic garbage collector costs the build
    __import__("gc").disable()

def wrap(label, function):
    def timed_call(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            total = timed.setdefault(label, [0.0, 0.0, 0])
            total[0] += time.perf_counter() - wall
            total[1] += time.process_time() - cpu
            total[2] += 1
    return timed_call

for label, module, path in stages:
    owner = importlib.import_module(module)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent, None)
    if owner is not None and hasattr(owner, name):
        setattr(owner, name, wrap(label, getattr(owner, name)))
# The late writers are called from their list.
writers = generator.outputs.writers
writers.LATE_WRITERS[:] = [getattr(writers, f.__name__) for f in writers.LATE_WRITERS]
imports = [time.time() - started_wall, time.process_time() - started_cpu]
wall, cpu = time.perf_counter(), time.process_time()
code = generator.cli.main(sys.argv[1:])
total = [time.perf_counter() - wall, time.process_time() - cpu]
resource = __import__("resource")
children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
print("\nSTAGES " + json.dumps({"code": code, "imports": imports, "total": total, "timed": timed,
                                 "children_cpu": children.ru_utime + children.ru_stime,
                                 "own": [own.ru_utime, own.ru_stime, own.ru_minflt]}))
sys.stdout.flush()
__import__("os")._exit(0)
"""


def profile_build(project: Path, cache: Path, cprofile: Path | None = None,
                  options: dict[str, bool] | None = None) -> dict[str, object]:
    env = {**os.environ, "TONGXIN_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    stages = json.dumps([(label, module, path) for label, module, path, _depth in STAGES])
    command = [sys.executable, "-c", CHILD, repr(time.time()), stages, json.dumps(options or {}),
               "build", "--date", BUILD_DATE]
    if cprofile is not None:
        command = [sys.executable, "-c",
                   "import cProfile, sys, runpy; sys.argv = sys.argv[1:]; profile = cProfile.Profile(); "
                   "profile.enable()\ntry:\n from generator.cli import main; main(sys.argv)\n"
                   f"finally:\n profile.disable(); profile.dump_stats({str(cprofile)!r})",
                   "build", "--date", BUILD_DATE]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    if cprofile is not None:
        return {"code": result.returncode}
    marker = result.stdout.rfind("\nSTAGES ")
    if marker < 0:
        raise SystemExit(f"the build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    figures: dict[str, object] = json.loads(result.stdout[marker + len("\nSTAGES "):])
    figures["summary"] = next((line for line in result.stdout.splitlines() if "个文件" in line), "")
    figures["messages"] = [line for line in result.stderr.splitlines() if "缓存" in line]
    return figures


def table(kind: str, figures: dict[str, object]) -> str:
    timed: dict[str, list[float]] = figures["timed"]  # type: ignore[assignment]
    imports, total = figures["imports"], figures["total"]  # type: ignore[index]
    lines = [f"--- {kind}: {figures['summary']}",
             f"{'stage':44} {'wall s':>7} {'CPU s':>7} {'calls':>6}",
             f"{'interpreter + imports':44} {imports[0]:7.2f} {imports[1]:7.2f}",  # type: ignore[index]
             f"{'build in all (main process)':44} {total[0]:7.2f} {total[1]:7.2f}"]  # type: ignore[index]
    for label, _module, _path, depth in STAGES:
        if label in timed:
            wall, cpu, calls = timed[label]
            lines.append(f"{'  ' * depth + label:44} {wall:7.2f} {cpu:7.2f} {int(calls):6}")
    user, system, faults = figures["own"]  # type: ignore[misc]
    lines.append(f"{'main process: user, system CPU s':44} {user:7.2f} {system:7.2f}")
    lines.append(f"{'main process: page faults (minor)':44} {int(faults):15,}")
    lines.append(f"{'forked processes (CPU)':44} {'':7} {figures['children_cpu']:7.2f}")
    lines += [f"  ! {message}" for message in figures["messages"]]  # type: ignore[union-attr]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from build import WarmRebuilds, with_own_theme
    from make_content import make_project

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="records to generate (default 2000)")
    parser.add_argument("--project", type=Path, help="use this project (made by make_content.py) instead")
    parser.add_argument("--edit", nargs="+", default=["none", "body", "rename", "add", "template"],
                        help="edit kinds, in order (none body rename add template)")
    parser.add_argument("--cprofile", type=Path, help="write a cProfile of the last edit's build here instead")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--without-search", action="store_true",
                        help="build without the search index (its own process), to see the rest sooner; "
                        "use a cache of its own (--cache) for such runs")
    parser.add_argument("--no-gc", action="store_true", help="with the cyclic garbage collector off")
    parser.add_argument("--cache", type=Path, help="build cache to use; when it exists already (an earlier "
                        "run with --project and --cache), the cold build is skipped")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="tongxin-rebuild-profile-"))
    try:
        project = args.project
        if project is None:
            project = workdir / f"tongxin-{args.n}"
            print(f"generating {args.n} records in {project}", file=sys.stderr, flush=True)
            make_project(args.n, project)
        if not (project / "theme").exists():  # make_content.py's projects use the repository's
            with_own_theme(project)
        cache = args.cache or workdir / "cache"
        options = {"without_search": args.without_search, "no_gc": args.no_gc}
        results = {}
        if not cache.exists():
            print("cold build", file=sys.stderr, flush=True)
            shutil.rmtree(project / "site", ignore_errors=True)
            results["cold"] = profile_build(project, cache, options=options)
            print(table("cold build (empty cache)", results["cold"]), flush=True)
        edits = dict((kind, apply) for kind, _what, apply in WarmRebuilds(project).edits())
        first = int(time.time())  # each run's edits are new ones, also on a kept project
        for number, kind in enumerate(args.edit):
            edits[kind](first + number)
            last = number == len(args.edit) - 1
            if args.cprofile is not None and last:
                profile_build(project, cache, args.cprofile)
                print(f"cProfile of the '{kind}' rebuild written to {args.cprofile}", flush=True)
                break
            results[kind] = profile_build(project, cache, options=options)
            print(table(f"warm: {kind}", results[kind]), flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"load average: {os.getloadavg()[0]:.2f} (at the end, {time.strftime('%H:%M:%S')})", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
