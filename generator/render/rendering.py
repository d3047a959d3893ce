"""The site graph -> HTML page bodies, through the Jinja2 templates in ``theme/tongxin/``.

The renderer knows nothing of MkDocs: it plans which pages exist (home, a listing per
type, the organisation tree, notice categories, lecture series, the lecture calendar, the
contact directory, the open-data page and one page per record) and renders each plan to an
HTML body. The MkDocs plugin wraps these bodies in the Material layout.

Every page stays small at any number of records: long listings are cut into pages by
``paginate`` (``notices/``, ``notices/page/2/`` …), a large organisation tree into a page per
branch and a busy lecture calendar into a page per month. A street's portal keeps one page each.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from ..content.hours import hours_data
from ..content.loading import display_path
from ..content.markup import MarkdownRenderer
from ..content.models import (
    RECORD_TYPES,
    WEEKDAYS,
    Lecture,
    Notice,
    Record,
)
from ..content.problems import Position
from ..content.validation import ValidationResult
from ..site import graph as site_graph
from ..site import published
from ..site.graph import SiteGraph, TreeNode
from ..site.urls import PageLinks, UrlScheme
from .formatting import clock, record_facts, weekly, zh_date, zh_datetime, zh_weekday
from .qr import QrCode, qr_code
from .sections import MonthGrid, contact_groups, filter_options, month_grids, regroup

# A child of MkDocs' logger, so the CLI shows it like MkDocs' own warnings, without importing MkDocs.
log = logging.getLogger("mkdocs.plugins.tongxin.rendering")

CALENDAR_SRC = "lectures/calendar.md"
CONTACTS_SRC = "contacts.md"
OPENDATA_SRC = "opendata.md"
TREE_SRC = "organizations/tree.md"

# Items per page of a listing. With the Material layout (~20 KB) the heaviest listing item
# (a place card, ~0.6 KB) keeps every page well under 100 KB; a street's portal (tens of
# records per type) stays on one page.
PER_PAGE = 100
# Organisations and grids shown on one organisation-tree page (~0.3 KB each); above this the
# tree is split into one page per branch.
TREE_PAGE_NODES = 200
# Lectures and month grids (~7 KB each) shown in one calendar page; above either the
# calendar gets a page per month.
CALENDAR_PAGE_LECTURES = 150
CALENDAR_PAGE_MONTHS = 8
# Phone numbers shown on one contacts page; above this the directory is paginated.
CONTACTS_PAGE_ENTRIES = 150
# Items of each block on the home page; the listing has them all.
HOME_BLOCK_ITEMS = 20
# Entries of the home page's 最近更新.
HOME_RECENT_ITEMS = 8

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


@dataclass(frozen=True)
class Pager:
    """Where one page stands among the pages of a paginated listing."""

    number: int  # 1-based
    srcs: tuple[str, ...]  # the src_uri of every page, first page first

    @property
    def count(self) -> int:
        return len(self.srcs)

    def src(self, number: int) -> str:
        return self.srcs[number - 1]

    @property
    def previous_src(self) -> str | None:
        return self.srcs[self.number - 2] if self.number > 1 else None

    @property
    def next_src(self) -> str | None:
        return self.srcs[self.number] if self.number < self.count else None

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to offer: the first, the last and a few around this one; None is a gap."""
        wanted = {1, self.count, *range(self.number - around, self.number + around + 1)}
        shown: list[int | None] = []
        for number in sorted(n for n in wanted if 1 <= n <= self.count):
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


def page_src(first_src: str, number: int) -> str:
    """The source path of page ``number`` of a listing whose first page is ``first_src``.

    notices/index.md -> notices/page/2.md; notices/category/x.md -> notices/category/x/page/2.md.
    """
    if number == 1:
        return first_src
    stem = first_src.removesuffix(".md")
    folder = stem.removesuffix("index") if stem == "index" or stem.endswith("/index") else stem + "/"
    return f"{folder}page/{number}.md"


