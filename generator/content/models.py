"""The content model: one pydantic class per record type.

Field titles and descriptions are in Chinese because they are shown to editors (in error
messages, generated JSON Schemas and scaffolded records) and used as labels on pages.
References to other records are marked with ``RefTo`` so that validation and the site
graph can follow them without a hand-kept list.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class RefTo:
    """Marks a string field (or list item) as the id of a record of another type."""

    type_name: str


@dataclass(frozen=True)
class PublicPhone:
    """Marks a field whose phone numbers are published on purpose (privacy guard)."""


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


def _field(title: str, description: str = "", **kwargs: Any) -> Any:
    return Field(title=title, description=description or title, **kwargs)


OrgRef = Annotated[str, RefTo("organizations")]
PlaceRef = Annotated[str, RefTo("places")]
ProjectRef = Annotated[str, RefTo("projects")]
Phone = Annotated[str, PublicPhone()]
Person = Annotated[str, PersonField()]
FileName = Annotated[str, StoredFile()]

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
    address: str | None = _field("地址", "来信来访地址（办公地址）", default=None)
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


class NoticeWindow(Part):
    start: dt.date = _field("开始日期", "公示或公开的第一天")
    end: dt.date = _field("结束日期", "公示或公开的最后一天（含当天）")


class Record(Part):
    """Fields every record has. ``id`` comes from the file name, never from the file."""

    type_name: ClassVar[str]
    type_label: ClassVar[str]
    title_field: ClassVar[str] = "name"

    id: str = _field("编号", "由文件名决定，如 yeqing-dasha.yml 的编号是 yeqing-dasha")
    body: str | None = _field("正文", "Markdown 格式的详细介绍，写在 body: | 之后", default=None)

    @property
    def display_title(self) -> str:
        return str(getattr(self, self.title_field))


class Organization(Record):
    type_name = "organizations"
    type_label = "党组织"

    name: str = _field("名称", "党组织全称，如“叶青大厦联合党委”")
    short_name: str | None = _field("简称", "常用简称", default=None)
    kind: OrganizationKind = _field("组织类别", "党工委、党委、党总支、党支部等")
    parent: OrgRef | None = _field("上级党组织", "上级党组织的编号", default=None)
    basis: OrganizationBasis | None = _field("组建方式", "党组织建在什么上，如“商务楼宇”", default=None)
    street: str | None = _field("街道", "所在街道（镇）", default=None)
    community: str | None = _field("社区", "所在社区", default=None)
    address: str | None = _field("办公地址", "公开的办公地址", default=None)
    phone: Phone | None = _field("联系电话", "公开的办公电话", default=None)
    hotlines: list[Hotline] = _field("服务热线", "其他公开热线", default_factory=list)
    secretary: Person | None = _field("书记", "书记（公开职务），如“王建国（兼任社区居委会主任）”", default=None)
    members_count: int | None = _field("党员人数", "党员人数", default=None, ge=0)
    covers: list[str] = _field("覆盖单位", "党组织覆盖的单位或群体", default_factory=list)
    established: dt.date | None = _field("成立日期", "成立日期", default=None)


class Place(Record):
    type_name = "places"
    type_label = "服务阵地"

    name: str = _field("名称", "阵地名称，如“静安寺社区党员服务中心”")
    kind: PlaceKind = _field("阵地类别", "党员服务中心、党员之家等")
    organization: OrgRef = _field("主办党组织", "负责这个阵地的党组织编号")
    street: str | None = _field("街道", "所在街道", default=None)
    community: str | None = _field("社区", "所在社区", default=None)
    address: str = _field("地址", "阵地的地址")
    hours: OpeningHours | None = _field("开放时间", "结构化的开放时间", default=None)
    services: list[str] = _field("服务项目", "在这里能办的事", default_factory=list)
    phone: Phone | None = _field("联系电话", "公开的办公电话", default=None)
    accessibility: str | None = _field("无障碍设施", "如“一楼入口有坡道，配有轮椅”", default=None)


class Grid(Record):
    type_name = "grids"
    type_label = "网格"

    name: str = _field("名称", "网格名称，如“东花市南里第一网格”")
    street: str | None = _field("街道", "所在街道", default=None)
    community: str = _field("社区", "所在社区")
    area: list[str] = _field("范围", "网格包含的楼栋、院落或单位", min_length=1)
    households: int | None = _field("户数", "网格内的户数", default=None, ge=0)
    leader: Person | None = _field("网格长", "网格长（公开职务）", default=None)
    phone: Phone | None = _field("联系电话", "网格服务电话（公开）", default=None)
    organization: OrgRef | None = _field("网格党组织", "建在这个网格上的党组织编号", default=None)


class Project(Record):
    type_name = "projects"
    type_label = "服务项目"

    name: str = _field("名称", "项目名称，如“爱心储蓄银行”")
    organizers: list[OrgRef] = _field("主办党组织", "主办党组织的编号列表", min_length=1)
    partners: list[str] = _field("合作单位", "参与共建的单位", default_factory=list)
    category: ProjectCategory = _field("项目类别", "服务领域")
    audience: str | None = _field("服务对象", "如“辖区老年居民”", default=None)
    schedule: str | None = _field("活动时间", "如“每月第一个周六上午”", default=None)
    places: list[PlaceRef] = _field("活动阵地", "开展活动的阵地编号", default_factory=list)
    how_to_join: str | None = _field("参与方式", "居民怎样参加", default=None)
    funding: str | None = _field("经费来源", "如“社区发展基金”", default=None)
    status: ProjectStatus = _field("状态", "筹备中、进行中、常态化或已结束")
    started: dt.date | None = _field("开始日期", "项目开始的日期", default=None)


class Case(Record):
    type_name = "cases"
    type_label = "实践案例"
    title_field = "title"

    title: str = _field("标题", "案例标题")
    region: str = _field("地区", "如“上海市静安区”")
    year: int = _field("年份", "案例发生或发表的年份", ge=1949, le=2100)
    source: CaseSource | None = _field("来源", "文章出处", default=None)
    tags: list[str] = _field("标签", "关键词", default_factory=list)
    organizations: list[OrgRef] = _field("相关党组织", "相关党组织的编号", default_factory=list)
    projects: list[ProjectRef] = _field("相关项目", "相关服务项目的编号", default_factory=list)
    summary: str = _field("摘要", "一两句话的摘要")
    lang: Literal["zh-Hans", "zh-Hant"] = _field(
        "文字", "正文用简体写 zh-Hans，用繁体写 zh-Hant（繁体原文保持繁体）", default="zh-Hans"
    )


class Notice(Record):
    type_name = "notices"
    type_label = "党务公开"
    title_field = "title"

    title: str = _field("标题", "公示或公开的标题")
    category: NoticeCategory = _field("公开类别", "发展党员公示、党费收缴等")
    form: NoticeForm = _field("形式", "公示（至少 3 天）或公开（至少 7 天）", default="公示")
    organization: OrgRef = _field("发布党组织", "发布这条公示的党组织编号")
    published: dt.date = _field("发布日期", "发布日期")
    window: NoticeWindow = _field("公示期", "开始和结束日期（含）")
    contact: ObjectionContact = _field("反映渠道", "对公示内容有意见时的联系方式")
    attachments: list[FileLink] = _field("附件", "content/files/ 下的文件", default_factory=list)


class Lecture(Record):
    type_name = "lectures"
    type_label = "党课讲座"
    title_field = "title"

    title: str = _field("标题", "党课或讲座的题目")
    series: LectureSeries = _field("系列", "微型党课、网上党课、社区党校等")
    speaker: Speaker = _field("主讲人", "主讲人姓名与头衔")
    start: dt.datetime = _field("开始时间", "如 2026-11-24 19:00（当地时间）")
    end: dt.datetime = _field("结束时间", "如 2026-11-24 20:30；须晚于开始时间")
    place: PlaceRef | None = _field("阵地", "举办地点（阵地编号）", default=None)
    venue: str | None = _field("其他地点", "不在阵地时写地点，网上党课写平台名称", default=None)
    organization: OrgRef = _field("主办党组织", "主办党组织的编号")
    audience: str | None = _field("对象", "如“全体党员、入党积极分子”", default=None)
    summary: str | None = _field("内容提要", "一两句话的介绍", default=None)
    materials: list[FileLink] = _field("课件资料", "content/files/ 下的课件", default_factory=list)
    registration: Registration | None = _field("报名", "是否需要报名及方式", default=None)


RECORD_TYPES: dict[str, type[Record]] = {
    model.type_name: model
    for model in (Organization, Place, Grid, Project, Case, Notice, Lecture)
}
