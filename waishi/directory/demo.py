"""Demo data for the directory: a provincial FAO over the Jingdezhen and Chongqing FAOs, their units and
staff. Deterministic (``random.Random(seed)``); nothing is written except by ``load_directory()``.

Ranks follow each organization's administrative level rather than the title alone: the heads of
provincial-level bodies (the province, Chongqing as a municipality under the central government, the
universities) are 厅局级 (``bureau``), 景德镇学院's 院长 副厅级; the heads of Jingdezhen's city bodies
and of Chongqing's district bodies are 县处级 (``division``); the heads of Fuliang county's bodies and
of a city institute are 乡科级 (``section``). A deputy is one step below the head; the internal
departments are 处 (division) in a 厅局级 body, 科 (section) in a 县处级 body, 股 (unranked) below.
Academic, medical and technical titles (教授, 主任医师, 工程师) carry no administrative rank (``other``).
"""

import datetime
import random

from django.db import transaction

from waishi.directory.choices import Gender, OrganizationKind, OrganizationLevel, Rank

FAO = OrganizationKind.FAO.value
UNIT = OrganizationKind.UNIT.value
PROVINCE = OrganizationLevel.PROVINCE.value
CITY = OrganizationLevel.CITY.value
COUNTY = OrganizationLevel.COUNTY.value


B, DB, D, S = Rank.BUREAU.value, Rank.DEPUTY_BUREAU.value, Rank.DIVISION.value, Rank.SECTION.value
DD, OTHER = Rank.DEPUTY_DIVISION.value, Rank.OTHER.value

# The offices: code, name, short name, document code, level, parent; then, for people(), the staffing
# template and the rank of the head. Parents come before their children.
# fmt: off
_OFFICES = [
    ("prov-fao", "省人民政府外事办公室", "省外办", "省外审", PROVINCE, None, B),
    ("jdz-fao", "景德镇市人民政府外事办公室", "景德镇市外办", "景外审", CITY, "prov-fao", D),
    ("cq-fao", "重庆市人民政府外事办公室", "重庆市外办", "渝外审", CITY, "prov-fao", B),
    ("fl-fao", "浮梁县外事办公室", "浮梁县外办", "浮外审", COUNTY, "jdz-fao", S),
    ("yz-fao", "渝中区外事办公室", "渝中区外办", "渝中外审", COUNTY, "cq-fao", D),
]

# The units under each office (their level is the office's): code, name, short name; the staffing
# template, the rank of the head, and the head's title where the template's default does not fit (a
# 委员会 is led by a 主任, a 学院 by a 院长).
_UNITS = {
    "prov-fao": [
        ("prov-commerce", "省商务厅", "省商务厅", "gov", B, "厅长"),
        ("prov-education", "省教育厅", "省教育厅", "gov", B, "厅长"),
    ],
    "jdz-fao": [
        ("jdz-commerce", "景德镇市商务局", "市商务局", "gov", D, None),
        ("jdz-jcu", "景德镇陶瓷大学", "景德镇陶大", "university", B, None),
        ("jdz-college", "景德镇学院", "景德镇学院", "university", DB, "院长"),
        ("jdz-culture", "景德镇市文化广电新闻出版旅游局", "市文广新旅局", "gov", D, None),
        ("jdz-education", "景德镇市教育局", "市教育局", "gov", D, None),
        ("jdz-health", "景德镇市卫生健康委员会", "市卫健委", "gov", D, "主任"),
        ("jdz-design", "景德镇市陶瓷工业设计研究院", "市陶瓷设计院", "institute", S, None),
        ("jdz-tourism-group", "景德镇市陶瓷文化旅游集团", "陶文旅集团", "enterprise", D, None),
        ("jdz-hospital", "景德镇市第一人民医院", "市一医院", "hospital", D, None),
        ("jdz-science", "景德镇市科学技术局", "市科技局", "gov", D, None),
        ("jdz-ndrc", "景德镇市发展和改革委员会", "市发改委", "gov", D, "主任"),
    ],
    "cq-fao": [
        ("cq-commerce", "重庆市商务委员会", "市商务委", "gov", B, "主任"),
        ("cq-cqu", "重庆大学", "重大", "university", B, None),
        ("cq-swu", "西南大学", "西大", "university", B, None),
        ("cq-sisu", "四川外国语大学", "川外", "university", B, None),
        ("cq-education", "重庆市教育委员会", "市教委", "gov", B, "主任"),
        ("cq-economy", "重庆市经济和信息化委员会", "市经信委", "gov", B, "主任"),
        ("cq-culture", "重庆市文化和旅游发展委员会", "市文化旅游委", "gov", B, "主任"),
        ("cq-science", "重庆市科学技术局", "市科技局", "gov", B, None),
        ("cq-friendship", "重庆市人民对外友好协会", "市友协", "association", B, None),
        ("cq-health", "重庆市卫生健康委员会", "市卫生健康委", "gov", B, "主任"),
        ("cq-investment", "重庆市招商投资促进局", "市招商投资局", "gov", B, None),
    ],
    "fl-fao": [
        ("fl-agriculture", "浮梁县农业农村局", "县农业农村局", "gov", S, None),
        ("fl-culture", "浮梁县文化广电新闻出版旅游局", "县文广新旅局", "gov", S, None),
    ],
    "yz-fao": [
        ("yz-commerce", "渝中区商务委员会", "区商务委", "gov", D, "主任"),
        ("yz-culture", "渝中区文化旅游委员会", "区文化旅游委", "gov", D, "主任"),
    ],
}
# fmt: on

