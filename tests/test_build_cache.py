"""The build cache: a rebuild after any edit publishes the very bytes of a build from scratch,
writes only what the edit reaches, and a cache that is damaged, foreign or out of date is
ignored with a message, never trusted."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.project import SAMPLE_DATE, Project
from tests.test_reproducible import tree_digest

LAST_DAY = "2026-11-25"  # the last day of the edited notice's 公示期
LATER_DATE = "2027-01-15"  # every notice of the sample content has ended by then


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


def _build(project: Project, *args: str, date: str = SAMPLE_DATE, **env: str) -> subprocess.CompletedProcess[str]:
    result = project.tongxin("build", "--date", date, *args, env=_env(**env))
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _written(result: subprocess.CompletedProcess[str]) -> int:
    """How many files the build wrote, from its summary line."""
    found = re.search(r"写出 ([\d,]+) 个文件", result.stdout)
    assert found, result.stdout + result.stderr
    return int(found.group(1).replace(",", ""))


def _cold_build(project: Project, date: str, tmp: Path) -> dict[str, str]:
    """The same content built from scratch (no cache) into another folder: its files' digests."""
    reference = project.root / "site-reference"
    shutil.rmtree(reference, ignore_errors=True)
    _build(project, "--site-dir", str(reference), "--no-cache", date=date)
    digests = tree_digest(reference)
    shutil.rmtree(reference)
    return digests


def _differences(first: dict[str, str], second: dict[str, str]) -> list[str]:
    return sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))


def _inode(project: Project, relative: str) -> int:
    return (project.site / relative).stat().st_ino


def _edit(project: Project, relative: str, change: Callable[[str], str]) -> None:
    path = project.root / relative
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


NOTICE = "content/notices/2026-11-donghuashi-nanli-fazhan-duixiang-gongshi.yml"
NOTICE_PAGE = "notices/2026-11-donghuashi-nanli-fazhan-duixiang-gongshi/index.html"
UNRELATED = "cases/fenghua-libangcun-quyuxing-dangjian/index.html"
PROJECT = "content/projects/qianmen-aixin-chuxu-yinhang.yml"
SEARCH_DATA = "search/data"


def _search_manifest(project: Project) -> str:
    return (project.site / SEARCH_DATA / "manifest.js").read_text(encoding="utf-8")


def _search_texts(project: Project) -> str:
    """Every file of the published search index, as one text (terms, titles, excerpts)."""
    version = re.search(r'"data":"(\w+)"', _search_manifest(project))
    assert version, _search_manifest(project)
    folder = project.site / SEARCH_DATA / version.group(1)
    return "".join(path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()) if path.suffix == ".js")


