"""`tongxin serve` running in its own process group, as an editor starts it, for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    process: subprocess.Popen[str]
    base: str
    output: list[str] = field(default_factory=list)

    def fetch(self, path: str, timeout: float = 30) -> tuple[int, str]:
        """Status and text of a served page; status 0 when nothing answered."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, ""

    def shows(self, path: str, text: str) -> bool:
        status, body = self.fetch(path)
        return status == 200 and text in body

    def text(self) -> str:
        return "".join(self.output)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float, poll: float = 0.1) -> float:
        """Seconds until ``condition`` holds; AssertionError if the server exits or time runs out."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.process.poll() is None, f"server exited waiting for {what}:\n{self.text()[-3000:]}"
            if condition():
                return time.monotonic() - started
            time.sleep(poll)
        raise AssertionError(f"timed out waiting for {what}:\n{self.text()[-3000:]}")


@contextmanager
def live_serve(project: Path, date: str, env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """`tongxin serve` of ``project`` on a free port; stopped with its whole process group."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "serve", "--dev-addr", f"127.0.0.1:{port}", "--date", date],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        start_new_session=True,  # its own process group, so its workers stop with it
    )
    server = LiveServer(process, f"http://127.0.0.1:{port}/")
    stream = process.stdout
    assert stream is not None
    threading.Thread(target=lambda: server.output.extend(iter(stream.readline, "")), daemon=True).start()
    try:
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
