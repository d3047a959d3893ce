"""`tongxin serve` rebuilds only what an edit reaches, and the result equals a full build."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.content.models import Organization
from generator.site.graph import SiteGraph
from generator.site.settings import read_settings
from tests.support.live_serve import LiveServer, live_serve
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


@contextmanager
def serving(project: Project) -> Iterator[tuple[LiveServer, Callable[[], Path]]]:
    """The server and a way to find the folder it serves (MkDocs makes it under our TMPDIR)."""
    temp = project.root.parent / "serve-tmp"
    temp.mkdir()

    def site() -> Path:
        (folder,) = [path for path in temp.glob("mkdocs_*") if path.is_dir()]
        return folder

    with live_serve(project.root, SAMPLE_DATE, env={"TMPDIR": str(temp)}) as server:
        yield server, site


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

    with serving(generated) as (server, served_folder):
        server.wait_for(lambda: server.fetch("")[0] == 200, "the first build", TIMEOUT)
        site = served_folder()
        base = server.base
        untouched_page = site / "cases" / untouched.id / "index.html"
        before = untouched_page.stat().st_mtime_ns

        org_file = content / "organizations" / f"{organization.id}.yml"
        org_file.write_text(
            re.sub(r"^((?:short_)?name): (.+)$", rf"\1: \2{MARK}", org_file.read_text(encoding="utf-8"),
                   flags=re.MULTILINE),
            encoding="utf-8",
        )
        server.wait_for(
            lambda: MARK in server.fetch(f"organizations/{organization.id}/")[1], "the renamed page", TIMEOUT
        )
        assert MARK in server.fetch(f"places/{place.id}/")[1]  # a page naming it
        grandchild = next(below for child in children(organization) for below in children(child))
        assert MARK in server.fetch(f"organizations/{grandchild.id}/")[1]  # in the breadcrumb
        assert MARK in server.fetch("organizations/")[1]  # the listing
        assert untouched_page.stat().st_mtime_ns == before, "an unrelated page was rewritten"
        assert "重建了" in server.text()

        # MkDocs says "Reloading browsers" a moment after the rename's pages are written, and may
        # say it for a second rebuild: wait for what a resident would see, not for the count.
        (content / "notices" / f"{removed.id}.yml").unlink()
        server.wait_for(
            lambda: server.fetch(f"notices/{removed.id}/")[0] == 404
            and f'href="{removed.id}/"' not in server.fetch("notices/")[1],
            "the removed notice's page gone and the listing without it", TIMEOUT,
        )
        assert not (site / "notices" / removed.id).exists()
        served = html_pages(site)

    # The same content built from scratch, for the same address, gives the same pages.
    config = generated.config.read_text(encoding="utf-8")
    generated.config.write_text(f"site_url: {base}\n{config}", encoding="utf-8")
    full = generated.root.parent / "full"
    result = generated.build("--site-dir", str(full))
    assert result.returncode == 0, result.stderr
    built = html_pages(full)
    assert served.keys() - {"404.html"} == built.keys() - {"404.html"}
    different = sorted(name for name in built if name != "404.html" and served[name] != built[name])
    assert not different, f"pages differ from a full build: {different[:10]}"
    shutil.rmtree(full)