def paginate(
    items: list[Any],
    per_page: int,
    first_src: str,
    title: str,
    template: str,
    context_for: Callable[[list[Any]], dict[str, Any]],
    in_nav: bool = True,
) -> list[PagePlan]:
    """One plan per ``per_page`` items (at least one, even for no items), each with its Pager.

    ``context_for`` turns a page's share of the items into that page's template context.
    Only the first page goes in the nav; later pages say their number in the title.
    """
    chunks = [items[start : start + per_page] for start in range(0, len(items), per_page)] or [[]]
    srcs = tuple(page_src(first_src, number) for number in range(1, len(chunks) + 1))
    plans = []
    for number, chunk in enumerate(chunks, start=1):
        context = {**context_for(chunk), "pager": Pager(number, srcs), "total": len(items)}
        page_title = title if number == 1 else f"{title}（第 {number} 页）"
        plans.append(PagePlan(srcs[number - 1], page_title, template, context, in_nav=in_nav and number == 1))
    return plans


@dataclass(frozen=True)
class StateListing:
    """How a listing grouped by state orders its records and what its pages add to them."""

    order: Callable[[list[Any]], list[Any]]  # the records in the order pages are cut in
    page: Callable[[list[Any]], dict[str, Any]]  # one page's groups, from its share of the records
    shared: Callable[[list[Any]], dict[str, Any]]  # what every page shows (the category counts)


class TemplateProblem(Exception):
    """A template failed to render a page; the message says where (file and line) and what.

    Raised instead of Jinja's own errors, whose location is in a traceback that forked
    workers cannot send back, and whose undefined-name errors carry no location at all.
    """


class PageCollision(ValueError):
    """A record's id takes the address of a generated page (e.g. a lecture called "calendar")."""


def reserved_ids() -> dict[str, frozenset[str]]:
    """Ids a record may not take in each type's folder: the first path segment of every page
    and file the portal generates there (listings and their pages, categories, series, the
    tree, the calendar, feeds), from the functions and paths that name those pages."""
    generated = [
        page_src(f"{type_name}/index.md", number) for type_name in RECORD_TYPES for number in (1, 2)
    ] + [category_src("x"), series_src("x"), TREE_SRC, CALENDAR_SRC, published.NOTICES_FEED,
         published.LECTURES_FEED, published.LECTURES_CALENDAR]
    reserved: dict[str, set[str]] = defaultdict(set)
    for path in generated:
        folder, _, rest = path.partition("/")
        reserved[folder].add(rest.split("/", 1)[0].split(".", 1)[0])
    return {type_name: frozenset(reserved[type_name]) for type_name in RECORD_TYPES}


def check_reserved_ids(result: ValidationResult) -> None:
    """Log an error, at the record's file, for every id the portal's own pages need."""
    reserved = reserved_ids()
    for record in result.records:
        type_name, record_id = record.key
        if record_id in reserved.get(type_name, ()):
            names = "、".join(sorted(reserved[type_name]))
            result.log.add(
                record.raw.path, Position(1, 1), "id",
                f"编号“{record_id}”是门户自己页面的地址（{type_name}/{record_id}），不能用作记录的文件名；"
                f"请给文件改个名字（{type_name}/ 里不能用的编号：{names}）",
                f"the id {record_id!r} is the address of one of the portal's own pages; rename the file",
            )


def check_collisions(section_plans: list[PagePlan], records: Iterable[Record]) -> None:
    """Raise PageCollision for the first record whose page address a section page already has."""
    generated = {plan.src_uri for plan in section_plans}
    for record in records:
        src = UrlScheme.record_src(record.type_name, record.id)
        if src in generated:
            raise PageCollision(
                f"{record.type_name}/{record.id}: 编号“{record.id}”与栏目页面重名，请给文件改个名字"
                f"（the id is reserved for the page {src}; rename the file）"
            )


def slug(name: str) -> str:
    """An ASCII path segment for a Chinese category or series name (发展党员公示 -> fazhandangyuangongshi)."""
    return site_graph.spelling(name)


def category_src(category: str) -> str:
    return f"notices/category/{slug(category)}.md"