ORG_FIELDS = ("code", "name", "short_name", "doc_code", "kind", "level", "parent")


def _build_organizations() -> list[dict]:
    result = []
    for code, name, short_name, doc_code, level, parent, head_rank in _OFFICES:
        result.append(
            {
                "code": code,
                "name": name,
                "short_name": short_name,
                "doc_code": doc_code,
                "kind": FAO,
                "level": level,
                "parent": parent,
                "template": "fao",
                "head_rank": head_rank,
                "head": None,
            }
        )
    levels = {office[0]: office[4] for office in _OFFICES}
    for office, units in _UNITS.items():
        for code, name, short_name, template, head_rank, head in units:
            result.append(
                {
                    "code": code,
                    "name": name,
                    "short_name": short_name,
                    "doc_code": "",
                    "kind": UNIT,
                    "level": levels[office],
                    "parent": office,
                    "template": template,
                    "head_rank": head_rank,
                    "head": head,
                }
            )
    return result


_ORGANIZATIONS = _build_organizations()

# The organizations as rows of Organization (``parent`` is the parent's code).
ORGANIZATIONS: list[dict] = [{field: org[field] for field in ORG_FIELDS} for org in _ORGANIZATIONS]

# Region codes (the first six digits of a resident ID number) by the office an organization belongs to.
REGION_CODES = {"prov-fao": "360000", "jdz-fao": "360200", "cq-fao": "500100"}

# --- Names --------------------------------------------------------------------------------------------

# Common surnames weighted by their approximate share of the population (per cent). Surnames that
# pypinyin reads wrongly without context (曾 zeng, 翟 zhai, 单 shan, 解 xie, 仇 qiu, 区 ou...) are left out.
SURNAMES = {
    "王": 7.25, "李": 7.19, "张": 6.83, "刘": 5.38, "陈": 4.53, "杨": 3.08, "黄": 2.24, "赵": 2.14,
    "吴": 2.07, "周": 1.87, "徐": 1.45, "孙": 1.38, "马": 1.28, "朱": 1.26, "胡": 1.16, "郭": 1.15,
    "何": 1.06, "高": 1.00, "林": 0.94, "罗": 0.86, "郑": 0.78, "梁": 0.81, "谢": 0.73, "宋": 0.70,
    "唐": 0.69, "许": 0.66, "韩": 0.61, "冯": 0.60, "邓": 0.59, "曹": 0.58, "彭": 0.54, "肖": 0.51,
    "田": 0.50, "董": 0.50, "袁": 0.48, "潘": 0.47, "于": 0.47, "蒋": 0.46, "蔡": 0.45, "余": 0.45,
    "杜": 0.43, "叶": 0.43, "程": 0.42, "苏": 0.40, "魏": 0.40, "吕": 0.39, "丁": 0.38, "任": 0.37,
    "沈": 0.36, "姚": 0.35, "卢": 0.35, "姜": 0.33, "崔": 0.33, "钟": 0.32, "谭": 0.31, "陆": 0.30,
    "汪": 0.29, "范": 0.29, "金": 0.28, "石": 0.28, "廖": 0.27, "贾": 0.27, "夏": 0.26, "韦": 0.26,
    "付": 0.25, "方": 0.25, "白": 0.24, "邹": 0.24, "孟": 0.23, "熊": 0.23, "秦": 0.22, "邱": 0.22,
    "江": 0.22, "尹": 0.21, "薛": 0.21, "段": 0.20, "雷": 0.20, "侯": 0.19, "龙": 0.19, "史": 0.19,
    "陶": 0.18, "黎": 0.18, "贺": 0.18, "顾": 0.17, "毛": 0.17, "郝": 0.17, "龚": 0.16, "邵": 0.16,
    "万": 0.16, "钱": 0.15, "严": 0.15, "涂": 0.06, "游": 0.05, "冉": 0.05, "向": 0.05,
    # Compound surnames.
    "欧阳": 0.08, "司马": 0.03, "上官": 0.03, "诸葛": 0.02, "东方": 0.02,
}  # fmt: skip

