"""sitemap.xml (and .gz) listing every page of the portal, records included.

Written from the build's own list of pages rather than MkDocs' theme template, because
record pages are not MkDocs pages (see mkdocs_plugin/shell.py). Without site_url the
addresses are relative to the sitemap, which sits at the site root. The .gz copy carries
the build date, so the same content and build date give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..site.published import SITEMAP

if TYPE_CHECKING:
    from . import OutputContext

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_xml(context: OutputContext) -> bytes:
    urlset = ET.Element("urlset", xmlns=NAMESPACE)
    for url in context.pages:
        entry = ET.SubElement(urlset, "url")
        ET.SubElement(entry, "loc").text = context.site.absolute_url(url) or url or "./"
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="UTF-8", xml_declaration=True) + b"\n"


def write_sitemap(context: OutputContext) -> None:
    content = context.memo.for_file(SITEMAP, (context.site, context.pages), lambda: sitemap_xml(context))
    context.write(SITEMAP, content)
    moment = dt.datetime.combine(context.site.build_date, dt.time.min, tzinfo=dt.UTC)
    packed = io.BytesIO()
    with gzip.GzipFile(filename=f"{SITEMAP}.gz", fileobj=packed, mode="wb", mtime=int(moment.timestamp())) as raw:
        raw.write(content)
    context.write(f"{SITEMAP}.gz", packed.getvalue())