def test_every_kind_of_edit_rebuilds_to_the_bytes_of_a_build_from_scratch(project: Project, tmp_path: Path) -> None:
    assert (project.root / NOTICE).is_file(), "the sample notice this test edits"
    _build(project)
    assert (project.root / ".tongxin-cache" / "site" / "site" / "index.html").is_file()

    def step(name: str, edit: Callable[[], None], date: str = SAMPLE_DATE) -> subprocess.CompletedProcess[str]:
        edit()
        result = _build(project, date=date)
        assert "构建缓存" not in result.stderr, f"after {name}, the cache was not used: {result.stderr}"
        differing = _differences(tree_digest(project.site), _cold_build(project, date, tmp_path))
        assert differing == [], f"after {name}, the warm build differs from a cold one: {differing[:10]}"
        return result

    nothing = step("no change", lambda: None)
    assert _written(nothing) == 0, nothing.stdout

    unrelated = _inode(project, UNRELATED)
    index = _search_manifest(project)
    body = step("a body edit", lambda: _edit(project, NOTICE, lambda text: text.replace(
        "body: |\n", "body: |\n  缓存测试：改了正文的第一句。\n\n", 1)))
    assert "缓存测试" in (project.site / NOTICE_PAGE).read_text(encoding="utf-8")
    assert _inode(project, UNRELATED) == unrelated, f"a page the edit does not reach was written again: {body.stdout}"
    assert _written(body) <= 20, body.stdout
    assert _search_manifest(project) != index and "缓存测试" in _search_texts(project), "the index has the new body"

    # Edits the search index must follow: each one changes what a search finds.
    search_edits: list[tuple[str, Callable[[], None], str]] = [
        ("an organisation renamed", lambda: _edit(
            project, "content/organizations/qianmen-jiedao-dangongwei.yml",
            lambda text: re.sub(r"^name: (.+)$", r"name: \1（更名）", text, count=1, flags=re.MULTILINE)), "更名"),
        ("a partner added (a new dictionary word)", lambda: _edit(
            project, PROJECT, lambda text: text.replace("partners:\n", "partners:\n  - 缓存测试协作单位\n", 1)),
            "缓存测试协作单位"),
        ("a record added", lambda: project.write(
            "content/notices/2026-12-huancun-ceshi.yml",
            (project.root / NOTICE).read_text(encoding="utf-8").replace("title: ", "title: 新增：", 1)), "新增："),
        ("a record removed", lambda: (project.root / "content/notices/2026-12-huancun-ceshi.yml").unlink(), ""),
    ]
    for name, edit, found in search_edits:
        before = _search_manifest(project)
        step(name, edit)
        assert _search_manifest(project) != before, f"after {name}, the search index is the same"
        if found:
            assert found in _search_texts(project), f"after {name}, the search index lacks {found}"
    assert not (project.site / "notices/2026-12-huancun-ceshi").exists()

    place_page = next(p for p in tree_digest(project.site) if p.startswith("places/") and p.count("/") == 2)
    place = _inode(project, place_page)
    step("a record template changed", lambda: _edit(
        project, "theme/tongxin/record/notices.html", lambda text: text + "\n<!-- 模板改动 -->\n"))
    assert "模板改动" in (project.site / NOTICE_PAGE).read_text(encoding="utf-8")
    assert _inode(project, place_page) == place, "pages of another template were written again"

    step("the layout changed", lambda: _edit(
        project, "theme/main.html", lambda text: text + "\n{#- 布局改动 -#}\n<!-- 布局 -->\n"))
    step("the configuration changed", lambda: _edit(
        project, "site_config.yml", lambda text: text.replace("site_name: ", "site_name: 缓存测试 ", 1)))
    step("a free page edited", lambda: _edit(
        project, "content/pages/help.md", lambda text: text + "\n\n缓存测试：使用说明多了一段。\n"))
    step("an attachment added", lambda: project.write("content/files/huancun-ceshi.txt", "附件\n"))

    open_page = _inode(project, NOTICE_PAGE)
    step("the build date on the notice's last day", lambda: None, date=LAST_DAY)
    assert "今天截止" in (project.site / NOTICE_PAGE).read_text(encoding="utf-8")
    assert _inode(project, NOTICE_PAGE) != open_page, "its badge changed"
    # Every page's footer says when the portal was built (更新日期), so every page changes.
    assert "更新日期：2026年11月25日" in (project.site / UNRELATED).read_text(encoding="utf-8")
    step("a later build date", lambda: None, date=LATER_DATE)
    assert "今天截止" not in (project.site / NOTICE_PAGE).read_text(encoding="utf-8")


def test_a_failed_build_leaves_the_cache_usable(project: Project, tmp_path: Path) -> None:
    _build(project)
    published = tree_digest(project.site)
    notice = project.root / NOTICE
    original = notice.read_text(encoding="utf-8")
    notice.write_text(original.replace("category: ", "category: 不存在的类别", 1), encoding="utf-8")
    failed = project.build()
    assert failed.returncode == 1
    assert tree_digest(project.site) == published
    notice.write_text(original.replace("body: |\n", "body: |\n  修好了。\n\n", 1), encoding="utf-8")
    fixed = _build(project)
    assert _written(fixed) < len(published) // 2, fixed.stdout
    assert _differences(tree_digest(project.site), _cold_build(project, SAMPLE_DATE, tmp_path)) == []


def _folder_problems(output: str) -> list[str]:
    """The lines of a build's messages about files in the content folder planted below."""
    return sorted(line for line in output.splitlines() if "11010519491231002X" in line or "outside.pdf" in line
                  or "misplaced-notice" in line)


