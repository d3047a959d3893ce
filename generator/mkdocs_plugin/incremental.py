"""Rebuilding only what an edit changed, for ``tongxin serve``.

One ``serve`` process keeps an ``IncrementalSite`` across its rebuilds:

- the validation result of every record file, reused while the file's size and
  modification time stay the same (validation is the costliest step per record);
- the pages of the last good build, and for each section page (listings, tree, calendar,
  contacts, home) the shape of what it was rendered from.

On a rebuild only changed files are validated again; the checks across records and the site
graph are redone (cheap); and only the pages an edit can show up on are rendered again:

- records: the edited record's page, the pages of the records it links to or that link to
  it, before and after the edit, and for an organisation the pages of every organisation
  below it (their breadcrumb names it);
- section pages whose context changed shape (an item moved, a count changed) or holds an
  affected record.

Everything else is taken from the last build, and a page is reported changed only when its
HTML differs, so the caller writes only those. Nothing here imports MkDocs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import json
import multiprocessing
import os
import shutil
import signal
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..content.loading import record_paths
from ..content.models import RECORD_TYPES, Organization, Record
from ..content.problems import ProblemLog
from ..content.validation import CheckedRecord, ValidationResult, check_across_records, validate_files
from ..outputs.context import OutputContext
from ..parallel import die_with_parent, fork_map
from ..render.rendering import PagePlan, PortalRenderer, RenderedPage, check_collisions
from ..site.graph import SiteGraph
from ..site.source import ContentSource

RecordKey = tuple[str, str]


# --- validation ------------------------------------------------------------------------


@dataclass(frozen=True)
class FileStamp:
    """What tells an edited file from an untouched one without reading it."""

    mtime_ns: int
    size: int
    inode: int

    @classmethod
    def of(cls, path: str | Path) -> FileStamp | None:
        try:
            status = os.stat(path)
        except OSError:
            return None  # removed while we looked; validation reports it like any unreadable file
        return cls(status.st_mtime_ns, status.st_size, status.st_ino)


def folder_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """(relative path, mtime, size) of every file under ``folder``: changes when any file does."""
    found: list[tuple[str, int, int]] = []
    for parent, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            try:
                status = os.stat(path)
            except OSError:
                continue
            found.append((os.path.relpath(path, folder), status.st_mtime_ns, status.st_size))
    return tuple(sorted(found))


@dataclass(frozen=True)
class _CheckedFile:
    stamp: FileStamp | None
    record: CheckedRecord
    log: ProblemLog


class ValidationCache:
    """Each record file's own validation (passes 1 and 2), kept while the file is unchanged."""

    def __init__(self) -> None:
        self._files: dict[str, _CheckedFile] = {}  # by path as text: 10,000 Path hashes add up
        self._inputs: Hashable = None
        self.revalidated = 0  # files validated by the last call (for tests and benchmarks)

    def validate(self, source: ContentSource) -> ValidationResult:
        """Like ``ContentSource.validate``, validating again only files that changed."""
        # Attachments decide whether a record's files exist; a change there re-checks every record.
        inputs = (source, folder_stamp(source.content_dir / "files"))
        if inputs != self._inputs:
            self._files.clear()
            self._inputs = inputs
        items = list(record_paths(source.content_dir, list(RECORD_TYPES)))
        names = [name for _type_name, name in items]
        stamps = {name: FileStamp.of(name) for name in names}
        stale = [
            (type_name, name) for type_name, name in items
            if (known := self._files.get(name)) is None or known.stamp != stamps[name] or stamps[name] is None
        ]
        checked = validate_files(
            [(type_name, Path(name)) for type_name, name in stale], source.content_dir, source.project_root,
            source.max_file_bytes, source.privacy_allow,
        )
        for (_type_name, name), (record, log) in zip(stale, checked, strict=True):
            self._files[name] = _CheckedFile(stamps[name], record, log)
        for name in self._files.keys() - stamps.keys():
            del self._files[name]
        self.revalidated = len(stale)
        results = ((self._files[name].record, self._files[name].log) for name in names)
        result = check_across_records(results, source.content_dir, source.project_root, source.privacy_allow)
        source.check_published_config(result.log)
        return result


# --- which records an edit reaches -----------------------------------------------------


def changed_records(old: SiteGraph, new: SiteGraph) -> set[RecordKey]:
    """Records added, removed or edited between two builds."""
    changed: set[RecordKey] = set()
    for type_name in RECORD_TYPES:
        before, after = old.records[type_name], new.records[type_name]
        for record_id, record in after.items():
            previous = before.get(record_id)
            # Unchanged files keep their validated objects: identity settles nearly all of them.
            if previous is not record and previous != record:
                changed.add((type_name, record_id))
        changed.update((type_name, record_id) for record_id in before.keys() - after.keys())
    return changed


