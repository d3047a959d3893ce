"""Headless Debian Chromium through Playwright, on a network where only loopback exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Like an intranet: every host but loopback is unreachable.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageWatch:
    """Everything a page did that a resident on an offline intranet would suffer from."""

    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes_received: int = 0

    def attach(self, page: Page) -> PageWatch:
        def on_request(request) -> None:  # type: ignore[no-untyped-def]
            scheme, _host = urlsplit(request.url)[:2]
            if scheme in ("http", "https") and (urlsplit(request.url).hostname or "") not in LOCAL_HOSTS:
                self.external.append(request.url)

        def on_response(response) -> None:  # type: ignore[no-untyped-def]
            if response.status >= 400:
                self.failed.append(f"{response.status} {response.url}")

        def on_failed(request) -> None:  # type: ignore[no-untyped-def]
            self.failed.append(f"{request.failure} {request.url}")

        def on_console(message) -> None:  # type: ignore[no-untyped-def]
            if message.type == "error":
                self.errors.append(message.text)

        page.on("request", on_request)
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return self

    @property
    def clean(self) -> bool:
        return not (self.external or self.failed or self.errors)
