"""The content model: one pydantic class per record type, the single source of truth about it.

Field titles and descriptions are in Chinese because they are shown to editors (in error
messages, generated JSON Schemas and scaffolded records) and used as labels on pages.
Fields carry markers that say what they are to the rest of the pipeline: ``RefTo`` (a
reference, followed by validation and the site graph both ways), ``Category``, ``Area``,
``OtherName`` and ``Keyword`` (read by search), ``PublicPhone`` and ``PersonField`` (read by
the privacy guard).

A record type is declared by defining a ``Record`` subclass with a ``type_name``: the class
registers itself in ``RECORD_TYPES`` and carries, as class variables, everything the pages,
search, outputs, navigation and command line need to know about the type (its label and
intro, its order, its fact line). Nothing else lists the types; see CONTRIBUTING.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class RefTo:
    """Marks a string field (or list item) as the id of a record of another type.

    The referenced record's page lists the records that point at it, under ``back`` (by
    default the referring type's label): an organisation's page shows its 党务公开.
    """

    type_name: str
    back: str | None = None


@dataclass(frozen=True)
class Category:
    """Marks the enumeration residents filter a type by (search's 类别 facet)."""


@dataclass(frozen=True)
class Area:
    """Marks a street, community or region the record is in (search's 街道/社区 facet)."""


@dataclass(frozen=True)
class OtherName:
    """Marks another name of the record itself, such as the short name residents use."""


@dataclass(frozen=True)
class Keyword:
    """Marks names and terms (partners, tags) that search keeps whole, never split into words."""


@dataclass(frozen=True)
class PublicPhone:
    """Marks a field whose phone numbers are published on purpose (privacy guard)."""


@dataclass(frozen=True)
class PublicAddress:
    """Marks a field holding a public place's address, where room numbers belong (privacy guard)."""


@dataclass(frozen=True)
class PersonField:
    """Marks a field that names a person in a public role (privacy guard)."""


@dataclass(frozen=True)
class StoredFile:
    """Marks a field holding the name of a file in content/files/ (uploaded by the forms)."""


def annotation_parts(annotation: Any) -> Iterator[Any]:
    """Every type inside Optional[...], list[...] and Annotated[...]."""
    yield annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from annotation_parts(typing.get_args(annotation)[0])
    elif origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from annotation_parts(arg)


def field_marks(info: FieldInfo) -> list[Any]:
    """The markers (RefTo, PublicPhone, PersonField …) on a field or inside its type."""
    marks = list(info.metadata)
    for inner in annotation_parts(info.annotation):
        if typing.get_origin(inner) is typing.Annotated:
            marks.extend(typing.get_args(inner)[1:])
    return marks


def nested_model(info: FieldInfo) -> type[BaseModel] | None:
    """The part model a field holds (directly, optionally or as list items), if any."""
    return next(
        (t for t in annotation_parts(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)),
        None,
    )


@functools.cache
def marked_fields(model: type[BaseModel], marker: type) -> tuple[str, ...]:
    """The names of ``model``'s fields that carry a marker of class ``marker``, in field order."""
    return tuple(name for name, info in model.model_fields.items()
                 if any(isinstance(mark, marker) for mark in field_marks(info)))


@functools.cache
def references(model: type[BaseModel]) -> dict[str, RefTo]:
    """Field name -> its ``RefTo`` marker, for every reference field of ``model``."""
    found: dict[str, RefTo] = {}
    for name, info in model.model_fields.items():
        for mark in field_marks(info):
            if isinstance(mark, RefTo):
                found[name] = mark
    return found


@functools.cache
def reference_fields(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> referenced record type, for every field marked with ``RefTo``."""
    return {name: mark.type_name for name, mark in references(model).items()}


def enumeration(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The values a field may take, in the model's order, when it is an enumeration (Literal)."""
    info = model.model_fields.get(name)
    for part in annotation_parts(info.annotation) if info else ():
        if typing.get_origin(part) is Literal:
            return tuple(str(value) for value in typing.get_args(part))
    return ()


def field_path_value(record: BaseModel, path: str) -> Any:
    """The value at a dotted field path (``window.start``); None when a part on the way is missing."""
    value: Any = record
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def fact_fields(segment: str) -> list[str]:
    """The field paths a fact segment (``{form}期 {window.start}至{window.end}``) names."""
    return [name for _text, name, _spec, _conversion in string.Formatter().parse(segment) if name]


def _field(title: str, description: str = "", **kwargs: Any) -> Any:
    return Field(title=title, description=description or title, **kwargs)


OrgRef = Annotated[str, RefTo("organizations")]
PlaceRef = Annotated[str, RefTo("places")]
Phone = Annotated[str, PublicPhone()]
Person = Annotated[str, PersonField()]
FileName = Annotated[str, StoredFile()]
AreaName = Annotated[str, Area()]
Term = Annotated[str, Keyword()]
Address = Annotated[str, PublicAddress()]

OrganizationKind = Literal[
    "党工委", "党委", "联合党委", "党总支", "联合党总支", "党支部", "联合党支部", "网格党支部",
    "流动党员党支部", "党小组",
]
OrganizationBasis = Literal[
    "街道", "社区", "居民区", "商务楼宇", "施工项目", "社保所", "新建小区", "两新组织",
    "产业园区", "专业市场", "外来务工人员居住点", "网格", "流动党员", "驻区单位",
]
PlaceKind = Literal[
    "党员服务中心", "党员服务站", "党员服务点", "党员之家", "党代表工作室", "社区党校",
    "为民服务大厅", "居民事务代办站", "民愿诉求接待室", "党群活动室",
]
ProjectCategory = Literal[
    "健康养老", "扶贫帮困", "文化体育", "志愿服务", "就业创业", "教育培训", "邻里互助",
    "平安建设", "环境治理", "共建共治",
]
ProjectStatus = Literal["筹备中", "进行中", "常态化", "已结束"]
NoticeCategory = Literal[
    "发展党员公示", "党费收缴", "组织设置", "民主评议", "换届选举", "评优表彰", "财务公开",
    "党务工作",
]
NoticeForm = Literal["公示", "公开"]
LectureSeries = Literal["微型党课", "网上党课", "菜单式教育", "社区党校", "专题讲座"]
# 三会一课 (支部党员大会, 支部委员会, 党小组会, 党课) and 主题党日: organisational life a branch keeps.
MeetingKind = Literal["支部党员大会", "支部委员会", "党小组会", "党课", "主题党日"]
GuideAudience = Literal["党员", "入党申请人", "流动党员", "党组织", "居民"]
Weekday = Literal["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
WEEKDAYS: tuple[str, ...] = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# The shortest window 党务公开 rules allow for each form, in days.
MINIMUM_WINDOW_DAYS: dict[str, int] = {"公示": 3, "公开": 7}


class Part(BaseModel):
    """A nested part of a record (hours, contact, source …): strict about unknown keys."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Hotline(Part):
    name: str = _field("名称", "热线或窗口的名称，如“党员服务热线”")
    phone: Phone = _field("电话", "公开的办公电话或热线")


class OpeningPeriod(Part):
    days: list[Weekday] = _field("星期", "这段开放时间适用的星期，如 [周一, 周二]", min_length=1)
    open: dt.time = _field("开门时间", "24 小时制，如 08:30")
    close: dt.time = _field("关门时间", "24 小时制，如 17:30；须晚于开门时间")


class HoursException(Part):
    date: dt.date = _field("日期", "特殊安排的日期，如 2026-10-01")
    closed: bool = _field("全天闭馆", "这一天不开放时写 true", default=False)
    open: dt.time | None = _field("开门时间", "这一天的特殊开门时间", default=None)
    close: dt.time | None = _field("关门时间", "这一天的特殊关门时间", default=None)
    note: str | None = _field("说明", "如“国庆节调休”", default=None)


class OpeningHours(Part):
    periods: list[OpeningPeriod] = _field("常规开放时间", "每周固定的开放时段", min_length=1)
    exceptions: list[HoursException] = _field("特殊安排", "节假日等例外日期", default_factory=list)
    note: str | None = _field("备注", "如“一年365天，天天有服务”", default=None)


class ObjectionContact(Part):
    department: str | None = _field("受理部门", "接收意见的部门", default=None)
    phone: Phone | None = _field("电话", "公开的受理电话", default=None)
    address: Address | None = _field("地址", "来信来访地址（办公地址）", default=None)
    email: str | None = _field("电子邮箱", "受理邮箱", default=None)
    note: str | None = _field("说明", "如受理时间、署名要求", default=None)


class FileLink(Part):
    title: str = _field("标题", "附件的名称")
    file: FileName = _field("文件", "content/files/ 下的文件名，如 2026-dangfei.pdf")


class Speaker(Part):
    name: Person = _field("姓名", "主讲人姓名（公开身份）")
    title: str | None = _field("职务或头衔", "如“街道党工委书记”", default=None)


class Registration(Part):
    required: bool = _field("需要报名", "需要提前报名时写 true", default=False)
    method: str = _field("报名方式", "如“到社区党员服务站登记”")
    deadline: dt.date | None = _field("报名截止", "截止日期", default=None)
    capacity: int | None = _field("名额", "人数上限", default=None, ge=1)


class CaseSource(Part):
    publication: str = _field("出处", "刊物、报纸或网站名称")
    author: Person | None = _field("作者", "文章作者", default=None)
    issue: str | None = _field("期号", "如“2011年第3期”", default=None)
    published: dt.date | None = _field("发表日期", "发表日期", default=None)


class Coordinates(Part):
    latitude: float = _field("纬度", "十进制度数，北纬为正，如 39.8931", ge=-90, le=90)
    longitude: float = _field("经度", "十进制度数，东经为正，如 116.4272", ge=-180, le=180)


class NoticeWindow(Part):
    start: dt.date = _field("开始日期", "公示或公开的第一天")
    end: dt.date = _field("结束日期", "公示或公开的最后一天（含当天）")


# Every record type, by folder name, in the order the types are declared (the order of the
# portal's sections, of the navigation and of the lists of referring records on a page).
RECORD_TYPES: dict[str, type[Record]] = {}


class RecordDeclarationError(TypeError):
    """A record type's class variables do not fit its fields (raised when the class is defined)."""


class Record(Part):
    """Fields every record has. ``id`` comes from the file name, never from the file.

    A subclass that sets ``type_name`` is a record type. It declares:

    - ``type_name``: its folder in content/ and its address (``notices``);
    - ``type_label``: its name on the portal (党务公开), the title of its listing and section;
    - ``intro``: one line under that title (listing, home page);
    - ``title_field``: the field that is a record's title (``name`` for things with a proper
      name, which search keeps whole; ``title`` for everything else);
    - ``newest_first``: a date or date-time field (dotted path): records are listed newest
      first by it; without one they are listed by title in pinyin order;
    - ``facts``: the fact line shown in listings and search results, as format strings of
      field paths (``"{kind}"``, ``"{date}"``), one per part, joined by “ · ”; a part is left
      out when a field it names is empty. Dates are written 2026年11月22日, references by the referenced record's name.
    - ``tally``: (a reference field, an enumeration field): the records are counted per year of
      ``newest_first`` and per value of the enumeration, for each referenced record; the table is
      shown on the referenced record's page and on the type's listing (组织生活: 三会一课 held).
    """

    type_name: ClassVar[str]
    type_label: ClassVar[str]
    intro: ClassVar[str]
    title_field: ClassVar[str] = "name"
    newest_first: ClassVar[str | None] = None
    facts: ClassVar[tuple[str, ...]] = ()
    tally: ClassVar[tuple[str, str] | None] = None

    id: str = _field("编号", "由文件名决定，如 yeqing-dasha.yml 的编号是 yeqing-dasha")
    body: str | None = _field("正文", "Markdown 格式的详细介绍，写在 body: | 之后", default=None)
    updated: dt.date | None = _field(
        "更新日期", "内容有了值得居民知道的修改时写上日期，如 2026-11-20；首页“最近更新”按它列出", default=None
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "type_name" in cls.__dict__:
            _check_declaration(cls)
            RECORD_TYPES[cls.type_name] = cls

    @property
    def display_title(self) -> str:
        return str(getattr(self, self.title_field))

    @property
    def short_title(self) -> str:
        """The name residents use (叶青大厦党委), when the record has one, else its title."""
        for name in marked_fields(type(self), OtherName):
            value = getattr(self, name)
            if value:
                return str(value)
        return self.display_title


def _check_declaration(model: type[Record]) -> None:
    """Fail at import, naming the class, when a record type's declaration does not fit its fields."""
    where = f"{model.__module__}.{model.__qualname__}"
    for name in ("type_label", "intro"):
        if not isinstance(getattr(model, name, None), str):
            raise RecordDeclarationError(f"{where}: a record type must set {name} (a string)")
    if model.type_name in RECORD_TYPES and RECORD_TYPES[model.type_name].__qualname__ != model.__qualname__:
        raise RecordDeclarationError(f"{where}: the type name {model.type_name!r} is taken by "
                                     f"{RECORD_TYPES[model.type_name].__qualname__}")
    if model.title_field not in model.model_fields:
        raise RecordDeclarationError(f"{where}: title_field {model.title_field!r} is not a field")
    paths = [model.newest_first] if model.newest_first else []
    paths += [path for segment in model.facts for path in fact_fields(segment)]
    for path in paths:
        if _field_at(model, path) is None:
            raise RecordDeclarationError(f"{where}: {path!r} (in newest_first or facts) is not a field")
    if model.tally:
        by, counted = model.tally
        if by not in references(model) or not enumeration(model, counted) or not model.newest_first:
            raise RecordDeclarationError(f"{where}: tally needs a reference field, an enumeration field "
                                         f"and newest_first; got {model.tally!r}")
    if model.newest_first:
        info = _field_at(model, model.newest_first)
        if info is not None and not {dt.date, dt.datetime} & set(annotation_parts(info.annotation)):
            raise RecordDeclarationError(f"{where}: newest_first {model.newest_first!r} is not a date")


def _field_at(model: type[BaseModel], path: str) -> FieldInfo | None:
    """The field a dotted path ends at, through nested parts."""
    current: type[BaseModel] | None = model
    info: FieldInfo | None = None
    for part in path.split("."):
        info = current.model_fields.get(part) if current is not None else None
        if info is None:
            return None
        current = nested_model(info)
    return info


class Organization(Record):
    type_name = "organizations"
    type_label = "党组织"
    intro = "街道党工委、社区党委、党总支、党支部和网格党组织"
    facts = ("{kind}",)

    name: str = _field("名称", "党组织全称，如“叶青大厦联合党委”")
    short_name: Annotated[str, OtherName()] | None = _field("简称", "常用简称", default=None)
    kind: Annotated[OrganizationKind, Category()] = _field("组织类别", "党工委、党委、党总支、党支部等")
    parent: Annotated[str, RefTo("organizations", back="下级党组织")] | None = _field(
        "上级党组织", "上级党组织的编号", default=None
    )
    basis: OrganizationBasis | None = _field("组建方式", "党组织建在什么上，如“商务楼宇”", default=None)
    street: AreaName | None = _field("街道", "所在街道（镇）", default=None)
    community: AreaName | None = _field("社区", "所在社区", default=None)
    address: Address | None = _field("办公地址", "公开的办公地址", default=None)
    phone: Phone | None = _field("联系电话", "公开的办公电话", default=None)
    hotlines: list[Hotline] = _field("服务热线", "其他公开热线", default_factory=list)
    secretary: Person | None = _field("书记", "书记（公开职务），如“王建国（兼任社区居委会主任）”", default=None)
    members_count: int | None = _field("党员人数", "党员人数", default=None, ge=0)
    covers: list[str] = _field("覆盖单位", "党组织覆盖的单位或群体", default_factory=list)
    established: dt.date | None = _field("成立日期", "成立日期", default=None)


class Place(Record):
    type_name = "places"
    type_label = "服务阵地"
    intro = "党员服务中心（站、点）、党员之家和为民服务阵地，附开放时间"
    facts = ("{address}",)

    name: str = _field("名称", "阵地名称，如“静安寺社区党员服务中心”")
    kind: Annotated[PlaceKind, Category()] = _field("阵地类别", "党员服务中心、党员之家等")
    organization: OrgRef = _field("主办党组织", "负责这个阵地的党组织编号")
    street: AreaName | None = _field("街道", "所在街道", default=None)
    community: AreaName | None = _field("社区", "所在社区", default=None)
    address: Address = _field("地址", "阵地的地址")
    hours: OpeningHours | None = _field("开放时间", "结构化的开放时间", default=None)
    services: list[str] = _field("服务项目", "在这里能办的事", default_factory=list)
    phone: Phone | None = _field("联系电话", "公开的办公电话", default=None)
    accessibility: str | None = _field("无障碍设施", "如“一楼入口有坡道，配有轮椅”", default=None)
    location: Coordinates | None = _field(
        "位置坐标",
        "阵地大门的经纬度（WGS-84，手机地图里长按可查到）；写了，页面上“在手机地图中打开”直接定位",
        default=None,
    )


class Grid(Record):
    type_name = "grids"
    type_label = "网格"
    intro = "网格的范围、网格长和网格党组织"

    name: str = _field("名称", "网格名称，如“东花市南里第一网格”")
    street: AreaName | None = _field("街道", "所在街道", default=None)
    community: AreaName = _field("社区", "所在社区")
    area: list[Address] = _field("范围", "网格包含的楼栋、院落或单位", min_length=1)
    households: int | None = _field("户数", "网格内的户数", default=None, ge=0)
    leader: Person | None = _field("网格长", "网格长（公开职务）", default=None)
    phone: Phone | None = _field("联系电话", "网格服务电话（公开）", default=None)
    organization: OrgRef | None = _field("网格党组织", "建在这个网格上的党组织编号", default=None)


class Project(Record):
    type_name = "projects"
    type_label = "服务项目"
    intro = "党组织牵头、居民参与的服务项目"
    facts = ("{status} · {started}起",)

    name: str = _field("名称", "项目名称，如“爱心储蓄银行”")
    organizers: list[OrgRef] = _field("主办党组织", "主办党组织的编号列表", min_length=1)
    partners: list[Term] = _field("合作单位", "参与共建的单位", default_factory=list)
    category: Annotated[ProjectCategory, Category()] = _field("项目类别", "服务领域")
    audience: str | None = _field("服务对象", "如“辖区老年居民”", default=None)
    schedule: str | None = _field("活动时间", "如“每月第一个周六上午”", default=None)
    places: list[Annotated[str, RefTo("places", back="在这里开展的服务项目")]] = _field(
        "活动阵地", "开展活动的阵地编号", default_factory=list
    )
    how_to_join: str | None = _field("参与方式", "居民怎样参加", default=None)
    funding: str | None = _field("经费来源", "如“社区发展基金”", default=None)
    status: ProjectStatus = _field("状态", "筹备中、进行中、常态化或已结束")
    started: dt.date | None = _field("开始日期", "项目开始的日期", default=None)


class Case(Record):
    type_name = "cases"
    type_label = "实践案例"
    intro = "区域化党建、网格化管理等实践案例"
    title_field = "title"
    facts = ("{region}", "{year}年")

    title: str = _field("标题", "案例标题")
    region: AreaName = _field("地区", "如“上海市静安区”")
    year: int = _field("年份", "案例发生或发表的年份", ge=1949, le=2100)
    source: CaseSource | None = _field("来源", "文章出处", default=None)
    tags: list[Term] = _field("标签", "关键词", default_factory=list)
    organizations: list[OrgRef] = _field("相关党组织", "相关党组织的编号", default_factory=list)
    projects: list[Annotated[str, RefTo("projects", back="相关实践案例")]] = _field(
        "相关项目", "相关服务项目的编号", default_factory=list
    )
    summary: str = _field("摘要", "一两句话的摘要")
    lang: Literal["zh-Hans", "zh-Hant"] = _field(
        "文字", "正文用简体写 zh-Hans，用繁体写 zh-Hant（繁体原文保持繁体）", default="zh-Hans"
    )


class Notice(Record):
    type_name = "notices"
    type_label = "党务公开"
    intro = "党务公开栏：公示中的事项、公示期与反映渠道"
    title_field = "title"
    newest_first = "window.start"
    facts = ("{form}期 {window.start}至{window.end}",)

    title: str = _field("标题", "公示或公开的标题")
    category: Annotated[NoticeCategory, Category()] = _field("公开类别", "发展党员公示、党费收缴等")
    form: NoticeForm = _field("形式", "公示（至少 3 天）或公开（至少 7 天）", default="公示")
    organization: OrgRef = _field("发布党组织", "发布这条公示的党组织编号")
    published: dt.date = _field("发布日期", "发布日期")
    window: NoticeWindow = _field("公示期", "开始和结束日期（含）")
    contact: ObjectionContact = _field("反映渠道", "对公示内容有意见时的联系方式")
    attachments: list[FileLink] = _field("附件", "content/files/ 下的文件", default_factory=list)


class Lecture(Record):
    type_name = "lectures"
    type_label = "党课讲座"
    intro = "微型党课、社区党校、专题讲座的时间地点"
    title_field = "title"
    newest_first = "start"
    facts = ("{start}",)

    title: str = _field("标题", "党课或讲座的题目")
    series: Annotated[LectureSeries, Category()] = _field("系列", "微型党课、网上党课、社区党校等")
    speaker: Speaker = _field("主讲人", "主讲人姓名与头衔")
    start: dt.datetime = _field("开始时间", "如 2026-11-24 19:00（当地时间）")
    end: dt.datetime = _field("结束时间", "如 2026-11-24 20:30；须晚于开始时间")
    place: Annotated[str, RefTo("places", back="在这里举办的党课讲座")] | None = _field(
        "阵地", "举办地点（阵地编号）", default=None
    )
    venue: Address | None = _field("其他地点", "不在阵地时写地点，网上党课写平台名称", default=None)
    organization: OrgRef = _field("主办党组织", "主办党组织的编号")
    audience: str | None = _field("对象", "如“全体党员、入党积极分子”", default=None)
    summary: str | None = _field("内容提要", "一两句话的介绍", default=None)
    materials: list[FileLink] = _field("课件资料", "content/files/ 下的课件", default_factory=list)
    registration: Registration | None = _field("报名", "是否需要报名及方式", default=None)


class Attendance(Part):
    expected: int = _field("应到人数", "应当参加的党员人数", ge=0)
    present: int = _field("实到人数", "实际参加的党员人数", ge=0)
    on_leave: int | None = _field("请假人数", "请假的人数（不写姓名）", default=None, ge=0)


class Meeting(Record):
    type_name = "meetings"
    type_label = "组织生活"
    intro = "三会一课和主题党日：支部党员大会、支部委员会、党小组会、党课和主题党日的记录"
    title_field = "title"
    newest_first = "date"
    facts = ("{kind}", "{date}")
    tally = ("organization", "kind")

    title: str = _field("标题", "如“第四季度支部党员大会”")
    kind: Annotated[MeetingKind, Category()] = _field("类别", "支部党员大会、支部委员会、党小组会、党课或主题党日")
    organization: OrgRef = _field("党组织", "召开会议的党组织编号")
    date: dt.date = _field("日期", "召开的日期，如 2026-11-12")
    place: Annotated[str, RefTo("places", back="在这里开展的组织生活")] | None = _field(
        "阵地", "召开地点（阵地编号）", default=None
    )
    venue: str | None = _field("其他地点", "不在阵地时写地点，如“大厦十二层会议室”", default=None)
    attendance: Attendance | None = _field("出席情况", "应到、实到和请假人数（只写人数，不写姓名）", default=None)
    summary: str = _field("主要内容", "一两句话说明议了什么、学了什么")


class GuideContact(Part):
    department: str = _field("咨询部门", "如“东花市街道党员服务中心”")
    phone: Phone | None = _field("咨询电话", "公开的办公电话", default=None)
    note: str | None = _field("说明", "如“工作日 8:30—17:00”", default=None)


class Guide(Record):
    type_name = "guides"
    type_label = "办事指南"
    intro = "组织关系转接、党费交纳、入党申请、流动党员登记等事项：到哪里办、带什么、怎么办"
    title_field = "title"
    facts = ("{audience}", "{time_limit}")

    title: str = _field("事项", "要办的事，如“党员组织关系转接”")
    audience: list[Annotated[GuideAudience, Category()]] = _field(
        "办理对象", "谁来办：党员、入党申请人等", min_length=1
    )
    places: list[Annotated[str, RefTo("places", back="在这里办理的事项")]] = _field(
        "办理地点", "受理这件事的阵地编号", min_length=1
    )
    what_to_bring: list[str] = _field("所需材料", "办理时要带的材料，每项一行", default_factory=list)
    steps: list[str] = _field("办理步骤", "按先后写，每步一行", min_length=1)
    time_limit: str | None = _field("办理时限", "如“材料齐全的当场办结”", default=None)
    contact: GuideContact | None = _field("咨询方式", "不清楚时找谁问", default=None)
    notices: list[Annotated[str, RefTo("notices", back="相关办事指南")]] = _field(
        "相关公示", "与这件事有关的党务公开编号", default_factory=list
    )
    forms: list[FileLink] = _field("表格下载", "content/files/ 下的空白表格", default_factory=list)

