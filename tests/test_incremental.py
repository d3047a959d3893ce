"""`tongxin serve` rebuilds only what an edit reaches, and the result equals a full build."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.graph import SiteGraph
from generator.models import Organization
from generator.settings import read_settings
from tests.support.project import REPO, SAMPLE_DATE, Project

RECORDS = 300  # every type, an organisation tree and references, built in a few seconds
TIMEOUT = 60.0
MARK = "改名校验"


@pytest.fixture
def generated(tmp_path: Path) -> Project:
    out = tmp_path / "portal"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_content.py"), str(RECORDS), "--out", str(out)],
        check=True, capture_output=True,
    )
    return Project(out)


class Serving:
    def __init__(self, process: subprocess.Popen[str], base: str, temp: Path) -> None:
        self.process, self.base, self.temp = process, base, temp
        self.output: list[str] = []

    def fetch(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, ""

    @property
    def site(self) -> Path:
        """MkDocs serves from a temporary folder: the one made under our TMPDIR."""
        (folder,) = [path for path in self.temp.glob("mkdocs_*") if path.is_dir()]
        return folder

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited waiting for {what}:\n{''.join(self.output)}"
            if condition():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{''.join(self.output)}")

    def rebuilds(self) -> int:
        return "".join(self.output).count("Reloading browsers")


@contextmanager
def serving(project: Project, port: int) -> Iterator[Serving]:
    temp = project.root.parent / "serve-tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "serve", "--dev-addr", f"127.0.0.1:{port}", "--date", SAMPLE_DATE],
        cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(REPO)}, start_new_session=True,
    )
    server = Serving(process, f"http://127.0.0.1:{port}/", temp)
    stream = process.stdout
    assert stream is not None
    threading.Thread(target=lambda: server.output.extend(iter(stream.readline, "")), daemon=True).start()
    try:
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def html_pages(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*.html")}


def test_an_edit_rewrites_only_the_pages_it_reaches_and_matches_a_full_build(generated: Project) -> None:
    content = generated.content
    settings = read_settings(generated.config)
    graph = SiteGraph.build(settings.content_source().validate().records, dt.date.fromisoformat(SAMPLE_DATE))
    def children(org: Organization) -> list[Organization]:
        return graph.referrers(org, "organizations", "parent")  # type: ignore[return-value]

    # A community party committee: it has a parent, grandchildren and records naming it.
    organization = next(
        org for org in graph.records["organizations"].values()
        if isinstance(org, Organization) and org.parent and any(children(child) for child in children(org))
        and graph.referrers(org, "places", "organization")
    )
    place = graph.referrers(organization, "places", "organization")[0]
    reached = {(r.type_name, r.id) for r in graph.linked(organization)} | {("organizations", organization.id)}
    untouched = next(
        case for case in graph.records["cases"].values()
        if not {("organizations", o) for o in case.organizations} & reached  # type: ignore[attr-defined]
    )
    removed = next(iter(graph.records["notices"].values()))
    port = free_port()

    with serving(generated, port) as server:
        server.wait_for(lambda: server.fetch("")[0] == 200, "the first build")
        site = server.site
        untouched_page = site / "cases" / untouched.id / "index.html"
        before = untouched_page.stat().st_mtime_ns

        org_file = content / "organizations" / f"{organization.id}.yml"
        org_file.write_text(
            re.sub(r"^((?:short_)?name): (.+)$", rf"\1: \2{MARK}", org_file.read_text(encoding="utf-8"),
                   flags=re.MULTILINE),
            encoding="utf-8",
        )
        server.wait_for(lambda: MARK in server.fetch(f"organizations/{organization.id}/")[1], "the renamed page")
        assert MARK in server.fetch(f"places/{place.id}/")[1]  # a page naming it
        grandchild = next(below for child in children(organization) for below in children(child))
        assert MARK in server.fetch(f"organizations/{grandchild.id}/")[1]  # in the breadcrumb
        assert MARK in server.fetch("organizations/")[1]  # the listing
        assert untouched_page.stat().st_mtime_ns == before, "an unrelated page was rewritten"
        assert "重建了" in "".join(server.output)

        rebuilds = server.rebuilds()
        (content / "notices" / f"{removed.id}.yml").unlink()
        server.wait_for(lambda: server.rebuilds() > rebuilds, "the rebuild after removing a notice")
        assert server.fetch(f"notices/{removed.id}/")[0] == 404
        assert not (site / "notices" / removed.id).exists()
        assert f'href="{removed.id}/"' not in server.fetch("notices/")[1]
        served = html_pages(site)

    # The same content built from scratch, for the same address, gives the same pages.
    config = generated.config.read_text(encoding="utf-8")
    generated.config.write_text(f"site_url: http://127.0.0.1:{port}/\n{config}", encoding="utf-8")
    full = generated.root.parent / "full"
    result = generated.build("--site-dir", str(full))
    assert result.returncode == 0, result.stderr
    built = html_pages(full)
    assert served.keys() - {"404.html"} == built.keys() - {"404.html"}
    different = sorted(name for name in built if name != "404.html" and served[name] != built[name])
    assert not different, f"pages differ from a full build: {different[:10]}"
    shutil.rmtree(full)