GIVEN_SINGLE = {
    Gender.MALE: "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建峰东亮文志海成兵新宏庆",
    Gender.FEMALE: "芳娜敏静丽艳娟霞秀玲燕萍红婷雪琳慧莉颖倩洁佳琴云梅兰欣悦璐蕾瑶菲晶丹",
}
GIVEN_FIRST = {
    Gender.MALE: "志建国俊浩子家立永振德宏文明晓海金学伟天嘉博思少",
    Gender.FEMALE: "丽秀晓雅静玉海春美婉思佳梦雨欣淑雪嘉慧诗",
}
GIVEN_SECOND = {
    Gender.MALE: "伟强华军明平辉东峰涛杰鹏飞宇轩博然林斌成龙刚勇涵阳",
    Gender.FEMALE: "芳娟敏静丽艳霞玲燕萍红婷雪琳慧莉颖倩洁琴华梅兰怡妍",
}

# --- Staffing -------------------------------------------------------------------------------------------

# (head title, deputy title, internal departments, staff titles) per template. A department's title
# takes the suffix of its head's rank: 处/处长 (division), 科/科长 (section), 股/股长 (below).
TEMPLATES = {
    "fao": (
        "主任",
        "副主任",
        ["综合", "护照签证", "友好城市", "礼宾", "国际交流"],
        ["科员", "一级科员", "翻译"],
    ),
    "gov": ("局长", "副局长", ["办公室", "对外交流合作", "规划发展", "政策法规"], ["科员", "一级科员"]),
    "university": (
        "校长",
        "副校长",
        ["国际合作与交流", "港澳台事务"],
        ["教授", "副教授", "讲师", "外事秘书"],
    ),
    "hospital": ("院长", "副院长", ["医务", "科教"], ["主任医师", "副主任医师", "主治医师", "护士长"]),
    "institute": ("院长", "副院长", ["设计研发", "综合"], ["高级工程师", "工程师", "助理工程师"]),
    "enterprise": ("董事长", "副总经理", ["国际业务", "综合管理"], ["业务主管", "职员"]),
    "association": ("会长", "副会长", ["联络", "综合"], ["干事"]),
}

# A deputy head is one step below the head (副科 still counts as section level). The internal
# departments of a 厅局级 body are 处 (division), of a 县处级 body 科 (section), of a 乡科级 body
# 股 (unranked).
DEPUTY_RANK = {B: DB, DB: D, D: DD, DD: S, S: S}
DEPARTMENT_RANK = {B: D, DB: D, D: S, DD: S, S: OTHER}
DEPARTMENT_DEPUTY_RANK = {D: DD, S: S}

# Birth years by position: heads are older than their staff.
BIRTH_YEARS = {"head": (1965, 1975), "deputy": (1966, 1980), "dept": (1970, 1986), "staff": (1982, 1998)}

GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
GB11643_CHECK = "10X98765432"

# fmt: off
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
    "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "198", "199",
)
# fmt: on


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, GB11643_WEIGHTS, strict=True))
    return GB11643_CHECK[total % 11]


def _region_code(code: str, parents: dict[str, str | None]) -> str:
    node = code
    while node is not None:
        if node in REGION_CODES:
            return REGION_CODES[node]
        node = parents[node]
    raise ValueError(f"no region code for {code}")


class _Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.surnames = list(SURNAMES)
        self.weights = list(SURNAMES.values())
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()

    def name(self, gender: str) -> str:
        rng = self.rng
        surname = rng.choices(self.surnames, self.weights)[0]
        if rng.random() < 0.3:
            given = rng.choice(GIVEN_SINGLE[gender])
        else:
            given = rng.choice(GIVEN_FIRST[gender]) + rng.choice(GIVEN_SECOND[gender])
            if given[0] == given[1]:
                given = given[0]
        return surname + given

    def birth_date(self, years: tuple[int, int]) -> datetime.date:
        start = datetime.date(years[0], 1, 1)
        end = datetime.date(years[1], 12, 31)
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def id_number(self, region: str, birth: datetime.date, gender: str) -> str:
        while True:
            # The 17th digit (the last of the sequence code) is odd for men and even for women.
            sequence = self.rng.randint(0, 49) * 2 + self.rng.randint(0, 9) * 100
            sequence += 1 if gender == Gender.MALE else 0
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randint(0, 99999999):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def _department_title(department: str, rank: str, deputy: bool) -> str:
    if department == "办公室":
        return "办公室副主任" if deputy else "办公室主任"
    suffix = {D: "处", DD: "处", S: "科"}.get(rank, "股")
    return f"{department}{suffix}{'副' if deputy else ''}{suffix}长"


