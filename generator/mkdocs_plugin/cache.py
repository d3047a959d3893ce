"""The build cache: what ``tongxin build`` keeps so that the next build redoes only what changed.

A cache folder (``.tongxin-cache/site/`` next to the site by default, ``site-file/`` for
builds to open from disk; the plugin's ``cache_dir``, ``tongxin build --cache-dir`` or
``TONGXIN_CACHE_DIR`` choose another root) holds:

- ``manifest``: an HMAC-SHA256 with the cache key, then, signed by it, the cache format,
  digests of what the cached state was built with (``code``: the generator's source,
  Python, every installed package; ``layout``: the configuration, the theme except page
  templates, free pages), and the file name and SHA-256 of each part of the state;
- ``part-<digest>.pickle``: the state, in parts written again only when they change: the
  validation results of each record type, the last build's pages (digests), page shapes and
  templates (``generator.mkdocs_plugin.incremental``), output writers' results, pinyin sort
  keys, and every file of the published site with its SHA-256 and stamp (``files``);
- ``state-<digest>.pickle``: output writers' own states (the search index's postings, term
  profiles and documents; ``generator.outputs.memo.StoredState``), written and read only by
  the process that writes that output, so the build process never holds them; the signed
  state names each with its SHA-256, checked before it is unpickled. A state's parts
  (``statefile.Part``: the documents in groups, jieba's dictionary shards) are files of the
  same pattern, named in the state file by their SHA-256 and checked in the same way;
- ``site/``: a copy of the published site made of hard links (``sitetree``);
- ``lock`` (held while a build uses the cache) and ``publishing`` (present while the site
  and ``site/`` change: a cache found with it is not trusted).

The cache is an input of the build like the content, and is treated as untrusted data. The
manifest must carry a valid HMAC made with the cache key, and the state file and every file
of ``site/`` must have the digests it lists, or the cache is ignored (with a message) and
the build starts from scratch; the state file is unpickled only after both checks. The key
is ``TONGXIN_CACHE_KEY`` when set (CI: a secret), otherwise a random key made on first use
in ``$XDG_CONFIG_HOME/tongxin/cache-key`` (``~/.config``), readable by its owner only. So a
cache written elsewhere (another machine, a CI job of an untrusted branch) is never used
unless it was made with the same key. What the key cannot protect against: anyone holding
the key, or able to write both the cache and the key, can make a cache whose pages the
next build publishes. See docs/hosting.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import logging
import os
import pickle
import secrets
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..outputs.memo import STATE_FILES, collector_paused, read_cache_file, remove_cache_file, replace_cache_file
from .sitetree import FileEntry

log = logging.getLogger("mkdocs.plugins.tongxin.cache")

CACHE_FORMAT = 1
CACHE_ENV = "TONGXIN_CACHE_DIR"  # also set by ``tongxin build --cache-dir``
KEY_ENV = "TONGXIN_CACHE_KEY"
KEY_BYTES = 32
DEFAULT_ROOT = ".tongxin-cache"
MANIFEST = "manifest"
TREE = "site"
LOCK = "lock"
PUBLISHING = "publishing"
FILES = "files"  # the part listing the files of the cache's copy of the site
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
INSTALLED_SUFFIXES = (".dist-info", ".egg-info")


def cache_folder(site_dir: Path, configured: str | None, for_file: bool) -> Path:
    """Where the cache of a build into ``site_dir`` lives: one per kind of build (pages as
    folders, or as .html files for opening from disk), whatever the site folder is called,
    so that builds into a new dated folder each time share it."""
    root = os.environ.get(CACHE_ENV) or configured or ""
    base = Path(root).expanduser() if root else site_dir.parent / DEFAULT_ROOT
    return base.resolve() / ("site-file" if for_file else "site")



def overlaps_site(folder: Path, site_dir: Path) -> bool:
    """Whether a cache at ``folder`` would be published with the site (inside it) or would
    publish over it (the site folder inside the cache, or the same folder)."""
    return folder == site_dir or site_dir in folder.parents or folder in site_dir.parents


@functools.cache
def code_digest() -> str:
    """Everything in the code that a cached result may depend on: the generator's own source,
    the Python version and every installed distribution with its version."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{sys.version}\0".encode())
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(_installed_packages()).encode())
    return digest.hexdigest()