def _descendants(graph: SiteGraph, organization: Organization) -> Iterable[Record]:
    """Organisations below ``organization``: their breadcrumb (and tree branch) names it."""
    pending, seen = [organization], {organization.id}
    while pending:
        current = pending.pop()
        for child in graph.referrers(current, "organizations", "parent"):
            if child.id not in seen and isinstance(child, Organization):
                seen.add(child.id)
                pending.append(child)
                yield child


def affected_records(old: SiteGraph, new: SiteGraph, changed: set[RecordKey]) -> set[RecordKey]:
    """The records whose pages may show something of a changed record, in either build."""
    affected = set(changed)
    for graph in (old, new):
        for type_name, record_id in changed:
            record = graph.get(type_name, record_id)
            if record is None:
                continue
            affected.update((linked.type_name, linked.id) for linked in graph.linked(record))
            if isinstance(record, Organization):
                affected.update((below.type_name, below.id) for below in _descendants(graph, record))
    return affected


# --- what a section page is made of ----------------------------------------------------


@dataclass(frozen=True)
class ContextShape:
    """A page context with every record replaced by its key, and the keys it holds."""

    shape: Hashable
    records: frozenset[RecordKey]


class _Shaper:
    """Turns template contexts into comparable shapes.

    A shape is JSON text (the C encoder does the walking; records, dates and dataclasses are
    substituted by a hook). Context values shared by many pages of one build (the months of
    the calendar, the organisation sizes, the opening hours of every place) are encoded once.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Hashable, frozenset[RecordKey]]] = {}
        self._alive: list[object] = []  # keeps memoised values alive, so their ids stay theirs

    def context(self, context: Mapping[str, Any]) -> ContextShape:
        parts: list[tuple[str, Hashable]] = []
        keys: set[RecordKey] = set()
        for name, value in context.items():
            memo = self._memo.get(id(value))
            if memo is None:
                found: set[RecordKey] = set()
                memo = (_encode(value, found), frozenset(found))
                self._memo[id(value)] = memo
                self._alive.append(value)
            parts.append((name, memo[0]))
            keys.update(memo[1])
        return ContextShape(tuple(parts), frozenset(keys))


class _Unshaped:
    """The shape of a value JSON cannot express: equal to nothing, so the page is rendered."""

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return id(self)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def _encode(value: Any, keys: set[RecordKey]) -> Hashable:
    def substitute(item: Any) -> Any:
        if isinstance(item, Record):
            key = (item.type_name, item.id)
            keys.add(key)
            return ["record", *key]
        if isinstance(item, dt.date | dt.time):
            return item.isoformat()
        if isinstance(item, enum.Enum):
            return item.value
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            return [type(item).__qualname__, *map(item.__getattribute__, _field_names(type(item)))]
        if isinstance(item, set | frozenset):
            return sorted(json.dumps(member, default=substitute, ensure_ascii=False) for member in item)
        if callable(item) and hasattr(item, "__qualname__"):
            return ["function", getattr(item, "__module__", ""), item.__qualname__]
        return ["repr", type(item).__qualname__, repr(item)]

    try:
        return json.dumps(value, default=substitute, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):  # e.g. a mapping keyed by something other than text
        return _Unshaped()


# --- pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageUpdate:
    """The pages of a build and how they differ from the last good build."""

    pages: dict[str, RenderedPage]
    # Pages whose HTML or title differ from the last build's, or that are new (all on a full build).
    changed: frozenset[str]
    # Pages of the last build that this build no longer has.
    removed: frozenset[str]
    full: bool
    graph: SiteGraph
    shapes: dict[str, ContextShape]
    inputs: Hashable
    # Pages rendered by this build (the rest were taken from the last one), for reporting.
    rendered: int = 0


class IncrementalSite:
    """What one ``tongxin serve`` process remembers between rebuilds."""

    def __init__(self) -> None:
        self.validation = ValidationCache()
        self.outputs = BackgroundOutputs()
        self._last: PageUpdate | None = None

    def render(self, graph: SiteGraph, renderer: PortalRenderer, inputs: Hashable) -> PageUpdate:
        """Every page of ``graph``: rendered again where the edit may show, reused elsewhere.

        ``inputs`` stands for everything besides the records that pages depend on (templates,
        configuration, build date); when it differs from the last build's, all pages are rendered.
        """
        sections = renderer.section_plans()
        check_collisions(sections, graph.all_records())
        shaper = _Shaper()
        shapes = {plan.src_uri: shaper.context(plan.context) for plan in sections}
        last = self._last if self._last is not None and self._last.inputs == inputs else None
        if last is None:
            plans = sections + [renderer.record_plan(record) for record in graph.all_records()]
            pages = {page.src_uri: page for page in fork_map(renderer.render, plans)}
            return PageUpdate(pages, frozenset(pages), self._removed(pages), True, graph, shapes, inputs,
                              len(plans))
        affected = affected_records(last.graph, graph, changed_records(last.graph, graph))
        to_render = [plan for plan in sections if _needs_render(plan, shapes[plan.src_uri], last, affected)]
        to_render += [
            renderer.record_plan(record)
            for type_name, record_id in sorted(affected)
            if (record := graph.get(type_name, record_id)) is not None
        ]
        fresh = {page.src_uri: page for page in fork_map(renderer.render, to_render)}
        pages: dict[str, RenderedPage] = {}
        for plan in sections:
            pages[plan.src_uri] = fresh.get(plan.src_uri) or last.pages[plan.src_uri]
        for record in graph.all_records():
            src = renderer.scheme.record_src(record.type_name, record.id)
            pages[src] = fresh.get(src) or last.pages[src]
        changed = frozenset(src for src, page in fresh.items() if last.pages.get(src) != page)
        return PageUpdate(pages, changed, self._removed(pages), False, graph, shapes, inputs, len(to_render))

    def commit(self, update: PageUpdate) -> None:
        """``update`` is now on disk: the next build starts from it."""
        self._last = update

    def forget(self) -> None:
        """A build failed part-way: what is on disk is unknown, so the next build renders everything."""
        self._last = None

    def _removed(self, pages: dict[str, RenderedPage]) -> frozenset[str]:
        return frozenset(self._last.pages.keys() - pages.keys()) if self._last is not None else frozenset()


def _needs_render(plan: PagePlan, shape: ContextShape, last: PageUpdate, affected: set[RecordKey]) -> bool:
    before = last.shapes.get(plan.src_uri)
    if before is None or plan.src_uri not in last.pages or before.shape != shape.shape:
        return True
    # A page listing no records (search, open data, an empty listing) is cheap, and may read
    # graph-wide facts (counts) that its context does not hold: always render it.
    return not shape.records or not shape.records.isdisjoint(affected)


# --- outputs in the background ---------------------------------------------------------


class BackgroundOutputs:
    """Writes the outputs (search index, calendars, feeds, open data) in a forked process.

    The browser shows an edited page as soon as the pages are written; the outputs, which are
    built from the whole graph, follow a few seconds later. A run writes into a staging folder
    and copies into the site only files whose bytes changed, and removes files the last run
    wrote that this one did not. A new run stops the one still going.
    """

    def __init__(self) -> None:
        self._process: multiprocessing.process.BaseProcess | None = None

    def start(self, context: OutputContext, write: Callable[[OutputContext], None], staging: Path) -> None:
        self.stop()
        process = multiprocessing.get_context("fork").Process(
            target=_write_outputs_and_sync, args=(context, write, staging), name="tongxin-outputs"
        )
        process.start()
        self._process = process

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.is_alive():
            process.terminate()  # held off while it copies into the site, so no run is half copied
        if process is not None:
            process.join()

    def wait(self) -> int | None:
        """Wait for the run going on, if any; its exit code."""
        if self._process is None:
            return None
        self._process.join()
        return self._process.exitcode


WRITTEN_LIST = "written.txt"


def _write_outputs_and_sync(context: OutputContext, write: Callable[[OutputContext], None], staging: Path) -> None:
    die_with_parent()
    fresh = staging / "new"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    write(replace(context, site_dir=fresh))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    sync_into(fresh, context.site_dir, staging / WRITTEN_LIST)
    shutil.rmtree(fresh, ignore_errors=True)


def sync_into(fresh: Path, site_dir: Path, written_list: Path) -> list[str]:
    """Move the files under ``fresh`` whose bytes differ into ``site_dir``; remove the files the
    last sync listed in ``written_list`` that ``fresh`` no longer has. The files moved."""
    written = sorted(path.relative_to(fresh).as_posix() for path in fresh.rglob("*") if path.is_file())
    previous = set(written_list.read_text(encoding="utf-8").splitlines()) if written_list.is_file() else set()
    moved = []
    for relative in written:
        source, target = fresh / relative, site_dir / relative
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        moved.append(relative)
    for relative in previous - set(written):
        remove_file(site_dir, relative)
    written_list.write_text("\n".join(written), encoding="utf-8")
    return moved


def remove_file(root: Path, relative: str) -> None:
    """Delete a file under ``root`` and the folders it leaves empty (a directory URL's folder)."""
    target = root / relative
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
