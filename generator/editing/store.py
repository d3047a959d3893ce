"""The operations of Decap's proxy backend on the content folder, with Tongxin's checks first.

Decap CMS sends ``{action, params}``; the actions are those of ``decap-server``'s local file
system middleware (info, entriesByFolder, entriesByFiles, getEntry, persistEntry, getMedia,
getMediaFile, persistMedia, deleteFile, deleteFiles, getDeployPreview). Paths are relative
to the project folder (where site_config.yml is), and only record folders, ``pages/`` and
``files/`` of the content folder can be read or written.

What differs from decap-server is what a save is allowed to do:

- a record is re-written as canonical YAML, without the form's ``id`` field (the file name
  is the id), and checked like ``tongxin check`` would, in the context of all other records;
  a save it would refuse raises ``Refused`` with the Chinese messages and writes nothing;
- deleting a record that others refer to is refused the same way;
- files written are replaced atomically, and committed to git when the content is in a
  repository (``History``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..content.canonical import canonical_text
from ..content.loading import parse_record_document
from ..content.models import RECORD_TYPES
from ..content.problems import Problem, ProblemLog
from ..site.source import ContentSource
from .checks import Candidate, SaveCheck, stored_file_names
from .history import History

PAGES, FILES = "pages", "files"
RECORD_SUFFIX, PAGE_SUFFIX = ".yml", ".md"
# An upload bigger than this is refused: the portal is for notices and slides, not videos.
MAX_UPLOAD_BYTES = 20_000_000
_FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)^---\r?\n?", re.DOTALL | re.MULTILINE)
_UNSAFE_FILE_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


class Refused(Exception):
    """A save or delete that was not done, with why in Chinese (and English)."""

    def __init__(self, zh: str, en: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(en)
        self.zh, self.en, self.problems = zh, en, list(problems)

    def text(self, lang: str = "zh") -> str:
        lines = [self.en if lang == "en" else self.zh]
        lines += [shown_problem(problem, lang) for problem in self.problems]
        return "\n".join(lines)


def shown_problem(problem: Problem, lang: str) -> str:
    """A problem as the form shows it: the field and the message (and the file, if another)."""
    field_part = f"{problem.field}: " if problem.field else ""
    return f"{problem.path}：{field_part}{problem.message.text(lang)}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Target:
    """What a protocol path names: a record file, a free page or an uploaded file."""

    kind: str  # a record type name, PAGES or FILES
    path: Path  # the file on disk

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class ContentStore:
    source: ContentSource
    history: History
    lang: str = "zh"
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.checks = SaveCheck(self.source)
        self._warming: threading.Thread | None = None

    def warm_up(self) -> None:
        """Start validating every record in the background (once): an editor opening the
        forms will save soon, and the first save would otherwise validate everything."""
        if self._warming is not None:
            return

        def warm() -> None:
            with self._lock:
                self.checks.warm()

        self._warming = threading.Thread(target=warm, name="tongxin-admin-warm-up", daemon=True)
        self._warming.start()

    # --- paths -----------------------------------------------------------------------

    @property
    def folder_prefix(self) -> str:
        """The content folder as the protocol's paths begin (``content/``)."""
        content = self.source.content_dir.resolve()
        root = self.source.project_root.resolve()
        return f"{content.relative_to(root).as_posix()}/" if content.is_relative_to(root) else ""

    def protocol_path(self, path: Path) -> str:
        return f"{self.folder_prefix}{path.resolve().relative_to(self.source.content_dir.resolve()).as_posix()}"

    def locate(self, protocol_path: str) -> Target:
        """The file a protocol path names; Refused for anything outside the editable folders."""
        relative = PurePosixPath(protocol_path.replace("\\", "/"))
        prefix = self.folder_prefix.rstrip("/")
        parts = relative.parts
        if prefix:
            if tuple(parts[: len(PurePosixPath(prefix).parts)]) != PurePosixPath(prefix).parts:
                raise self._outside(protocol_path)
            parts = parts[len(PurePosixPath(prefix).parts):]
        if len(parts) != 2 or any(part in ("", ".", "..") for part in parts):
            raise self._outside(protocol_path)
        folder, name = parts
        kinds = {*RECORD_TYPES, PAGES, FILES}
        if folder not in kinds or name.startswith(".") or _UNSAFE_FILE_NAME.search(name):
            raise self._outside(protocol_path)
        if folder in RECORD_TYPES and not name.endswith(RECORD_SUFFIX):
            raise self._outside(protocol_path)
        if folder == PAGES and not name.endswith(PAGE_SUFFIX):
            raise self._outside(protocol_path)
        # Resolved, as record_paths names files: the checks tell the saved file from the others by it.
        path = self.source.content_dir.resolve() / folder / name
        if path.is_symlink() or path.parent.is_symlink():
            raise self._outside(protocol_path)  # a link could lead the forms out of content/
        return Target(folder, path)

    @staticmethod
    def _outside(path: str) -> Refused:
        return Refused(
            f"只能编辑 content/ 下的记录、页面和 files/ 里的文件，不能访问“{path}”",
            f"only records, pages and files under content/ can be edited, not {path!r}",
        )

    # --- reading ---------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        return {"repo": self.source.project_root.name, "publish_modes": ["simple"], "type": "local_fs"}

    def entry(self, protocol_path: str, label: str | None = None) -> dict[str, Any]:
        """One entry as Decap reads it: the file's text, with its id shown as a form field."""
        target = self.locate(protocol_path)
        try:
            raw = target.path.read_bytes()
        except OSError:
            return {"data": None, "file": {"path": protocol_path, "label": label, "id": None}}
        text = raw.decode("utf-8", errors="replace")
        return {
            "data": _with_id(target, text),
            "file": {"path": protocol_path, "label": label, "id": _sha256(raw)},
        }

    def entries_in(self, folder: str, extension: str) -> list[dict[str, Any]]:
        target = self.locate(f"{folder.rstrip('/')}/placeholder{'.' + extension.lstrip('.')}")
        directory = target.path.parent
        if not directory.is_dir():
            return []
        names = sorted(p.name for p in directory.iterdir() if p.is_file() and not p.is_symlink()
                       and p.name.endswith(extension) and not p.name.startswith("."))
        return [self.entry(self.protocol_path(directory / name)) for name in names]

    def media_file(self, protocol_path: str) -> dict[str, Any]:
        target = self.locate(protocol_path)
        if target.kind != FILES:
            raise self._outside(protocol_path)
        data = target.path.read_bytes()
        return {"id": _sha256(data), "content": base64.b64encode(data).decode("ascii"), "encoding": "base64",
                "path": self.protocol_path(target.path), "name": target.name}

    def media(self) -> list[dict[str, Any]]:
        folder = self.source.content_dir / FILES
        if not folder.is_dir():
            return []
        return [self.media_file(self.protocol_path(path)) for path in sorted(folder.iterdir())
                if path.is_file() and not path.is_symlink() and not path.name.startswith(".")]

    # --- writing ---------------------------------------------------------------------

    def persist_entry(self, data_files: Sequence[Mapping[str, Any]], assets: Sequence[Mapping[str, Any]],
                      new_entry: bool) -> str | None:
        """Check and write one entry (and files uploaded with it); the commit, if any."""
        if len(data_files) != 1:
            raise Refused("一次只能保存一条记录", "save one entry at a time")
        data_file = data_files[0]
        target = self.locate(str(data_file.get("path", "")))
        if target.kind == FILES:
            raise self._outside(str(data_file.get("path")))
        with self._lock:
            if new_entry and target.path.exists():
                raise Refused(
                    f"已经有编号为“{target.path.stem}”的记录了；请换一个编号",
                    f"a record with id {target.path.stem!r} already exists; choose another id",
                )
            uploaded = [self._upload_place(asset) for asset in assets]
            existed = target.path.exists()
            if target.kind == PAGES:
                text, title = self._page_text(target, str(data_file.get("raw", "")))
            else:
                uploads = {path.name: content for path, content in uploaded}
                text, title = self._record_text(target, str(data_file.get("raw", "")), uploads)
            if text.encode("utf-8") == (target.path.read_bytes() if existed else None):
                return None  # saved without a change: nothing to write or commit
            written = [self._write(target, content) for target, content in uploaded]
            _atomic_write(target.path, text.encode("utf-8"))
            self.checks.written(target.path)
            verb = "更新" if existed else "新建"
            return self.history.commit([*written, target.path], f"{verb}{_kind_label(target)}：{title}")

    def _record_text(self, target: Target, raw: str, uploads: Mapping[str, bytes]) -> tuple[str, str]:
        model = RECORD_TYPES[target.kind]
        log = ProblemLog()
        shown = f"{self.folder_prefix}{target.kind}/{target.name}"
        parsed = parse_record_document(raw.encode("utf-8"), shown, log)
        if parsed is None:
            raise Refused("表单内容无法读取，没有保存", "the form's content could not be read; nothing saved",
                          log.errors)
        data = dict(parsed.data)
        form_id = data.pop("id", None)
        if form_id not in (None, "", target.path.stem):
            raise Refused(
                f"编号（id）是文件名，不能改成“{form_id}”：这条记录的编号是“{target.path.stem}”。"
                "要换编号，请新建一条记录再删除这一条",
                f"the id is the file name and cannot change from {target.path.stem!r} to {form_id!r}",
            )
        text = canonical_text(model, data)
        named = tuple(stored_file_names(model, data))
        refusals = self.checks.refusals(Candidate(target.kind, target.path, text, uploads, named))
        if refusals:
            raise Refused(
                f"没有保存：有 {len(refusals)} 处问题，tongxin check 不会通过。请按下面的提示修改后再保存",
                f"not saved: {len(refusals)} problem(s) that tongxin check would refuse",
                refusals,
            )
        title = data.get(model.title_field)
        return text, str(title) if title else target.path.stem

    def _page_text(self, target: Target, raw: str) -> tuple[str, str]:
        """A free page is Markdown; front matter only when the form sends more than the id."""
        body = raw
        match = _FRONT_MATTER.match(raw)
        if match is not None:
            body = raw[match.end():]
            kept = [line for line in match.group(1).splitlines() if not re.match(r"id\s*:", line)]
            if any(line.strip() for line in kept):
                body = "---\n" + "\n".join(kept) + "\n---\n" + body
        text = body.strip("\n") + "\n"
        refusals = self.checks.page_refusals(target.name, text)
        if refusals:
            raise Refused("没有保存：页面里有不安全的内容", "not saved: the page has unsafe content", refusals)
        heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        return text, heading.group(1).strip() if heading else target.path.stem

    def _upload_place(self, asset: Mapping[str, Any]) -> tuple[Path, bytes]:
        target = self.locate(str(asset.get("path", "")))
        if target.kind != FILES:
            raise self._outside(str(asset.get("path")))
        if asset.get("encoding") != "base64":
            raise Refused("上传的文件编码不对", "uploads must be base64-encoded")
        content = base64.b64decode(str(asset.get("content", "")), validate=True)
        if len(content) > MAX_UPLOAD_BYTES:
            raise Refused(
                f"文件太大（{len(content) // 1_000_000} MB）；附件不能超过 {MAX_UPLOAD_BYTES // 1_000_000} MB",
                f"file too large; the limit is {MAX_UPLOAD_BYTES // 1_000_000} MB",
            )
        return target.path, content

    def _write(self, path: Path, content: bytes) -> Path:
        _atomic_write(path, content)
        return path

    def persist_media(self, asset: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            path, content = self._upload_place(asset)
            existed = path.exists()
            self._write(path, content)
            self.history.commit([path], f"{'替换' if existed else '上传'}文件：{path.name}")
        return self.media_file(self.protocol_path(path))

    def delete(self, protocol_paths: Sequence[str]) -> str | None:
        """Delete entries or files; a record others still refer to is refused."""
        targets = [self.locate(path) for path in protocol_paths]
        with self._lock:
            titles = []
            for target in targets:
                users = self.checks.records_naming(target.name) if target.kind == FILES else []
                if users:
                    raise Refused(
                        f"没有删除：{'、'.join(users)} 还在使用文件 {target.name}。请先从这些记录里删去它",
                        f"not deleted: {', '.join(users)} still name {target.name}",
                    )
                if target.kind in RECORD_TYPES:
                    refusals = self.checks.refusals(Candidate(target.kind, target.path, None))
                    if refusals:
                        raise Refused(
                            "没有删除：其他记录还在引用它。请先修改这些记录",
                            "not deleted: other records still refer to it", refusals,
                        )
                titles.append(f"{_kind_label(target)}：{_title_of(target)}")
            existing = [target.path for target in targets if target.path.exists()]
            for path in existing:
                path.unlink()
                self.checks.written(path)
            return self.history.commit(existing, "删除" + "、".join(titles))


def _kind_label(target: Target) -> str:
    if target.kind in RECORD_TYPES:
        return RECORD_TYPES[target.kind].type_label
    return "页面" if target.kind == PAGES else "文件"


def _title_of(target: Target) -> str:
    if target.kind not in RECORD_TYPES or not target.path.is_file():
        return target.name if target.kind == FILES else target.path.stem
    parsed = parse_record_document(target.path.read_bytes(), target.name, ProblemLog())
    title = parsed.data.get(RECORD_TYPES[target.kind].title_field) if parsed else None
    return str(title) if title else target.path.stem


def _with_id(target: Target, text: str) -> str:
    """The file's text with its id (the file name) as the form's first field."""
    if target.kind in RECORD_TYPES:
        return f"id: {target.path.stem}\n{text}"
    if target.kind == PAGES:
        match = _FRONT_MATTER.match(text)
        if match is not None:
            return f"---\nid: {target.path.stem}\n{text[4:]}"
        return f"---\nid: {target.path.stem}\n---\n{text}"
    return text


def _atomic_write(path: Path, content: bytes) -> None:
    """Write ``content`` so that a reader (the live preview) sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".saving", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        # mkstemp makes the file private; a saved record is as readable as one written by hand.
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


_UMASK = _read_umask()  # read once at import: setting it is process-wide, racy in a thread
