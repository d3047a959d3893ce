"""The errors of ``tongxin serve`` where editors look: a panel in every page the preview serves.

While the content has errors, the preview keeps serving the last good site (or, when
``serve`` starts on broken content, the records without errors) and every HTML page it
serves carries a panel listing the problems (file:line:column, field, message and fix).
The panel is put into responses as the server sends them, never into files, so no build
ever contains it; it goes away with the next save that leaves no error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..content.problems import ProblemLog

TEMPLATE = "serve/errors.html"
PAGE_TEMPLATE = "serve/errors-page.html"
# More problems than this are summed up: the panel must not bury the page.
SHOWN_PROBLEMS = 30


@dataclass(frozen=True)
class _State:
    problems: tuple[dict[str, str], ...] = ()
    count: int = 0
    first_build: bool = False
    failure: str = ""


class ErrorPanel:
    """What the preview shows about the content's errors; shared with the server's threads."""

    def __init__(self, template_dir: Path, lang: str) -> None:
        self._env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir), autoescape=True)
        self._lang = lang
        self._state = _State()
        self._lock = threading.Lock()

    @property
    def has_content_errors(self) -> bool:
        return self._state.count > 0

    @property
    def showing(self) -> bool:
        state = self._state
        return bool(state.count or state.failure)

    def show(self, log: ProblemLog, first_build: bool) -> None:
        errors = log.errors
        problems = tuple(
            {
                "where": f"{p.path}:{p.position.line}:{p.position.column}",
                "field": p.field,
                "message": p.message.text(self._lang),
            }
            for p in errors[:SHOWN_PROBLEMS]
        )
        with self._lock:
            self._state = _State(problems, len(errors), first_build, self._state.failure)

    def show_failure(self, message: str) -> None:
        """A rebuild that failed for another reason (a template, the configuration)."""
        with self._lock:
            self._state = _State(self._state.problems, self._state.count, self._state.first_build, message)

    def clear_content(self) -> None:
        with self._lock:
            self._state = _State(failure=self._state.failure)

    def clear_failure(self) -> None:
        with self._lock:
            self._state = _State(self._state.problems, self._state.count, self._state.first_build)

    def html(self, template: str = TEMPLATE) -> str:
        state = self._state
        return self._env.get_template(template).render(
            lang=self._lang, problems=state.problems, count=state.count, first_build=state.first_build,
            hidden=max(state.count - len(state.problems), 0), failure=state.failure,
        )

    def inject(self, page: bytes) -> bytes:
        """``page`` with the panel at the top of its body, when there is anything to show."""
        if not self.showing:
            return page
        panel = self.html().encode("utf-8")
        start = page.find(b"<body")
        end = page.find(b">", start) + 1 if start >= 0 else 0
        return page[:end] + panel + page[end:]

    def page(self) -> bytes:
        """A whole page holding only the panel, for an address the preview has no page for."""
        return self.html(PAGE_TEMPLATE).encode("utf-8")


def serve_with_panel(server: object, panel: ErrorPanel) -> None:
    """Make ``server`` (MkDocs' LiveReloadServer) put the panel into every page it serves.

    MkDocs has no hook for served responses; its server passes every HTML page through
    ``_inject_js_into_html`` (to add the live-reload script) and missing pages through
    ``error_handler``, so the panel goes in at the same two places.
    """
    inject_script: Callable[[bytes, int], bytes] = server._inject_js_into_html  # type: ignore[attr-defined]
    error_page: Callable[[int], bytes | None] = server.error_handler  # type: ignore[attr-defined]

    def inject(content: bytes, epoch: int) -> bytes:
        return inject_script(panel.inject(content), epoch)

    def error_handler(code: int) -> bytes | None:
        found = error_page(code)
        if not panel.showing:
            return found
        # Served as is by MkDocs: add the reload script too, so a fix shows without a click.
        epoch = getattr(server, "_visible_epoch", 0)
        return inject(found if found is not None else panel.page(), epoch)

    server._inject_js_into_html = inject  # type: ignore[attr-defined]
    server.error_handler = error_handler  # type: ignore[attr-defined]
