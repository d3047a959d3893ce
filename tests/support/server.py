"""A static file server on 127.0.0.1, like the operators' nginx, optionally under a sub-path."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import ClassVar


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".ics": "text/calendar; charset=utf-8",
        ".xml": "application/xml",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser that aborts a connection is not a site error


@contextmanager
def serve(site_dir: Path, mount: str = "/") -> Iterator[str]:
    """Serve ``site_dir`` at http://127.0.0.1:PORT{mount}; yields that base URL."""
    with TemporaryDirectory() as holder:
        root = site_dir
        if mount.strip("/"):
            root = Path(holder)
            target = root / mount.strip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(site_dir.resolve(), target_is_directory=True)
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = _Server(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base = mount if mount.endswith("/") else mount + "/"
            yield f"http://127.0.0.1:{server.server_address[1]}{base}"
        finally:
            server.shutdown()
            server.server_close()
