"""Writes the search index into the site as JavaScript files under ``search/data/``.

Every file calls a function of the global ``TongxinSearch`` object and is loaded with a
``<script>`` element: browsers block ``fetch`` of local files, but not scripts, so the same
files work over HTTP and from file://. Data files live in a folder named after their
content, so a browser never mixes a cached old shard with a new manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...site.graph import SiteGraph, known_pinyin_keys, pinyin_key
from ...site.urls import UrlScheme
from .documents import FACETS, SearchDocument, search_documents, user_dictionary
from .index import (
    PAYLOAD_BITS,
    SOUND_KIND,
    TARGET_SOUND_SHARD_BYTES,
    IndexBuilder,
    IndexState,
    SearchIndex,
    encode_postings,
    estimated_size,
    index_characters,
    shard_count,
    shard_of,
)
from .text import Segmenter, common_characters, learn_readings, reading_table, t2s_query_map

if TYPE_CHECKING:
    from ..context import OutputTarget

DATA_DIR = "search/data"
MANIFEST = "manifest.js"
# Records per metadata file: results load only the files of the records they show.
CHUNK_SIZE = 2
EXCERPT_CHARS = 240
FORMAT_VERSION = 2


@dataclass(frozen=True)
class SearchFiles:
    """File name (relative to the data folder) -> JavaScript text."""

    manifest: str
    files: dict[str, str]
    version: str


def build_search_files(graph: SiteGraph, scheme: UrlScheme, content_dir: Path | None) -> SearchFiles:
    return index_files(search_documents(graph, scheme, content_dir), user_dictionary(graph))


def index_files(documents: list[SearchDocument], dictionary: set[str]) -> SearchFiles:
    """The index of ``documents``: a function of them and the dictionary alone."""
    builder = IndexBuilder(Segmenter(dictionary))
    builder.add_all(documents)
    return render_files(builder.build())


@dataclass
class RenderedIndex:
    """What the next build needs of this build's files to rewrite only those an edit changes."""

    files: dict[str, str]
    shards: int
    sounds: int
    estimated: tuple[int, int]  # see ``SearchIndex.estimated_bytes``
    name_characters: set[str]
    characters: set[str]
    t2s: str
    # The pinyin sort keys of the facets' values: the build process never sorts some of them,
    # so its kept sort keys do not spare the next rebuild's search process pypinyin.
    sort_keys: dict[str, tuple[str, str]]


def updated_index_files(
    documents: list[SearchDocument],
    dictionary: set[str],
    digests: list[str],
    kept: tuple[IndexState, RenderedIndex] | None,
    characters: tuple[set[str], set[str]] | None = None,
) -> tuple[SearchFiles, tuple[IndexState, RenderedIndex]]:
    """The same files as ``index_files``, made from what the last build ``kept`` where it was
    made with the same dictionary, and what to keep for the next build. ``digests``: of
    the documents. Documents edited in place (``IndexBuilder.update_in_place``) change only
    their own postings and those whose weights moved: only the shards and metadata files
    holding them are made again. Otherwise only new and changed documents' terms are
    extracted, and the files are all made again. ``characters``: those of the documents'
    text and of their names (``index_characters``, ``name_characters``), if known already."""
    builder = IndexBuilder(partial(Segmenter, dictionary))
    last = kept[0] if kept is not None else None
    if last is not None and last.readings is not None:
        learn_readings(last.readings.value)
    if kept is not None:
        known_pinyin_keys().update(kept[1].sort_keys)
    if kept is not None and kept[0].dictionary == dictionary:
        state, rendered = kept
        # Few documents to segment: jieba's dictionary is read shard by shard as they need it.
        builder = IndexBuilder(partial(Segmenter, dictionary, state.added, state.prefix_shards))
        changed = builder.update_in_place(state, documents, digests)
        if changed is not None:
            edited = {n for n, (old, new) in enumerate(zip(state.digests, digests, strict=True)) if old != new}
            updated = _rewritten(rendered, documents, builder.encoded(changed), edited, characters)
            if updated is not None:
                return updated[0], (builder.state(dictionary, digests, last), updated[1])
            files, rendered = render_files_kept(builder.build())
            return files, (builder.state(dictionary, digests, last), rendered)
        builder = IndexBuilder(partial(Segmenter, dictionary, state.added, state.prefix_shards))
        builder.add_updated(state, documents, digests)
    else:
        builder.add_all(documents)
    files, rendered = render_files_kept(builder.build())
    return files, (builder.state(dictionary, digests, last), rendered)


def render_files(index: SearchIndex) -> SearchFiles:
    return render_files_kept(index)[0]


def render_files_kept(index: SearchIndex) -> tuple[SearchFiles, RenderedIndex]:
    """The index's files, and what an update of them needs."""
    files: dict[str, str] = {}
    shards, sound_shards = index.shards()
    for number, shard in enumerate(shards):
        files[f"s{number}.js"] = _call("shard", number, shard)
    for number, shard in enumerate(sound_shards):
        files[f"y{number}.js"] = _call("sound", number, shard)
    for number in range(_chunks(len(index.documents))):
        files[f"m{number}.js"] = _meta_file(index.documents, number)
    files["facets.js"] = _call("facets", 0, _facets(index.documents))
    name_characters = index.name_characters
    files["readings.js"] = _readings_file(name_characters)
    t2s = _t2s(index.characters)
    rendered = RenderedIndex(files, len(shards), len(sound_shards), index.estimated_bytes(), name_characters,
                             index.characters, t2s, _facet_sort_keys(index.documents))
    return _finished(rendered, len(index.documents)), rendered


