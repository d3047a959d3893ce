"""Rebuilding only what an edit changed: ``tongxin serve`` between its rebuilds, and
``tongxin build`` from its build cache (``generator.mkdocs_plugin.cache``).

An ``IncrementalSite`` holds what the last good build was made from:

- the validation result of every record file, reused while the file is unchanged (same
  size, modification time and inode, or else the same SHA-256 of its bytes): validation is
  the costliest step per record;
- the pages of the last good build (under the build cache, their digests only: the files
  themselves are in the cache's copy of the site), and for each section page (listings,
  tree, calendar, contacts, home) the shape of what it was rendered from;
- the page templates by digest, and which templates each template includes.

On a rebuild only changed files are validated again; the checks across records and the site
graph are redone (cheap); and only the pages an edit can show up on are rendered again:

- records: the edited record's page, the pages of the records it links to or that link to
  it, before and after the edit, and for an organisation the pages of every organisation
  below it (their breadcrumb names it). A notice or lecture whose state on the build date
  changed (公示中 → 已结束 on a later build date) counts as edited;
- section pages whose context changed shape (an item moved, a count changed) or holds an
  affected record;
- every page whose template, or a template it includes, changed.

Everything else is taken from the last build, and a page is reported changed only when its
HTML differs, so the caller writes only those. Anything else a page depends on (the theme's
other files, the configuration, the code, installed packages) is the ``inputs`` of a
build: when they differ, every page is rendered. Nothing here imports MkDocs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import zlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from ..content.loading import record_paths
from ..content.models import RECORD_TYPES, Organization, Record
from ..content.problems import ProblemLog
from ..content.validation import CheckedRecord, ValidationResult, ValidRecord, check_across_records, validate_files
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


def folder_digest(folder: Path, skip: Path | None = None) -> str:
    """SHA-256 over the relative path and bytes of every file under ``folder`` (but ``skip``):
    changes when any file does, and is the same in another checkout of the same files."""
    digest = hashlib.sha256()
    for path in sorted(_files_under(folder, skip)):
        digest.update(os.path.relpath(path, folder).encode() + b"\0")
        with contextlib.suppress(OSError):  # gone while we looked: the listing still differs
            digest.update(Path(path).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def folder_listing(folder: Path) -> tuple[tuple[str, str], ...]:
    """The relative path of every file under ``folder`` and where it really is (symlinks)."""
    return tuple(sorted((os.path.relpath(path, folder), os.path.realpath(path)) for path in _files_under(folder)))


def _files_under(folder: Path, skip: Path | None = None) -> list[str]:
    found = []
    for parent, dirs, names in os.walk(folder):
        if skip is not None:
            dirs[:] = [name for name in dirs if Path(parent, name) != skip]
        found += [os.path.join(parent, name) for name in names]
    return found


def file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class _CheckedFile:
    stamp: FileStamp | None
    digest: str | None  # of the bytes validated: "" when they could not be read
    record: CheckedRecord
    log: ProblemLog


class ValidationCache:
    """Each record file's own validation (passes 1 and 2), kept while the file is unchanged."""

    def __init__(self) -> None:
        self._files: dict[str, _CheckedFile] = {}  # by path as text: 10,000 Path hashes add up
        self._inputs: Hashable = None
        self.revalidated = 0  # files validated by the last call (for tests and benchmarks)
        # Groups of files (``_group_of``) whose results changed in the last call; None: all.
        self.touched: set[str] | None = None

    def parts(self) -> dict[str, object]:
        """The results in groups of files (the build cache writes again only the groups touched)."""
        parts: dict[str, dict[str, _CheckedFile]] = {}
        for name, checked in self._files.items():
            parts.setdefault(_group_of(name), {})[name] = checked
        return {"inputs": self._inputs, "files": parts}

    @classmethod
    def from_parts(cls, inputs: Hashable, files: dict[str, dict[str, _CheckedFile]]) -> ValidationCache:
        cache = cls()
        cache._inputs = inputs
        for folder in files.values():
            cache._files.update(folder)
        cache.touched = set()
        return cache

    def records(self) -> list[ValidRecord]:
        """The valid records (a cached build's are all valid: only good builds are kept)."""
        return [checked.record for checked in self._files.values() if isinstance(checked.record, ValidRecord)]

    def validate(
        self, source: ContentSource, folder_problems: Callable[[], ProblemLog] | None = None
    ) -> ValidationResult:
        """Like ``ContentSource.validate``, validating again only files that changed
        (``folder_problems``: see ``check_across_records``)."""
        # Attachments decide whether a record's files exist; a change there re-checks every record.
        inputs = (source, folder_listing(source.content_dir / "files"))
        self.touched = set()
        if inputs != self._inputs:
            self._files.clear()
            self._inputs = inputs
            self.touched = None
        items = list(record_paths(source.content_dir, list(RECORD_TYPES)))
        names = [name for _type_name, name in items]
        stamps = {name: FileStamp.of(name) for name in names}
        stale = [(type_name, name) for type_name, name in items if not self._still_valid(name, stamps[name])]
        checked = validate_files(
            [(type_name, Path(name)) for type_name, name in stale], source.content_dir, source.project_root,
            source.max_file_bytes, source.privacy_allow,
        )
        for (_type_name, name), (record, log) in zip(stale, checked, strict=True):
            digest = record.raw.digest if record is not None else ""
            self._files[name] = _CheckedFile(stamps[name], digest, record, log)
            self._touch(name)
        for name in self._files.keys() - stamps.keys():
            del self._files[name]
            self._touch(name)
        self.revalidated = len(stale)
        results = ((self._files[name].record, self._files[name].log) for name in names)
        result = check_across_records(results, source.content_dir, source.project_root, source.privacy_allow,
                                      folder_problems)
        source.check_published_config(result.log)
        return result

    def _still_valid(self, name: str, stamp: FileStamp | None) -> bool:
        """Whether the file's last result holds: same stamp, or (after a checkout or a copy,
        which give new times and inodes) the same bytes."""
        known = self._files.get(name)
        if known is None or stamp is None:
            return False
        if known.stamp == stamp:
            return True
        if not known.digest or file_digest(name) != known.digest:
            return False
        self._files[name] = replace(known, stamp=stamp)
        self._touch(name)
        return True

    def _touch(self, name: str) -> None:
        if self.touched is not None:
            self.touched.add(_group_of(name))


