"""A broken template fails the build loudly and precisely: the file, the line, the missing name.

Templates are edited by developers adding a record type or a page feature; the message must
lead them to the line, never to a traceback or an empty location.
"""

from __future__ import annotations

import re

from tests.support.project import Project


def insert_line(project: Project, template: str, line: int, text: str) -> None:
    path = project.root / "theme" / "tongxin" / template
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line - 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def failed_build(project: Project) -> str:
    result = project.build()
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert "构建失败" in result.stderr
    return result.stderr


def test_an_undefined_attribute_names_the_template_line_and_the_attribute(project: Project) -> None:
    insert_line(project, "record/grids.html", 6, "<p>{{ grid.leader_phone }}</p>")
    message = failed_build(project)
    assert "theme/tongxin/record/grids.html:6:" in message
    assert "leader_phone" in message
    assert "grids/" in message  # the page being rendered


def test_an_undefined_name_inside_a_macro_names_the_macro_and_its_caller(project: Project) -> None:
    insert_line(project, "macros.html", 4, "{{ no_such_helper }}")  # inside record_link
    message = failed_build(project)
    assert "theme/tongxin/macros.html:4:" in message
    assert "no_such_helper" in message
    assert re.search(r"由 theme/tongxin/[\w/-]+\.html:\d+ 调用（called from）", message)  # the caller


def test_a_syntax_error_names_the_template_line(project: Project) -> None:
    insert_line(project, "listing/projects.html", 3, "{% if total %}")
    message = failed_build(project)
    assert "theme/tongxin/listing/projects.html:" in message
    assert "endif" in message


def test_a_record_type_without_its_template_says_which_file_to_create(project: Project) -> None:
    (project.root / "theme/tongxin/record/grids.html").unlink()
    message = failed_build(project)
    assert "theme/tongxin/record/grids.html" in message
    assert "网格" in message  # the type, by the label editors know
