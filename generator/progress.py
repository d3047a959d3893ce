"""Progress of a long build, shown on a terminal and silent everywhere else.

A build of 10,000 records takes tens of seconds; an editor at a terminal should see that
it is moving. In CI, in logs and when output is piped nothing is shown, so build output
stays byte-for-byte what it was. The build reports stages and steps; how they are shown
(rich's progress bar) stays here.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TextIO, TypeVar

if TYPE_CHECKING:  # rich is imported when a bar is drawn: builds in CI and logs never need it
    from rich.console import Console
    from rich.progress import Progress

T = TypeVar("T")
# Set to any value to switch progress off on a terminal too.
NO_PROGRESS_ENV = "TONGXIN_NO_PROGRESS"
# The bar is redrawn at most this often, by the build itself: rich's own refresh thread
# would make every fork of the build (its worker processes) a fork with a thread running.
REFRESH_SECONDS = 0.1


def wanted(stream: TextIO | None = None) -> bool:
    """Show progress only on an interactive terminal outside CI."""
    stream = stream or sys.stderr
    if os.environ.get("CI") or os.environ.get(NO_PROGRESS_ENV):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class BuildProgress:
    """Stages (loading records, rendering pages, writing pages) with a bar each."""

    def __init__(self, console: Console | None = None, enabled: bool | None = None) -> None:
        self.enabled = wanted() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: int | None = None
        self._console = console
        self._drawn_at = 0.0

    def stage(self, description: str, total: int | None = None) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=self._console or Console(stderr=True), transient=True,
                auto_refresh=False,
            )
            self._progress.start()
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(description, total=total)
        self._redraw(force=True)

    def advance(self, steps: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, steps)
            task = next(task for task in self._progress.tasks if task.id == self._task)
            self._redraw(force=task.finished)

    def _redraw(self, force: bool) -> None:
        assert self._progress is not None
        now = time.monotonic()
        if force or now - self._drawn_at >= REFRESH_SECONDS:
            self._progress.refresh()
            self._drawn_at = now

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        self.stage(description, total)
        for item in items:
            yield item
            self.advance()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress = None
        self._task = None