def test_a_rebuild_reports_the_content_folders_problems_as_a_build_from_scratch_does(project: Project) -> None:
    """A rebuild checks the content folder in a process of its own while it reads the cache:
    its problems still stop the build, with the same messages."""
    _build(project)
    published = tree_digest(project.site)
    files = project.content / "files"
    files.mkdir(exist_ok=True)
    (files / "申请表-11010519491231002X.pdf").write_bytes(b"%PDF-1.4\n")
    (files / "outside.pdf").symlink_to(project.root.parent / "elsewhere.pdf")
    notice = next((project.content / "notices").glob("*.yml"))
    shutil.copy(notice, project.content / "misplaced-notice.yml")
    rebuilt = project.build()
    assert rebuilt.returncode == 1
    assert tree_digest(project.site) == published
    problems = _folder_problems(rebuilt.stdout + rebuilt.stderr)
    assert len(problems) >= 3, rebuilt.stderr
    cold = project.build("--no-cache")
    assert cold.returncode == 1
    assert problems == _folder_problems(cold.stdout + cold.stderr)


def _cache(project: Project) -> Path:
    return project.root / ".tongxin-cache" / "site"


def _resign(project: Project, change: Callable[[dict[str, object]], None], key: str) -> None:
    """Change the manifest and sign it again with ``key`` (what only its holder can do)."""
    import hashlib
    import hmac

    path = _cache(project) / "manifest"
    _signature, _, text = path.read_bytes().partition(b"\n")
    manifest = json.loads(text)
    change(manifest)
    text = json.dumps(manifest).encode()
    signature = hmac.new(hashlib.sha256(key.encode()).digest(), text, hashlib.sha256).hexdigest()
    path.write_bytes(signature.encode() + b"\n" + text)


def _tamper_with_page(project: Project) -> None:
    """A page of the cache's copy of the site changed in place, its size and times kept."""
    page = _cache(project) / "site" / "index.html"
    status = page.stat()
    text = page.read_bytes()
    page.write_bytes(text.replace(b"<title>", b"<title>X", 1)[: len(text)])
    os.utime(page, ns=(status.st_atime_ns, status.st_mtime_ns))


def _extra_file(project: Project) -> None:
    (_cache(project) / "site" / "injected.html").write_text("<script>alert(1)</script>", encoding="utf-8")


def _symlink(project: Project) -> None:
    (_cache(project) / "site" / "linked.html").symlink_to("/etc/hostname")


def _replaced(path: Path, by: str) -> None:
    """A cache file replaced by what a cache restored from elsewhere could hold in its place:
    a link to a file that never ends, a named pipe nothing writes to, or a folder (in the way
    of the file the next build writes under the same name)."""
    path.unlink()
    if by == "endless":
        path.symlink_to("/dev/zero")
    elif by == "folder":
        path.mkdir()
        (path / "inside").write_text("x", encoding="utf-8")
    else:
        os.mkfifo(path)


def _parts_but_the_states(project: Project) -> None:
    """Every part of the state altered except the one naming the writers' state files: a
    rebuild starts its search process as soon as that part is read, before the others."""
    manifest = json.loads((_cache(project) / "manifest").read_bytes().partition(b"\n")[2])
    states = manifest["parts"]["states"][0]
    for part in _cache(project).glob("part-*.pickle"):
        if part.name != states:
            part.write_bytes(b"\x80\x05N.")


