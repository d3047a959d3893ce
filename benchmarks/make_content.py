"""Synthetic portal content for benchmarks: N valid, cross-referenced records.

    python benchmarks/make_content.py 10000 --out /tmp/portal-10k [--seed 7]

The output folder is a buildable project: ``content/<type>/<id>.yml`` for all seven record
types in realistic proportions, ``content/pages/`` and ``content/files/``, and a
``site_config.yml`` copied from the repository with ``custom_dir`` pointing at the
repository's ``theme/`` by absolute path. The same seed always gives the same files.

Text is assembled from the phrase lists below, written in the style of community
party-building reports (社区党建); bodies are about 1.5 KB of UTF-8 (~500 characters).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
BUILD_DATE = dt.date(2026, 11, 22)  # the benchmark's build date; some notices are open on it
BODY_BYTES = 1500

# Share of each record type; organisations come first because everything references them.
PROPORTIONS: dict[str, float] = {
    "organizations": 0.20,
    "places": 0.10,
    "grids": 0.10,
    "projects": 0.15,
    "cases": 0.05,
    "notices": 0.25,
    "lectures": 0.15,
}

# --- vocabulary ----------------------------------------------------------------------------

# Syllables for place names, with pinyin so that ids read like the real ones.
SYLLABLES: list[tuple[str, str]] = [
    ("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"), ("华", "hua"), ("安", "an"),
    ("宁", "ning"), ("平", "ping"), ("和", "he"), ("兴", "xing"), ("隆", "long"), ("福", "fu"),
    ("康", "kang"), ("泰", "tai"), ("新", "xin"), ("民", "min"), ("春", "chun"), ("阳", "yang"),
    ("明", "ming"), ("光", "guang"), ("清", "qing"), ("河", "he"), ("湖", "hu"), ("山", "shan"),
    ("林", "lin"), ("桥", "qiao"), ("园", "yuan"), ("苑", "yuan"), ("庄", "zhuang"), ("门", "men"),
    ("花", "hua"), ("柳", "liu"), ("梅", "mei"), ("竹", "zhu"), ("松", "song"), ("枫", "feng"),
    ("金", "jin"), ("银", "yin"), ("玉", "yu"), ("丰", "feng"), ("昌", "chang"), ("盛", "sheng"),
    ("德", "de"), ("仁", "ren"), ("义", "yi"), ("文", "wen"), ("武", "wu"), ("长", "chang"),
    ("永", "yong"), ("定", "ding"), ("景", "jing"), ("云", "yun"), ("海", "hai"), ("江", "jiang"),
    ("溪", "xi"), ("泉", "quan"), ("石", "shi"), ("岭", "ling"), ("坊", "fang"), ("里", "li"),
    ("城", "cheng"), ("关", "guan"), ("塘", "tang"), ("湾", "wan"), ("洲", "zhou"), ("乐", "le"),
    ("富", "fu"), ("嘉", "jia"), ("瑞", "rui"), ("祥", "xiang"), ("振", "zhen"), ("建", "jian"),
]

REGIONS: list[tuple[str, str, str]] = [  # (province/city, district, telephone area code)
    ("上海市", "静安区", "021"), ("上海市", "徐汇区", "021"), ("北京市", "东城区", "010"),
    ("北京市", "朝阳区", "010"), ("江苏省无锡市", "梁溪区", "0510"), ("浙江省宁波市", "奉化区", "0574"),
    ("四川省成都市", "武侯区", "028"), ("湖北省武汉市", "江汉区", "027"), ("广东省广州市", "越秀区", "020"),
    ("山东省青岛市", "市南区", "0532"), ("天津市", "和平区", "022"), ("重庆市", "渝中区", "023"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
GIVEN = "建国秀英志强淑珍文杰海燕红梅国华丽娟德明桂兰春生玉兰振华晓东立新宏伟建华凤英长江金花永明淑华"

BUILDINGS = ["嘉华", "金茂", "新世纪", "恒隆", "国贸", "东方", "华润", "中信", "万达", "银河", "时代", "科创"]
ROADS = ["人民路", "解放路", "中山路", "建设路", "和平路", "胜利路", "新华路", "长江路", "文化路", "友谊路"]

PROJECT_THEMES = [
    "爱心储蓄银行", "邻里守望", "银发课堂", "四点半课堂", "党员先锋岗", "红色议事厅", "健康俱乐部", "助老陪诊",
    "家电义修", "楼道美化", "夜间巡逻", "睦邻客厅", "暖心食堂", "法律援助站", "就业驿站", "青年先锋",
    "楼组自治", "垃圾分类督导", "一米菜园", "社区书房", "红色管家", "老兵驿站", "护苗行动", "心理疏导",
    "便民服务日", "文明楼道", "邻里节", "读书会", "亲子课堂", "民情夜访", "共享工具箱", "爱心理发",
]
PROJECT_SUFFIXES = ["项目", "行动", "服务队", "工作室", "计划", "志愿服务"]

CASE_THEMES = [
    "区域化党建联席会议的实践", "网格化管理与组团式服务", "商务楼宇党建全覆盖", "流动党员的组织与服务",
    "在职党员到社区报到", "党建引领物业治理", "老旧小区改造中的党组织作用", "居民议事会制度",
    "两新组织党建工作", "社区党校的课程建设", "党员志愿服务常态化", "党群服务中心的功能整合",
    "民情日记与民情恳谈", "党务公开栏的规范化", "红色物业的探索", "社区党建与社会组织培育",
]

LECTURE_TOPICS = [
    "党员在网格里能做什么", "学习党章，做合格党员", "基层党组织如何联系服务群众", "党务公开的规矩与方法",
    "发展党员工作流程解读", "党费收缴、使用和管理", "社区治理中的党员责任", "如何开好组织生活会",
    "新时代的社区志愿服务", "从一件小事看为民服务", "楼宇党建的新做法", "流动党员怎样过组织生活",
    "民主评议党员怎么评", "党支部标准化建设", "居民议事会的组织与引导", "老党员讲述社区变迁",
]

PUBLICATIONS = ["《党建研究》", "《支部生活》", "《组织人事报》", "《社区》杂志", "《中国社会报》", "《党的生活》"]
PLATFORMS = ["区委组织部党员教育平台", "街道党工委视频会议系统", "共产党员网直播"]
TAGS = ["区域化党建", "网格化管理", "服务型党组织", "商务楼宇党建", "流动党员", "党员服务中心", "社会组织",
        "居民自治", "志愿服务", "红色物业", "老旧小区", "党务公开"]

PLACE_KINDS = ["党员服务中心", "党员服务站", "党员服务点", "党员之家", "党代表工作室", "社区党校", "为民服务大厅",
               "居民事务代办站", "民愿诉求接待室", "党群活动室"]
PLACE_SERVICES = ["党员组织关系接转", "入党咨询", "流动党员登记", "困难党员帮扶", "社保、医保业务", "民政救助申请",
                  "居住证办理", "网格问题受理", "法律咨询", "志愿服务报名", "老年人助餐登记", "图书借阅"]
PROJECT_CATEGORIES = ["健康养老", "扶贫帮困", "文化体育", "志愿服务", "就业创业", "教育培训", "邻里互助", "平安建设",
                      "环境治理", "共建共治"]
PROJECT_STATUSES = ["筹备中", "进行中", "常态化", "常态化", "进行中", "已结束"]
LECTURE_SERIES = ["微型党课", "网上党课", "菜单式教育", "社区党校", "专题讲座"]

NOTICE_SUBJECTS: dict[str, tuple[str, str, list[str]]] = {  # category -> (form, id slug, subjects)
    "发展党员公示": ("公示", "fazhan", ["拟发展党员", "发展对象", "预备党员转正", "入党积极分子"]),
    "党费收缴": ("公开", "dangfei", ["上半年党费收缴情况", "全年党费收缴情况", "党费使用情况"]),
    "组织设置": ("公示", "zuzhi", ["党支部调整设置", "成立网格党支部", "撤销并合并党小组"]),
    "民主评议": ("公开", "pingyi", ["民主评议党员工作安排", "民主评议党员结果"]),
    "换届选举": ("公示", "huanjie", ["换届选举委员候选人预备人选", "换届选举结果"]),
    "评优表彰": ("公示", "biaozhang", ["拟表彰优秀共产党员", "拟表彰先进党支部"]),
    "财务公开": ("公开", "caiwu", ["党组织服务群众经费使用情况", "党建活动经费收支情况"]),
    "党务工作": ("公开", "dangwu", ["主题党日活动安排", "党员承诺践诺情况", "在职党员报到情况"]),
}

# Sentences of body text. {c}: community, {s}: street, {o}: organisation, {t}: a project theme,
# {n}: a small number, {m}: a larger number, {r}: a road.
SENTENCES = [
    "{o}坚持把支部建在网格上，让每一名党员都有岗位、有责任、有服务对象。",
    "近年来，{s}街道以区域化党建为抓手，推动驻区单位、两新组织和居民区党组织资源共享、优势互补。",
    "社区党委每月召开一次联席会议，听取各党支部和驻区单位的意见，协调解决居民反映集中的问题。",
    "{c}社区共有{n}个网格，每个网格配备一名网格长和若干名党员志愿者，做到小事不出网格、大事不出社区。",
    "在职党员到社区报到后，按照个人特长认领服务岗位，参加“{t}”等志愿服务项目。",
    "针对辖区老年人多、空巢老人多的特点，党支部组织党员开展结对帮扶，定期上门探望。",
    "党员服务站每天安排党员值班，为居民提供政策咨询、代办事项和矛盾调解等服务。",
    "通过“党建引领、居民自治、多方参与”的工作机制，{c}社区的环境面貌和邻里关系明显改善。",
    "去年以来，社区党委共收集居民意见建议{m}条，办结率达到百分之九十以上。",
    "{o}把党务公开作为密切联系群众的重要途径，公开内容按规定在公开栏和本平台同步发布。",
    "党支部坚持“三会一课”制度，每季度至少召开一次党员大会，每月召开一次支委会。",
    "在老旧小区改造中，党员骨干带头入户宣传政策，帮助居民解决加装电梯、停车难等实际问题。",
    "{r}沿线商户多、流动人口多，网格党支部与物业、商户联合成立了平安巡逻队。",
    "社区党校围绕党的理论、政策法规和社区治理开设课程，每年培训党员和居民骨干{m}人次。",
    "“{t}”项目由社区党委牵头，整合辖区单位资源，已累计服务居民{m}人次。",
    "楼宇党组织通过联合党委的形式，把分散在各企业的党员组织起来，定期开展组织生活。",
    "流动党员党支部为外来务工党员建立联系卡，及时把他们纳入组织、参加活动。",
    "党员志愿者在重要节假日开展便民服务，为居民提供理发、量血压、家电维修等服务。",
    "居民议事会由社区党委引导，楼组长、党员代表和居民代表共同参加，协商解决公共事务。",
    "{s}街道党工委把党员服务中心作为服务党员、服务群众的主阵地，做到一年三百六十五天天天有服务。",
    "党员承诺践诺活动中，每名党员结合岗位作出公开承诺，年底由群众进行评议。",
    "社区党委注重发现和培养入党积极分子，近三年共发展党员{n}名。",
    "网格员每月走访网格内的住户，及时了解困难群众的需求，并在网格服务台账上登记。",
    "党建联席会议成员单位签订共建协议，在场地、人员和经费上相互支持。",
    "对反映的问题，社区实行首问负责和限时办结，办理结果在公开栏公布，接受群众监督。",
    "“红色物业”工作机制把物业服务企业纳入社区党建工作体系，物业党员亮身份、作表率。",
    "退休老党员组成宣讲团，走进楼组、学校和企业，讲述社区变迁和身边的先进事迹。",
    "社区还建立了党员积分管理制度，积分结果作为评选优秀共产党员的重要依据。",
    "项目坚持“居民点单、党组织派单、党员接单”，让服务更贴近群众的实际需求。",
    "{c}社区党群活动室对居民开放，设有图书角、议事厅和活动室，可以预约使用。",
]
LIST_INTROS = ["主要做法有：", "具体安排如下：", "居民可以通过以下方式参与：", "近期重点做好以下几件事："]
LIST_ITEMS = [
    "每月第一个周六上午开展主题党日活动", "党员亮身份、认岗位、作承诺", "网格员定期入户走访",
    "困难家庭结对帮扶", "重大事项提交居民议事会协商", "办理结果在公开栏公布", "志愿服务时长计入党员积分",
    "节假日开展便民服务", "新建小区同步建立党组织", "驻区单位开放活动场地",
]
HEADINGS = ["工作做法", "主要成效", "下一步打算", "参与方式", "基本情况"]

# Traditional-Chinese text for the few cases written in 繁體 (kept as published).
TRADITIONAL_SENTENCES = [
    "社區黨組織以服務居民為中心，把黨員組織起來、把群眾團結起來。",
    "街道黨工委推動轄區單位共駐共建，在場地、人員和經費上互相支持。",
    "網格黨支部定期走訪住戶，及時了解困難家庭的實際需要。",
    "黨員志願者在節假日開展便民服務，為長者提供理髮、量血壓等服務。",
    "居民議事會由黨組織引導，樓組長和居民代表共同協商公共事務。",
    "這一做法後來在其他社區推廣，成為區域化黨建的典型經驗。",
    "流動黨員黨支部為外來務工黨員建立聯繫卡，把他們納入組織生活。",
    "社區黨校每年培訓黨員和居民骨幹，課程圍繞社區治理和政策法規。",
]
TRADITIONAL_TITLES = ["社區黨建的區域化探索", "網格黨支部的組建與運作", "黨員服務中心的建設經驗", "樓宇黨建的實踐"]


# --- records -------------------------------------------------------------------------------


@dataclass
class GeneratedRecord:
    type_name: str
    record_id: str
    data: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.data.get("name") or self.data.get("title"))

    @property
    def body(self) -> str:
        return str(self.data.get("body") or "")


@dataclass
class Street:
    name: str
    slug: str
    region: tuple[str, str, str]
    org_id: str = ""


@dataclass
class Community:
    name: str
    slug: str
    street: Street
    org_id: str = ""
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def next(self, what: str) -> int:
        self.counters[what] += 1
        return self.counters[what]


@dataclass
class Org:
    record_id: str
    name: str
    short_name: str
    level: str  # street, community, branch, group
    community: Community | None
    street: Street


def type_counts(n: int) -> dict[str, int]:
    """Records per type; every type gets at least one and the total is exactly n (n >= 7)."""
    counts = {name: max(1, int(n * share)) for name, share in PROPORTIONS.items()}
    counts["organizations"] += n - sum(counts.values())
    return counts


class ContentFactory:
    """Makes records in dependency order, remembering what later records may reference."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counts = type_counts(n)
        self.used_names: set[str] = set()
        self.used_ids: set[tuple[str, str]] = set()
        self.streets: list[Street] = []
        self.communities: list[Community] = []
        self.orgs: list[Org] = []
        self.orgs_by_level: dict[str, list[Org]] = defaultdict(list)
        self.places: list[tuple[str, Community | None]] = []
        self.places_by_community: dict[str, list[str]] = defaultdict(list)
        self.projects: list[str] = []

    # --- helpers -----------------------------------------------------------------------

    def _unique_name(self, make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """(name, slug) from ``make`` until the name is new; numbered when tries run out."""
        for _ in range(50):
            name, slug = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return name, slug
        name, slug = make()
        number = 2
        while f"{name}{number}" in self.used_names:
            number += 1
        self.used_names.add(f"{name}{number}")
        return f"{name}{number}", f"{slug}{number}"

    def _unique_id(self, type_name: str, slug: str) -> str:
        candidate, number = slug, 2
        while (type_name, candidate) in self.used_ids:
            candidate = f"{slug}-{number}"
            number += 1
        self.used_ids.add((type_name, candidate))
        return candidate

    def _place_name(self) -> tuple[str, str]:
        first, second = self.rng.sample(SYLLABLES, 2)
        return first[0] + second[0], first[1] + second[1]

    def _person(self) -> str:
        given = self.rng.choice([GIVEN[i:i + 2] for i in range(0, len(GIVEN), 2)])
        return self.rng.choice(SURNAMES) + given

    def _phone(self, street: Street) -> str:
        return f"{street.region[2]}-{self.rng.randint(5000_0000, 8999_9999)}"

    def _address(self, street: Street, community: Community | None) -> str:
        where = community.name if community else "办事处"
        road = f"{self.rng.choice(ROADS)}{self.rng.randint(1, 400)}号"
        return f"{street.region[0]}{street.region[1]}{street.name}{where}{road}"

    def _date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def body(self, community: Community, org_name: str, traditional: bool = False) -> str:
        """Markdown of about BODY_BYTES bytes: paragraphs, sometimes a heading and a list."""
        values = {
            "c": community.name.removesuffix("社区"), "s": community.street.name.removesuffix("街道"),
            "o": org_name, "t": self.rng.choice(PROJECT_THEMES), "r": self.rng.choice(ROADS),
        }
        paragraphs: list[str] = []
        size = 0
        pool = TRADITIONAL_SENTENCES if traditional else SENTENCES
        while size < BODY_BYTES - 180:  # the last block overshoots by ~180 bytes on average
            if not traditional and paragraphs and self.rng.random() < 0.12:
                block = f"## {self.rng.choice(HEADINGS)}"
            elif not traditional and paragraphs and self.rng.random() < 0.15:
                items = self.rng.sample(LIST_ITEMS, self.rng.randint(2, 4))
                block = self.rng.choice(LIST_INTROS) + "\n\n" + "\n".join(f"- {item}" for item in items)
            else:
                sentences = self.rng.sample(pool, self.rng.randint(2, 4))
                values["n"] = str(self.rng.randint(3, 30))
                values["m"] = str(self.rng.randint(50, 3000))
                block = "".join(sentence.format(**values) for sentence in sentences)
            paragraphs.append(block)
            size += len(block.encode("utf-8"))
        return "\n\n".join(paragraphs) + "\n"

    # --- record types ------------------------------------------------------------------

    def organizations(self) -> list[GeneratedRecord]:
        total = self.counts["organizations"]
        n_streets = max(1, round(total * 0.03))
        n_communities = max(1, round(total * 0.2))
        n_branches = max(0, round(total * 0.5))
        n_groups = max(0, total - n_streets - n_communities - n_branches)
        n_communities = min(n_communities, total - n_streets)
        n_branches = min(n_branches, total - n_streets - n_communities)
        records: list[GeneratedRecord] = []
        for _ in range(n_streets):
            name, slug = self._unique_name(self._place_name)
            street = Street(f"{name}街道", slug, self.rng.choice(REGIONS))
            self.streets.append(street)
            records.append(self._org(street, None, "street", None))
        for index in range(n_communities):
            street = self.streets[index % len(self.streets)]
            name, slug = self._unique_name(self._place_name)
            community = Community(f"{name}社区", slug, street)
            self.communities.append(community)
            records.append(self._org(street, community, "community", self._org_of_street(street)))
        community_orgs = self.orgs_by_level["community"]
        for _ in range(n_branches):
            parent = self.rng.choice(community_orgs)
            records.append(self._org(parent.street, parent.community, "branch", parent))
        branch_orgs = self.orgs_by_level["branch"] or community_orgs
        for _ in range(n_groups):
            parent = self.rng.choice(branch_orgs)
            records.append(self._org(parent.street, parent.community, "group", parent))
        return records

    def _org_of_street(self, street: Street) -> Org:
        return next(org for org in self.orgs_by_level["street"] if org.street is street)

    def _org(self, street: Street, community: Community | None, level: str, parent: Org | None) -> GeneratedRecord:
        if level == "street":
            short = f"{street.name}党工委"
            name, kind, basis = f"中共{street.name}工作委员会", "党工委", "街道"
            slug = f"{street.slug}-jiedao-dangongwei"
        elif level == "community":
            assert community is not None
            short = f"{community.name}党委"
            name, kind, basis, slug = (f"中共{street.name}{community.name}委员会", "党委", "社区",
                                       f"{street.slug}-{community.slug}-shequ-dangwei")
        elif level == "branch":
            assert community is not None
            variant = self.rng.randrange(4)
            k = community.next(f"branch{variant}")
            name, kind, basis, slug = [
                (f"{community.name}第{k}居民党支部", "党支部", "居民区", f"{community.slug}-jumin-dangzhibu-{k}"),
                (f"{community.name}第{k}网格党支部", "网格党支部", "网格", f"{community.slug}-wangge-dangzhibu-{k}"),
                (f"{community.name}{BUILDINGS[k % len(BUILDINGS)]}大厦第{k}联合党支部", "联合党支部", "商务楼宇",
                 f"{community.slug}-louyu-lianhe-dangzhibu-{k}"),
                (f"{community.name}第{k}流动党员党支部", "流动党员党支部", "流动党员",
                 f"{community.slug}-liudong-dangzhibu-{k}"),
            ][variant]
            short = name
        else:
            assert community is not None
            k = community.next("group")
            name, kind, basis = f"{community.name}{k}号楼党小组", "党小组", "居民区"
            slug = f"{community.slug}-{k}hao-lou-dangxiaozu"
            short = f"{k}号楼党小组"
        record_id = self._unique_id("organizations", slug)
        org = Org(record_id, name, short, level, community, street)
        self.orgs.append(org)
        self.orgs_by_level[level].append(org)
        if level == "street":
            street.org_id = record_id
        elif level == "community" and community is not None:
            community.org_id = record_id
        data: dict[str, Any] = {"name": name, "short_name": short, "kind": kind}
        if parent is not None:
            data["parent"] = parent.record_id
        data |= {"basis": basis, "street": street.name}
        if community is not None:
            data["community"] = community.name
        data |= {
            "address": self._address(street, community),
            "phone": self._phone(street),
            "secretary": f"{self._person()}（{short}书记）",
            "members_count": self.rng.randint(8, 1500 if level in ("street", "community") else 60),
            "established": self._date(dt.date(1990, 1, 1), dt.date(2025, 12, 31)),
            "body": self.body(community or self._any_community_of(street), name),
        }
        return GeneratedRecord("organizations", record_id, data)

    def _any_community_of(self, street: Street) -> Community:
        for community in self.communities:
            if community.street is street:
                return community
        return Community(f"{street.name.removesuffix('街道')}社区", street.slug, street)

    def _local_org(self) -> Org:
        level = self.rng.choice(["community", "community", "branch", "street"])
        return self.rng.choice(self.orgs_by_level[level] or self.orgs)

    def places_records(self) -> list[GeneratedRecord]:
        records = []
        for _ in range(self.counts["places"]):
            org = self._local_org()
            community = org.community or self._any_community_of(org.street)
            kind = self.rng.choice(PLACE_KINDS)
            base = f"{community.name}{kind}" if org.level != "street" else f"{org.street.name}{kind}"
            k = community.next(f"place-{kind}")
            name = base if k == 1 else f"{base}（第{k}站）"
            record_id = self._unique_id("places", f"{community.slug}-place-{PLACE_KINDS.index(kind)}-{k}")
            periods: list[dict[str, Any]] = [{"days": ["周一", "周二", "周三", "周四", "周五"], "open": "08:30",
                                              "close": "17:30"}]
            if self.rng.random() < 0.5:
                periods.append({"days": ["周六"], "open": "09:00", "close": "12:00"})
            hours: dict[str, Any] = {"periods": periods}
            if self.rng.random() < 0.3:
                hours["exceptions"] = [{"date": dt.date(2027, 1, 1), "closed": True, "note": "元旦休息"}]
            data = {
                "name": name, "kind": kind, "organization": org.record_id, "street": org.street.name,
                "community": community.name, "address": self._address(org.street, community), "hours": hours,
                "services": self.rng.sample(PLACE_SERVICES, self.rng.randint(2, 6)),
                "phone": self._phone(org.street),
                "accessibility": "入口有坡道和扶手，一楼设有无障碍卫生间",
                "body": self.body(community, org.name),
            }
            self.places.append((record_id, community))
            self.places_by_community[community.slug].append(record_id)
            records.append(GeneratedRecord("places", record_id, data))
        return records

    def grids(self) -> list[GeneratedRecord]:
        records = []
        grid_branches: dict[str, list[Org]] = defaultdict(list)
        for org in self.orgs_by_level["branch"]:
            if org.community is not None and "网格" in org.name:
                grid_branches[org.community.slug].append(org)
        for index in range(self.counts["grids"]):
            community = self.communities[index % len(self.communities)]
            k = community.next("grid")
            first = self.rng.randint(1, 60)
            data: dict[str, Any] = {
                "name": f"{community.name}第{k}网格", "street": community.street.name, "community": community.name,
                "area": [f"{community.name}{b}幢" for b in range(first, first + self.rng.randint(3, 7))],
                "households": self.rng.randint(150, 900), "leader": f"{self._person()}（网格长）",
                "phone": self._phone(community.street),
            }
            branches = grid_branches.get(community.slug)
            if branches:
                data["organization"] = branches[(k - 1) % len(branches)].record_id
            data["body"] = self.body(community, f"{community.name}第{k}网格")
            record_id = self._unique_id("grids", f"{community.slug}-di{k}-wangge")
            records.append(GeneratedRecord("grids", record_id, data))
        return records

    def projects_records(self) -> list[GeneratedRecord]:
        records = []
        for _ in range(self.counts["projects"]):
            org = self._local_org()
            community = org.community or self._any_community_of(org.street)
            theme = self.rng.choice(PROJECT_THEMES)

            def make(community: Community = community, theme: str = theme) -> tuple[str, str]:
                suffix = self.rng.choice(PROJECT_SUFFIXES)
                return f"{community.name}“{theme}”{suffix}", community.slug

            name, _slug = self._unique_name(make)
            organizers = [org.record_id]
            if community.org_id and community.org_id != org.record_id and self.rng.random() < 0.4:
                organizers.append(community.org_id)
            local = self.places_by_community.get(community.slug) or [pid for pid, _ in self.places]
            places = self.rng.sample(local, min(len(local), self.rng.randint(0, 2)))
            record_id = self._unique_id("projects", f"{community.slug}-xiangmu-{len(records) + 1}")
            data: dict[str, Any] = {
                "name": name, "organizers": organizers,
                "partners": self.rng.sample(["辖区小微企业", "社区物业服务企业", "驻区学校", "社区卫生服务中心",
                                             "区志愿者协会", "社区社会组织"], 2),
                "category": self.rng.choice(PROJECT_CATEGORIES), "audience": f"{community.name}居民",
                "schedule": self.rng.choice(["每月第一个周六上午", "每周三下午", "常年开展", "每季度一次"]),
                "places": places, "how_to_join": "到社区党群服务站登记，或联系所在网格的网格长",
                "funding": self.rng.choice(["社区发展基金", "党组织服务群众经费", "驻区单位赞助"]),
                "status": self.rng.choice(PROJECT_STATUSES),
                "started": self._date(dt.date(2005, 1, 1), dt.date(2026, 10, 1)),
                "body": self.body(community, org.name),
            }
            self.projects.append(record_id)
            records.append(GeneratedRecord("projects", record_id, data))
        return records

    def cases(self) -> list[GeneratedRecord]:
        records = []
        total = self.counts["cases"]
        traditional_every = 25  # about 4% of cases are kept in Traditional Chinese
        for index in range(total):
            org = self._local_org()
            community = org.community or self._any_community_of(org.street)
            traditional = index % traditional_every == traditional_every - 1 or (total >= 2 and index == 1)
            theme = self.rng.choice(TRADITIONAL_TITLES if traditional else CASE_THEMES)
            title = f"{org.street.name}：{theme}"
            year = self.rng.randint(2005, 2026)
            organizations = list(dict.fromkeys([org.record_id, *(o.record_id for o in self.rng.sample(
                self.orgs, min(len(self.orgs), self.rng.randint(0, 3))))]))
            projects = self.rng.sample(self.projects, min(len(self.projects), self.rng.randint(0, 3)))
            summary_pool = TRADITIONAL_SENTENCES if traditional else [
                f"{org.street.name}依托社区党组织，探索{theme.removesuffix('的实践')}的做法，把党员组织起来、把居民服务好。"]
            data: dict[str, Any] = {
                "title": title, "region": f"{org.street.region[0]}{org.street.region[1]}", "year": year,
                "source": {"publication": self.rng.choice(PUBLICATIONS),
                           "issue": f"{year}年第{self.rng.randint(1, 12)}期"},
                "tags": self.rng.sample(TAGS, self.rng.randint(2, 5)),
                "organizations": organizations, "projects": projects,
                "summary": self.rng.choice(summary_pool),
            }
            if traditional:
                data["lang"] = "zh-Hant"
            data["body"] = self.body(community, org.name, traditional=traditional)
            record_id = self._unique_id("cases", f"{year}-{org.street.slug}-anli-{index + 1}")
            records.append(GeneratedRecord("cases", record_id, data))
        return records

    def notices(self, files: list[str]) -> list[GeneratedRecord]:
        records = []
        total = self.counts["notices"]
        categories = list(NOTICE_SUBJECTS)
        for index in range(total):
            org = self.rng.choice(self.orgs_by_level["community"] + self.orgs_by_level["branch"] or self.orgs)
            category = self.rng.choice(categories)
            form, slug, subjects = NOTICE_SUBJECTS[category]
            length = self.rng.randint(5, 10) if form == "公示" else self.rng.randint(7, 20)
            if index % 25 == 0:  # about 4%: open on the benchmark's build date
                start = BUILD_DATE - dt.timedelta(days=self.rng.randint(0, length - 1))
            else:
                start = self._date(dt.date(2024, 1, 1), dt.date(2027, 12, 31))
            subject = self.rng.choice(subjects)
            data: dict[str, Any] = {
                "title": f"{org.short_name}关于{subject}的{form}", "category": category, "form": form,
                "organization": org.record_id, "published": start,
                "window": {"start": start, "end": start + dt.timedelta(days=length - 1)},
                "contact": {
                    "department": f"{org.street.name}党工委组织办", "phone": self._phone(org.street),
                    "address": self._address(org.street, None), "note": "工作日 8:30—17:30 受理来电来访",
                },
            }
            if files and self.rng.random() < 0.1:
                data["attachments"] = [{"title": f"{subject}（附件）", "file": self.rng.choice(files)}]
            data["body"] = self.body(org.community or self._any_community_of(org.street), org.name)
            record_id = self._unique_id("notices", f"{start.year}-{org.street.slug}-{slug}-{index + 1}")
            records.append(GeneratedRecord("notices", record_id, data))
        return records

    def lectures(self) -> list[GeneratedRecord]:
        records = []
        for index in range(self.counts["lectures"]):
            org = self._local_org()
            community = org.community or self._any_community_of(org.street)
            series = self.rng.choice(LECTURE_SERIES)
            day = self._date(dt.date(2024, 1, 1), dt.date(2027, 12, 31))
            start = dt.datetime.combine(day, dt.time(self.rng.choice([9, 14, 19])))
            minutes = 15 if series == "微型党课" else self.rng.choice([60, 90, 120])
            end = start + dt.timedelta(minutes=minutes)
            data: dict[str, Any] = {
                "title": self.rng.choice(LECTURE_TOPICS), "series": series,
                "speaker": {"name": self._person(), "title": f"{org.short_name}书记"},
                "start": f"{start:%Y-%m-%d %H:%M}", "end": f"{end:%Y-%m-%d %H:%M}",
            }
            local = self.places_by_community.get(community.slug)
            if series == "网上党课" or not local:
                data["venue"] = self.rng.choice(PLATFORMS)
            else:
                data["place"] = self.rng.choice(local)
            data |= {"organization": org.record_id, "audience": "全体党员、入党积极分子，欢迎居民旁听",
                     "summary": f"围绕“{data['title']}”，结合{community.name}的实际讲一讲。"}
            if self.rng.random() < 0.3:
                data["registration"] = {"required": True, "method": "到社区党群服务站或所在网格登记",
                                        "deadline": day - dt.timedelta(days=2), "capacity": self.rng.randint(20, 120)}
            data["body"] = self.body(community, org.name)
            record_id = self._unique_id("lectures", f"{day:%Y-%m-%d}-{community.slug}-dangke-{index + 1}")
            records.append(GeneratedRecord("lectures", record_id, data))
        return records


def generate(n: int, seed: int = 1, files: list[str] | None = None) -> list[GeneratedRecord]:
    """N records of all seven types, in dependency order, the same for the same seed."""
    if n < len(PROPORTIONS):
        raise ValueError(f"need at least {len(PROPORTIONS)} records, one per type")
    factory = ContentFactory(n, seed)
    records = factory.organizations()
    records += factory.places_records()
    records += factory.grids()
    records += factory.projects_records()
    records += factory.cases()
    records += factory.notices(files or [])
    records += factory.lectures()
    return records


# --- writing -------------------------------------------------------------------------------

try:
    _BaseDumper: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _BaseDumper = yaml.SafeDumper


class _RecordDumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Multi-line text as ``|`` blocks, the way editors write bodies; no anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_RecordDumper.add_representer(str, _represent_str)

ATTACHMENTS = ["bench-dangfei-gongkai.pdf", "bench-gongshi-mingdan.pdf"]
# The smallest well-formed PDF: attachments only need to exist for validation.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

FALLBACK_PAGES = {
    "about.md": "# 关于本站\n\n本站内容由基准测试脚本自动生成，用于测量构建速度。\n",
    "help.md": "# 使用说明\n\n用顶部的栏目浏览党组织、服务阵地、网格、服务项目、党务公开和党课讲座。\n",
}


def record_yaml(record: GeneratedRecord) -> str:
    return yaml.dump(record.data, Dumper=_RecordDumper, allow_unicode=True, sort_keys=False, width=1000)


def write_config(out: Path, theme_dir: Path) -> None:
    """The repository's site_config.yml with custom_dir pointing at the repository's theme."""
    text = (REPO / "site_config.yml").read_text(encoding="utf-8")
    text, replaced = re.subn(r"(?m)^(\s*custom_dir:\s*).*$", lambda m: f"{m.group(1)}{theme_dir.as_posix()}", text)
    if not replaced:
        raise SystemExit("site_config.yml has no theme.custom_dir line to point at the theme")
    (out / "site_config.yml").write_text(text, encoding="utf-8")


def write_pages(content: Path) -> None:
    """Free pages the nav refers to: the repository's own when it has them."""
    pages = content / "pages"
    source = REPO / "content" / "pages"
    if source.is_dir():
        shutil.copytree(source, pages, dirs_exist_ok=True)
    pages.mkdir(parents=True, exist_ok=True)
    for name, text in FALLBACK_PAGES.items():
        if not (pages / name).exists():
            (pages / name).write_text(text, encoding="utf-8")


def write_project(records: list[GeneratedRecord], out: Path, theme_dir: Path | None = None) -> None:
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    files = content / "files"
    files.mkdir(parents=True)
    for name in ATTACHMENTS:
        (files / name).write_bytes(TINY_PDF)
    write_pages(content)
    folders: set[str] = set()
    for record in records:
        if record.type_name not in folders:
            (content / record.type_name).mkdir(exist_ok=True)
            folders.add(record.type_name)
        path = content / record.type_name / f"{record.record_id}.yml"
        path.write_text(record_yaml(record), encoding="utf-8")
    write_config(out, (theme_dir or REPO / "theme").resolve())


def make_project(n: int, out: Path, seed: int = 1) -> list[GeneratedRecord]:
    """Generate and write a buildable project of ``n`` records; return the records."""
    out.mkdir(parents=True, exist_ok=True)
    records = generate(n, seed, ATTACHMENTS)
    write_project(records, out)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate N synthetic, valid Tongxin records")
    parser.add_argument("n", type=int, help="number of records (at least 7)")
    parser.add_argument("--out", type=Path, required=True, help="project folder to create")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    args = parser.parse_args(argv)
    records = make_project(args.n, args.out, args.seed)
    by_type: dict[str, int] = defaultdict(int)
    for record in records:
        by_type[record.type_name] += 1
    summary = ", ".join(f"{name} {count}" for name, count in by_type.items())
    print(f"wrote {len(records)} records to {args.out / 'content'} ({summary})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
