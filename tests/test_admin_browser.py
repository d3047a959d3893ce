"""The browser forms at /admin/, driven in Debian's Chromium as an editor uses them.

One ``tongxin serve`` of a git repository copy of the sample project serves the whole module;
the browser reaches nothing but loopback. Set TONGXIN_DOC_SCREENSHOTS=docs/images to refresh
the screenshots docs/editors.md shows (they are taken by these tests).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from generator.content.loading import parse_record_document
from generator.content.models import RECORD_TYPES
from generator.content.problems import ProblemLog
from tests.support.live_serve import LiveServer, live_serve
from tests.support.project import SAMPLE_DATE, Project, copy_project

AUTHOR = "美丽园党总支 <dangzongzhi@example.org>"
NOTICE_ID = "2026-12-meiliyuan-dangfei-liulan"
ORGANIZATION = "meiliyuan-jumin-qu-dangzongzhi"  # 中共静安寺街道美丽园居民区总支部委员会
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCREENSHOTS = os.environ.get("TONGXIN_DOC_SCREENSHOTS")
WATCHES: dict[int, object] = {}  # what each test's page did on the network
# How long the form may take to show what was typed or chosen (CI runs two browsers on 2 cores).
SETTLE_MS = 30_000


def git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root), *args], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = copy_project(tmp_path_factory.mktemp("admin") / "portal")
    config = project.config.read_text(encoding="utf-8")
    project.config.write_text(config.replace(
        "      content_dir: content\n", f"      content_dir: content\n      admin_author: {AUTHOR}\n"),
        encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "-c", "user.name=样例", "-c", "user.email=sample@example.org", "commit", "-qm", "样例内容")
    return project


@pytest.fixture(scope="module")
def server(portal: Project) -> Iterator[LiveServer]:
    with live_serve(portal.root, SAMPLE_DATE) as running:
        running.wait_for(lambda: running.shows("", "同心"), "the first build", timeout=120)
        yield running


@pytest.fixture
def page(browser, server: LiveServer):  # type: ignore[no-untyped-def]
    from tests.support.browser import PageWatch

    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = context.new_page()
    WATCHES[id(page)] = PageWatch().attach(page)
    yield page
    WATCHES.pop(id(page))
    context.close()


def shot(page, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name))


def title_field(type_name: str) -> str:
    return RECORD_TYPES[type_name].title_field


def served_page(server: LiveServer, path: str) -> str:
    """A served page without the live-reload call MkDocs injects (it names the build's epoch)."""
    status, html = server.fetch(path)
    assert status == 200
    return re.sub(r"livereload\(\d+, \d+\)", "", html)


def open_form(page, server: LiveServer, route: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.base}admin/#/{route}")
    page.get_by_role("button", name="登录").click()
    page.get_by_label("编号（文件名）").wait_for()


def field_control(page, label: str):  # type: ignore[no-untyped-def]
    """One field of the form: its label, its input and (for a select) its own menu."""
    return page.locator("div[aria-label$=' field']").filter(has=page.get_by_text(label, exact=True)).last


def choose(page, label: str, typed: str, option: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """A select or relation field: type part of the Chinese text, step through that field's
    own menu to the option and take it with Enter, as a keyboard user does, then wait until
    the field shows it as chosen. (A mouse click on an option the menu is still re-rendering
    can be lost on a busy machine.)"""
    chosen = option or typed
    control = field_control(page, label)
    box = control.get_by_role("combobox")
    box.click()
    page.keyboard.type(typed)
    options = control.get_by_role("option")
    expect(options.get_by_text(chosen, exact=True)).to_be_visible(timeout=SETTLE_MS)
    for _ in range(options.count()):
        active = box.get_attribute("aria-activedescendant")
        if active and page.locator(f"[id='{active}']").inner_text() == chosen:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(control.locator("[class*='singleValue']")).to_have_text(chosen, timeout=SETTLE_MS)


def fill_in(page, label: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """A text or date field, checked to hold the value before going on."""
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    expect(field).to_have_value(value, timeout=SETTLE_MS)


def fill_notice(page, record_id: str, *, end: str, body: str) -> None:  # type: ignore[no-untyped-def]
    fill_in(page, "编号（文件名）", record_id)
    fill_in(page, "标题", "美丽园居民区党总支2026年11月党费收缴情况公开")
    choose(page, "公开类别", "党费收缴")
    choose(page, "形式 (可选)", "公开")
    choose(page, "发布党组织", "美丽园", "中共静安寺街道美丽园居民区总支部委员会")
    fill_in(page, "发布日期", "2026-12-01")
    fill_in(page, "开始日期", "2026-12-01")
    fill_in(page, "结束日期", end)
    fill_in(page, "受理部门 (可选)", "美丽园居民区党总支")
    body_editor = page.locator('[aria-label="markdown field"]').locator("[contenteditable=true], textarea").first
    body_editor.click()
    page.keyboard.type(body)
    expect(body_editor).to_contain_text(body, timeout=SETTLE_MS)


def publish(page) -> str:  # type: ignore[no-untyped-def]
    """Click 发布 and wait for Tongxin's report of the save; its text. The form's own
    checks (a required field left empty) send nothing: they are the failure's message."""
    page.get_by_role("button", name="发布").first.click()
    page.get_by_text("立即发布").click()
    report = page.locator("#tongxin-save-report")
    try:
        report.wait_for(state="visible", timeout=60_000)
    except PlaywrightTimeout:
        messages = page.locator("[class*='ControlErrorsList'], [class*='Toast']").all_inner_texts()
        refused_here = sorted(set(messages) - {""})
        raise AssertionError(f"no answer to the save; the form says: {refused_here}") from None
    return report.inner_text()


def test_a_new_notice_through_the_form_is_checked_written_committed_and_previewed(
    page, server: LiveServer, portal: Project, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    pdf = tmp_path / "2026-11-dangfei-huizong.pdf"
    pdf.write_bytes(PDF)
    open_form(page, server, "collections/notices/new")
    fill_notice(page, NOTICE_ID, end="2026-12-10", body="11 月应交党费党员 268 名，已全部按时交纳。详见附件。")
    page.get_by_role("button", name="新增附件").click()
    page.get_by_label("标题", exact=True).nth(1).fill("11月党费收缴汇总表（PDF）")
    page.get_by_role("button", name="选择文件").click()
    page.locator("input[type=file]").set_input_files(str(pdf))
    page.get_by_role("button", name="选用已选中项目").click()
    shot(page, "admin-notice-form.png", tmp_path)

    clicked = time.monotonic()
    report = publish(page)
    assert "已保存" in report, report
    preview = f"notices/{NOTICE_ID}/"
    seconds = server.wait_for(lambda: server.shows(preview, "11 月应交党费党员 268 名"), "the preview", timeout=60)
    print(f"\nsave -> preview shows the notice: {time.monotonic() - clicked:.2f} s (after the save: {seconds:.2f} s)")
    shot(page, "admin-saved.png", tmp_path)

    saved = portal.content / "notices" / f"{NOTICE_ID}.yml"
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("title: 美丽园居民区党总支2026年11月党费收缴情况公开\ncategory: 党费收缴\nform: 公开\n")
    assert f"organization: {ORGANIZATION}\npublished: 2026-12-01\n" in text
    assert "window:\n  start: 2026-12-01\n  end: 2026-12-10\n" in text
    assert "attachments:\n  - title: 11月党费收缴汇总表（PDF）\n    file: 2026-11-dangfei-huizong.pdf\n" in text
    assert "body: |\n  11 月应交党费党员 268 名" in text and "id:" not in text
    assert (portal.content / "files" / pdf.name).read_bytes() == PDF
    checked = portal.check()
    assert checked.returncode == 0, checked.stderr
    log = git(portal, "log", "-1", "--format=%an <%ae>%n%s", "--name-only")
    assert log.splitlines()[:2] == [AUTHOR, "新建党务公开：美丽园居民区党总支2026年11月党费收缴情况公开"]
    assert {f"content/notices/{NOTICE_ID}.yml", f"content/files/{pdf.name}"} <= set(log.splitlines())
    assert server.shows(f"files/{pdf.name}", "%PDF")
    watch = WATCHES[id(page)]
    assert not watch.external and not watch.failed, (watch.external, watch.failed)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("end", "body", "message"),
    [
        ("2026-11-20", "本期党费收缴情况如下。", "公示期结束日期 2026-11-20 早于开始日期 2026-12-01"),
        ("2026-12-10", "对交纳记录有疑问请联系 13812345678。", "这里有一个手机号码（138****5678，mobile number）"),
    ],
    ids=["window-ends-before-it-starts", "personal-mobile-in-body"],
)
def test_a_save_check_would_refuse_is_refused_in_the_form_and_writes_nothing(
    page, server: LiveServer, portal: Project, tmp_path: Path, end: str, body: str, message: str  # type: ignore[no-untyped-def]
) -> None:
    before = git(portal, "rev-parse", "HEAD")
    record_id = f"2026-12-refused-{end}"
    open_form(page, server, "collections/notices/new")
    fill_notice(page, record_id, end=end, body=body)
    report = publish(page)
    assert "没有保存" in report and message in report, report
    assert page.get_by_text(message).first.is_visible()
    if "mobile" in message:
        shot(page, "admin-refused.png", tmp_path)
    assert not (portal.content / "notices" / f"{record_id}.yml").exists()
    assert git(portal, "rev-parse", "HEAD") == before
    assert git(portal, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("type_name", "record_id", "title_label"),
    [
        # a speaker, date-times, a place reference, an optional registration part
        ("lectures", "2026-12-01-jingansi-dongfang-dajiangtan", "标题"),
        # opening hours: weekdays chosen from a list, clock times, exceptions with dates and switches
        ("places", "donghuashi-dangyuan-fuwu-zhongxin", "名称"),
    ],
)
def test_a_sample_record_saved_through_the_form_keeps_its_meaning_and_its_page(
    page, server: LiveServer, portal: Project, tmp_path: Path,  # type: ignore[no-untyped-def]
    type_name: str, record_id: str, title_label: str,
) -> None:
    path = portal.content / type_name / f"{record_id}.yml"
    original = parse_record_document(path.read_bytes(), path.name, ProblemLog())
    assert original is not None
    page_before = served_page(server, f"{type_name}/{record_id}/")
    open_form(page, server, f"collections/{type_name}/entries/{record_id}")
    title = page.get_by_label(title_label, exact=True)
    title.wait_for()
    if type_name == "lectures":
        shot(page, "admin-lecture-form.png", tmp_path)
    # Decap saves only a changed entry: a space after the title is a change to Decap and none
    # to the record (the saved text is stripped), so every field goes through the form as is.
    before = git(portal, "rev-parse", "HEAD")
    title.press("End")
    title.type(" ")
    report = publish(page)
    assert "已保存" in report, report
    saved = parse_record_document(path.read_bytes(), path.name, ProblemLog())
    assert saved is not None
    assert saved.data == original.data
    assert portal.check().returncode == 0
    if git(portal, "rev-parse", "HEAD") != before:
        # A hand-written file in another key order is now canonical: committed as an update.
        label = RECORD_TYPES[type_name].type_label
        assert git(portal, "log", "-1", "--format=%s") == f"更新{label}：{original.data[title_field(type_name)]}\n"
    assert served_page(server, f"{type_name}/{record_id}/") == page_before
