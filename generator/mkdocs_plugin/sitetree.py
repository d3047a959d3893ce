"""Publishing a build from the few files it wrote and the build cache's copy of the last site.

A build with a usable cache writes only the files that differ from the last build's into its
new folder (``.site.building``, see ``generator.outputs.files.SiteFiles``). The published
site is then assembled without copying anything else:

1. the cache's copy of the site (``<cache>/site/``, hard links to the files of the published
   site) is brought up to date: the new files are moved in and removed files deleted. A file
   is never changed in place, so the published site, which shares the other files, is
   untouched;
2. the copy and the published folder swap places by renaming, so readers see the old site
   or the new one, never a mix;
3. the old published folder, now in the cache, gets the same changes (hard links to the new
   files) and is the copy the next build starts from.

The cache lists every file of its copy with its SHA-256 and what ``stat`` said of it when it
was written (size, modification and change time, inode). Before a build trusts the copy,
every file is looked at: an unknown file, a symbolic link, or a file whose stamp differs
and whose bytes no longer have the listed digest makes the copy unusable, and the build
then renders and writes everything, as a build without a cache does. (A copy restored from
an archive has new stamps everywhere: it is then checked byte by byte, once.) The
operations here never change a kept file's stamp: they move, link and unlink new files and
removed ones only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..outputs.files import SiteFiles
from . import swap


class FileEntry(NamedTuple):
    """One file of the cache's copy of the site (a tuple: 10,000s are loaded each build)."""

    digest: str
    # What stat said when the build wrote it. The change time cannot be set back (writing
    # the file or setting its times both update it), so equal stamps mean the same bytes.
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, digest: str, status: os.stat_result) -> FileEntry:
        return cls(digest, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)

    def same_stamp(self, status: os.stat_result) -> bool:
        return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino) == (
            self.size, self.mtime_ns, self.ctime_ns, self.inode)


class TreeMismatch(Exception):
    """The cache's copy of the site is not what the cache lists (the message says where)."""


def verify_tree(tree: Path, entries: dict[str, FileEntry]) -> dict[str, FileEntry]:
    """Check that ``tree`` holds exactly the files of ``entries``, with those bytes; return the
    entries with the stamps seen now (a copied or restored cache has new times and inodes,
    and is then checked byte by byte). Raises TreeMismatch."""
    seen: dict[str, FileEntry] = {}
    for relative, status in _regular_files(tree):
        entry = entries.get(relative)
        if entry is None:
            raise TreeMismatch(f"{relative}: not a file of the last build")
        if not entry.same_stamp(status):
            if status.st_size != entry.size or _file_digest(tree / relative) != entry.digest:
                raise TreeMismatch(f"{relative}: changed since the last build")
            entry = FileEntry.of(entry.digest, status)
        seen[relative] = entry
    if len(seen) != len(entries):
        missing = sorted(entries.keys() - seen.keys())
        raise TreeMismatch(f"{missing[0]}: missing ({len(missing)} files)")
    return seen


def restamped(tree: Path, entries: dict[str, FileEntry]) -> dict[str, FileEntry]:
    """The entries ``verify_tree`` finds with other stamps than ``entries`` (usually none):
    what a check made in another process sends back. Raises TreeMismatch."""
    return {relative: entry for relative, entry in verify_tree(tree, entries).items() if entry != entries[relative]}


def _regular_files(root: Path) -> Iterable[tuple[str, os.stat_result]]:
    """(relative path, lstat) of every file under ``root``; refuses symbolic links anywhere."""
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_symlink():
                    raise TreeMismatch(f"{relative}: a symbolic link")
                if entry.is_dir(follow_symlinks=False):
                    pending.append((relative + "/", entry.path))
                    continue
                status = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(status.st_mode):
                    raise TreeMismatch(f"{relative}: not a regular file")
                yield relative, status


def _file_digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@dataclass
class _Changes:
    """How one tree of files becomes the new site: folders renamed whole, files linked from
    another path, files new, files removed."""

    moves: list[tuple[str, str]]  # (old folder, new folder)
    moved: dict[str, str]  # new path -> old path of a file that moved with its folder
    copies: dict[str, str]  # new path -> old path linked to (outside the moved folders)
    written: list[str]
    removed: list[str]


def _changes(files: SiteFiles, entries: dict[str, FileEntry]) -> _Changes:
    """A folder whose files all went to another, new folder (the search index's data folder,
    named after its content) is renamed instead of linking its files one by one."""
    removed = entries.keys() - files.digests.keys()
    candidates: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for new, old in files.copies.items():
        new_folder, _, new_name = new.rpartition("/")
        old_folder, _, old_name = old.rpartition("/")
        if new_name == old_name and new_folder != old_folder:
            candidates[(old_folder, new_folder)].append(new)
    contents: defaultdict[str, list[str]] = defaultdict(list)
    for relative in entries:
        folder = relative.rpartition("/")[0]
        while folder:
            contents[folder].append(relative)
            folder = folder.rpartition("/")[0]
    moves, moved = [], {}
    taken: set[str] = set()
    for (old_folder, new_folder), news in sorted(candidates.items()):
        inside = contents.get(old_folder, [])
        flat = all(relative.count("/") == old_folder.count("/") + 1 for relative in inside)
        if not (flat and new_folder not in contents and old_folder not in taken and removed.issuperset(inside)):
            continue
        taken.add(old_folder)
        moves.append((old_folder, new_folder))
        moved.update({new: files.copies[new] for new in news})
    gone = {relative for old_folder, _ in moves for relative in contents[old_folder]}
    copies = {new: old for new, old in files.copies.items() if new not in moved}
    # Files of a moved folder that the new folder does not have are removed after the move.
    leftovers = [f"{new_folder}/{relative.rpartition('/')[2]}" for old_folder, new_folder in moves
                 for relative in contents[old_folder] if f"{new_folder}/{relative.rpartition('/')[2]}" not in moved]
    return _Changes(moves, moved, copies, sorted(files.written),
                    sorted((removed - gone) | {path for path in leftovers if path not in files.written}))


