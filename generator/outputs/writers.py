"""The writers of the files the portal publishes besides HTML pages: feeds, calendars, open data, search index.

Each output is a writer: a function that takes an ``OutputContext`` and writes its files
under ``context.site_dir``. ``EARLY_WRITERS`` read only the site graph and take long enough
to be worth a process of their own: a build starts them as soon as the graph is built,
while the pages render. ``LATE_WRITERS`` are quick, or need the list of built pages
(``context.pages``), and run once the pages are written. All run before the new site
replaces the old one. An early writer that keeps a state for the next build may also say
how a rebuild updates its files from that state (``EarlyRebuild``): a rebuild then starts
its process before the graph exists.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..parallel import Continued, ForkedCall, fork_call_given
from .calendar import write_calendars
from .context import OutputContext, OutputTarget
from .feeds import write_feeds
from .files import SiteFiles
from .memo import OutputMemo
from .opendata import write_opendata
from .sitemap import write_sitemap

if TYPE_CHECKING:
    from .search import GraphPart

Writer = Callable[[OutputContext], None]


def write_search_index(context: OutputContext) -> None:
    """The search index (``generator.outputs.search``, imported here: it is written by a
    process of its own, and a rebuild whose records did not change never needs it)."""
    from .search import write_search_index as write

    write(context)

# Writers run in this order; add new outputs here. The search index takes about as long as
# rendering every page; the others together take a tenth of that.
EARLY_WRITERS: list[Writer] = [write_search_index]
LATE_WRITERS: list[Writer] = [write_calendars, write_feeds, write_opendata, write_sitemap]


EarlyOutputs = tuple[SiteFiles, OutputMemo]


def write_early_outputs(context: OutputContext) -> EarlyOutputs:
    """The early outputs; what they wrote and computed (for a process of its own to send
    back: the results only, not the graphs and kept results it was given)."""
    for writer in EARLY_WRITERS:
        writer(context)
    return context.files, _computed(context.memo)


def _computed(memo: OutputMemo) -> OutputMemo:
    return OutputMemo(results=memo.results, computed=memo.computed, states=memo.states)


@dataclass(frozen=True)
class EarlyRebuild:
    """How an early writer updates its files in a rebuild from a state the last build kept
    (``OutputMemo.keep_state``), in a process started before the site graph exists: it reads
    the state while the build checks the content (a few seconds at 10,000 records for the
    search index), then is given what it needs of the graph."""

    # The writer's name in the memo (``OutputMemo.remember``): its process is given the
    # last build's results kept under that name.
    writer: str
    # In the build process once the graph exists: publish the last files again if nothing
    # they are made of changed; whether it did (its process is then not given anything).
    republish: Callable[[OutputContext], bool]
    # In the build process: what the writer needs of the graph (sent to its process).
    given: Callable[[OutputContext], Any]
    # In the writer's process, before the graph: read the kept state.
    prepare: Callable[[OutputMemo], Any]
    # In the writer's process: publish from the state and what it was given; False (nothing
    # written) when the state is not usable.
    update: Callable[[OutputTarget, Any, Any], bool]


def _search_rebuild() -> EarlyRebuild:
    from . import search

    def given(context: OutputContext) -> GraphPart:
        last = context.memo.previous_graph
        return search.graph_part(context.graph, context.scheme, context.memo.affected,
                                 lambda key: last is not None and last.get(*key) is not None)

    return EarlyRebuild(search.WRITER, search.republish_search_index, given, search.prepare_search_update,
                        search.update_search_index)


# Early writers that can start before the graph; a rebuild does so when every one can.
EARLY_REBUILDS: dict[Writer, Callable[[], EarlyRebuild]] = {write_search_index: _search_rebuild}


def early_rebuilds() -> list[EarlyRebuild] | None:
    """The early writers' ways of rebuilding before the graph exists; None if one has none."""
    if not all(writer in EARLY_REBUILDS for writer in EARLY_WRITERS):
        return None
    return [EARLY_REBUILDS[writer]() for writer in EARLY_WRITERS]


@dataclass(frozen=True)
class EarlyGiven:
    """What a rebuild's early process is given once the graph exists: each writer's part of
    the graph (None: its last files were published again), and what of the last build only
    the build process had read when it started the process: the digests of the files it
    published, and the writers' kept results."""

    values: list[Any]
    previous: Mapping[str, str]  # ``SiteFiles.previous`` (a SiteFiles is sent without it)
    kept: dict[tuple[str, ...], Any]

    def completed(self, target: OutputTarget) -> OutputTarget:
        files = SiteFiles(self.previous, target.files.precompress)
        return replace(target, files=files, memo=replace(target.memo, kept=self.kept))


def prepare_early_outputs(target: OutputTarget, rebuilds: list[EarlyRebuild]) -> ForkedCall[EarlyOutputs | None]:
    """The early outputs of a rebuild, started now in a process of its own (``target``
    needs only the kept states) and given ``early_outputs_given`` once the graph exists.
    None for a result: a kept state was not usable, and the outputs are to be written with
    ``write_early_outputs``. Their states are stored after the result is sent (``rest``)."""
    return fork_call_given(partial(_prepared_early_outputs, target, rebuilds))


def _prepared_early_outputs(
    target: OutputTarget, rebuilds: list[EarlyRebuild], receive: Callable[[], EarlyGiven]
) -> Continued | None:
    states = [rebuild.prepare(target.memo) for rebuild in rebuilds]
    given = receive()
    target = given.completed(target)
    target.memo.unstored = {}
    for rebuild, state, value in zip(rebuilds, states, given.values, strict=True):
        if value is not None and not rebuild.update(target, state, value):
            return None
    return Continued((target.files, _computed(target.memo)), target.memo.store_states)


def early_outputs_sending_first(context: OutputContext) -> Continued:
    """``write_early_outputs`` in a process of its own: what they wrote and computed is sent
    back first, and their states are stored after (``ForkedCall.rest``: the state files)."""
    context.memo.unstored = {}
    return Continued(write_early_outputs(context), context.memo.store_states)


def early_outputs_given(context: OutputContext, rebuilds: list[EarlyRebuild]) -> EarlyGiven | None:
    """What the early writers' process is given (a writer whose last files were published
    again is given None); None when every writer's were."""
    values = [None if rebuild.republish(context) else rebuild.given(context) for rebuild in rebuilds]
    if all(value is None for value in values):
        return None
    writers = {rebuild.writer for rebuild in rebuilds}
    kept = {slot: result for slot, result in context.memo.kept.items() if slot[0] in writers}
    return EarlyGiven(values, context.files.previous, kept)


def write_late_outputs(context: OutputContext) -> None:
    for writer in LATE_WRITERS:
        writer(context)


def write_outputs(context: OutputContext) -> None:
    write_early_outputs(context)
    write_late_outputs(context)


def move_into(staging: Path, site_dir: Path) -> None:
    """Move every file written under ``staging`` to the same place under ``site_dir``."""
    for folder, _, names in os.walk(staging):
        target = site_dir / Path(folder).relative_to(staging)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(os.path.join(folder, name), target / name)