VALIDATION_GROUPS = 16  # each record type's results are kept in this many groups (by file)


def _group_of(name: str) -> str:
    """The group a file's result is kept in: its record type's folder and one of
    ``VALIDATION_GROUPS`` by name (the same in every build), so that an edit changes few."""
    return f"{os.path.basename(os.path.dirname(name))}-{zlib.crc32(name.encode()) % VALIDATION_GROUPS}"


# --- which records an edit reaches -----------------------------------------------------


def changed_records(old: SiteGraph, new: SiteGraph) -> set[RecordKey]:
    """Records added, removed or edited between two builds, and records whose state on the
    build date differs (the builds may be on different dates)."""
    changed: set[RecordKey] = set()
    same_date = old.build_date == new.build_date
    for type_name in RECORD_TYPES:
        before, after = old.records[type_name], new.records[type_name]
        for record_id, record in after.items():
            previous = before.get(record_id)
            # Unchanged files keep their validated objects: identity settles nearly all of them.
            edited = previous is not record and previous != record
            if edited or (not same_date and old.derived_state(previous) != new.derived_state(record)):
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


# --- templates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Templates:
    """The page templates by name: the digest of each, and the templates each one names
    (``extends``, ``include``, ``import``, ``from``); None when a name is computed."""

    digests: dict[str, str]
    references: dict[str, frozenset[str] | None]

    @classmethod
    def of(cls, env: jinja2.Environment, known: Templates | None = None) -> Templates:
        """The templates of ``env``'s loader; references of unchanged templates come from
        ``known`` instead of parsing them again."""
        assert env.loader is not None
        digests: dict[str, str] = {}
        references: dict[str, frozenset[str] | None] = {}
        for name in env.loader.list_templates():
            source = env.loader.get_source(env, name)[0]
            digests[name] = hashlib.sha256(source.encode("utf-8")).hexdigest()
            if known is not None and known.digests.get(name) == digests[name]:
                references[name] = known.references[name]
                continue
            try:
                found = list(jinja2.meta.find_referenced_templates(env.parse(source)))
            except jinja2.TemplateSyntaxError:  # reported, with its line, when a page is rendered
                references[name] = None
                continue
            references[name] = None if None in found else frozenset(str(ref) for ref in found)
        return cls(digests, references)

    def closure(self, root: str) -> frozenset[str]:
        """``root`` and every template it uses, directly or not (all of them when a name
        cannot be told before rendering)."""
        seen, pending = {root}, [root]
        while pending:
            references = self.references.get(pending.pop(), frozenset())
            if references is None:
                return frozenset(self.digests) | {root}
            for name in references - seen:
                seen.add(name)
                pending.append(name)
        return frozenset(seen)

    def changed_roots(self, earlier: Templates, roots: Iterable[str]) -> set[str]:
        """The ``roots`` whose pages may render differently than with ``earlier`` templates."""
        changed = {name for name in self.digests.keys() | earlier.digests.keys()
                   if self.digests.get(name) != earlier.digests.get(name)}
        if not changed:
            return set()
        return {root for root in roots if (self.closure(root) | earlier.closure(root)) & changed}