def series_src(series: str) -> str:
    return f"lectures/series/{slug(series)}.md"


def tree_src(organization_id: str) -> str:
    """The organisation-tree page of one branch, when the tree is split."""
    return f"{TREE_SRC.removesuffix('.md')}/{organization_id}.md"


def calendar_month_src(month: MonthGrid) -> str:
    return f"{CALENDAR_SRC.removesuffix('.md')}/{month.year}-{month.month:02d}.md"


def field_label(type_name: str, field_name: str) -> str:
    info = RECORD_TYPES[type_name].model_fields[field_name]
    return info.title or field_name


# One environment per template folder: compiled templates are reused by every build of a
# ``tongxin serve`` process (Jinja reloads a template whose file changed).
@functools.cache
def make_environment(template_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Every build makes its own environment (a serve rebuild too): no template changes
        # during one, so Jinja need not stat each template file at every page it renders.
        auto_reload=False,
    )
    env.filters.update(
        zh_date=zh_date, zh_datetime=zh_datetime, zh_weekday=zh_weekday, clock=clock, weekly=weekly,
        hours_data=hours_data,
    )
    env.globals.update(
        field_label=field_label,
        filter_options=filter_options,
        record_types=RECORD_TYPES,
        NOTICE_OPEN=site_graph.NOTICE_OPEN,
        NOTICE_UPCOMING=site_graph.NOTICE_UPCOMING,
        NOTICE_CLOSED=site_graph.NOTICE_CLOSED,
        LECTURE_UPCOMING=site_graph.LECTURE_UPCOMING,
        LECTURE_PAST=site_graph.LECTURE_PAST,
        BADGE_KEYS=site_graph.BADGE_KEYS,
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
        self._template_dir = template_dir.resolve()
        self._markdown = MarkdownRenderer()
        if not site.site_url:
            log.warning(
                "site_url 未设置：打印版的公示和阵地页面不带二维码，订阅源和站点地图只用相对地址。"
                "请在 site_config.yml 里写上门户在内网的地址（site_url is not set: no QR codes on printed pages）"
            )

    # --- planning ------------------------------------------------------------------

    def plan(self) -> list[PagePlan]:
        plans = self.section_plans()
        check_collisions(plans, self.graph.all_records())
        return plans + [self.record_plan(record) for record in self.graph.all_records()]

    def section_plans(self) -> list[PagePlan]:
        """Every page that is not one record's own: home, listings, tree, calendar, contacts…"""
        plans = [self._home_plan(), *self._tree_plans()]
        for type_name in RECORD_TYPES:
            plans += self._listing_plans(type_name)
        plans += self._category_plans() + self._series_plans()
        plans += [*self._calendar_plans(), *self._contacts_plans(), self._opendata_plan()]
        # The search results page; generator/search writes its index, the browser fills it in.
        plans.append(PagePlan("search.md", "搜索", "search.html", in_nav=False))
        return plans

    def record_plan(self, record: Record) -> PagePlan:
        src = UrlScheme.record_src(record.type_name, record.id)
        return PagePlan(src, record.display_title, self.record_template(record), {"record": record},
                        in_nav=False)

    @staticmethod
    def record_template(record: Record) -> str:
        return f"record/{record.type_name}.html"

    def _facts(self, record: Record) -> list[str]:
        return record_facts(record, self.graph)

    def _qr_for(self, src_uri: str) -> QrCode | None:
        url = self.site.absolute_url(self.scheme.page_url(src_uri))
        return qr_code(url) if url else None

    def _home_plan(self) -> PagePlan:
        notices = self.graph.notices_by_state()
        return PagePlan(
            "index.md",
            self.site.name,
            "home.html",
            {
                # The first few of each state; the notices listing has them all.
                "notices": {state: items[:HOME_BLOCK_ITEMS] for state, items in notices.items()},
                "lectures": self.graph.lectures_by_state(),
                "counts": {name: len(items) for name, items in self.graph.records.items()},
                "recent": self.graph.recent_updates(HOME_RECENT_ITEMS),
            },
        )

    # --- the organisation tree: one page, or a page per branch when it is large ---------

    def _tree_plans(self) -> list[PagePlan]:
        sizes: dict[str, tuple[int, int]] = {}
        for root in self.graph.organization_tree:
            _count_subtree(root, sizes)
        return self._branch_plans(None, self.graph.organization_tree, sizes)

    def _branch_plans(
        self, branch: TreeNode | None, nodes: list[TreeNode], sizes: dict[str, tuple[int, int]]
    ) -> list[PagePlan]:
        """The tree page of ``branch`` (None: the whole tree) and the pages of its sub-branches.

        A branch small enough is drawn in full; a larger one lists its member organisations
        with counts, each linking to its own branch page (paginated if there are many).
        """
        src = TREE_SRC if branch is None else tree_src(branch.organization.id)
        title = "组织架构" if branch is None else f"组织架构：{branch.organization.display_title}"
        context: dict[str, Any] = {"branch_node": branch, "sizes": sizes, "tree_src": tree_src}
        if sum(sum(sizes[node.organization.id]) for node in nodes) <= TREE_PAGE_NODES:
            return [PagePlan(src, title, "tree.html", {**context, "roots": nodes, "expanded": True},
                             in_nav=branch is None)]
        plans = paginate(nodes, PER_PAGE, src, title, "tree.html",
                         lambda page: {**context, "roots": page, "expanded": False}, in_nav=branch is None)
        for node in nodes:
            if node.children or node.grids:
                plans += self._branch_plans(node, node.children, sizes)
        return plans

    # --- listings ------------------------------------------------------------------

    def _listing_plans(self, type_name: str) -> list[PagePlan]:
        """The pages of a type's listing: its records in the graph's order, PER_PAGE a page."""
        model = RECORD_TYPES[type_name]
        items = list(self.graph.records[type_name].values())
        shared: dict[str, Any] = {"type_name": type_name, "model": model, "tallies": self.graph.tallies(type_name)}
        by_state = self._state_listings().get(type_name)
        if by_state is None:
            return paginate(items, PER_PAGE, f"{type_name}/index.md", model.type_label, f"listing/{type_name}.html",
                            lambda page: {**shared, "items": page})
        shared.update(by_state.shared(items))
        return paginate(by_state.order(items), PER_PAGE, f"{type_name}/index.md", model.type_label,
                        f"listing/{type_name}.html", lambda page: {**shared, "items": page, **by_state.page(page)})

    def _state_listings(self) -> dict[str, StateListing]:
        """The listings grouped by their records' state on the build date (公示中, 即将举行 …).

        The one piece of listing logic that is not data on the model: the states are the graph's.
        """
        return {
            "notices": StateListing(
                order=self._notices_in_listing_order,
                page=self._notice_groups,
                shared=lambda items: {"categories": _counted(items, lambda n: n.category)},
            ),
            "lectures": StateListing(
                order=self._lectures_in_listing_order,
                page=lambda page: {"groups": self._lecture_groups(page)},
                shared=lambda items: {"series": _counted(items, lambda lecture: lecture.series)},
            ),
        }

    def _notice_groups(self, notices: list[Notice]) -> dict[str, Any]:
        groups: dict[str, list[Notice]] = {site_graph.NOTICE_OPEN: [], site_graph.NOTICE_UPCOMING: [],
                                           site_graph.NOTICE_CLOSED: []}
        for notice in notices:
            groups[self.graph.notice_state(notice)].append(notice)
        groups[site_graph.NOTICE_UPCOMING].sort(key=lambda n: (n.window.start, n.id))
        archive = _by_year(groups[site_graph.NOTICE_CLOSED], lambda n: n.window.end.year)
        return {"groups": groups, "archive": archive}

    def _notices_in_listing_order(self, notices: list[Notice]) -> list[Notice]:
        """公示中, then 即将公示, then the archive year by year: the order pages are cut in."""
        sections = self._notice_groups(notices)
        groups = sections["groups"]
        archived = [notice for _year, year_notices in sections["archive"] for notice in year_notices]
        return groups[site_graph.NOTICE_OPEN] + groups[site_graph.NOTICE_UPCOMING] + archived

    def _lecture_groups(self, lectures: list[Lecture]) -> dict[str, list[Lecture]]:
        groups: dict[str, list[Lecture]] = {site_graph.LECTURE_UPCOMING: [], site_graph.LECTURE_PAST: []}
        for lecture in lectures:
            groups[self.graph.lecture_state(lecture)].append(lecture)
        groups[site_graph.LECTURE_UPCOMING].sort(key=lambda item: (item.start, item.id))
        return groups

    def _lectures_in_listing_order(self, lectures: list[Lecture]) -> list[Lecture]:
        groups = self._lecture_groups(lectures)
        return groups[site_graph.LECTURE_UPCOMING] + groups[site_graph.LECTURE_PAST]

    def _category_plans(self) -> list[PagePlan]:
        notices = [n for n in self.graph.records["notices"].values() if isinstance(n, Notice)]
        plans = []
        for category, _count in _counted(notices, lambda n: n.category):
            members = self._notices_in_listing_order([n for n in notices if n.category == category])
            plans += paginate(
                members, PER_PAGE, category_src(category), category, "listing/notice-category.html",
                lambda page, category=category: {"type_name": "notices", "category": category,
                                                 **self._notice_groups(page)},
                in_nav=False,
            )
        return plans

    def _series_plans(self) -> list[PagePlan]:
        lectures = [item for item in self.graph.records["lectures"].values() if isinstance(item, Lecture)]
        plans = []
        for series, _count in _counted(lectures, lambda item: item.series):
            members = self._lectures_in_listing_order([item for item in lectures if item.series == series])
            plans += paginate(
                members, PER_PAGE, series_src(series), series, "listing/lecture-series.html",
                lambda page, series=series: {"type_name": "lectures", "series": series,
                                             "groups": self._lecture_groups(page)},
                in_nav=False,
            )
        return plans

    # --- the lecture calendar: one page, or a page per month when there are many lectures ---

    def _calendar_plans(self) -> list[PagePlan]:
        lectures = [item for item in self.graph.records["lectures"].values() if isinstance(item, Lecture)]
        months = month_grids(lectures)
        context: dict[str, Any] = {"all_months": months, "month_srcs": {}, "month_page": None}
        if len(lectures) <= CALENDAR_PAGE_LECTURES and len(months) <= CALENDAR_PAGE_MONTHS:
            return [PagePlan(CALENDAR_SRC, "党课日历", "lecture-calendar.html", {**context, "months": months})]
        srcs = {month.anchor: calendar_month_src(month) for month in months}
        context["month_srcs"] = srcs
        # The calendar's front page shows the build month (or the next month with lectures).
        current = (self.site.build_date.year, self.site.build_date.month)
        shown = next((m for m in months if (m.year, m.month) >= current), months[-1])
        plans = [PagePlan(CALENDAR_SRC, "党课日历", "lecture-calendar.html", {**context, "months": [shown]})]
        for index, month in enumerate(months):
            neighbours = {"previous": months[index - 1] if index else None,
                          "next": months[index + 1] if index + 1 < len(months) else None}
            plans.append(PagePlan(
                srcs[month.anchor], f"党课日历：{month.year}年{month.month}月", "lecture-calendar.html",
                {**context, "months": [month], "month_page": month, "neighbours": neighbours}, in_nav=False,
            ))
        return plans

    def _contacts_plans(self) -> list[PagePlan]:
        groups = contact_groups(self.graph)
        rows = [(group, entry) for group in groups for entry in group.entries]
        # A long directory is cut every CONTACTS_PAGE_ENTRIES numbers, even inside a group.
        return paginate(rows, CONTACTS_PAGE_ENTRIES, CONTACTS_SRC, "联系电话", "contacts.html",
                        lambda page: {"groups": regroup(page)})

    def _opendata_plan(self) -> PagePlan:
        return PagePlan(OPENDATA_SRC, "订阅与开放数据", "opendata.html", {})

    # --- rendering -----------------------------------------------------------------

    def render(self, plan: PagePlan) -> RenderedPage:
        try:
            html = self._env.get_template(plan.template).render(
                **plan.context,
                page_title=plan.title,
                links=PageLinks(self.scheme, plan.src_uri),
                graph=self.graph,
                site=self.site,
                markdown=self._markdown.render,
                facts=self._facts,
                # The page's QR code for print, drawn only by the templates that print one.
                qr=functools.partial(self._qr_for, plan.src_uri),
            )
        except Exception as error:
            problem = self._template_problem(plan, error)
            if problem is None:
                raise  # not a template's fault: a bug in Python, with its traceback
            raise problem from None
        return RenderedPage(
            plan.src_uri, plan.title, html, is_record="record" in plan.context, in_nav=plan.in_nav
        )

    def _template_problem(self, plan: PagePlan, error: Exception) -> TemplateProblem | None:
        """``error`` as a message naming the template line it happened on, or None when no
        template is to blame."""
        page = f"渲染 {plan.src_uri} 时（rendering {plan.src_uri}）"
        if isinstance(error, jinja2.TemplateNotFound) and error.name == plan.template:
            model = plan.context.get("model") or type(plan.context.get("record"))
            label = f"{model.type_label}（{model.type_name}）" if isinstance(model, type) and issubclass(
                model, Record) else plan.src_uri
            return TemplateProblem(
                f"{self._shown(self._template_dir / plan.template)}: 找不到模板（template not found）："
                f"{label}的页面要用这个模板，请新建它（可参照同一文件夹里的其他模板）；{page}"
            )
        if isinstance(error, jinja2.TemplateSyntaxError):
            where = f"{self._shown(Path(error.filename))}:{error.lineno}" if error.filename else plan.template
            return TemplateProblem(f"{where}: 模板语法错误（template syntax error）: {error.message}；{page}")
        frames = _template_frames(error.__traceback__, self._template_dir)
        if not frames:
            return None
        (file, line), *callers = frames
        what = "未定义（undefined）" if isinstance(error, jinja2.UndefinedError) else type(error).__name__
        called = "".join(f"，由 {self._shown(f)}:{n} 调用（called from）" for f, n in callers)
        return TemplateProblem(f"{self._shown(file)}:{line}: 模板错误（template error）: {what}: {error}；"
                               f"{page}{called}")

    def _shown(self, path: Path) -> str:
        """A template's path from the project (theme/tongxin/…), as the developer opens it."""
        return display_path(path, self._template_dir.parent.parent)

    def render_free_page(self, html: str, src_uri: str) -> str:
        """A free page's sanitised HTML in the frame of theme/tongxin/free-page.html."""
        return self._env.get_template("free-page.html").render(
            content=html, qr=functools.partial(self._qr_for, src_uri), links=PageLinks(self.scheme, src_uri),
            graph=self.graph, site=self.site,
        )

    def render_all(self) -> Iterator[RenderedPage]:
        for plan in self.plan():
            yield self.render(plan)


def _template_frames(trace: TracebackType | None, template_dir: Path) -> list[tuple[Path, int]]:
    """The template lines in a traceback (Jinja rewrites its frames to point into the template
    files), innermost first: the line that failed, then the lines that called it."""
    found: list[tuple[Path, int]] = []
    folder = str(template_dir)
    while trace is not None:
        file = trace.tb_frame.f_code.co_filename
        if file.startswith(folder) and file.endswith(".html"):
            found.append((Path(file), trace.tb_lineno))
        trace = trace.tb_next
    return found[::-1]


def _count_subtree(node: TreeNode, sizes: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """(organisations, grids) in the branch under ``node``, itself included, for every node."""
    organizations, grids = 1, len(node.grids)
    for child in node.children:
        child_organizations, child_grids = _count_subtree(child, sizes)
        organizations, grids = organizations + child_organizations, grids + child_grids
    sizes[node.organization.id] = (organizations, grids)
    return organizations, grids


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
