"""sitemap.xml.gz made reproducible.

MkDocs renders sitemap.xml from the theme (theme/sitemap.xml lists every page, records
included) but stamps the .gz copy with today's time; this writer re-compresses it with the
build date, so the same content and build date give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import gzip
from typing import TYPE_CHECKING

from ..published import SITEMAP

if TYPE_CHECKING:
    from . import OutputContext


def write_sitemap_gz(context: OutputContext) -> None:
    sitemap = context.site_dir / SITEMAP
    if not sitemap.is_file():
        return
    moment = dt.datetime.combine(context.site.build_date, dt.time.min, tzinfo=dt.UTC)
    target = context.site_dir / f"{SITEMAP}.gz"
    with target.open("wb") as raw, gzip.GzipFile(
        filename=f"{SITEMAP}.gz", fileobj=raw, mode="wb", mtime=int(moment.timestamp())
    ) as compressed:
        compressed.write(sitemap.read_bytes())
