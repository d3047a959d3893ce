"""The site graph -> HTML page bodies, through the Jinja2 templates in ``theme/tongxin/``.

The renderer knows nothing of MkDocs: it plans which pages exist (home, a listing per
type, the organisation tree, notice categories, lecture series, the lecture calendar, the
contact directory, the open-data page and one page per record) and renders each plan to an
HTML body. The MkDocs plugin wraps these bodies in the Material layout.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import jinja2
from pypinyin import lazy_pinyin

from . import graph as site_graph
from . import published
from .graph import SiteGraph, TreeNode
from .hours import hours_data
from .markup import MarkdownRenderer
from .models import (
    RECORD_TYPES,
    WEEKDAYS,
    Grid,
    Lecture,
    Notice,
    OpeningHours,
    OpeningPeriod,
    Organization,
    OrganizationKind,
    Place,
    Record,
)
from .qr import QrCode, qr_code
from .urls import PageLinks, UrlScheme

# A child of MkDocs' logger, so the CLI shows it like MkDocs' own warnings, without importing MkDocs.
log = logging.getLogger("mkdocs.plugins.tongxin.rendering")

CALENDAR_SRC = "lectures/calendar.md"
CONTACTS_SRC = "contacts.md"
OPENDATA_SRC = "opendata.md"

SECTION_INTROS: dict[str, str] = {
    "organizations": "街道党工委、社区党委、党总支、党支部和网格党组织",
    "places": "党员服务中心（站、点）、党员之家和为民服务阵地，附开放时间",
    "grids": "网格的范围、网格长和网格党组织",
    "projects": "党组织牵头、居民参与的服务项目",
    "cases": "区域化党建、网格化管理等实践案例",
    "notices": "党务公开栏：公示中的事项、公示期与反映渠道",
    "lectures": "微型党课、社区党校、专题讲座的时间地点",
}


@dataclass(frozen=True)
class SiteInfo:
    """What templates need to know about the portal as a whole."""

    name: str
    build_date: dt.date
    timezone: str
    # The portal's public address on the intranet (site_url), when the operator set one.
    site_url: str | None = None

    def absolute_url(self, site_relative: str) -> str | None:
        """The address of a page or file on the intranet; None when site_url is not set."""
        if not self.site_url:
            return None
        base = self.site_url if self.site_url.endswith("/") else self.site_url + "/"
        return base + site_relative.lstrip("/")


@dataclass(frozen=True)
class PagePlan:
    src_uri: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Only the sections named in site_config.yml's nav belong there (nav cost is quadratic).
    in_nav: bool = True


@dataclass(frozen=True)
class RenderedPage:
    src_uri: str
    title: str
    html: str
    # Record pages stay out of the MkDocs nav: nav rendering is quadratic in page count.
    is_record: bool = False
    # False for records and sub-pages (categories, series) that the nav does not list.
    in_nav: bool = True


class PageCollision(ValueError):
    """A record's id takes the address of a generated page (e.g. a lecture called "calendar")."""


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


def zh_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def zh_weekday(value: dt.date) -> str:
    return WEEKDAYS[value.weekday()]


def zh_datetime(value: dt.datetime) -> str:
    return f"{zh_date(value)}（{zh_weekday(value)}）{value:%H:%M}"


def clock(value: dt.time | None) -> str:
    return "" if value is None else f"{value:%H:%M}"


def weekly(hours: OpeningHours) -> list[tuple[str, list[OpeningPeriod]]]:
    """Opening periods per weekday, Monday first, for the weekly table."""
    return [(day, [p for p in hours.periods if day in p.days]) for day in WEEKDAYS]


def slug(name: str) -> str:
    """An ASCII path segment for a Chinese category or series name (发展党员公示 -> fazhandangyuangongshi)."""
    return "".join(lazy_pinyin(name)).lower()


def category_src(category: str) -> str:
    return f"notices/category/{slug(category)}.md"


def series_src(series: str) -> str:
    return f"lectures/series/{slug(series)}.md"


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


def field_label(type_name: str, field_name: str) -> str:
    info = RECORD_TYPES[type_name].model_fields[field_name]
    return info.title or field_name