def _installed_packages() -> list[str]:
    """Every installed distribution, as the name of its metadata folder on the import path
    (``name-version.dist-info``, as pip names it): a rebuild reads those names, not each
    one's METADATA, which took 0.08 s of it (``importlib.metadata``)."""
    names: set[str] = set()
    for entry in sys.path:
        # A zip file or a folder that is gone has no distributions to list.
        with contextlib.suppress(OSError), os.scandir(entry or ".") as children:
            names.update(child.name for child in children if child.name.endswith(INSTALLED_SUFFIXES))
    return sorted(names)


def key_file() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "tongxin" / "cache-key"


def cache_key() -> bytes:
    """The key the manifest is signed with (see the module docstring)."""
    secret = os.environ.get(KEY_ENV)
    if secret:
        return hashlib.sha256(secret.encode("utf-8")).digest()
    path = key_file()
    key = _stored_key(path)
    if key is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _store_new_key(path)
        # Read back: a build running at the same time may have stored its key first.
        key = _stored_key(path)
    if key is None:
        raise OSError(f"cannot store a cache key in {path}")
    return key


def _stored_key(path: Path) -> bytes | None:
    """The key kept in ``path``; None when there is none or it is damaged (not 32 hex bytes)."""
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return None
    return key if len(key) == KEY_BYTES else None


def _store_new_key(path: Path) -> None:
    """A new random key in ``path`` (readable by this user only), replacing a damaged one whole."""
    staging = path.with_name(f"{path.name}.{os.getpid()}.new")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(KEY_BYTES) + "\n")
    if _stored_key(path) is None:
        os.replace(staging, path)
    else:
        staging.unlink()


class CacheRefused(Exception):
    """Why a cache cannot be used (shown to the user, in Chinese and English)."""

    def __init__(self, zh: str, en: str, reported: bool = True) -> None:
        super().__init__(f"{zh}（{en}）")
        self.reported = reported  # False only for the first build, which has no cache yet


@dataclass
class CachedBuild:
    """What a build leaves for the next one."""

    parts: dict[str, Any] = field(default_factory=dict)  # the state's parts (none if unusable)
    layout: str = ""  # the layout digest the state was made with
    entries: dict[str, FileEntry] = field(default_factory=dict)  # files of the cache's copy of the site
    tree_usable: bool = False  # whether ``entries`` may stand for files the new build keeps


