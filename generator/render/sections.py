"""What the portal's own pages show besides lists of records: the month grids of the lecture
calendar, the phone directory grouped by organisation, the choices of the organisation filters."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, get_args

from ..content.models import Grid, Lecture, Notice, Organization, OrganizationKind, Record
from ..site import graph as site_graph
from ..site.graph import SiteGraph, TreeNode


@dataclass(frozen=True)
class DayCell:
    date: dt.date
    in_month: bool
    lectures: list[Lecture]


@dataclass(frozen=True)
class MonthGrid:
    year: int
    month: int
    # Weeks Monday first; days of the neighbouring months fill the first and last week.
    weeks: list[list[DayCell]]

    @property
    def anchor(self) -> str:
        return f"m{self.year}-{self.month:02d}"


@dataclass(frozen=True)
class ContactEntry:
    label: str
    phone: str
    # The record the number belongs to, when it is not the organisation itself.
    record: Record | None = None


@dataclass(frozen=True)
class ContactGroup:
    organization: Organization | None
    depth: int
    entries: list[ContactEntry]

    @property
    def anchor(self) -> str:
        return f"org-{self.organization.id}" if self.organization else "others"


def month_grids(lectures: list[Lecture]) -> list[MonthGrid]:
    """Calendar months that have at least one lecture, oldest first."""
    by_day: dict[dt.date, list[Lecture]] = defaultdict(list)
    for lecture in sorted(lectures, key=lambda item: (item.start, item.id)):
        by_day[lecture.start.date()].append(lecture)
    months = sorted({(day.year, day.month) for day in by_day})
    weeks_of = calendar.Calendar(firstweekday=0).monthdatescalendar
    return [
        MonthGrid(
            year,
            month,
            [[DayCell(day, day.month == month, by_day.get(day, [])) for day in week] for week in weeks_of(year, month)],
        )
        for year, month in months
    ]


def contact_groups(graph: SiteGraph) -> list[ContactGroup]:
    """Every public phone number, grouped by organisation in the order of the organisation tree."""
    groups: list[ContactGroup] = []

    def visit(node: TreeNode, depth: int) -> None:
        entries = _organization_contacts(graph, node.organization)
        if entries:
            groups.append(ContactGroup(node.organization, depth, entries))
        for child in node.children:
            visit(child, depth + 1)

    for root in graph.organization_tree:
        visit(root, 0)
    loose_grids = [g for g in graph.records["grids"].values() if isinstance(g, Grid) and not g.organization and g.phone]
    if loose_grids:
        groups.append(ContactGroup(None, 0, [ContactEntry("网格服务电话", g.phone or "", g) for g in loose_grids]))
    return groups


def regroup(rows: list[tuple[ContactGroup, ContactEntry]]) -> list[ContactGroup]:
    """Consecutive rows of the same group back into groups (a page may hold part of a group)."""
    groups: list[ContactGroup] = []
    for group, entry in rows:
        if groups and groups[-1].anchor == group.anchor:
            groups[-1].entries.append(entry)
        else:
            groups.append(ContactGroup(group.organization, group.depth, [entry]))
    return groups


def _organization_contacts(graph: SiteGraph, org: Organization) -> list[ContactEntry]:
    entries: list[ContactEntry] = []
    if org.phone:
        entries.append(ContactEntry("办公电话", org.phone))
    entries += [ContactEntry(line.name, line.phone) for line in org.hotlines]
    for place in graph.places_of(org):
        if place.phone:
            entries.append(ContactEntry(place.kind, place.phone, place))
    for grid in graph.referrers(org, "grids", "organization"):
        if isinstance(grid, Grid) and grid.phone:
            entries.append(ContactEntry("网格服务电话", grid.phone, grid))
    seen = {entry.phone for entry in entries}
    for notice in graph.referrers(org, "notices", "organization"):
        phone = notice.contact.phone if isinstance(notice, Notice) else None
        if phone and phone not in seen:
            seen.add(phone)
            entries.append(ContactEntry(f"党务公开意见反映（{notice.contact.department or '受理电话'}）", phone))
    return entries


def filter_options(organizations: list[Organization]) -> dict[str, Any]:
    """Choices of the organisation directory's filters: kinds, streets with communities, bases."""
    streets: dict[str, set[str]] = defaultdict(set)
    for org in organizations:
        if org.street:
            streets[org.street].update([org.community] if org.community else [])
    order = site_graph.pinyin_key
    return {
        "kinds": [k for k in get_args(OrganizationKind) if any(o.kind == k for o in organizations)],
        "streets": [(street, sorted(streets[street], key=order)) for street in sorted(streets, key=order)],
        "bases": sorted({o.basis for o in organizations if o.basis}, key=order),
    }
