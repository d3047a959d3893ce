"""What a file in the wrong place of the content folder was meant to be, and where it goes.

Only ``content/<type>/<id>.yml`` (or ``.yaml``) is read as a record. A record saved where it
is not read — in a misspelt folder (``content/notice/``), straight into ``content/``, in a
subfolder, as ``.YML`` or as ``x.yml.txt`` (Windows hides known extensions) — would simply be
missing from the portal. The content folder guard (``folder``) refuses every file out of its
place; for these it asks here for the message that names the slip and where the file
belongs, judged by its fields when the folder does not say.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .loading import parse_record_text
from .meaning import better_type
from .models import RECORD_TYPES
from .problems import ProblemLog

Hint = tuple[str, str]  # (zh, en)
# A name that looks meant as a record: .yml / .yaml in any case, possibly with more after it.
_RECORD_NAME = re.compile(r"(\.ya?ml)(\.[A-Za-z0-9]+)?$", re.IGNORECASE)


def explain_misplaced(path: Path, folder: Path) -> Hint | None:
    """Why ``path`` (in ``folder``, relative to the content folder) is not read, if it looks
    meant as a record; None for other files."""
    parts = folder.parts
    record_like = _RECORD_NAME.search(path.name) is not None
    if not parts:
        return _in_content_root(path) if record_like else None
    top = parts[0]
    if top in RECORD_TYPES and len(parts) > 1:
        return (
            f"子文件夹 {'/'.join(parts[1:])}/ 里的记录不会被读取（not read）；请直接放在 content/{top}/ 下",
            f"records in the subfolder {'/'.join(parts[1:])}/ are not read; put them in content/{top}/",
        ) if record_like else None
    if top in RECORD_TYPES:
        return _in_type_folder(path.name, top)
    if record_like:
        return _in_unknown_folder(path, top)
    return None


def _in_content_root(path: Path) -> Hint:
    where = _fitting_folder(path)
    if where:
        return (
            f"记录文件直接放在了 content/ 里，不会被读取和发布（not read）；它的字段像是"
            f"{RECORD_TYPES[where].type_label}，应放在 content/{where}/",
            f"a record directly in content/ is not read; move it into content/{where}/",
        )
    return (
        "记录文件直接放在了 content/ 里，不会被读取和发布（not read）；请放到 "
        f"{'、'.join(f'content/{t}/' for t in RECORD_TYPES)} 之一",
        "a record directly in content/ is not read; move it into the folder of its type",
    )


def _in_type_folder(name: str, type_name: str) -> Hint:
    match = _RECORD_NAME.search(name)
    if match is None:
        return (
            f"content/{type_name}/ 里只放记录文件（.yml）；“{name}”不会被读取。"
            "附件请放到 content/files/，再在记录里用 attachments 引用",
            f"content/{type_name}/ holds only .yml records; {name!r} is not read",
        )
    stem, suffix, extra = name[: match.start()], match[1], match[2] or ""
    if extra:
        return (
            f"文件名多了扩展名“{extra}”（如记事本另存时加的 .txt），不会被读取（not read）；"
            f"请改名为 {stem}.yml（在资源管理器中勾选“查看 → 文件扩展名”才能看到）",
            f"the file name ends in {extra!r} (added on saving): rename it to {stem}.yml",
        )
    return (
        f"文件扩展名“{suffix}”要写成小写 .yml，否则不会被读取（not read）；请改名为 {stem}.yml",
        f"the extension {suffix!r} must be lower case: rename the file to {stem}.yml",
    )


def _in_unknown_folder(path: Path, folder: str) -> Hint:
    where = _folder_meant(folder) or _fitting_folder(path)
    advice = f"是不是想放在 content/{where}/？" if where else (
        f"请放到 {'、'.join(f'content/{t}/' for t in RECORD_TYPES)} 之一。")
    return (
        f"文件夹 {folder}/ 不是记录类型的文件夹，里面的记录不会被读取和发布（not read）；{advice}",
        f"the folder {folder}/ is no record type; its records are not read"
        + (f": move them to content/{where}/" if where else ""),
    )


def _folder_meant(name: str) -> str | None:
    """The record folder a misspelt folder name stands for (notice, Notices, lecture …)."""
    folded = name.lower().strip()
    for type_name, model in RECORD_TYPES.items():
        if folded in (type_name, type_name.removesuffix("s"), model.type_label):
            return type_name
    close = difflib.get_close_matches(folded, list(RECORD_TYPES), n=1, cutoff=0.75)
    return close[0] if close else None


def _fitting_folder(path: Path) -> str | None:
    """The record type the file's fields fit, when it can be read."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    parsed = parse_record_text(raw, path.name, ProblemLog())
    return better_type(parsed[0], None) if parsed is not None else None
