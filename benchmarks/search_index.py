"""The search indexer alone: CPU of a cold index and of the index after each kind of edit.

    .venv/bin/python benchmarks/search_index.py --n 2000                  # cold + warm edits
    .venv/bin/python benchmarks/search_index.py --n 10000 --workdir /tmp/si  # keep the project
    .venv/bin/python benchmarks/search_index.py --n 10000 --profile 30   # cProfile, top 30

The project is generated once (benchmarks/make_content.py) and loaded into a site graph the
way ``tongxin build`` loads it; loading is not timed. Then the indexer runs as the build's
search writer runs it: the search documents and the dictionary are made from the graph
(``documents``), then the index files (``index``). CPU is the process's and its forked
workers' (user + system), wall is the elapsed time; ``uptime``'s load is printed beside them
since the machine may be shared.

After the cold index come the edits an editor makes (as in benchmarks/build.py): one
notice's body, the organisation most records refer to renamed, a notice added, that notice
deleted. After each edit the index is made again the way a build with the build cache
makes it (``warm``, from the state the last build kept) and, for comparison, from scratch
(as a build without the cache makes it); the two sets of files must be equal byte for byte, or the script fails.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from edits import middle_notice, most_referenced_organization, renamed, with_body_line  # noqa: E402
from make_content import BUILD_DATE, make_project  # noqa: E402

from generator.outputs.search import document_digests, writer  # noqa: E402
from generator.outputs.search.documents import search_documents, user_dictionary  # noqa: E402
from generator.site.source import ContentSource  # noqa: E402
from generator.site.urls import UrlScheme  # noqa: E402


@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def measured(into: Timing) -> Iterator[None]:
    """Wall and CPU time of the block, forked workers included (they are waited for)."""
    start_wall, start = time.perf_counter(), os.times()
    yield
    end = os.times()
    into.wall = time.perf_counter() - start_wall
    into.cpu = (end.user + end.system + end.children_user + end.children_system
                - start.user - start.system - start.children_user - start.children_system)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.scheme = UrlScheme(True)

    def documents(self) -> tuple[list[Any], set[str], Timing]:
        graph, _ = ContentSource(self.root, self.content).load_graph(BUILD_DATE)
        timing = Timing()
        with measured(timing):
            documents = search_documents(graph, self.scheme, self.content)
            dictionary = user_dictionary(graph)
        return documents, dictionary, timing


def cold_index(documents: list[Any], dictionary: set[str]) -> Any:
    """The index from scratch (a build without the build cache)."""
    return writer.index_files(documents, dictionary)


def kept_index(kept: Any, documents: list[Any], dictionary: set[str]) -> tuple[Any, Any]:
    """The index as a build with the build cache makes it (from scratch when nothing is
    kept), and what it keeps for the next build."""
    return writer.updated_index_files(documents, dictionary, document_digests(documents), kept)


def same_files(first: Any, second: Any) -> bool:
    return first.manifest == second.manifest and first.files == second.files


class Edits:
    """The edits of benchmarks/build.py, applied one after another to the project's files."""

    def __init__(self, content: Path) -> None:
        self.notice = middle_notice(content)
        organization, referrers = most_referenced_organization(content)
        self.organization = content / "organizations" / f"{organization}.yml"
        self.referrers = len(referrers)
        self.added = content / "notices" / f"{self.notice.stem}-bench-added.yml"

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("body edit (one notice)",
             lambda: self._change(self.notice, lambda t: with_body_line(t, "索引基准：改了正文。"))),
            (f"organisation renamed ({self.referrers} referrers)",
             lambda: self._change(self.organization, lambda t: renamed(t, "（更名）"))),
            ("record added (a notice)", lambda: self.added.write_text(
                renamed(self.notice.read_text(encoding="utf-8"), "（新增）"), encoding="utf-8")),
            ("record deleted (that notice)", lambda: self.added.unlink()),
        ]

    @staticmethod
    def _change(path: Path, change: Callable[[str], str]) -> None:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def profile(documents: list[Any], dictionary: set[str], top: int) -> None:
    """cProfile of a cold index in this process (forked workers are not profiled: one runs
    in-process instead, so the figures cover all of the work)."""
    from generator.outputs.search import index

    index.PARALLEL_MIN_DOCUMENTS = 10**9
    profiler = cProfile.Profile(time.process_time)  # CPU: the machine may be shared
    profiler.enable()
    writer.index_files(documents, dictionary)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="records (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="generate the project here and keep it (reused if present)")
    parser.add_argument("--profile", type=int, metavar="TOP", help="profile a cold index, print the TOP functions")
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="the cold index only")
    args = parser.parse_args(argv)

    temporary = None
    if args.workdir is None:
        temporary = Path(tempfile.mkdtemp(prefix="tongxin-search-index-"))
        root = temporary / f"portal-{args.n}"
    else:
        root = args.workdir / f"portal-{args.n}-seed{args.seed}"
    try:
        # Edits change the files: a kept project is generated afresh each run.
        shutil.rmtree(root, ignore_errors=True)
        make_project(args.n, root, args.seed)
        project = Project(root)
        documents, dictionary, made = project.documents()
        print(f"{args.n} records, {len(documents)} search documents; build date {BUILD_DATE}; "
              f"python {sys.version.split()[0]}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
        if args.profile:
            profile(documents, dictionary, args.profile)
            return 0
        cold = Timing()
        with measured(cold):
            files, kept = kept_index(None, documents, dictionary)
        print(f"{'step':42} {'documents':>14} {'index cpu':>10} {'index wall':>10}  load")
        print(f"{'cold index':42} {made.cpu:13.2f}s {cold.cpu:9.2f}s {cold.wall:9.2f}s  {load_average()}")
        if not args.warm:
            return 0
        failed = False
        for name, edit in Edits(project.content).steps():
            edit()
            documents, dictionary, made = project.documents()
            warm, scratch = Timing(), Timing()
            with measured(warm):
                files, kept = kept_index(kept, documents, dictionary)
            with measured(scratch):
                reference = cold_index(documents, dictionary)
            identical = same_files(files, reference)
            failed |= not identical
            print(f"{name:42} {made.cpu:13.2f}s {warm.cpu:9.2f}s {warm.wall:9.2f}s  {load_average()}"
                  f"  (from scratch {scratch.cpu:.2f}s cpu){'' if identical else '  DIFFERS from scratch'}")
        return 1 if failed else 0
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
