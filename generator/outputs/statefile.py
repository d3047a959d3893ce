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
alone was 200 MB at 50,000 records. A ``Chunked`` list is written after the stream too, a
chunk at a time, each chunk pickled on its own, so only one chunk's memo is held at once.

Layout: the pickle stream, the sections one after another, the stream's length (8 bytes,
little-endian). An array section records its type code, item size and byte order, so a
state stored on a machine that lays numbers out otherwise is refused, not misread; a
chunked section is each chunk's length (8 bytes) and pickle.
"""

from __future__ import annotations

import pickle
import sys
from array import array
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, BinaryIO

RAW_ARRAY_BYTES = 1 << 16
CHUNK_ITEMS = 1_000
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


@dataclass(frozen=True)
class Chunked:
    """A long list of independent items (no item refers to another's objects), stored a chunk
    of ``CHUNK_ITEMS`` at a time; loaded as the list."""

    items: list[Any]

    def __reduce__(self) -> tuple[Any, ...]:  # a plain pickle: the list
        return list, (self.items,)

    def chunks(self) -> Iterator[list[Any]]:
        for start in range(0, len(self.items), CHUNK_ITEMS):
            yield self.items[start : start + CHUNK_ITEMS]


Section = list[array] | Chunked


def _joined(typecode: str, parts: Iterable[array]) -> array:
    joined = array(typecode)
    for part in parts:
        joined.extend(part)
    return joined


def dump(value: Any, file: BinaryIO) -> None:
    """Write ``value`` into ``file`` (which needs only ``write``)."""
    counting = _CountingWriter(file)
    sections: list[Section] = []
    _SectionPickler(counting, sections).dump(value)
    stream_length = counting.written
    for section in sections:
        if isinstance(section, Chunked):
            _write_chunks(section, file)
        else:
            _write_arrays(section, file)
    file.write(stream_length.to_bytes(_LENGTH_BYTES, "little"))


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


def _write_chunks(chunked: Chunked, file: BinaryIO) -> None:
    for chunk in chunked.chunks():
        data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        file.write(len(data).to_bytes(_LENGTH_BYTES, "little"))
        file.write(data)


def loads(data: bytes) -> Any:
    """The value ``dump`` wrote as ``data``; ValueError (or an unpickling error) when the bytes
    are not such a state."""
    if len(data) < _LENGTH_BYTES:
        raise ValueError("state file too short")
    end = len(data) - _LENGTH_BYTES
    stream_length = int.from_bytes(data[end:], "little")
    if stream_length > end:
        raise ValueError("state file's stream length out of range")
    view = memoryview(data)
    reader = _SectionReader(view[stream_length:end])
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

    def __init__(self, file: Any, sections: list[Section]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.sections = sections

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Chunked:
            self.sections.append(obj)
            return _chunked_section, (-(-len(obj.items) // CHUNK_ITEMS),)
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
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.at = 0

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

    def read_chunks(self, count: int) -> list[Any]:
        items: list[Any] = []
        for _ in range(count):
            start = self.at + _LENGTH_BYTES
            end = start + int.from_bytes(self.data[self.at : start], "little")
            if end > len(self.data):
                raise ValueError("state file's chunks cut short")
            items += pickle.loads(self.data[start:end])
            self.at = end
        return items


_READING: ContextVar[_SectionReader] = ContextVar("_READING")


def _section(typecode: str, itemsize: int, byteorder: str, count: int) -> array:
    """An array stored as a section (called by the unpickler, in order)."""
    return _READING.get().read(typecode, itemsize, byteorder, count)


def _chunked_section(count: int) -> list[Any]:
    """A ``Chunked`` list stored as a section of ``count`` chunks (called by the unpickler)."""
    return _READING.get().read_chunks(count)