# --- pages -----------------------------------------------------------------------------


def page_digest(page: RenderedPage) -> str:
    """What tells two renderings of a page apart: its title, HTML and where it goes."""
    digest = hashlib.sha256(page.html.encode("utf-8"))
    digest.update(f"\0{page.title}\0{page.is_record}\0{page.in_nav}".encode())
    return digest.hexdigest()


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
    digests: dict[str, str] = dataclasses.field(default_factory=dict)  # page_digest of every page
    templates: Templates | None = None  # the templates this build rendered with
    roots: dict[str, str] = dataclasses.field(default_factory=dict)  # page -> its template
    # The records an edit reached since the last build (None: no last build to compare with).
    affected: frozenset[RecordKey] | None = None

    def persistent(self) -> PageUpdate:
        """This update as the build cache keeps it: pages outside the nav without their HTML
        (their files are in the cache's copy of the site; a page's digest tells a new
        rendering from it). Pages in the nav keep theirs: MkDocs builds them every time."""
        pages = {src: page if page.in_nav and not page.is_record else replace(page, html="")
                 for src, page in self.pages.items()}
        return replace(self, pages=pages, changed=frozenset(), removed=frozenset(), graph=None)


class IncrementalSite:
    """What is kept between builds: by one ``tongxin serve`` process, or in the build cache."""

    def __init__(self) -> None:
        self.validation = ValidationCache()
        self.outputs = BackgroundOutputs()
        self._last: PageUpdate | None = None
        # The layout record pages were last written into (a ``PageShell``).
        self.shell: object | None = None
        # The section pages' shapes as the build cache had them (see ``snapshot``).
        self._restored_shapes: dict[str, ContextShape] | None = None

    def snapshot(self) -> tuple[dict[str, object], set[str]]:
        """What the build cache keeps of this site, in parts: the validation results in groups
        of files, the last build's pages (``PageUpdate.persistent``, its graph as the order of
        its records) and the shapes of its section pages. Also which parts are the same as
        the ones this site was restored from (they need not be written again)."""
        validation = self.validation.parts()
        parts: dict[str, object] = {"validation": validation["inputs"]}
        for group, files in validation["files"].items():  # type: ignore[attr-defined]
            parts[f"validation-{group}"] = files
        last = self._last
        order = {name: list(records) for name, records in last.graph.records.items()} if last else {}
        parts["pages"] = {"last": replace(last.persistent(), shapes={}) if last else None, "order": order,
                          "build_date": last.graph.build_date if last else None, "shell": self.shell}
        parts["page-shapes"] = last.shapes if last else {}
        touched = self.validation.touched
        unchanged = set() if touched is None else {name for name in parts if name.startswith("validation-")} - {
            f"validation-{group}" for group in touched}
        if self._restored_shapes is not None and parts["page-shapes"] == self._restored_shapes:
            unchanged.add("page-shapes")
        return parts, unchanged

    @classmethod
    def restored(cls, parts: dict[str, Any]) -> IncrementalSite:
        """The site a build cache kept (``snapshot``); its last graph is linked up again from
        the records of the validation results."""
        site = cls()
        files = {name[len("validation-"):]: part for name, part in parts.items() if name.startswith("validation-")}
        site.validation = ValidationCache.from_parts(parts["validation"], files)
        pages = parts["pages"]
        site.shell = pages["shell"]
        last = pages["last"]
        if last is not None:
            by_key = {(record.raw.type_name, record.raw.record_id): record.model
                      for record in site.validation.records()}
            records = {name: {record_id: by_key[(name, record_id)] for record_id in ids}
                       for name, ids in pages["order"].items()}
            site._restored_shapes = parts["page-shapes"]
            site._last = replace(last, graph=SiteGraph.linked_up(records, pages["build_date"]),
                                 shapes=site._restored_shapes)
        return site

    @property
    def last(self) -> PageUpdate | None:
        """The last good build's pages (None before the first, or after a failed one)."""
        return self._last

    def affected(self, graph: SiteGraph) -> frozenset[RecordKey] | None:
        """The records whose pages and outputs may differ from the last build's (None when
        there is no last build)."""
        if self._last is None:
            return None
        return frozenset(affected_records(self._last.graph, graph, changed_records(self._last.graph, graph)))

    def render(
        self, graph: SiteGraph, renderer: PortalRenderer, inputs: Hashable, templates: Templates | None = None,
        affected: frozenset[RecordKey] | None = None,
    ) -> PageUpdate:
        """Every page of ``graph``: rendered again where the edit may show, reused elsewhere.

        ``inputs`` stands for everything besides the records and the page ``templates``
        that pages depend on (other theme files, configuration, code, the build date, which
        every page shows); when it differs from the last build's, all pages are rendered.
        Outputs kept per record are also redone for records whose state on the build date
        changed (``changed_records``, ``SiteGraph.derived_state``).
        """
        sections = renderer.section_plans()
        check_collisions(sections, graph.all_records())
        shaper = _Shaper()
        shapes = {plan.src_uri: shaper.context(plan.context) for plan in sections}
        if affected is None:
            affected = self.affected(graph)
        last = self._last if self._last is not None and self._last.inputs == inputs else None
        if last is None or affected is None or (templates is None) != (last.templates is None):
            plans = sections + [renderer.record_plan(record) for record in graph.all_records()]
            pages = {page.src_uri: page for page in fork_map(renderer.render, plans)}
            return PageUpdate(pages, frozenset(pages), self._removed(pages), True, graph, shapes, inputs,
                              len(plans), {src: page_digest(page) for src, page in pages.items()}, templates,
                              {plan.src_uri: plan.template for plan in plans}, affected)
        records = {renderer.scheme.record_src(record.type_name, record.id): record for record in graph.all_records()}
        roots = {plan.src_uri: plan.template for plan in sections} | {
            src: renderer.record_template(record) for src, record in records.items()}
        redrawn = (templates.changed_roots(last.templates, set(roots.values()))
                   if templates is not None and last.templates is not None else set())
        to_render = [plan for plan in sections
                     if plan.template in redrawn or _needs_render(plan, shapes[plan.src_uri], last, affected)]
        to_render += [renderer.record_plan(record) for src, record in records.items()
                      if roots[src] in redrawn or (record.type_name, record.id) in affected or src not in last.pages]
        fresh = {page.src_uri: page for page in fork_map(renderer.render, to_render)}
        fresh_digests = {src: page_digest(page) for src, page in fresh.items()}
        pages: dict[str, RenderedPage] = {}
        for src in roots:
            pages[src] = fresh.get(src) or last.pages[src]
        digests = {src: fresh_digests.get(src) or last.digests[src] for src in roots}
        changed = frozenset(src for src, digest in fresh_digests.items() if last.digests.get(src) != digest)
        return PageUpdate(pages, changed, self._removed(pages), False, graph, shapes, inputs, len(to_render),
                          digests, templates, roots, affected)

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
