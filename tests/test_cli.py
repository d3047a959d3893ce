"""The `tongxin` command line as an editor uses it: check, build and serve."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.content.models import RECORD_TYPES
from tests.support.live_serve import LiveServer, live_serve
from tests.support.project import SAMPLE_DATE, Project

SERVE_TIMEOUT = 40.0  # seconds for the whole serve test; it takes about 5 s on an idle machine
ORGANIZATION = "name: 望京街道党工委\nkind: 党工委\n"


@pytest.fixture
def small_portal(empty_project: Project) -> Project:
    """One record: enough for the commands to have something to build, and quick to build."""
    empty_project.write("content/organizations/wangjing.yml", ORGANIZATION)
    return empty_project


def count_record_files(content: Path) -> int:
    return sum(
        1
        for type_name in RECORD_TYPES
        for path in (content / type_name).glob("*")
        if path.suffix in (".yml", ".yaml")
    )


def test_check_passes_on_the_sample_and_prints_a_summary(project: Project) -> None:
    result = project.check()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    records = count_record_files(project.content)
    assert f"检查了 {records} 条有效记录" in result.stdout
    assert "0 处错误" in result.stdout


def test_check_json_output_locates_each_problem(empty_project: Project) -> None:
    empty_project.write("content/organizations/solo.yml", "name: 党支部\nkind: 党支部\nmembers_count: 很多\n")
    result = empty_project.check("--format", "json")
    assert result.returncode == 1
    (problem,) = json.loads(result.stdout)
    assert (problem["path"], problem["line"], problem["column"]) == ("content/organizations/solo.yml", 3, 1)
    assert problem["field"].startswith("members_count")
    assert problem["severity"] == "error"


def test_build_writes_into_the_chosen_folder_as_of_the_chosen_date(small_portal: Project, tmp_path: Path) -> None:
    # Open from 2 to 8 November: over by today's date (and by SOURCE_DATE_EPOCH), open on the 5th.
    small_portal.write(
        "content/notices/probe.yml",
        "title: 命令行探针公示\ncategory: 党务工作\norganization: wangjing\npublished: 2026-11-01\n"
        "window:\n  start: 2026-11-02\n  end: 2026-11-08\ncontact:\n  phone: 010-64708860\n",
    )
    target = tmp_path / "elsewhere"
    result = small_portal.tongxin("build", "--site-dir", str(target), "--date", "2026-11-05")
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    assert (target / "index.html").is_file()
    assert (target / "organizations" / "wangjing" / "index.html").is_file()
    assert not small_portal.site.exists()
    article = (target / "notices" / "probe" / "index.html").read_text(encoding="utf-8").split("<article", 1)[1]
    assert "公示中" in article and "已结束" not in article


def test_invalid_build_date_is_rejected_with_a_clear_message(small_portal: Project) -> None:
    result = small_portal.tongxin("build", "--date", "2026-13-01")
    assert result.returncode != 0
    assert "2026-13-01" in result.stderr and "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr
    assert not small_portal.site.exists()


# --- serve -----------------------------------------------------------------------------


def wait_for(condition: Callable[[], bool], deadline: float, what: str, server: LiveServer) -> None:
    server.wait_for(condition, what, timeout=max(deadline - time.monotonic(), 0.0), poll=0.2)


def test_serve_survives_an_invalid_edit_and_picks_up_the_fix(small_portal: Project) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT
    probe = "content/organizations/serve-probe.yml"
    with live_serve(small_portal.root, SAMPLE_DATE) as server:
        wait_for(lambda: server.fetch("")[0] == 200, deadline, "the home page", server)
        assert "望京街道党工委" in server.fetch("organizations/wangjing/")[1]

        small_portal.write(probe, "name: 预览探针党支部\nkind: 党小队\nparent: wangjing\n")
        wait_for(lambda: f"{probe}:2:1: kind" in server.text(), deadline, "the error to be printed", server)
        # The last good site is still served, promptly, without the broken record.
        assert server.fetch("organizations/wangjing/")[0] == 200
        assert server.fetch("organizations/serve-probe/")[0] == 404

        small_portal.write(probe, "name: 预览探针党支部\nkind: 党支部\nparent: wangjing\n")
        wait_for(
            lambda: "预览探针党支部" in server.fetch("organizations/serve-probe/")[1],
            deadline, "the fixed record's page", server,
        )
        assert "预览探针党支部" in server.fetch("organizations/wangjing/")[1]  # linked from its parent
        assert server.process.poll() is None
