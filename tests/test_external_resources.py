"""Nothing may make the portal load a resource from another host; links to click are fine.

Offline, such a request hangs or fails on every page view. Editors and template authors
learn it from the build, with the file and line to fix, before anything is published.
"""

from __future__ import annotations

from pathlib import Path

from generator.content.offline import find_external_resources
from tests.support.project import Project
from tests.test_reproducible import tree_digest

GRID = "content/grids/chongning-lu-disan-wangge.yml"  # a sample record whose body comes last


def append_lines(path: Path, *lines: str) -> list[int]:
    """Append ``lines`` to a file; their 1-based line numbers."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    first = text.count("\n") + 1
    path.write_text(text + "".join(line + "\n" for line in lines), encoding="utf-8")
    return list(range(first, first + len(lines)))


def test_check_reports_remote_images_and_frames_in_a_body_at_their_line(project: Project) -> None:
    body = project.root / GRID
    assert body.read_text(encoding="utf-8").splitlines()[-1].startswith("  "), "the body must come last"
    image, frame, link = append_lines(
        body,
        "",
        "  ![网格地图](http://map.example/grid3.png)",
        '  <iframe src="//video.example/embed/1"></iframe>',
        "  详见[无锡市人民政府网站](https://www.wuxi.gov.cn/)。",
    )[1:]
    result = project.check()
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(GRID) and "外部网站" in line]
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith(f"{GRID}:{image}:")
    assert "body（正文）" in errors[0] and "http://map.example/grid3.png" in errors[0]
    assert errors[1].startswith(f"{GRID}:{frame}:")
    assert "//video.example/embed/1" in errors[1]
    assert "wuxi.gov.cn" not in result.stderr, f"line {link} is a link for people to click"


def test_build_refuses_templates_pages_and_styles_that_load_from_elsewhere(project: Project) -> None:
    append_lines(project.root / GRID, "", "  详见[无锡市人民政府网站](https://www.wuxi.gov.cn/)。")
    assert project.build().returncode == 0
    record_page = project.site / "grids" / "chongning-lu-disan-wangge" / "index.html"
    assert 'href="https://www.wuxi.gov.cn/"' in record_page.read_text(encoding="utf-8")
    published = tree_digest(project.site)

    script = append_lines(
        project.root / "theme/partials/tx-scripts.html", '<script src="https://cdn.example.com/stats.js"></script>'
    )[0]
    banner = append_lines(
        project.root / "theme/tongxin/home.html", '<div style="background: url(//cdn.example.com/banner.png)"></div>'
    )[0]
    photo = append_lines(project.content / "pages/about.md", "", '<img src="http://photos.example/a.jpg">')[1]
    # A record page's template: its pages are written straight into the layout, not by MkDocs.
    seal = append_lines(project.root / "theme/tongxin/record/grids.html", '<img src="https://cdn.example.com/seal.png">')[0]
    font = append_lines(
        project.root / "theme/assets/tongxin.css", '@import url("https://fonts.googleapis.com/css2?family=Noto");'
    )[0]

    result = project.build()
    assert result.returncode == 1
    report = result.stderr
    assert "外部网站" in report and "site/ 保持不变" in report
    expected = [
        ("https://cdn.example.com/stats.js", "个文件", f"theme/partials/tx-scripts.html:{script}"),
        ("//cdn.example.com/banner.png", "index.html:", f"theme/tongxin/home.html:{banner}"),
        ("http://photos.example/a.jpg", "pages/about/index.html:", f"content/pages/about.md:{photo}"),
        ("https://cdn.example.com/seal.png", "grids/", f"theme/tongxin/record/grids.html:{seal}"),
        ("https://fonts.googleapis.com/css2?family=Noto", "assets/tongxin.css:", f"theme/assets/tongxin.css:{font}"),
    ]
    for url, built, source in expected:
        line = next((line for line in report.splitlines() if url in line), "")
        assert built in line and source in line, f"{url} should name {built} and {source}:\n{report}"
    assert "wuxi.gov.cn" not in report
    assert tree_digest(project.site) == published
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".site")) == []


def test_the_site_scan_reads_every_html_and_css_file_once_in_path_order(tmp_path: Path) -> None:
    """Files at any depth, upper-case suffixes, a folder named like a page, a link to a file;
    not the files the caller scans from memory, other types, or what a linked folder holds."""
    site, outside = tmp_path / "site", tmp_path / "outside"
    loads = '<script src="https://cdn.example.com/{}.js"></script>\n'
    pages = {"index.html": "index", "a/z.html": "az", "a-b/c.HTML": "abc", "x.html/inner.htm": "inner",
             "skipped.html": "skipped", "notes.txt": "notes"}
    for relative, name in pages.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(loads.format(name), encoding="utf-8")
    (outside / "folder").mkdir(parents=True)
    (outside / "style.css").write_text('@import url("https://cdn.example.com/linked.css");\n', encoding="utf-8")
    (outside / "folder" / "page.html").write_text(loads.format("folder"), encoding="utf-8")
    (site / "linked.css").symlink_to(outside / "style.css")
    (site / "linked-folder").symlink_to(outside / "folder")
    found = find_external_resources(site, skip=frozenset({"skipped.html"}))
    assert [(item.file, item.url) for item in found] == [
        ("a/z.html", "https://cdn.example.com/az.js"),
        ("a-b/c.HTML", "https://cdn.example.com/abc.js"),
        ("index.html", "https://cdn.example.com/index.js"),
        ("linked.css", "https://cdn.example.com/linked.css"),
        ("x.html/inner.htm", "https://cdn.example.com/inner.js"),
    ]
