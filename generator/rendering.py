"""The site graph -> HTML page bodies, through the Jinja2 templates in ``theme/tongxin/``.

The renderer knows nothing of MkDocs: it plans which pages exist (home, a listing per
type, the organisation tree, one page per record) and renders each plan to an HTML body.
The MkDocs plugin wraps these bodies in the Material layout.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from . import graph as site_graph
from .graph import SiteGraph
from .markup import MarkdownRenderer
from .models import RECORD_TYPES, WEEKDAYS, Notice, OpeningHours, OpeningPeriod, Record
from .urls import PageLinks, UrlScheme

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


@dataclass(frozen=True)
class PagePlan:
    src_uri: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class RenderedPage:
    src_uri: str
    title: str
    html: str
    # Record pages stay out of the MkDocs nav: nav rendering is quadratic in page count.
    is_record: bool = False


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

    # --- planning ------------------------------------------------------------------

    def plan(self) -> list[PagePlan]:
        plans = [self._home_plan(), self._tree_plan()]
        plans += [self._listing_plan(type_name) for type_name in RECORD_TYPES]
        for record in self.graph.all_records():
            plans.append(
                PagePlan(
                    UrlScheme.record_src(record.type_name, record.id),
                    record.display_title,
                    f"record/{record.type_name}.html",
                    {"record": record},
                )
            )
        return plans

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
        context: dict[str, Any] = {"type_name": type_name, "items": list(self.graph.records[type_name].values())}
        if type_name == "notices":
            groups = self.graph.notices_by_state()
            context["groups"] = groups
            context["archive"] = _by_year(groups[site_graph.NOTICE_CLOSED], lambda n: n.window.end.year)
        elif type_name == "lectures":
            context["groups"] = self.graph.lectures_by_state()
        return PagePlan(f"{type_name}/index.md", model.type_label, f"listing/{type_name}.html", context)

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
        return RenderedPage(plan.src_uri, plan.title, html, is_record="record" in plan.context)

    def render_all(self) -> Iterator[RenderedPage]:
        for plan in self.plan():
            yield self.render(plan)


def _by_year(items: list[Notice], year_of: Callable[[Notice], int]) -> list[tuple[int, list[Notice]]]:
    groups: dict[int, list[Record]] = defaultdict(list)
    for item in items:
        groups[year_of(item)].append(item)
    return sorted(groups.items(), reverse=True)  # type: ignore[return-value]
