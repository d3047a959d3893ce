"""What the content folder may hold, checked before anything in it is published.

MkDocs publishes every file of its ``docs_dir`` (the content folder) and follows symlinks, so
the folder itself is an input to guard like a record:

* nothing may lead out of the project: a symlink whose target lies outside the project
  folder (a file, or a folder MkDocs would walk into) is refused, naming the link;
* nothing a browser would run on the portal's origin (HTML, XHTML, JavaScript, XML, or an
  SVG with script) and nothing that would replace the portal's own files (``assets/``,
  ``search/``, ``data/``, ``index.html``, ``sitemap.xml`` …): besides the record folders,
  only ``pages/`` (Markdown) and ``files/`` (attachments) may hold files;
* the name of every file is published (as a URL, a link text): it goes through the
  privacy guard like any text, and so does every free page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from .loading import NOT_A_FILE, RECORD_SUFFIXES, display_path
from .misplaced import explain_misplaced
from .models import RECORD_TYPES
from .privacy import allowed_numbers, check_text_privacy, privacy_problems
from .problems import Position, ProblemLog

PAGES_DIR = "pages"
FILES_DIR = "files"
# Suffixes a browser runs as a document or script when served from the portal's origin.
RUNNABLE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml", ".js", ".mjs", ".xml", ".xsl", ".xslt"})
_SCRIPT_IN_SVG = re.compile(rb"<script|\son\w+\s*=|javascript:", re.IGNORECASE)


def check_content_folder(content_dir: Path, project_root: Path, privacy_allow: Iterable[str], log: ProblemLog) -> None:
    """Log every link out of the project, every file in the wrong place or that a browser
    would run, and every personal number in a file name or a free page."""
    root = project_root.resolve()
    allow = tuple(privacy_allow)
    allowed = allowed_numbers(allow)
    for folder, dirs, names in os.walk(content_dir):
        here = Path(folder)
        relative_folder = here.relative_to(content_dir)
        # Record files in their type's folder, the bulk of a content folder, need no more than
        # the privacy check of their name: no paths are made for them unless it finds something.
        in_type_folder = len(relative_folder.parts) == 1 and relative_folder.parts[0] in RECORD_TYPES
        records = {name for name in names if name.endswith(RECORD_SUFFIXES)} if in_type_folder else set()
        for name in sorted([*dirs, *names]):
            full = os.path.join(folder, name)
            if name not in dirs and not os.path.islink(full) and not os.path.isfile(full):
                log.add(display_path(here / name, project_root), Position(1, 1), "", *NOT_A_FILE)
                continue
            if name in records and not name.startswith(".") and not os.path.islink(os.path.join(folder, name)):
                if any(privacy_problems(name, allowed)):
                    check_text_privacy(name, display_path(here / name, project_root), allow, log, "文件名（file name）")
                continue
            path = here / name
            shown = display_path(path, project_root)
            if path.is_symlink() and not _inside(path, root):
                log.add(shown, Position(1, 1), "",
                        f"这是指向项目文件夹以外（{os.readlink(path)}）的符号链接（symlink）；"
                        "门户不发布项目以外的任何文件，请删除这个链接，把文件本身放进项目",
                        f"a symbolic link to {os.readlink(path)}, outside the project; nothing outside "
                        "the project is published: copy the file in instead")
                if name in dirs:
                    dirs.remove(name)  # never walk out of the project
                continue
            if name.startswith("."):
                continue  # MkDocs publishes no hidden files
            check_text_privacy(name, shown, allow, log, "文件名（file name）")
            if name in dirs:
                continue
            _check_place(path, relative_folder, shown, log)
            if relative_folder.parts[:1] == (PAGES_DIR,) and name.endswith(".md"):
                check_text_privacy(path.read_text(encoding="utf-8", errors="replace"), shown, allow, log)


def content_folder_problems(content_dir: Path, project_root: Path, privacy_allow: Iterable[str]) -> ProblemLog:
    """``check_content_folder``'s problems in a log of their own (for a check run elsewhere)."""
    log = ProblemLog()
    check_content_folder(content_dir, project_root, privacy_allow, log)
    return log


def check_links_out(folder: Path, project_root: Path, log: ProblemLog) -> None:
    """Log every symlink under ``folder`` (the theme, say) that leads out of the project."""
    root = project_root.resolve()
    for parent, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(parent) / name
            if path.is_symlink() and not _inside(path, root):
                log.add(display_path(path, project_root), Position(1, 1), "",
                        f"这是指向项目文件夹以外（{os.readlink(path)}）的符号链接（symlink）；请删除它",
                        f"a symbolic link to {os.readlink(path)}, outside the project")
                if name in dirs:
                    dirs.remove(name)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return False


def _check_place(path: Path, folder: Path, shown: str, log: ProblemLog) -> None:
    top = folder.parts[0] if folder.parts else ""
    suffix = path.suffix.lower()
    if top in RECORD_TYPES and len(folder.parts) == 1 and path.name.endswith(RECORD_SUFFIXES):
        return
    if top == PAGES_DIR and suffix == ".md":
        return
    if top == FILES_DIR:
        if suffix in RUNNABLE_SUFFIXES or (suffix == ".svg" and _SCRIPT_IN_SVG.search(_head(path))):
            log.add(shown, Position(1, 1), "",
                    f"附件 {path.name} 是浏览器会当作网页或脚本运行的文件（{suffix}），放在门户上会在门户的网址下运行；"
                    "请改为 PDF 或图片，或打包成 zip",
                    f"{path.name} is a file a browser runs ({suffix}) on the portal's own address; "
                    "publish a PDF, an image or a zip instead")
        return
    meant = explain_misplaced(path, folder)  # a record saved where it is not read
    if meant is not None:
        log.add(shown, Position(1, 1), "", *meant)
        return
    log.add(shown, Position(1, 1), "",
            f"内容文件夹里这个位置不能放文件：记录放在 {'、'.join(RECORD_TYPES)} 文件夹（.yml），自由页面放在 "
            f"{PAGES_DIR}/（.md），附件放在 {FILES_DIR}/；其他文件会覆盖门户自己的页面或脚本",
            f"no file may sit here: records go into the type folders (.yml), free pages into {PAGES_DIR}/ (.md), "
            f"attachments into {FILES_DIR}/; anything else could replace the portal's own files")


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(1_000_000)
    except OSError:
        return b""