def _rewritten(
    kept: RenderedIndex, documents: list[SearchDocument], values: dict[str, str | None], edited: set[int],
    characters: tuple[set[str], set[str]] | None,
) -> tuple[SearchFiles, RenderedIndex] | None:
    """The kept files with the terms' new ``values`` (None: left out) and the ``edited``
    documents' metadata; None when the shards must be split anew (their count changes)."""
    main, sound = kept.estimated
    by_file: dict[str, dict[str, str | None]] = {}
    for term, value in values.items():
        sounds = term[0] == SOUND_KIND
        name = f"y{shard_of(term, kept.sounds)}.js" if sounds else f"s{shard_of(term, kept.shards)}.js"
        by_file.setdefault(name, {})[term] = value
    files = dict(kept.files)
    for name, changes in by_file.items():
        shard: dict[str, str] = _payload(files[name])
        for term, value in changes.items():
            before = shard.pop(term, None)
            delta = (estimated_size(term, value) if value is not None else 0) - (
                estimated_size(term, before) if before is not None else 0)
            if term[0] == SOUND_KIND:
                sound += delta
            else:
                main += delta
            if value is not None:
                shard[term] = value
        files[name] = _call("shard" if name[0] == "s" else "sound", int(name[1:-3]), shard)
    if shard_count(main) != kept.shards or shard_count(sound, TARGET_SOUND_SHARD_BYTES) != kept.sounds:
        return None
    for number in sorted({n // CHUNK_SIZE for n in edited}):
        files[f"m{number}.js"] = _meta_file(documents, number)
    files["facets.js"] = _call("facets", 0, _facets(documents))
    if characters is None:
        characters = index_characters(documents), SearchIndex(documents, {}, set()).name_characters
    text_characters, names = characters
    if names != kept.name_characters:
        files["readings.js"] = _readings_file(names)
    t2s = kept.t2s if text_characters == kept.characters else _t2s(text_characters)
    rendered = RenderedIndex(files, kept.shards, kept.sounds, (main, sound), names, text_characters, t2s,
                             _facet_sort_keys(documents))
    return _finished(rendered, len(documents)), rendered


def _finished(rendered: RenderedIndex, count: int) -> SearchFiles:
    """The files with the manifest naming their folder after their content."""
    files = rendered.files
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode())
    version = digest.hexdigest()[:12]
    manifest = {
        "format": FORMAT_VERSION,
        "data": version,
        "shards": rendered.shards,
        "sounds": rendered.sounds,
        "chunk": CHUNK_SIZE,
        "count": count,
        "t2s": rendered.t2s,
    }
    return SearchFiles(_call("manifest", 0, manifest), files, version)


def _chunks(count: int) -> int:
    return -(-count // CHUNK_SIZE)


def _meta_file(documents: list[SearchDocument], number: int) -> str:
    start = number * CHUNK_SIZE
    return _call("meta", number, [_meta(d) for d in documents[start : start + CHUNK_SIZE]])


def _readings_file(name_characters: set[str]) -> str:
    readings = reading_table(name_characters | set(common_characters()))
    return _call("readings", 0, "|".join(s + chars for s, chars in readings.items()))


def _t2s(characters: set[str]) -> str:
    return "".join(k + v for k, v in sorted(t2s_query_map(characters).items()))


def _payload(text: str) -> Any:
    """The data of a file made by ``_call``."""
    return json.loads(text[text.index(",") + 1 : -len(");\n")])


def write_search_files(target: OutputTarget, search: SearchFiles) -> list[str]:
    """Publish the index; the site-relative paths of its files."""
    paths = [f"{DATA_DIR}/{search.version}/{name}" for name in search.files] + [f"{DATA_DIR}/{MANIFEST}"]
    for path, text in zip(paths, [*search.files.values(), search.manifest], strict=True):
        target.write(path, text)
    return paths


def _call(function: str, number: int, payload: object) -> str:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=isinstance(payload, dict))
    return f"TongxinSearch.{function}({number},{data});\n"


def _meta(document: SearchDocument) -> list[object]:
    return [
        document.title,
        document.url,
        document.type_label,
        " · ".join(document.facts),
        document.excerpt[:EXCERPT_CHARS],
    ]


def _facet_sort_keys(documents: list[SearchDocument]) -> dict[str, tuple[str, str]]:
    """The sort keys of every facet value (``_facets`` has worked them out)."""
    return {value: pinyin_key(value) for document in documents for key in FACETS
            for value in document.facets.get(key, [])}


def _facets(documents: list[SearchDocument]) -> list[dict[str, object]]:
    """Per facet: its values (in pinyin order) and the records having each value."""
    fields: list[dict[str, object]] = []
    for key, label in FACETS.items():
        holders: dict[str, list[int]] = defaultdict(list)
        for number, document in enumerate(documents):
            for value in dict.fromkeys(document.facets.get(key, [])):
                holders[value].append(number)
        values = sorted(holders, key=pinyin_key)
        fields.append(
            {
                "key": key,
                "label": label,
                "values": values,
                "records": [encode_postings(n << PAYLOAD_BITS for n in holders[v]) for v in values],
            }
        )
    return fields