def _apply(root: Path, changes: _Changes, new_file: Callable[[str, Path], None], replaced: Iterable[str]) -> None:
    """Make the tree at ``root`` the new site: ``new_file(relative, target)`` puts a new file."""
    for old_folder, new_folder in changes.moves:
        (root / new_folder).parent.mkdir(parents=True, exist_ok=True)
        os.rename(root / old_folder, root / new_folder)
    for relative in replaced:
        # A file of a moved folder written anew sits where the new one goes: out of the way.
        (root / relative).unlink(missing_ok=True)
    for relative in sorted(changes.copies):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # The same bytes at another path: one more link to the file. Made before anything is
        # removed, since the path linked to may be among the removed.
        target.unlink(missing_ok=True)
        os.link(root / changes.copies[relative], target)
    for relative in changes.written:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        new_file(relative, target)
    for relative in changes.removed:
        _remove(root, relative)


def publish_with_tree(
    building: Path, site: Path, tree: Path, files: SiteFiles, entries: dict[str, FileEntry]
) -> dict[str, FileEntry] | None:
    """Publish ``files`` (the new ones in ``building``, the others in ``tree``, which holds
    ``entries``) at ``site``; ``tree`` ends as a copy of the new site. The new entries, or
    None when the site was published but the copy could not be made (the cache is then
    left marked unfinished, and the next build starts afresh)."""
    for relative in files.digests.keys() - files.written - files.copies.keys():
        if entries.get(relative) is None or entries[relative].digest != files.digests[relative]:
            raise TreeMismatch(f"{relative}: kept from the last build, which did not have it")
    changes = _changes(files, entries)
    # A new file is moved in: the site's file at that path, if any, is untouched.
    replaced = [relative for relative in changes.written if any(
        relative.startswith(new_folder + "/") for _old, new_folder in changes.moves)]
    _apply(tree, changes, lambda relative, target: os.replace(building / relative, target), replaced)
    had_site = site.exists()
    exchange(tree, site)
    shutil.rmtree(building, ignore_errors=True)
    try:
        if not had_site:
            return mirror(site, tree, files.digests)
        # The old site is the copy now: the same changes, with links to the new files.
        _apply(tree, changes, lambda relative, target: _link(site / relative, target), replaced)
        result = {relative: entry for relative, entry in entries.items() if relative in files.digests}
        result.update({new: entries[old] for new, old in changes.moved.items()})  # same inode, same stamp
        # Stamps as they are now: linking changed the change time of each new file, and of a
        # kept file that another path was linked to.
        linked = set(changes.copies.values()) & files.digests.keys()
        for relative in [*changes.written, *changes.copies, *linked]:
            result[relative] = FileEntry.of(files.digests[relative], os.stat(tree / relative))
        return result
    except OSError:
        return None


def publish_without_tree(
    building: Path, site: Path, tree: Path | None, digests: dict[str, str]
) -> dict[str, FileEntry]:
    """Publish ``building``, which holds every file, at ``site`` (``swap.publish``); then, if
    ``tree`` is given, make it a copy of the site (hard links) and return its entries."""
    swap.publish(building, site)
    if tree is None:
        return {}
    shutil.rmtree(tree, ignore_errors=True)
    return mirror(site, tree, digests)


def mirror(site: Path, tree: Path, digests: dict[str, str]) -> dict[str, FileEntry]:
    """``tree`` as a new copy of ``site``: a hard link to each of its files."""
    entries: dict[str, FileEntry] = {}
    made: set[str] = set()
    for relative in sorted(digests):
        folder = relative.rpartition("/")[0]
        if folder not in made:
            (tree / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        os.link(site / relative, tree / relative)
        entries[relative] = FileEntry.of(digests[relative], os.stat(tree / relative))
    if not digests:
        tree.mkdir(parents=True, exist_ok=True)
    return entries


def exchange(first: Path, second: Path) -> None:
    """``first`` takes ``second``'s place and ``second`` (if it exists) takes ``first``'s: in
    one system call where it can (``swap.exchange``), else by three renames through
    ``.site.previous``, which ``swap.recover`` puts back if a build is killed between them."""
    if not second.exists():
        first.rename(second)
        return
    if swap.exchange(first, second):
        return
    aside = swap.sibling(second, swap.PREVIOUS)
    shutil.rmtree(aside, ignore_errors=True)
    second.rename(aside)
    first.rename(second)
    aside.rename(first)


def _link(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    os.link(source, target)


def _remove(root: Path, relative: str) -> None:
    """Delete a file under ``root`` and the folders it leaves empty."""
    target = root / relative
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != root:
        with contextlib.suppress(OSError):  # not empty
            folder.rmdir()
            folder = folder.parent
            continue
        break