def make_environment(template_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        zh_date=zh_date, zh_datetime=zh_datetime, zh_weekday=zh_weekday, clock=clock, weekly=weekly
    )
    env.globals.update(
        field_label=field_label,
        record_types=RECORD_TYPES,
        section_intros=SECTION_INTROS,
        NOTICE_OPEN=site_graph.NOTICE_OPEN,
        NOTICE_UPCOMING=site_graph.NOTICE_UPCOMING,
        NOTICE_CLOSED=site_graph.NOTICE_CLOSED,
        LECTURE_UPCOMING=site_graph.LECTURE_UPCOMING,
        LECTURE_PAST=site_graph.LECTURE_PAST,
        published=published,
        category_src=category_src,
        series_src=series_src,
        WEEKDAYS=WEEKDAYS,
        CALENDAR_SRC=CALENDAR_SRC,
        CONTACTS_SRC=CONTACTS_SRC,
        OPENDATA_SRC=OPENDATA_SRC,
    )
    return env


class PortalRenderer:
    def __init__(
        self, graph: SiteGraph, template_dir: Path, scheme: UrlScheme, site: SiteInfo
    ) -> None:
        self.graph = graph
        self.scheme = scheme
        self.site = site
        self._env = make_environment(template_dir)
        self._markdown = MarkdownRenderer()
        if not site.site_url:
            log.warning(
                "site_url 未设置：打印版的公示和阵地页面不带二维码，订阅源和站点地图只用相对地址。"
                "请在 site_config.yml 里写上门户在内网的地址（site_url is not set: no QR codes on printed pages）"
            )

    # --- planning ------------------------------------------------------------------

    def plan(self) -> list[PagePlan]:
        plans = [self._home_plan(), self._tree_plan()]
        plans += [self._listing_plan(type_name) for type_name in RECORD_TYPES]
        plans += self._category_plans() + self._series_plans()
        plans += [self._calendar_plan(), self._contacts_plan(), self._opendata_plan()]
        # The search results page; generator/search writes its index, the browser fills it in.
        plans.append(PagePlan("search.md", "搜索", "search.html", in_nav=False))
        generated = {plan.src_uri for plan in plans}
        for record in self.graph.all_records():
            plan = self._record_plan(record)
            if plan.src_uri in generated:
                raise PageCollision(
                    f"{record.type_name}/{record.id}: 编号“{record.id}”与栏目页面重名，请给文件改个名字"
                    f"（the id is reserved for the page {plan.src_uri}; rename the file）"
                )
            plans.append(plan)
        return plans

    def _record_plan(self, record: Record) -> PagePlan:
        src = UrlScheme.record_src(record.type_name, record.id)
        context: dict[str, Any] = {"record": record}
        if isinstance(record, Notice | Place):
            context["qr"] = self._qr_for(src)
        if isinstance(record, Place) and record.hours:
            context["hours"] = hours_data(record.hours)
        return PagePlan(src, record.display_title, f"record/{record.type_name}.html", context, in_nav=False)

    def _qr_for(self, src_uri: str) -> QrCode | None:
        url = self.site.absolute_url(self.scheme.page_url(src_uri))
        return qr_code(url) if url else None

    def _home_plan(self) -> PagePlan:
        return PagePlan(
            "index.md",
            self.site.name,
            "home.html",
            {
                "notices": self.graph.notices_by_state(),
                "lectures": self.graph.lectures_by_state(),
                "counts": {name: len(items) for name, items in self.graph.records.items()},
            },
        )

    def _tree_plan(self) -> PagePlan:
        return PagePlan(
            "organizations/tree.md",
            "组织架构",
            "tree.html",
            {"roots": self.graph.organization_tree},
        )

    def _listing_plan(self, type_name: str) -> PagePlan:
        model = RECORD_TYPES[type_name]
        items = list(self.graph.records[type_name].values())
        context: dict[str, Any] = {"type_name": type_name, "items": items}
        if type_name == "notices":
            context.update(self._notice_groups(items))  # type: ignore[arg-type]
            context["categories"] = _counted(items, lambda n: n.category)  # type: ignore[attr-defined]
        elif type_name == "lectures":
            context["groups"] = self.graph.lectures_by_state()
            context["series"] = _counted(items, lambda lecture: lecture.series)  # type: ignore[attr-defined]
        elif type_name == "organizations":
            context["filters"] = filter_options(items)  # type: ignore[arg-type]
        elif type_name == "places":
            context["hours"] = {p.id: hours_data(p.hours) for p in items if isinstance(p, Place) and p.hours}
        return PagePlan(f"{type_name}/index.md", model.type_label, f"listing/{type_name}.html", context)

    def _notice_groups(self, notices: list[Notice]) -> dict[str, Any]:
        groups: dict[str, list[Notice]] = {site_graph.NOTICE_OPEN: [], site_graph.NOTICE_UPCOMING: [],
                                           site_graph.NOTICE_CLOSED: []}
        for notice in notices:
            groups[self.graph.notice_state(notice)].append(notice)
        groups[site_graph.NOTICE_UPCOMING].sort(key=lambda n: (n.window.start, n.id))
        archive = _by_year(groups[site_graph.NOTICE_CLOSED], lambda n: n.window.end.year)
        return {"groups": groups, "archive": archive}

    def _category_plans(self) -> list[PagePlan]:
        notices = [n for n in self.graph.records["notices"].values() if isinstance(n, Notice)]
        plans = []
        for category, _count in _counted(notices, lambda n: n.category):
            members = [n for n in notices if n.category == category]
            context = {"type_name": "notices", "category": category, **self._notice_groups(members)}
            plans.append(PagePlan(category_src(category), category, "listing/notice-category.html", context,
                                  in_nav=False))
        return plans

    def _series_plans(self) -> list[PagePlan]:
        lectures = [item for item in self.graph.records["lectures"].values() if isinstance(item, Lecture)]
        plans = []
        for series, _count in _counted(lectures, lambda item: item.series):
            groups: dict[str, list[Lecture]] = {site_graph.LECTURE_UPCOMING: [], site_graph.LECTURE_PAST: []}
            for lecture in lectures:
                if lecture.series == series:
                    groups[self.graph.lecture_state(lecture)].append(lecture)
            groups[site_graph.LECTURE_UPCOMING].sort(key=lambda item: (item.start, item.id))
            context = {"type_name": "lectures", "series": series, "groups": groups}
            plans.append(PagePlan(series_src(series), series, "listing/lecture-series.html", context, in_nav=False))
        return plans

    def _calendar_plan(self) -> PagePlan:
        lectures = [item for item in self.graph.records["lectures"].values() if isinstance(item, Lecture)]
        return PagePlan(CALENDAR_SRC, "党课日历", "lecture-calendar.html", {"months": month_grids(lectures)})

    def _contacts_plan(self) -> PagePlan:
        return PagePlan(CONTACTS_SRC, "联系电话", "contacts.html", {"groups": contact_groups(self.graph)})

    def _opendata_plan(self) -> PagePlan:
        return PagePlan(OPENDATA_SRC, "订阅与开放数据", "opendata.html", {})

    # --- rendering -----------------------------------------------------------------

    def render(self, plan: PagePlan) -> RenderedPage:
        template = self._env.get_template(plan.template)
        html = template.render(
            **plan.context,
            page_title=plan.title,
            links=PageLinks(self.scheme, plan.src_uri),
            graph=self.graph,
            site=self.site,
            markdown=self._markdown.render,
        )
        return RenderedPage(
            plan.src_uri, plan.title, html, is_record="record" in plan.context, in_nav=plan.in_nav
        )

    def render_all(self) -> Iterator[RenderedPage]:
        for plan in self.plan():
            yield self.render(plan)


def _by_year(items: list[Notice], year_of: Callable[[Notice], int]) -> list[tuple[int, list[Notice]]]:
    groups: dict[int, list[Record]] = defaultdict(list)
    for item in items:
        groups[year_of(item)].append(item)
    return sorted(groups.items(), reverse=True)  # type: ignore[return-value]


def _counted(items: list[Any], key: Callable[[Any], str]) -> list[tuple[str, int]]:
    """Distinct values of ``key`` with how many items have each, most used first."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[key(item)] += 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], site_graph.pinyin_key(pair[0])))
