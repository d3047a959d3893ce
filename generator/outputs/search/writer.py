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

from ...site.graph import SiteGraph, pinyin_key
from ...site.urls import UrlScheme
from ..context import OutputContext
from .documents import FACETS, SearchDocument, search_documents, user_dictionary
from .index import PAYLOAD_BITS, IndexBuilder, IndexState, SearchIndex, encode_postings
from .text import Segmenter, common_characters, reading_table, t2s_query_map

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


def updated_index_files(
    documents: list[SearchDocument], dictionary: set[str], digests: list[str], kept: IndexState | None
) -> tuple[SearchFiles, IndexState]:
    """The same files as ``index_files``, made from the ``kept`` state of the last build where
    it was made with the same dictionary (only new and changed documents' terms are
    extracted), and the state to keep for the next build. ``digests``: of the documents."""
    builder = IndexBuilder(partial(Segmenter, dictionary))
    if kept is not None and kept.dictionary == dictionary:
        builder.add_updated(kept, documents, digests)
    else:
        builder.add_all(documents)
    files = render_files(builder.build())
    return files, builder.state(dictionary, digests)


def render_files(index: SearchIndex) -> SearchFiles:
    files: dict[str, str] = {}
    shards, sound_shards = index.shards()
    for number, shard in enumerate(shards):
        files[f"s{number}.js"] = _call("shard", number, shard)
    for number, shard in enumerate(sound_shards):
        files[f"y{number}.js"] = _call("sound", number, shard)
    for number, start in enumerate(range(0, len(index.documents), CHUNK_SIZE)):
        chunk = [_meta(d) for d in index.documents[start : start + CHUNK_SIZE]]
        files[f"m{number}.js"] = _call("meta", number, chunk)
    files["facets.js"] = _call("facets", 0, _facets(index.documents))
    readings = reading_table(index.name_characters | set(common_characters()))
    files["readings.js"] = _call("readings", 0, "|".join(s + chars for s, chars in readings.items()))
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode())
    version = digest.hexdigest()[:12]
    t2s = t2s_query_map(index.characters)
    manifest = {
        "format": FORMAT_VERSION,
        "data": version,
        "shards": len(shards),
        "sounds": len(sound_shards),
        "chunk": CHUNK_SIZE,
        "count": len(index.documents),
        "t2s": "".join(k + v for k, v in sorted(t2s.items())),
    }
    return SearchFiles(_call("manifest", 0, manifest), files, version)


def write_search_files(context: OutputContext, search: SearchFiles) -> list[str]:
    """Publish the index; the site-relative paths of its files."""
    paths = [f"{DATA_DIR}/{search.version}/{name}" for name in search.files] + [f"{DATA_DIR}/{MANIFEST}"]
    for path, text in zip(paths, [*search.files.values(), search.manifest], strict=True):
        context.write(path, text)
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
