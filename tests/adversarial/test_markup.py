"""Markup payloads in every text field of every record type, in free pages and in the
configuration: never live in any output file, in the static scan and in Chromium.

One project holds every payload (each in its own field, each running ``alert(N)`` with its
own N), so one build answers for all of them: a body or free page that check refuses is
counted refused and left out; the rest must build, and no output may hold any of them live.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.content.models import RECORD_TYPES
from tests.adversarial.conftest import build, check, has_traceback, record, small_project, write_record
from tests.adversarial.scan import scan_site
from tests.adversarial.strategies import MARKUP_TEMPLATES, anchor_ids, anchor_records, fill, markup_payload
from tests.support.project import REPO, Project
from tests.support.server import serve


@dataclass(frozen=True)
class Case:
    kind: str  # the class of input
    where: str  # the file (relative to the project) that holds it
    field: str
    template: str


@dataclass
class MarkupBuild:
    project: Project
    cases: dict[int, Case]
    refused: set[int]
    check_traceback: bool
    built: bool
    build_traceback: bool
    stderr: str


def _nav_with_titles(nav: list[object], titles: itertools.cycle[str]) -> list[object]:
    """The sample nav with every title replaced by the next payload."""
    renamed: list[object] = []
    for item in nav:
        if isinstance(item, dict):
            ((_title, value),) = item.items()
            renamed.append({next(titles): _nav_with_titles(value, titles) if isinstance(value, list) else value})
        else:
            renamed.append(item)
    return renamed


def _write_corpus(project: Project) -> dict[int, Case]:
    cases: dict[int, Case] = {}
    numbers = itertools.count(1000)  # above the small numbers a layout script might hold

    def case(kind: str, where: str, field: str, template: str) -> str:
        n = next(numbers)
        cases[n] = Case(kind, where, field, template)
        return markup_payload(template, n)

    anchors = anchor_ids()
    for type_name, data in anchor_records().items():
        write_record(project, type_name, anchors[type_name], data)
    for index, template in enumerate(MARKUP_TEMPLATES):
        for type_name, model in RECORD_TYPES.items():
            fields_file = f"content/{type_name}/m{index}-fields.yml"
            data = fill(model, lambda path, f=fields_file, t=template: case("record field", f, path, t), anchors)
            data["body"] = "普通正文。"
            write_record(project, type_name, f"m{index}-fields", data)
            body_file = f"content/{type_name}/m{index}-body.yml"
            data = fill(model, "普通文字", anchors)
            data["body"] = f"第一段。\n\n{case('record body', body_file, 'body', template)}\n\n最后一段。\n"
            write_record(project, type_name, f"m{index}-body", data)
        heading = f"content/pages/h{index}.md"
        project.write(heading, f"# {case('free page heading', heading, 'h1', template)}\n\n"
                               f"{case('free page text', heading, 'text', template)}\n")
        front = f"content/pages/t{index}.md"
        title = json.dumps(case("free page front matter", front, "title", template), ensure_ascii=False)
        project.write(front, f"---\ntitle: {title}\n---\n\n正文。\n")
    config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    templates = itertools.cycle(MARKUP_TEMPLATES)
    config["site_name"] = case("config string", "site_config.yml", "site_name", next(templates))
    config["site_description"] = case("config string", "site_config.yml", "site_description", next(templates))
    config["copyright"] = case("config string", "site_config.yml", "copyright", next(templates))
    config["site_author"] = case("config string", "site_config.yml", "site_author", next(templates))
    titles = (case("config string", "site_config.yml", "nav", next(templates)) for _ in itertools.count())
    config["nav"] = _nav_with_titles(config["nav"], titles)  # type: ignore[arg-type]
    project.config.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cases


@pytest.fixture(scope="module")
def markup_build(module_dir: Path) -> MarkupBuild:
    project = small_project(module_dir / "markup")
    cases = _write_corpus(project)
    checked = check(project, "--format", "json")
    problems = json.loads(checked.stdout) if checked.stdout.strip().startswith("[") else []
    refused_files = {p["path"] for p in problems if p["severity"] == "error"}
    refused = {n for n, c in cases.items() if c.where in refused_files}
    for where in refused_files - {"site_config.yml"}:
        (project.root / where).unlink(missing_ok=True)  # build what check accepts
    if "site_config.yml" in refused_files:
        config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
        project.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    built = build(project)
    return MarkupBuild(project, cases, refused, has_traceback(checked), built.returncode == 0,
                       has_traceback(built), built.stderr)


def test_no_payload_is_live_in_any_output_file(markup_build: MarkupBuild, clean_layout: set[str]) -> None:
    site = markup_build.project.site
    scan = scan_site(site, clean_layout) if markup_build.built else None
    live_cases = {f.case for f in scan.findings if f.case in markup_build.cases} if scan else set()
    live = Counter(markup_build.cases[n].kind for n in live_cases)
    for kind in sorted({c.kind for c in markup_build.cases.values()}):
        tried = [n for n, c in markup_build.cases.items() if c.kind == kind]
        refused = sum(1 for n in tried if n in markup_build.refused)
        record(f"1 markup: {kind}", tried=len(tried), refused=refused,
               escaped=len(tried) - refused - live[kind], live_markup=live[kind])
    record("1 markup: config string", traceback=int(markup_build.check_traceback or markup_build.build_traceback),
           no_site=int(not markup_build.built))
    assert not markup_build.check_traceback and not markup_build.build_traceback
    assert markup_build.built, markup_build.stderr[-2000:]
    assert scan is not None
    assert scan.findings == []
    # Refusing is for markup a sanitiser would drop as dangerous; a field is shown as text.
    assert all(markup_build.cases[n].kind.startswith(("record body", "free page"))
               for n in markup_build.refused)


def test_no_payload_runs_in_chromium(markup_build: MarkupBuild, browser: object) -> None:
    """The pages a payload reaches the head, header and nav of, opened in Chromium."""
    assert markup_build.built, markup_build.stderr[-2000:]
    site = markup_build.project.site
    pages = ["", "notices/", "pages/h0/", "pages/h4/", "pages/h5/", "pages/t4/", "pages/t1/",
             "notices/m1-fields/", "lectures/m4-fields/", "search/?q=alert"]
    dialogs: list[str] = []
    with serve(site) as base:
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
        for path in pages:
            if path.startswith("search") or (site / path / "index.html").is_file():
                page.goto(base + path, wait_until="load")
                page.wait_for_timeout(150)
        context.close()
    live_pages = {d.rsplit(": ", 1)[0] for d in dialogs}
    record("1 markup: in chromium (pages)", tried=len(pages), handled=len(pages) - len(live_pages),
           live_markup=len(live_pages))
    assert dialogs == []
