"""Atom feeds (RFC 4287) of notices and lectures, for feed readers and other intranet systems.

Entry ids are ``urn:uuid`` values derived from the record id, so they stay the same when the
portal moves to another address. Links are absolute when ``site_url`` is set; otherwise they
are relative to the feed file (RFC 4287 allows it; some readers do not follow them).
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..content.models import Lecture, Notice, Place
from ..site.graph import SiteGraph
from ..site.published import LECTURES_FEED, NOTICES_FEED
from ..site.urls import UrlScheme

if TYPE_CHECKING:
    from . import OutputContext

ATOM = "http://www.w3.org/2005/Atom"
# Namespace of the feed and entry ids; never change it, readers remember ids.
ID_NAMESPACE = uuid.UUID("6c1b3f4e-2f6a-5b7e-9c55-0a7d1e6f2b10")


@dataclass(frozen=True)
class FeedEntry:
    record_type: str
    record_id: str
    title: str
    updated: dt.datetime
    summary: str
    category: str
    author: str


def _atom_time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _feed_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, name)}"


def _link(context: OutputContext, feed_path: str, site_relative: str) -> str:
    absolute = context.site.absolute_url(site_relative)
    return absolute if absolute else UrlScheme.relative(site_relative, feed_path)


def _organization_name(graph: SiteGraph, organization_id: str) -> str:
    organization = graph.get("organizations", organization_id)
    return organization.display_title if organization is not None else organization_id


def notice_entries(context: OutputContext) -> list[FeedEntry]:
    zone = ZoneInfo(context.site.timezone)
    entries = []
    for notice in context.graph.records["notices"].values():
        assert isinstance(notice, Notice)
        window = f"{notice.form}期：{notice.window.start.isoformat()} 至 {notice.window.end.isoformat()}"
        entries.append(FeedEntry(
            "notices", notice.id, notice.title,
            dt.datetime.combine(notice.published, dt.time.min, tzinfo=zone),
            window, notice.category, _organization_name(context.graph, notice.organization),
        ))
    return entries


def lecture_entries(context: OutputContext) -> list[FeedEntry]:
    zone = ZoneInfo(context.site.timezone)
    entries = []
    for lecture in context.graph.records["lectures"].values():
        assert isinstance(lecture, Lecture)
        place = context.graph.get("places", lecture.place)
        where = place.name if isinstance(place, Place) else (lecture.venue or "")
        when = f"{lecture.start:%Y-%m-%d %H:%M}–{lecture.end:%H:%M}"
        parts = (when, where, f"主讲：{lecture.speaker.name}", lecture.summary or "")
        summary = "，".join(part for part in parts if part)
        # Records carry no edit time; the lecture's start is stable from build to build.
        entries.append(FeedEntry(
            "lectures", lecture.id, lecture.title, lecture.start.replace(tzinfo=zone),
            summary, lecture.series, _organization_name(context.graph, lecture.organization),
        ))
    return entries


def atom_feed(context: OutputContext, feed_path: str, title: str, listing_src: str,
              entries: Iterable[FeedEntry]) -> bytes:
    ET.register_namespace("", ATOM)
    ordered = sorted(entries, key=lambda e: (e.updated, e.record_id), reverse=True)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _feed_id(f"{context.site.name}/{feed_path}")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"{context.site.name} · {title}"
    build_moment = dt.datetime.combine(context.site.build_date, dt.time.min, tzinfo=ZoneInfo(context.site.timezone))
    newest = max([e.updated for e in ordered if e.updated <= build_moment], default=build_moment)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _atom_time(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = context.site.name
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml",
                                           "href": _link(context, feed_path, feed_path)})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                           "href": _link(context, feed_path, context.scheme.page_url(listing_src))})
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Tongxin"
    for entry in ordered:
        page = context.scheme.page_url(UrlScheme.record_src(entry.record_type, entry.record_id))
        node = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = _feed_id(f"{entry.record_type}/{entry.record_id}")
        ET.SubElement(node, f"{{{ATOM}}}title").text = entry.title
        ET.SubElement(node, f"{{{ATOM}}}updated").text = _atom_time(entry.updated)
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                               "href": _link(context, feed_path, page)})
        entry_author = ET.SubElement(node, f"{{{ATOM}}}author")
        ET.SubElement(entry_author, f"{{{ATOM}}}name").text = entry.author
        ET.SubElement(node, f"{{{ATOM}}}category", {"term": entry.category, "label": entry.category})
        ET.SubElement(node, f"{{{ATOM}}}summary", {"type": "text"}).text = entry.summary
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feeds(context: OutputContext) -> None:
    for feed_path, title, listing, entries in (
        (NOTICES_FEED, "党务公开", "notices/index.md", notice_entries(context)),
        (LECTURES_FEED, "党课讲座", "lectures/index.md", lecture_entries(context)),
    ):
        # Made again only when an entry (or the site) changed: most edits change neither.
        key = (context.site, context.scheme, tuple(entries))
        made = partial(atom_feed, context, feed_path, title, listing, entries)
        context.write(feed_path, context.memo.for_file(feed_path, key, made))
