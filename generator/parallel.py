"""Rendering many pages on every core.

Page bodies are independent of each other once the site graph exists, so a large build
renders them in forked worker processes that inherit the graph and the renderer (nothing
is pickled but page numbers going out and finished pages coming back). Small sites render
in-process: starting workers costs more than it saves below a few hundred pages.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator

from .rendering import PagePlan, PortalRenderer, RenderedPage

PARALLEL_THRESHOLD = 400
CHUNK_SIZE = 32

# Set in the parent just before forking; workers read their share from here.
_renderer: PortalRenderer | None = None
_plans: list[PagePlan] = []


def _render_one(index: int) -> RenderedPage:
    assert _renderer is not None
    return _renderer.render(_plans[index])


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_pages(renderer: PortalRenderer, plans: list[PagePlan], workers: int | None = None) -> Iterator[RenderedPage]:
    """Every plan rendered, in plan order."""
    global _renderer, _plans
    workers = worker_count() if workers is None else workers
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(plans) < PARALLEL_THRESHOLD or not forkable:
        for plan in plans:
            yield renderer.render(plan)
        return
    _renderer, _plans = renderer, plans
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_render_one, range(len(plans)), chunksize=CHUNK_SIZE)
    finally:
        _renderer, _plans = None, []
