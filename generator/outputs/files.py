"""Every file a build publishes, with the SHA-256 of its bytes.

Pages and outputs are written through one ``SiteFiles``. It records the digest of each
file, so that the build cache knows the published site file by file, and it leaves out
files whose bytes equal the previous build's at the same path (``previous``): the site is
then assembled from the previous build's copy (``generator.mkdocs_plugin.sitetree``), so a
rebuild after a small edit writes only what changed. With ``precompress`` every text file
also gets a ``.gz`` copy beside it (for nginx's ``gzip_static``), kept or made the same way.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Types worth compressing: text. Images, PDFs and archives are compressed already.
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".ics", ".map", ".webmanifest")
GZIP_SUFFIX = ".gz"
# Level 9 costs about three times the CPU of level 6 for 1-2% smaller files.
GZIP_LEVEL = 6


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def gzipped(data: bytes) -> bytes:
    """``data`` gzipped reproducibly: no file name, no time stamp."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def precompressible(relative: str) -> bool:
    return relative.endswith(COMPRESSIBLE)


@dataclass
class SiteFiles:
    """The files of one build: relative path -> digest, and which of them were written."""

    # Digests of the previous build's files that the new site may take over unchanged.
    previous: Mapping[str, str] = field(default_factory=dict)
    precompress: bool = False
    digests: dict[str, str] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    # New paths whose bytes the previous build had at another path (the search index's
    # folder is named after its content): relative path -> the previous build's path.
    copies: dict[str, str] = field(default_factory=dict)
    _previous_paths: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def fresh(self) -> SiteFiles:
        """An empty record for another writer of this build (the early outputs' process):
        the same previous build to take unchanged files from, nothing written yet."""
        return SiteFiles(self.previous, self.precompress)

    def write(self, root: Path, relative: str, data: bytes | str) -> None:
        """Publish ``data`` at ``relative``: written under ``root``, unless the previous
        build's file there has the same bytes."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._publish(root, relative, data, digest_of(data))

    def keep(self, relative: str) -> None:
        """Publish the previous build's file at ``relative`` unchanged (a page not rendered
        again); KeyError if the previous build had none there."""
        self.digests[relative] = self.previous[relative]
        self.written.discard(relative)
        if self.precompress and precompressible(relative):
            self.keep(relative + GZIP_SUFFIX)

    def reuse(self, relative: str, previous: str) -> None:
        """Publish at ``relative`` the previous build's file at ``previous`` (the same bytes,
        perhaps at another path, as in the search index's content-named folder)."""
        if relative == previous:
            self.keep(relative)
            return
        self.digests[relative] = self.previous[previous]
        self.copies[relative] = previous
        self.written.discard(relative)
        if self.precompress and precompressible(relative):
            self.reuse(relative + GZIP_SUFFIX, previous + GZIP_SUFFIX)

    def adopt(self, root: Path, relatives: Iterable[str]) -> None:
        """Files something else wrote under ``root`` (MkDocs' pages and assets).

        A path this build also wrote through ``write`` is ours (written after MkDocs'):
        MkDocs' file was overwritten, or, when ours equals the previous build's, removed.
        """
        for relative in relatives:
            path = root / relative
            if relative in self.digests:
                if relative not in self.written:
                    path.unlink(missing_ok=True)
                continue
            if path.is_file():
                data = path.read_bytes()
                self._publish(root, relative, data, digest_of(data), already_there=True)

    def __getstate__(self) -> dict[str, object]:
        # Sent back by the process writing the search index: what it wrote, not what it was given.
        return {**self.__dict__, "previous": {}, "_previous_paths": None}

    def merge(self, other: SiteFiles) -> None:
        """The files another process recorded (the search index, written beside the pages)."""
        self.digests.update(other.digests)
        self.written.difference_update(other.digests)
        self.written.update(other.written)
        for relative in other.digests:
            self.copies.pop(relative, None)
        self.copies.update(other.copies)

    @property
    def kept(self) -> int:
        """Files published unchanged from the previous build (at their path or another)."""
        return len(self.digests) - len(self.written)

    def _publish(self, root: Path, relative: str, data: bytes, digest: str, already_there: bool = False) -> None:
        unchanged = self.previous.get(relative) == digest
        self._record(root, relative, data, digest, unchanged, already_there)
        if not (self.precompress and precompressible(relative)):
            return
        compressed = relative + GZIP_SUFFIX
        previous = self.previous.get(compressed)
        if unchanged and previous is not None:  # the .gz of unchanged bytes is the previous .gz
            self._record(root, compressed, b"", previous, True, False)
            return
        packed = gzipped(data)
        packed_digest = digest_of(packed)
        self._record(root, compressed, packed, packed_digest, previous == packed_digest, False)

    def _previous_path(self, digest: str) -> str | None:
        if not self.previous:
            return None
        if self._previous_paths is None:
            self._previous_paths = {}
            for relative, known in self.previous.items():
                self._previous_paths.setdefault(known, relative)
        return self._previous_paths.get(digest)

    def _record(self, root: Path, relative: str, data: bytes, digest: str, unchanged: bool,
                already_there: bool) -> None:
        self.digests[relative] = digest
        self.copies.pop(relative, None)
        path = root / relative
        elsewhere = None if unchanged else self._previous_path(digest)
        if unchanged or elsewhere is not None:
            self.written.discard(relative)
            if elsewhere is not None:
                self.copies[relative] = elsewhere
            if already_there:
                path.unlink()  # the previous build's file is taken instead
            return
        self.written.add(relative)
        if already_there:
            return
        # ``root`` is a build's own new folder: nothing in it is shared with the published
        # site or the build cache, so writing in place is safe.
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
