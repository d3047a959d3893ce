"""What the build reads and replaces: a wrong content folder, a far smaller site, symlinks
out of the project, files a browser would run on the portal's origin, file references that
climb out of content/files/.

Every case must be refused with a located Chinese error from check and from build, and the
published site must stay as it was; nothing from outside the project reaches any output.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from generator.content.models import RECORD_TYPES
from tests.adversarial.conftest import (
    build,
    check,
    has_traceback,
    published_copy,
    record,
    run_in_process,
    set_config,
    small_project,
    write_record,
)
from tests.adversarial.scan import scan_site
from tests.adversarial.strategies import anchor_ids, anchor_records, fill
from tests.support.project import SAMPLE_DATE, Project
from tests.test_reproducible import tree_digest


def _published(root: Path, extra: int = 0) -> Project:
    project = small_project(root)
    for type_name, data in anchor_records().items():
        write_record(project, type_name, f"anchor-{type_name}", data)
    for index in range(extra):
        data = fill(RECORD_TYPES["organizations"], "普通文字", anchor_ids())
        write_record(project, "organizations", f"extra-{index}", data)
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="module")
def published(module_dir: Path, anchor_portal: Project) -> Project:
    return published_copy(anchor_portal, module_dir / "published")


CONTENT_DIRS = ["no-such-dir", "site_config.yml", "/etc", "..", "empty", "outside", "theme"]


def test_a_wrong_or_outside_content_dir_is_refused_and_the_site_kept(published: Project) -> None:
    (published.root / "empty").mkdir(exist_ok=True)
    outside = published.root.parent / "outside-content"
    shutil.copytree(published.content, outside, dirs_exist_ok=True)
    before = tree_digest(published.site)
    config = published.config.read_text(encoding="utf-8")
    outcomes = []
    try:
        for value in CONTENT_DIRS:
            target = str(outside) if value == "outside" else value
            set_config(published, plugin={"content_dir": target})
            checked = check(published)
            built = run_in_process(published, "build", "--date", SAMPLE_DATE)
            said = "content_dir" in checked.stderr + built.stderr or value == "theme"  # its files are named
            refused = checked.returncode == 1 and built.returncode == 1 and said
            kept = published.site.is_dir() and tree_digest(published.site) == before
            outcomes.append((value, refused, kept, has_traceback(checked) or has_traceback(built)))
    finally:
        published.config.write_text(config, encoding="utf-8")
    record("2 wrong content_dir", tried=len(outcomes), refused=sum(o[1] for o in outcomes),
           traceback=sum(o[3] for o in outcomes), no_site=sum(not o[2] for o in outcomes))
    assert [o for o in outcomes if not (o[1] and o[2] and not o[3])] == []


def test_a_build_far_smaller_than_the_live_site_is_refused_unless_allowed(module_dir: Path) -> None:
    project = _published(module_dir / "shrink", extra=20)
    before = tree_digest(project.site)
    for path in (project.content / "organizations").glob("extra-*.yml"):
        path.unlink()
    refused = build(project)
    kept = tree_digest(project.site) == before
    allowed = build(project, "--allow-shrink")
    record("2 shrinking site", tried=2, refused=int(refused.returncode == 1 and kept),
           handled=int(allowed.returncode == 0), traceback=int(has_traceback(refused) or has_traceback(allowed)))
    assert refused.returncode == 1 and "allow-shrink" in refused.stderr
    assert kept
    assert allowed.returncode == 0, allowed.stderr


def _symlink_cases(project: Project, outside: Path, marker: str) -> dict[str, Path]:
    """Every kind of link out of the project; the path that check must name for each."""
    (outside / "secret.txt").write_text(f"{marker} root:x:0:0", encoding="utf-8")
    notice = fill(RECORD_TYPES["notices"], marker, anchor_ids())
    import yaml

    (outside / "record.yml").write_text(yaml.safe_dump(notice, allow_unicode=True), encoding="utf-8")
    (outside / "page.md").write_text(f"# {marker}\n\n{marker}\n", encoding="utf-8")
    lectures = outside / "lectures"
    lectures.mkdir(exist_ok=True)
    (lectures / "outside-lecture.yml").write_text(
        yaml.safe_dump(fill(RECORD_TYPES["lectures"], marker, anchor_ids()), allow_unicode=True), encoding="utf-8")
    pages = outside / "pages"
    pages.mkdir(exist_ok=True)
    (pages / "outside.md").write_text(f"# {marker}\n", encoding="utf-8")
    links = {
        "content/files/evil.pdf": outside / "secret.txt",
        "content/notices/evil.yml": outside / "record.yml",
        "content/pages/evil.md": outside / "page.md",
        "content/files/folder": outside,
        "content/grids": lectures,  # a type folder
        "content/pages/more": pages,
        "theme/assets/evil.css": outside / "secret.txt",
        "content/files/etc-passwd.pdf": Path("/etc/passwd"),
    }
    for link, target in links.items():
        path = project.root / link
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        path.symlink_to(target)
    return links


def test_symlinks_out_of_the_project_are_refused_and_never_read(module_dir: Path, anchor_portal: Project) -> None:
    project = published_copy(anchor_portal, module_dir / "symlinks")
    before = tree_digest(project.site)
    outside = module_dir / "outside-symlinks"
    outside.mkdir()
    marker = f"TONGXINSECRET{uuid.uuid4().hex}"
    links = _symlink_cases(project, outside, marker)
    (project.content / "files" / "inside.pdf").symlink_to(project.content / "files" / "adversarial.pdf")
    checked, built = check(project), run_in_process(project, "build", "--date", SAMPLE_DATE)
    named = [link for link in links if link.split("/", 1)[1] in checked.stderr or link in checked.stderr]
    leaked = [p for p, texts in scan_site(project.site).texts.items() if any(marker in t for t in texts)] \
        if project.site.is_dir() else []
    leaked += [str(p) for p in project.site.rglob("*") if p.is_file() and b"root:x:0:0" in p.read_bytes()]
    kept = tree_digest(project.site) == before
    record("3 symlink out of the project", tried=len(links), refused=len(named) if built.returncode else 0,
           personal_number=len(leaked), traceback=int(has_traceback(checked) or has_traceback(built)),
           no_site=int(not kept))
    assert not has_traceback(checked) and not has_traceback(built)
    assert sorted(named) == sorted(links)
    assert built.returncode == 1
    assert leaked == []
    assert kept
    for link in links:
        (project.root / link).unlink()
    built = build(project)
    record("3 symlink inside the project", tried=1, handled=int(built.returncode == 0))
    assert built.returncode == 0, built.stderr
    assert (project.site / "files" / "inside.pdf").read_bytes().startswith(b"%PDF")


RUNNABLE = {
    "content/files/page.html": "<script>alert(1)</script>",
    "content/files/x.htm": "<script>alert(1)</script>",
    "content/files/app.js": "alert(1)",
    "content/files/mod.mjs": "alert(1)",
    "content/files/image.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "content/files/doc.xhtml": '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "content/files/feed.xml": '<?xml-stylesheet href="x.xsl"?><x/>',
    "content/page.html": "<script>alert(1)</script>",
    "content/assets/tongxin.js": "alert(1)",
    "content/assets/javascripts/bundle.js": "alert(1)",
    "content/search/index.html": "<script>alert(1)</script>",
    "content/data/index.json": "{}",
    "content/sitemap.xml": "<urlset/>",
    "content/404.html": "<script>alert(1)</script>",
    "content/index.html": "<script>alert(1)</script>",
    "content/notices/extra.md": "# 不在 pages 里的页面",
    "content/index.md": "# 首页被换掉",
}


def test_files_a_browser_would_run_or_that_replace_the_portals_own_are_refused(
    module_dir: Path, anchor_portal: Project
) -> None:
    project = published_copy(anchor_portal, module_dir / "runnable")
    before = tree_digest(project.site)
    for relative, text in RUNNABLE.items():
        project.write(relative, text)
    project.write("content/files/plain.svg", '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>')
    checked, built = check(project), run_in_process(project, "build", "--date", SAMPLE_DATE)
    named = [path for path in RUNNABLE if path in checked.stderr and path in built.stderr]
    kept = tree_digest(project.site) == before
    record("3 runnable or portal-replacing file", tried=len(RUNNABLE), refused=len(named) if built.returncode else 0,
           live_markup=0 if built.returncode else len(RUNNABLE), no_site=int(not kept),
           traceback=int(has_traceback(checked) or has_traceback(built)))
    assert sorted(named) == sorted(RUNNABLE)
    assert built.returncode == 1 and kept


FILE_REFERENCES = ["../../site_config.yml", "/etc/passwd", "..\\..\\site_config.yml", "a\x00b.pdf", "%2e%2e/x.pdf",
                   "files/../../x.pdf", "~/.ssh/id_rsa", "", "C:\\evil.pdf", "x" * 5000 + ".pdf", ".", "..",
                   "adversarial.pdf/", "\u202eadversarial.pdf", "file:///etc/passwd"]


def test_file_references_that_leave_content_files_are_errors(module_dir: Path) -> None:
    project = small_project(module_dir / "references")
    for type_name, data in anchor_records().items():
        write_record(project, type_name, f"anchor-{type_name}", data)
    for index, reference in enumerate(FILE_REFERENCES):
        data = fill(RECORD_TYPES["notices"], "普通文字", anchor_ids())
        data["attachments"] = [{"title": "附件", "file": reference}]
        write_record(project, "notices", f"ref-{index}", data)
    checked = check(project, "--format", "json")
    problems = json.loads(checked.stdout) if checked.stdout.strip().startswith("[") else []
    located = {p["path"] for p in problems if p["severity"] == "error" and p["line"] > 1}
    refused = [i for i in range(len(FILE_REFERENCES)) if f"content/notices/ref-{i}.yml" in located]
    built = build(project)
    record("3 file reference out of content/files", tried=len(FILE_REFERENCES), refused=len(refused),
           traceback=int(has_traceback(checked) or has_traceback(built)))
    assert not has_traceback(checked) and not has_traceback(built)
    assert len(refused) == len(FILE_REFERENCES)
    assert built.returncode == 1
    assert os.path.exists(project.root / "site_config.yml")
