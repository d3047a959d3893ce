"""The bytes of a writer's state file in the build cache (``memo.StoredState``): a pickle whose
large arrays are written after it, straight from their memory.

A plain pickle copies each array into a bytes object before writing it, and the search
index's postings were first joined into one array so that they load quickly: at 50,000
records storing the index's state took 540 MB beyond the state itself, the largest process's
peak. Here an array of ``RAW_ARRAY_BYTES`` or more, and the arrays of a ``JoinedArrays``,
become a section after the pickle stream, written part by part; loading reads each section
into one new array.

Pickling also remembers every object it wrote until the end (its memo), to write an object
met again as a reference: for the search index's documents, millions of strings, that memo
alone was 200 MB at 50,000 records. The documents are kept in parts (below), each pickled on
its own, so only one part's memo is held at once.

A ``Part`` is stored in a file of its own, named after its digest, and the state refers to it
by that digest. A part loaded with the state and stored again unchanged (the very object) is
not written again: an edit of one record rewrites the parts it reaches, not a 110 MB state.

Layout: the pickle stream, the sections one after another, the stream's length (8 bytes,
little-endian). An array section records its type code, item size and byte order, so a
state stored on a machine that lays numbers out otherwise is refused, not misread. A part is
referred to in the stream by the SHA-256 of its file.
"""

from __future__ import annotations

import pickle
import sys
from array import array
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, BinaryIO

RAW_ARRAY_BYTES = 1 << 16
_WRITE_BYTES = 1 << 20  # small parts are gathered into writes of about this size
_LENGTH_BYTES = 8


@dataclass(frozen=True)
class JoinedArrays:
    """Arrays of one type code kept as one array: stored one after another without being
    joined in memory first, loaded as the joined array (which a ``__setstate__`` may split)."""

    typecode: str
    parts: list[array]

    def __reduce__(self) -> tuple[Any, ...]:  # a plain pickle: the parts, joined when loaded
        return _joined, (self.typecode, self.parts)


@dataclass(eq=False)
class Part:
    """A piece of a state kept in a file of its own (``digest``: of that file, once stored or
    loaded). Whoever changes the value makes a new Part: a Part is referred to, not written
    again, while it still has the digest it was loaded with. Parts do not hold parts."""

    value: Any
    digest: str | None = None


# The digest of a part's file (written unless the part's file is there already); a part's value by digest.
PartStore = Callable[[Part], str]
PartLoad = Callable[[str], Any]


def _joined(typecode: str, parts: Iterable[array]) -> array:
    joined = array(typecode)
    for part in parts:
        joined.extend(part)
    return joined


def dump(value: Any, file: BinaryIO, store_part: PartStore | None = None) -> list[str]:
    """Write ``value`` into ``file`` (which needs only ``write``); its parts not stored yet
    with ``store_part``. The digests of the parts it refers to."""
    counting = _CountingWriter(file)
    sections: list[list[array]] = []
    pickler = _SectionPickler(counting, sections, store_part)
    pickler.dump(value)
    stream_length = counting.written
    for section in sections:
        _write_arrays(section, file)
    file.write(stream_length.to_bytes(_LENGTH_BYTES, "little"))
    return pickler.parts


def _write_arrays(parts: list[array], file: BinaryIO) -> None:
    pending = bytearray()
    for part in parts:
        if len(part) * part.itemsize >= _WRITE_BYTES:
            _flush(pending, file)
            file.write(part)
        else:
            pending += part
            if len(pending) >= _WRITE_BYTES:
                _flush(pending, file)
    _flush(pending, file)


def loads(data: bytes, load_part: PartLoad | None = None) -> Any:
    """The value ``dump`` wrote as ``data``, its parts read with ``load_part``; ValueError (or
    an unpickling error) when the bytes are not such a state."""
    if len(data) < _LENGTH_BYTES:
        raise ValueError("state file too short")
    end = len(data) - _LENGTH_BYTES
    stream_length = int.from_bytes(data[end:], "little")
    if stream_length > end:
        raise ValueError("state file's stream length out of range")
    view = memoryview(data)
    reader = _SectionReader(view[stream_length:end], load_part)
    token = _READING.set(reader)
    try:
        value = pickle.loads(view[:stream_length])
    finally:
        _READING.reset(token)
    if reader.at != len(reader.data):
        raise ValueError("state file's sections do not match its stream")
    return value


def _flush(pending: bytearray, file: BinaryIO) -> None:
    if pending:
        file.write(pending)
        pending.clear()


class _CountingWriter:
    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.written = 0

    def write(self, data: Any) -> int:
        self.written += memoryview(data).nbytes
        return self.file.write(data)


class _SectionPickler(pickle.Pickler):
    """Large arrays (and every ``JoinedArrays``) as sections; the rest as pickle does. Only
    objects pickle has no fast path for come here, so strings and numbers cost nothing."""

    def __init__(self, file: Any, sections: list[list[array]], store_part: PartStore | None) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.sections = sections
        self.store_part = store_part
        self.parts: list[str] = []

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Part:
            if self.store_part is None:
                raise TypeError("a part of a state inside a part, or outside a state file")
            obj.digest = self.store_part(obj)
            self.parts.append(obj.digest)
            return _part, (obj.digest,)
        if type(obj) is array and len(obj) * obj.itemsize >= RAW_ARRAY_BYTES:
            typecode, parts = obj.typecode, [obj]
        elif type(obj) is JoinedArrays:
            typecode, parts = obj.typecode, obj.parts
        else:
            return NotImplemented
        itemsize = array(typecode).itemsize
        if any(part.typecode != typecode for part in parts):
            raise TypeError(f"arrays of type codes other than {typecode!r} in one section")
        self.sections.append(parts)
        return _section, (typecode, itemsize, sys.byteorder, sum(map(len, parts)))


class _SectionReader:
    def __init__(self, data: memoryview, load_part: PartLoad | None) -> None:
        self.data = data
        self.at = 0
        self.load_part = load_part

    def part(self, digest: str) -> Part:
        if self.load_part is None:
            raise ValueError("a part of a state inside a part")
        return Part(self.load_part(digest), digest)

    def read(self, typecode: str, itemsize: int, byteorder: str, count: int) -> array:
        values = array(typecode)
        if values.itemsize != itemsize or byteorder != sys.byteorder:
            raise ValueError(f"state stored with another layout of {typecode!r} numbers")
        end = self.at + count * itemsize
        if end > len(self.data):
            raise ValueError("state file's sections cut short")
        values.frombytes(self.data[self.at : end])
        self.at = end
        return values


_READING: ContextVar[_SectionReader] = ContextVar("_READING")


def _section(typecode: str, itemsize: int, byteorder: str, count: int) -> array:
    """An array stored as a section (called by the unpickler, in order)."""
    return _READING.get().read(typecode, itemsize, byteorder, count)


def _part(digest: str) -> Part:
    """A part stored in a file of its own (called by the unpickler)."""
    return _READING.get().part(digest)