def _positions(org: dict, rng: random.Random) -> list[tuple[str, str, str]]:
    """(position, rank, age class) of each person of an organization."""
    head_title, deputy_title, departments, staff_titles = TEMPLATES[org["template"]]
    if org["head"]:
        if deputy_title == "副" + head_title:
            deputy_title = "副" + org["head"]
        head_title = org["head"]
    head_rank = org["head_rank"]
    department_rank = DEPARTMENT_RANK[head_rank]
    is_fao = org["kind"] == FAO

    positions = [(head_title, head_rank, "head")]
    positions += [(deputy_title, DEPUTY_RANK[head_rank], "deputy")] * rng.randint(1, 2)
    chosen = rng.sample(departments, k=rng.randint(2, 3) if is_fao else rng.randint(1, 2))
    positions += [(_department_title(dep, department_rank, False), department_rank, "dept") for dep in chosen]
    if department_rank in DEPARTMENT_DEPUTY_RANK and rng.random() < 0.6:
        rank = DEPARTMENT_DEPUTY_RANK[department_rank]
        positions.append((_department_title(rng.choice(chosen), rank, True), rank, "dept"))
    staff = rng.randint(3, 5) if is_fao else rng.randint(2, 4)
    positions += [(rng.choice(staff_titles), OTHER, "staff") for _ in range(staff)]
    return positions


def people(seed: int = 2023) -> list[dict]:
    """The demo staff of every organization, deterministic for a seed."""
    gen = _Generator(seed)
    rng = gen.rng
    parents = {org["code"]: org["parent"] for org in _ORGANIZATIONS}
    result = []
    for org in _ORGANIZATIONS:
        region = _region_code(org["code"], parents)
        taken: set[str] = set()
        for position, rank, age in _positions(org, rng):
            male_share = {"head": 0.8, "deputy": 0.7, "dept": 0.6, "staff": 0.45}[age]
            gender = Gender.MALE.value if rng.random() < male_share else Gender.FEMALE.value
            name = gen.name(gender)
            while name in taken:
                name = gen.name(gender)
            taken.add(name)
            birth = gen.birth_date(BIRTH_YEARS[age])
            result.append(
                {
                    "organization": org["code"],
                    "name": name,
                    "gender": gender,
                    "birth_date": birth,
                    "position": position,
                    "rank": rank,
                    "id_number": gen.id_number(region, birth, gender),
                    "phone": gen.phone(),
                }
            )
    return result


def load_directory(seed: int = 2023) -> dict:
    """Load the countries, the demo organizations and their people; running it again adds nothing.

    Writes directly, not through the services: this is the demo data loader. Returns the number of
    rows in each table afterwards.
    """
    from waishi.directory.models import Country, Organization, Person
    from waishi.directory.reference import load_countries

    with transaction.atomic():
        load_countries()

        by_code = {
            org.code: org for org in Organization.objects.filter(code__in=[o["code"] for o in ORGANIZATIONS])
        }
        for row in ORGANIZATIONS:
            values = {field: row[field] for field in ORG_FIELDS if field not in ("code", "parent")}
            parent = by_code[row["parent"]] if row["parent"] else None
            org = by_code.get(row["code"])
            if org is None:
                org = Organization(code=row["code"], parent=parent, **values)
            elif org.parent_id == (parent.pk if parent else None) and all(
                getattr(org, field) == value for field, value in values.items()
            ):
                continue
            else:
                org.parent = parent
                for field, value in values.items():
                    setattr(org, field, value)
            org.save()  # computes path
            by_code[row["code"]] = org

        existing = set(
            Person.objects.filter(organization__in=by_code.values()).values_list(
                "organization__code", "name", "birth_date"
            )
        )
        for row in people(seed):
            if (row["organization"], row["name"], row["birth_date"]) in existing:
                continue
            # save() computes pinyin and initials; the blind indexes are filled on insert.
            Person(**{**row, "organization": by_code[row["organization"]]}).save()

    return {
        "organizations": Organization.objects.count(),
        "people": Person.objects.count(),
        "countries": Country.objects.count(),
    }