class BuildCache:
    """One cache folder, locked for the build that opened it."""

    def __init__(self, folder: Path, key: bytes, lock: IO[str]) -> None:
        self.folder = folder
        self.key = key
        self._lock: IO[str] | None = lock
        self._parts: dict[str, list[str]] = {}  # part -> [file name, digest], as loaded
        self._verified: set[str] = set()  # part files whose bytes have their listed digest
        self._manifest: dict[str, Any] | None = None  # checked, as read once
        self._read: dict[str, Any] = {}  # parts unpickled so far

    @property
    def tree(self) -> Path:
        return self.folder / TREE

    @classmethod
    def open(cls, folder: Path) -> BuildCache | None:
        """The cache at ``folder``, locked; None (with a message) when it cannot be used at all."""
        try:
            key = cache_key()
            folder.mkdir(parents=True, exist_ok=True)
            lock = (folder / LOCK).open("a+", encoding="utf-8")
        except OSError as error:
            log.warning(f"无法使用构建缓存 {folder}（{error}），本次从头构建"
                        "（build cache unusable; building from scratch）")
            return None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            log.warning(f"构建缓存 {folder} 正被另一次构建使用，本次不用缓存"
                        "（the build cache is in use by another build）")
            return None
        return cls(folder, key, lock)

    def load(self) -> CachedBuild:
        """The cached build, checked; an empty one (with a message saying why) when the cache
        is missing, of another version, not signed with our key, corrupt or half written."""
        try:
            return self._load()
        except CacheRefused as refused:
            (log.warning if refused.reported else log.info)(
                f"构建缓存未使用：{refused}；本次从头构建（build cache ignored; building from scratch）"
            )
        except Exception as error:  # anything unexpected in a damaged cache: never trusted
            log.warning(f"构建缓存已损坏（{type(error).__name__}: {error}），本次从头构建"
                        f"（build cache is damaged; building from scratch）")
        return CachedBuild()

    def load_first(self, names: Collection[str]) -> dict[str, Any]:
        """Only the parts ``names`` of the cached build, checked, before the others (the
        build starts work that needs only them while ``load`` reads the rest); {} when the
        cache is not usable (``load`` then says why)."""
        try:
            with collector_paused():
                return self._read_parts(self._checked_manifest(), names)
        except Exception:  # refused or damaged: ``load`` finds it again and reports it
            return {}

    def _load(self) -> CachedBuild:
        manifest = self._checked_manifest()
        with collector_paused():  # unpickling makes many objects and no cycles
            parts = self._read_parts(manifest, manifest["parts"])
        self._read = {}  # the build holds what it needs of them
        self._parts = manifest["parts"]
        self._verified = {name for name, _digest in self._parts.values()}
        return CachedBuild(parts, manifest["layout"], parts.pop(FILES), tree_usable=True)

    def _checked_manifest(self) -> dict[str, Any]:
        """The manifest, read once (so that parts read before and after ``load_first`` are of
        the same build); CacheRefused when the cache is missing, foreign or of other code."""
        if self._manifest is not None:
            return self._manifest
        manifest_path = self.folder / MANIFEST
        if not manifest_path.exists():
            raise CacheRefused("还没有缓存", "no cache yet", reported=False)
        if (self.folder / PUBLISHING).exists():
            raise CacheRefused("上一次构建在发布时中断", "the last build was interrupted while publishing")
        signature, _, text = read_cache_file(manifest_path).partition(b"\n")
        if not hmac.compare_digest(signature, self._sign(text).encode("ascii")):
            raise CacheRefused("缓存不是用本机的缓存密钥写的（或已被改动）",
                               "the cache was not written with this machine's cache key, or was altered")
        manifest: dict[str, Any] = json.loads(text)
        if manifest.get("format") != CACHE_FORMAT:
            raise CacheRefused("缓存格式版本不同", "another cache format")
        if manifest.get("code") != code_digest():
            # Another generator or other packages: nothing computed by the old code is used.
            raise CacheRefused("生成器代码或已安装的软件包已更新", "the generator or its packages changed")
        self._manifest = manifest
        return manifest

    def _read_parts(self, manifest: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
        """The parts ``names`` (those the manifest lists), each checked against its digest
        before it is unpickled, and each read from its file once."""
        for part in names:
            if part in manifest["parts"] and part not in self._read:
                name, digest = manifest["parts"][part]
                data = read_cache_file(self.folder / name)
                if hashlib.sha256(data).hexdigest() != digest:
                    raise CacheRefused("缓存状态文件不完整或已被改动", "the cache's state file is truncated or altered")
                self._read[part] = pickle.loads(data)
        return {part: self._read[part] for part in names if part in self._read}

    def write_parts(self, parts: dict[str, Any], unchanged: set[str]) -> dict[str, list[str]]:
        """Write parts of the new state (the site and its copy are already in place); the
        ``unchanged`` ones, loaded and still the same, are not written again. Part -> [file
        name, digest], for ``commit``."""
        written: dict[str, list[str]] = {}
        with collector_paused():
            for part, value in parts.items():
                if part in unchanged and part in self._parts:
                    written[part] = self._parts[part]
                    continue
                data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                digest = hashlib.sha256(data).hexdigest()
                name = f"part-{digest[:20]}.pickle"
                # A file of that name not checked by ``load`` may hold other bytes (altered).
                if name not in self._verified:
                    _write_atomically(self.folder / name, data)
                    self._verified.add(name)
                written[part] = [name, digest]
        return written

    def commit(self, written: dict[str, list[str]], layout: str, states: set[str]) -> None:
        """Write the manifest naming the ``written`` parts (every part of the new state).
        ``states``: the writers' state files the new state names (``StoredState``), written
        already; any other file of an older state is removed."""
        manifest = {
            "format": CACHE_FORMAT,
            "code": code_digest(),
            "layout": layout,
            "parts": written,
        }
        text = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _write_atomically(self.folder / MANIFEST, self._sign(text).encode("ascii") + b"\n" + text)
        kept = {name for name, _digest in written.values()} | states
        # A state file being written by a killed build stays behind as a temporary file.
        for pattern in ("part-*.pickle", STATE_FILES, ".state-*.tmp"):
            for stale in self.folder.glob(pattern):
                if stale.name not in kept:
                    remove_cache_file(stale)

    def begin_publishing(self) -> None:
        (self.folder / PUBLISHING).touch()

    def end_publishing(self) -> None:
        (self.folder / PUBLISHING).unlink(missing_ok=True)

    def discard(self) -> None:
        """Forget everything (the state and the copy of the site): the next build starts afresh."""
        (self.folder / MANIFEST).unlink(missing_ok=True)

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()  # releases the lock
            self._lock = None

    def _sign(self, data: bytes) -> str:
        return hmac.new(self.key, data, hashlib.sha256).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    replace_cache_file(temporary, path)