TAMPERING: dict[str, tuple[Callable[[Project], None], str]] = {
    "truncated manifest": (lambda p: (_cache(p) / "manifest").write_bytes(
        (_cache(p) / "manifest").read_bytes()[:200]), "构建缓存"),
    "foreign key": (lambda p: _resign(p, lambda m: None, "someone else's key"), "缓存密钥"),
    "state files altered": (lambda p: [part.write_bytes(b"\x80\x05N.") for part in _cache(p).glob("part-*.pickle")],
                            "状态文件"),
    "state files altered but the search state's": (_parts_but_the_states, "状态文件"),
    "manifest a named pipe": (lambda p: _replaced(_cache(p) / "manifest", "pipe"), "构建缓存"),
    "state files replaced by folders": (
        lambda p: [_replaced(part, "folder") for part in _cache(p).glob("part-*.pickle")], "构建缓存"),
    "state files linked to an endless file": (
        lambda p: [_replaced(part, "endless") for part in _cache(p).glob("part-*.pickle")], "构建缓存"),
    "older code": (lambda p: _resign(p, lambda m: m.update(code="0" * 64), "the key of this test"), "已更新"),
    "interrupted publishing": (lambda p: (_cache(p) / "publishing").touch(), "中断"),
    "page altered in place": (_tamper_with_page, "副本与记录不符"),
    "file added to the copy": (_extra_file, "副本与记录不符"),
    "symbolic link in the copy": (_symlink, "副本与记录不符"),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_a_damaged_foreign_or_outdated_cache_is_ignored_with_a_message(
    kind: str, project: Project
) -> None:
    key = {"TONGXIN_CACHE_KEY": "the key of this test"}
    _build(project, **key)
    cold = tree_digest(project.site)  # the first build had no cache: a cold build of this content
    tamper, message = TAMPERING[kind]
    tamper(project)
    result = _build(project, **key)
    assert message in result.stderr, result.stderr
    assert "从头构建" in result.stderr or "全部" in result.stderr or "完整构建" in result.stderr
    published = tree_digest(project.site)
    assert _differences(published, cold) == []
    assert not any(name in published for name in ("injected.html", "linked.html"))
    again = _build(project, **key)  # and the cache written over it works again
    assert _written(again) == 0, again.stdout + again.stderr


@pytest.mark.parametrize("damage", ["", "not hex!\n", "abcd\n", "\xff\xfe"])
def test_a_damaged_cache_key_file_is_replaced_and_the_build_goes_on(
    damage: str, project: Project, tmp_path: Path
) -> None:
    config_home = tmp_path / "config-home"
    key_file = config_home / "tongxin" / "cache-key"
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(damage.encode("latin-1"))
    first = _build(project, XDG_CONFIG_HOME=str(config_home))
    assert "Traceback" not in first.stderr, first.stderr
    assert len(bytes.fromhex(key_file.read_text(encoding="ascii"))) == 32
    assert key_file.stat().st_mode & 0o077 == 0, "the key is readable by its user only"
    again = _build(project, XDG_CONFIG_HOME=str(config_home))  # the new key signs a usable cache
    assert _written(again) == 0, again.stdout + again.stderr


def test_no_cache_and_another_cache_folder(project: Project, tmp_path: Path) -> None:
    _build(project, "--no-cache")
    assert not (project.root / ".tongxin-cache").exists()
    elsewhere = tmp_path / "ci-cache"
    _build(project, "--cache-dir", str(elsewhere))
    assert (elsewhere / "site" / "manifest").is_file()
    warm = _build(project, TONGXIN_CACHE_DIR=str(elsewhere))
    assert _written(warm) == 0
    assert not (project.root / ".tongxin-cache").exists()


def test_precompressed_copies_for_gzip_static_follow_every_text_file(project: Project, tmp_path: Path) -> None:
    import gzip

    _edit(project, "site_config.yml", lambda text: text.replace(
        "      content_dir: content\n", "      content_dir: content\n      precompress: true\n", 1))
    _build(project)
    published = tree_digest(project.site)
    texts = [name for name in published if name.endswith((".html", ".css", ".js", ".xml", ".json", ".ics"))]
    assert "index.html" in texts and any(name.startswith("search/data/") for name in texts)
    for name in texts:
        packed = (project.site / f"{name}.gz").read_bytes()
        assert gzip.decompress(packed) == (project.site / name).read_bytes(), name
    assert not any(name.endswith((".png.gz", ".gz.gz")) for name in published)

    _edit(project, NOTICE, lambda text: text.replace("body: |\n", "body: |\n  压缩测试：改了正文。\n\n", 1))
    _build(project)
    page = (project.site / f"{NOTICE_PAGE}.gz").read_bytes()
    assert "压缩测试" in gzip.decompress(page).decode("utf-8"), "the .gz of an edited page follows it"
    assert _differences(tree_digest(project.site), _cold_build(project, SAMPLE_DATE, tmp_path)) == []


@pytest.mark.parametrize("folder", ["site", "site/.cache", "."], ids=["the site folder", "inside it", "around it"])
def test_a_cache_folder_overlapping_the_site_is_not_used_and_never_published(project: Project, folder: str) -> None:
    result = _build(project, TONGXIN_CACHE_DIR=str(project.root / folder))
    assert "缓存" in result.stderr and "站点文件夹" in result.stderr, result.stderr
    published = [path.relative_to(project.site).as_posix() for path in project.site.rglob("*")]
    assert (project.site / "index.html").is_file() and (project.site / "search").is_dir()
    assert not [name for name in published if name.endswith((".pickle", "manifest", "lock"))], published[:20]
    assert not (project.site / "site").exists()


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


SEARCH_STATE_DAMAGE: dict[str, Callable[[Path], None]] = {
    "a byte flipped": _flip_a_byte,
    "linked to an endless file": lambda path: _replaced(path, "endless"),
    "a named pipe": lambda path: _replaced(path, "pipe"),
    "a folder": lambda path: _replaced(path, "folder"),
}


def _state_files(project: Project) -> dict[str, tuple[int, int]]:
    """The search index's state files in the cache: name -> (inode, size)."""
    return {path.name: (path.stat().st_ino, path.stat().st_size) for path in _cache(project).glob("state-*.pickle")}


@pytest.mark.parametrize("which", [max, min])
@pytest.mark.parametrize("damage", list(SEARCH_STATE_DAMAGE))
def test_an_altered_search_state_is_not_trusted_when_the_next_edit_needs_it(
    damage: str, which: Callable[..., Path], project: Project, tmp_path: Path
) -> None:
    """The largest files of the cache are what the search index keeps for updating itself
    (the state and the parts it refers to); an edit that changes the index must find any of
    them altered, say so and make the index anew."""
    key = {"TONGXIN_CACHE_KEY": "the key of this test"}
    _build(project, **key)
    _edit(project, NOTICE, lambda text: text.replace("body: |\n", "body: |\n  状态测试：先改一次。\n\n", 1))
    _build(project, **key)
    state_files = [_cache(project) / name for name in _state_files(project)]
    SEARCH_STATE_DAMAGE[damage](which(state_files, key=lambda path: path.stat().st_size))
    _edit(project, NOTICE, lambda text: text.replace("先改一次", "改了正文", 1))
    result = _build(project, **key)
    assert "状态文件" in result.stderr and "从头" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "改了正文" in _search_texts(project)
    assert _differences(tree_digest(project.site), _cold_build(project, SAMPLE_DATE, tmp_path)) == []
    again = _build(project, **key)
    assert _written(again) == 0, again.stdout + again.stderr


def test_a_one_record_edit_writes_a_small_part_of_the_search_state_again(project: Project) -> None:
    """The search index's state is most of the cache (at 10,000 records, 110 MB): a rebuild
    after an edit of one record writes again only the parts the edit reached."""
    _build(project)
    for line in ("第一次修改。", "第二次修改。"):  # the first rebuild also keeps jieba's dictionary in parts
        _edit(project, NOTICE, lambda text, line=line: text.replace("body: |\n", f"body: |\n  {line}\n\n", 1))
        before = _state_files(project)
        _build(project)
    after = _state_files(project)
    rewritten = sum(size for name, (inode, size) in after.items() if before.get(name, (None,))[0] != inode)
    assert 0 < rewritten <= sum(size for _inode, size in after.values()) / 4, (before, after)
    assert "第二次修改" in _search_texts(project)


def _installed(folder: Path, name: str, version: str) -> None:
    """``name`` at ``version`` installed (its metadata only) in ``folder``, replacing any other
    version of it there: what ``pip install --upgrade`` leaves behind."""
    for old in folder.glob(f"{name}-*.dist-info"):
        shutil.rmtree(old)
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")


def test_an_upgraded_package_makes_the_next_build_start_from_scratch(project: Project, tmp_path: Path) -> None:
    """A library the pages may depend on changed version between two builds: nothing the older
    one rendered is kept."""
    packages = tmp_path / "packages"
    _installed(packages, "tongxin_test_library", "1.0")
    _build(project, PYTHONPATH=str(packages))
    same = _build(project, PYTHONPATH=str(packages))
    assert _written(same) == 0, same.stdout + same.stderr
    _installed(packages, "tongxin_test_library", "1.1")
    upgraded = _build(project, PYTHONPATH=str(packages))
    assert "已更新" in upgraded.stderr, upgraded.stderr
    assert _written(upgraded) > 100, upgraded.stdout
