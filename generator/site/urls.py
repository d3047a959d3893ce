"""Where pages live and how one page links to another.

Every link the generator writes is relative, so the same build works at the root of a
server, under a sub-path (``/dangjian/``) and opened from disk. With directory URLs a page
``organizations/foo.md`` lives at ``organizations/foo/``; without them (for file://) at
``organizations/foo.html``, where a browser opens it without a server.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UrlScheme:
    directory_urls: bool = True

    def page_url(self, src_uri: str) -> str:
        """The site-relative URL of a page built from ``src_uri`` (a ``.md`` path)."""
        stem = src_uri[: -len(".md")] if src_uri.endswith(".md") else src_uri
        if stem == "index" or stem.endswith("/index"):
            folder = stem[: -len("index")]
            return folder if self.directory_urls else f"{folder}index.html"
        return f"{stem}/" if self.directory_urls else f"{stem}.html"

    def output_path(self, src_uri: str) -> str:
        """The file, relative to the site folder, that holds the page built from ``src_uri``."""
        url = self.page_url(src_uri)
        return f"{url}index.html" if url == "" or url.endswith("/") else url

    @staticmethod
    def record_src(type_name: str, record_id: str) -> str:
        return f"{type_name}/{record_id}.md"

    @staticmethod
    def relative(target_url: str, from_url: str) -> str:
        """A link from the page at ``from_url`` to ``target_url`` (both site-relative, no ``..``).

        Built from path segments rather than ``posixpath.relpath``, which resolves both paths
        against the working directory: a build makes hundreds of thousands of links.
        """
        folders = from_url[: from_url.rfind("/") + 1].split("/")[:-1]  # "a/b/" and "a/b/c.html": a, b
        parts = target_url.split("/")  # the last part is the file name, "" for a folder
        shared = 0
        while shared < min(len(folders), len(parts) - 1) and folders[shared] == parts[shared]:
            shared += 1
        return "../" * (len(folders) - shared) + "/".join(parts[shared:]) or "./"


@dataclass(frozen=True)
class PageLinks:
    """Link helpers bound to one page, for templates."""

    scheme: UrlScheme
    src_uri: str

    @property
    def here(self) -> str:
        return self.scheme.page_url(self.src_uri)

    def page(self, src_uri: str) -> str:
        return self.scheme.relative(self.scheme.page_url(src_uri), self.here)

    def record(self, record: object) -> str:
        src = self.scheme.record_src(record.type_name, record.id)  # type: ignore[attr-defined]
        return self.page(src)

    def file(self, path: str) -> str:
        """A file copied as-is into the site (``files/…``, ``assets/…``, feeds)."""
        return self.scheme.relative(path, self.here)
