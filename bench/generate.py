"""Synthetic data at benchmark scale (``manage.py gen_data``; QUALITY.md "Performance").

S = 10k trips, M = 100k, L = 1M, about three members each, 2015–2025, about 500 organizations (a province
FAO, eleven city FAOs, their units), people with Chinese names, two official passports each (the first
renewed, so cancelled) with their custody ledger, sister-city partnerships with their history, contacts and
exchanges.

The rows respect what the models and services guarantee, so every page and figure works on them:

* a trip's state follows its dates as of ``AS_OF`` (before it: closed, evaluated, reported, back home;
  around it: departed, briefed, approved; after it: the pipeline before approval), ``approved_on``,
  ``departed_on`` and ``came_back_on`` are set exactly for the states that have them, members of a trip
  that came back have their border dates;
* approval numbers are issued per deciding office and year in approval order, without gap, and the
  office's ``ApprovalCounter`` holds the last one; a head of 副厅级 or above sends the decision to the
  province;
* nobody is on two trips at the same time; a checked-out document has its trip and due date, only the
  last check-out of a document may be open, a document is checked out only when deposited and valid;
* encrypted columns go through the field's own encryption and blind index (once per person or
  document), pinyin and initials come from ``Person.fill_names`` and the name-search tokens from
  ``directory.search.name_tokens``, as ``Person.save`` writes them.

Deterministic for a seed: one ``random.Random(seed)``, fixed dates and times (no clock), explicit primary
keys from 1 on a fresh database. Rows are written in batches: ``COPY`` on PostgreSQL (psycopg 3), batched
``executemany`` on SQLite; ``bulk_create`` is not used for the big tables because it stamps the
``auto_now`` columns with the wall clock, which would break determinism.
"""

import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from functools import cache

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from waishi.core import config
from waishi.core.services import insert_rows
from waishi.directory.choices import Gender, OrganizationKind, OrganizationLevel, Rank
from waishi.directory.models import City, Country, Organization, Person, PersonToken
from waishi.directory.reference import load_countries
from waishi.directory.search import name_tokens
from waishi.partners.choices import ApprovalStage, ContactSide, ExchangeKind, PartnerLevel, TargetMetric
from waishi.partners.models import (
    Approval,
    Contact,
    ExchangePartner,
    LevelChange,
    PartnerExchange,
    Partnership,
    Target,
)
from waishi.passports.choices import Custody, DocumentKind, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.travel import config as travel_config
from waishi.travel.choices import BudgetKind, InviterKind, MemberRole, TripCategory, TripState
from waishi.travel.models import (
    ApprovalCounter,
    Briefing,
    BudgetLine,
    Trip,
    TripEvent,
    TripLeg,
    TripMember,
    TripReport,
)

SCALES = {"S": 10_000, "M": 100_000, "L": 1_000_000}
AS_OF = date(2025, 12, 31)  # the day the generated world stands on
FIRST_DEPARTURE = date(2015, 2, 1)
LAST_DEPARTURE = date(2026, 2, 28)  # the pipeline reaches a little past AS_OF
PREFIX = "g-"  # every generated organization's code starts with it
BATCH = 20_000
GRACE_DAYS = 7  # passports.return.grace default ("7d")
PEOPLE_PER_TRIP = 0.4
# People are born on one of the 38 * 365 days from FIRST_BIRTH (the bench imports people born after).
FIRST_BIRTH, BIRTH_DAYS = date(1960, 1, 1), 365 * 38
S = TripState

CITY_OFFICES = [
    ("nc", "南昌市外办", "洪外审"),
    ("jdz", "景德镇市外办", "景外审"),
    ("px", "萍乡市外办", "萍外审"),
    ("jj", "九江市外办", "浔外审"),
    ("xy", "新余市外办", "余外审"),
    ("yt", "鹰潭市外办", "鹰外审"),
    ("gz", "赣州市外办", "虔外审"),
    ("ja", "吉安市外办", "吉外审"),
    ("yc", "宜春市外办", "宜外审"),
    ("fz", "抚州市外办", "抚外审"),
    ("sr", "上饶市外办", "饶外审"),
]
BUREAUS = [
    "商务局",
    "教育局",
    "科技局",
    "文化广电新闻出版旅游局",
    "卫生健康委员会",
    "发展和改革委员会",
    "工业和信息化局",
    "农业农村局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "财政局",
    "人力资源和社会保障局",
    "民政局",
    "司法局",
    "公安局",
    "市场监督管理局",
    "体育局",
    "统计局",
    "医疗保障局",
    "应急管理局",
    "林业局",
    "审计局",
    "人民医院",
    "中医院",
    "职业技术学院",
    "第一中学",
    "师范学院",
    "投资促进局",
    "贸促会",
    "侨联",
    "科协",
    "社科院",
    "广播电视台",
    "日报社",
    "博物馆",
    "图书馆",
    "大学",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯俊峰志新海波林晨雪梅琳琴云飞"
    "婷欣怡佳慧颖晓东亮成德春荣鑫瑞博文翔宏毅思源嘉豪子涵雨轩诗琪梓萱一诺"
)
# (country, weight, cities): where delegations go.
DESTINATIONS = [
    ("JP", 12, ["东京", "大阪", "名古屋", "京都"]),
    ("KR", 10, ["首尔", "釜山", "利川"]),
    ("US", 8, ["纽约", "华盛顿", "洛杉矶", "西雅图"]),
    ("GB", 6, ["伦敦", "曼彻斯特", "斯托克"]),
    ("FR", 6, ["巴黎", "里昂", "利摩日"]),
    ("DE", 7, ["柏林", "慕尼黑", "法兰克福"]),
    ("IT", 5, ["罗马", "米兰", "法恩扎"]),
    ("RU", 5, ["莫斯科", "圣彼得堡"]),
    ("SG", 6, ["新加坡"]),
    ("TH", 5, ["曼谷", "清迈"]),
    ("MY", 3, ["吉隆坡"]),
    ("VN", 2, ["河内"]),
    ("AU", 4, ["悉尼", "墨尔本"]),
    ("NZ", 2, ["奥克兰"]),
    ("AE", 3, ["迪拜"]),
    ("EG", 2, ["开罗"]),
    ("ZA", 1, ["约翰内斯堡"]),
    ("BR", 1, ["圣保罗"]),
    ("CA", 3, ["多伦多", "温哥华"]),
    ("HK", 8, ["香港"]),
    ("MO", 4, ["澳门"]),
]
MISSIONS = [
    "开展经贸合作交流",
    "参加国际博览会",
    "开展友城交流活动",
    "开展学术交流与合作",
    "开展文化旅游推介",
    "开展教育合作交流",
    "开展医疗卫生合作交流",
    "开展科技创新合作洽谈",
    "参加国际会议",
    "开展招商推介活动",
]
INVITERS = [
    (InviterKind.GOVERNMENT, "市政府"),
    (InviterKind.UNIVERSITY, "大学"),
    (InviterKind.ENTERPRISE, "商会"),
    (InviterKind.ASSOCIATION, "友好协会"),
    (InviterKind.OTHER, "研究中心"),
]
PARTNER_COUNTRIES = ["JP", "KR", "US", "GB", "FR", "DE", "IT", "RU", "TH", "MY", "AU", "NZ", "EG", "BR", "CA"]
# Positions by rank: one head, two deputies, then division and section staff.
RANKS = [(Rank.BUREAU, "局长"), (Rank.DEPUTY_BUREAU, "副局长"), (Rank.DEPUTY_BUREAU, "副局长")]
STAFF_RANKS = [
    (Rank.DIVISION, "处长"),
    (Rank.DEPUTY_DIVISION, "副处长"),
    (Rank.SECTION, "科长"),
    (Rank.OTHER, "科员"),
]
SENIOR = Rank.order(Rank.DEPUTY_BUREAU)
RANK_ORDER = {rank: Rank.order(rank) for rank in Rank.values}  # Rank.order rebuilds a list each call
PRE_APPROVAL = [S.DRAFT, S.SIGNED_OFF, S.SUBMITTED, S.RETURNED, S.REVIEWED]
UNDECIDED = {S.DRAFT, S.SIGNED_OFF, S.SUBMITTED, S.RETURNED}  # the review names the deciding office
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class GenerationError(RuntimeError):
    """The database is not in a state to generate into (e.g. it already holds generated data)."""


def pinyin_of(name: str) -> tuple[str, str]:
    """(pinyin, initials) of a name, by ``Person.fill_names`` (what ``Person.save`` does), once per name."""
    return _pinyin(name)


@cache
def _pinyin(name: str) -> tuple[str, str]:
    person = Person(name=name)
    person.fill_names()
    return person.pinyin, person.initials


def person_name(rng: random.Random) -> str:
    """A name as the province's people have: a surname and one or two characters (two more often)."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def id_number(region: int, birth: date, seq: int) -> str:
    body = f"36{region:04d}{birth:%Y%m%d}{seq % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    return body + check


# --- Writing rows -----------------------------------------------------------------------------------------


class Table:
    """Rows of one model, given as dicts of attnames, flushed in batches (COPY on PostgreSQL)."""

    def __init__(self, writer: "Writer", model):
        self.writer = writer
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.defaults = [
            f.get_default() if f.has_default() else "" if not f.null and f.empty_strings_allowed else None
            for f in self.fields
        ]
        # (attname, default) of every column, and which columns hold JSON: add() runs once a row.
        self.columns = [(f.attname, d) for f, d in zip(self.fields, self.defaults, strict=True)]
        self.json = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
        self.has_id = model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}
        self.rows: list = []
        self.count = 0
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1 if self.has_id else 0

    def add(self, **values) -> int:
        """Queue a row; returns its primary key (assigned here when the model has a serial one)."""
        if self.has_id and "id" not in values:
            values["id"] = self.next_id
            self.next_id += 1
        row = [values.get(name, default) for name, default in self.columns]
        for index in self.json:
            row[index] = json.dumps(row[index], ensure_ascii=False)
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()
        return values.get("id")

    def flush(self) -> None:
        if not self.rows:
            return
        rows = self.rows
        if connection.vendor != "postgresql":
            rows = [[SQLITE.get(type(v), _same)(v) for v in row] for row in rows]
        insert_rows(self.model, [f.column for f in self.fields], rows)
        self.count += len(self.rows)
        self.rows = []


def _same(value):
    return value


# What the SQLite backend stores for the types the generator writes (by exact type: one lookup a value).
SQLITE = {
    datetime: lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" "),
    date: date.isoformat,
    Decimal: str,
}


class Writer:
    def __init__(self, log):
        self.tables: dict[type, Table] = {}
        self.log = log

    def __getitem__(self, model) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(self, model)
        return self.tables[model]

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    def finish(self) -> dict[str, int]:
        self.flush()
        # Explicit keys were written: move each sequence past them.
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.tables))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        return {t.model._meta.label: t.count for t in self.tables.values()}


# --- The world --------------------------------------------------------------------------------------------


@dataclass
class Office:
    id: int
    code: str
    name: str
    doc_code: str
    path: str
    parent: "Office | None" = None
    template: str = ""


@dataclass
class Unit:
    id: int
    office: Office
    region: int
    people: list[int] = field(default_factory=list)  # indexes into Generator.people


@dataclass
class PersonRow:
    id: int
    unit: Unit
    name: str
    rank: str
    busy_until: date = date.min
    documents: list["DocumentRow"] = field(default_factory=list)


@dataclass
class DocumentRow:
    id: int
    person: PersonRow
    kind: str
    issued: date
    expires: date
    deposited: date
    cancelled: date | None = None
    checkouts: list[tuple] = field(default_factory=list)  # (date, trip id, due, returned_on, back date)


@dataclass
class TripRow:
    index: int
    unit: Unit
    depart: date
    return_date: date
    decided: date
    outcome: str  # "approve", "reject" or "cancel"
    members: list[PersonRow]
    legs: list[tuple[str, str, int]]
    senior: bool
    deciding: Office | None = None
    id: int = 0
    seq: int | None = None


def tz_at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=timezone.get_default_timezone())


class Generator:
    def __init__(self, trips: int, seed: int, log=print):
        self.total = trips
        self.rng = random.Random(seed)
        self.log = log
        self.writer = Writer(log)
        self.offices: list[Office] = []
        self.units: list[Unit] = []
        self.people: list[PersonRow] = []
        self.trips: list[TripRow] = []
        self.started = time.monotonic()
        self.timings: dict[str, float] = {}
        self.destinations = [(code, cities) for code, _w, cities in DESTINATIONS]
        self.weights = [w for _c, w, _cities in DESTINATIONS]
        self.countries: set[str] = set()

    def step(self, label: str, since: float) -> float:
        now = time.monotonic()
        self.timings[label] = round(now - since, 2)
        self.log(f"  {label}: {now - since:.1f}s (total {now - self.started:.1f}s)")
        return now

    def run(self) -> dict:
        t = time.monotonic()
        self.countries = set(Country.objects.values_list("code", flat=True))
        self.organizations()
        self.make_people()
        t = self.step("organizations and people", t)
        self.plan_trips()
        t = self.step("trip plan", t)
        self.write_trips()
        t = self.step("trips", t)
        self.write_documents()
        t = self.step("travel documents and ledger", t)
        self.partners()
        t = self.step("partners", t)
        counts = self.writer.finish()
        self.step("flush and sequences", t)
        return {
            "counts": counts,
            "timings": self.timings,
            "seconds": round(time.monotonic() - self.started, 1),
        }

    # -- organizations and people --

    def organizations(self) -> None:
        orgs = self.writer[Organization]
        created = tz_at(date(2014, 1, 2))

        def office(code, name, doc_code, parent, level):
            path = (parent.path if parent else "") + f"{code}."
            oid = orgs.add(
                code=code,
                name=name,
                short_name=name.removesuffix("外办"),
                doc_code=doc_code,
                kind=OrganizationKind.FAO,
                level=level,
                parent_id=parent.id if parent else None,
                path=path,
                created_at=created,
                updated_at=created,
            )
            result = Office(oid, code, name, doc_code, path, parent)
            result.template = config.get(travel_config.APPROVAL_FORMAT.key)
            self.offices.append(result)
            return result

        province = office(f"{PREFIX}prov", "省外办", "赣外审", None, OrganizationLevel.PROVINCE)
        cities = [
            office(f"{PREFIX}{code}", name, doc, province, OrganizationLevel.CITY)
            for code, name, doc in CITY_OFFICES
        ]
        for region, fao in enumerate([province, *cities], start=1):
            prefix = "省" if fao is province else fao.name.removesuffix("外办")
            for number, bureau in enumerate([*BUREAUS, "外事办公室服务中心"], start=1):
                code = f"{fao.code}-u{number:02d}"
                uid = orgs.add(
                    code=code,
                    name=prefix + bureau,
                    short_name=bureau[:8],
                    kind=OrganizationKind.UNIT,
                    level=OrganizationLevel.PROVINCE if fao is province else OrganizationLevel.CITY,
                    parent_id=fao.id,
                    path=f"{fao.path}{code}.",
                    created_at=created,
                    updated_at=created,
                )
                self.units.append(Unit(uid, fao, 100 + region))

    def make_people(self) -> None:
        table, tokens = self.writer[Person], self.writer[PersonToken]
        count = max(len(self.units) * 6, int(self.total * PEOPLE_PER_TRIP))
        id_field, phone_field = Person._meta.get_field("id_number"), Person._meta.get_field("phone")
        id_index, phone_index = (
            Person._meta.get_field("id_number_index"),
            Person._meta.get_field("phone_index"),
        )
        rng = self.rng
        for n in range(count):
            unit = self.units[n % len(self.units)]
            position = len(unit.people)
            rank, title = RANKS[position] if position < len(RANKS) else rng.choice(STAFF_RANKS)
            name = person_name(rng)
            pinyin, initials = pinyin_of(name)
            birth = FIRST_BIRTH + timedelta(days=rng.randrange(BIRTH_DAYS))
            ident = id_number(unit.region, birth, n)
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            stamp = tz_at(date(2014, 1, 2))
            pid = table.add(
                organization_id=unit.id,
                name=name,
                pinyin=pinyin,
                initials=initials,
                gender=Gender.MALE if rng.random() < 0.6 else Gender.FEMALE,
                birth_date=birth,
                position=title,
                rank=rank,
                is_active=True,
                created_at=stamp,
                updated_at=stamp,
                # The field's own encryption and blind index, once per person.
                id_number=id_field.get_prep_value(ident),
                id_number_index=id_index.digest(ident),
                phone=phone_field.get_prep_value(phone),
                phone_index=phone_index.digest(phone),
            )
            # The name search's keys, as directory.search.index_people writes them (sorted: deterministic).
            for token in sorted(name_tokens(name, pinyin, initials)):
                tokens.add(person_id=pid, token=token)
            person = PersonRow(pid, unit, name, rank)
            unit.people.append(len(self.people))
            self.people.append(person)
            self.documents_for(person, n)

    def documents_for(self, person: PersonRow, n: int) -> None:
        """Two passports: the first issued 2008–2014 and renewed before it expires (then cancelled)."""
        rng = self.rng
        kind = DocumentKind.SERVICE if rng.random() < 0.8 else DocumentKind.OFFICIAL_ORDINARY
        issued = date(2008, 1, 1) + timedelta(days=rng.randrange(365 * 7))
        first = DocumentRow(
            0,
            person,
            kind,
            issued,
            _years(issued, 10) - timedelta(days=1),
            issued + timedelta(days=rng.randint(3, 20)),
        )
        renewed = first.expires - timedelta(days=rng.randint(60, 180))
        second = DocumentRow(
            0,
            person,
            kind,
            renewed,
            _years(renewed, 10) - timedelta(days=1),
            renewed + timedelta(days=rng.randint(3, 20)),
        )
        first.cancelled = second.deposited
        person.documents = [first, second]

    # -- trips --

    def plan_trips(self) -> None:
        """Who goes where and when; approval numbers in approval order per deciding office and year."""
        rng = self.rng
        span = (LAST_DEPARTURE - FIRST_DEPARTURE).days
        departures = sorted(FIRST_DEPARTURE + timedelta(days=rng.randrange(span)) for _ in range(self.total))
        unit_weights = [rng.uniform(0.2, 3.0) for _ in self.units]
        units = rng.choices(self.units, weights=unit_weights, k=self.total)
        province = self.offices[0]
        for index, (depart, unit) in enumerate(zip(departures, units, strict=True)):
            legs = self.itinerary()
            days = sum(nights for _c, _city, nights in legs)
            back = depart + timedelta(days=days)
            members = self.delegation(unit, depart, back)
            while not members:  # everyone of that unit is away: another unit sends this delegation
                unit = rng.choice(self.units)
                members = self.delegation(unit, depart, back)
            # A head of 副厅级 or above sends the decision to the superior office (when there is one).
            senior = RANK_ORDER[members[0].rank] <= SENIOR and unit.office.parent is not None
            roll = rng.random()
            outcome = "reject" if roll < 0.03 else "cancel" if roll < 0.06 else "approve"
            decided = depart - timedelta(days=rng.randint(14, 45))
            trip = TripRow(
                index,
                unit,
                depart,
                back,
                decided,
                outcome,
                members,
                legs,
                senior,
                deciding=province if senior else unit.office,
            )
            self.trips.append(trip)
        approved = [t for t in self.trips if t.outcome != "reject" and t.decided <= AS_OF]
        approved.sort(key=lambda t: (t.deciding.id, t.decided, t.index))
        counters: dict[tuple[int, int], int] = {}
        for trip in approved:
            key = (trip.deciding.id, trip.decided.year)
            counters[key] = trip.seq = counters.get(key, 0) + 1
        for (office_id, year), last in counters.items():
            self.writer[ApprovalCounter].add(office_id=office_id, year=year, last=last)

    def itinerary(self) -> list[tuple[str, str, int]]:
        rng = self.rng
        first, cities = rng.choices(self.destinations, weights=self.weights)[0]
        if first in {"HK", "MO"}:
            return [(first, cities[0], rng.randint(3, 5))]
        legs = [(first, rng.choice(cities), rng.randint(2, 4))]
        for _ in range(rng.choice((0, 1, 1, 2))):
            code, cities = rng.choices(self.destinations, weights=self.weights)[0]
            if code not in {"HK", "MO"}:
                legs.append((code, rng.choice(cities), rng.randint(1, 3)))
        return legs

    def delegation(self, unit: Unit, depart: date, back: date) -> list[PersonRow]:
        """2 to 5 members of the unit free at the time (a day either side), the highest rank first."""
        rng = self.rng
        size = rng.choice((2, 3, 3, 3, 4, 5))
        senior_ok = rng.random() < 0.08
        # A sample of the unit first (a unit of hundreds at scale L is mostly at home), all of it if that
        # sample has too few free people: scanning every member for every trip made L quadratic.
        sample = rng.sample(unit.people, min(len(unit.people), 4 * size))
        home = depart - timedelta(days=1)
        for candidates in (sample, unit.people):
            free = [self.people[i] for i in candidates if self.people[i].busy_until < home]
            free = [p for p in free if senior_ok or RANK_ORDER[p.rank] > SENIOR] or free
            if len(free) >= size:
                break
        if not free:
            return []
        chosen = rng.sample(free, min(size, len(free)))
        chosen.sort(key=lambda p: (RANK_ORDER[p.rank], p.id))
        for person in chosen:
            person.busy_until = back + timedelta(days=1)
        return chosen

    def state_of(self, trip: TripRow) -> dict:
        """The state and dates of a trip as of AS_OF."""
        rng = self.rng
        if trip.decided > AS_OF:
            state = rng.choice(PRE_APPROVAL)
            return {"state": S.ESCALATED if state == S.REVIEWED and trip.senior else state}
        if trip.outcome == "reject":
            return {"state": S.REJECTED}
        fields = {
            "approved_on": trip.decided,
            "approval_seq": trip.seq,
            "approval_year": trip.decided.year,
            "approval_number": trip.deciding.template.format(
                doc_code=trip.deciding.doc_code, year=trip.decided.year, seq=trip.seq
            ),
        }
        if trip.outcome == "cancel":
            return {**fields, "state": S.CANCELLED}
        if trip.depart > AS_OF:
            return {**fields, "state": S.BRIEFED if (trip.depart - AS_OF).days <= 4 else S.APPROVED}
        fields["departed_on"] = trip.depart
        if trip.return_date >= AS_OF:
            return {**fields, "state": S.DEPARTED}
        fields["came_back_on"] = trip.return_date
        report = trip.return_date + timedelta(days=rng.randint(7, 40))
        if report > AS_OF:
            return {**fields, "state": S.RETURNED_HOME}
        fields["report"] = report
        evaluated = report + timedelta(days=rng.randint(5, 20))
        if evaluated > AS_OF:
            return {**fields, "state": S.REPORTED}
        fields["evaluated"] = evaluated
        closed = evaluated + timedelta(days=rng.randint(5, 30))
        return {**fields, "state": S.CLOSED if closed <= AS_OF else S.EVALUATED}

    def write_trips(self) -> None:
        rng, w = self.rng, self.writer
        trips, members, legs, budget, events = w[Trip], w[TripMember], w[TripLeg], w[BudgetLine], w[TripEvent]
        travelled = {S.DEPARTED, S.RETURNED_HOME, S.REPORTED, S.EVALUATED, S.CLOSED}
        briefed = {S.BRIEFED, *travelled}
        step = max(1, len(self.trips) // 10)
        for n, trip in enumerate(self.trips):
            info = self.state_of(trip)
            state = info["state"]
            first_country = trip.legs[0][0]
            category = TripCategory.HKMO if first_country in {"HK", "MO"} else TripCategory.ABROAD
            kind, inviter = rng.choice(INVITERS)
            city = trip.legs[0][1]
            created = trip.decided - timedelta(days=rng.randint(10, 30))
            trip.id = trips.add(
                applicant_unit_id=trip.unit.id,
                office_id=trip.unit.office.id,
                deciding_office_id=None if state in UNDECIDED else trip.deciding.id,
                category=category,
                is_cross_unit=False,
                mission=f"赴{city}{rng.choice(MISSIONS)}",
                depart_date=trip.depart,
                return_date=trip.return_date,
                inviter_name=f"{city}{inviter}",
                inviter_country_id=first_country,
                inviter_kind=kind,
                invitation_from=trip.depart - timedelta(days=7),
                invitation_to=trip.return_date + timedelta(days=5),
                invitation_invitees=[p.name for p in trip.members],
                invitation_signed=True,
                notice_from=created - timedelta(days=7),
                notice_to=created - timedelta(days=1),
                state=state,
                approval_number=info.get("approval_number", ""),
                approval_year=info.get("approval_year"),
                approval_seq=info.get("approval_seq"),
                approved_on=info.get("approved_on"),
                departed_on=info.get("departed_on"),
                came_back_on=info.get("came_back_on"),
                created_at=tz_at(created),
                updated_at=tz_at(min(AS_OF, info.get("evaluated") or info.get("approved_on") or created), 16),
            )
            came_back = "came_back_on" in info
            for order, person in enumerate(trip.members):
                members.add(
                    trip_id=trip.id,
                    person_id=person.id,
                    order=order,
                    role=MemberRole.HEAD if order == 0 else MemberRole.MEMBER,
                    exit_date=trip.depart if state in travelled else None,
                    entry_date=trip.return_date if came_back else None,
                )
            day = trip.depart
            for order, (country, city_name, nights) in enumerate(trip.legs):
                legs.add(
                    trip_id=trip.id,
                    country_id=country,
                    city=city_name,
                    arrive=day,
                    depart=day + timedelta(days=nights),
                    order=order,
                )
                day += timedelta(days=nights)
            people, days = len(trip.members), (trip.return_date - trip.depart).days + 1
            for kind_, per_day in (
                (BudgetKind.LODGING, 900),
                (BudgetKind.MEALS, 300),
                (BudgetKind.INCIDENTALS, 150),
            ):
                budget.add(
                    trip_id=trip.id, kind=kind_, currency="CNY", amount=Decimal(per_day * people * days)
                )
            budget.add(
                trip_id=trip.id,
                kind=BudgetKind.INTERNATIONAL_TRAVEL,
                currency="CNY",
                amount=Decimal(people * (2500 if category == TripCategory.HKMO else 9000)),
            )
            events.add(
                trip_id=trip.id,
                at=tz_at(min(created, AS_OF), 10),
                action="import",
                from_state="",
                to_state=state,
                note="",
            )
            if state in briefed:
                w[Briefing].add(
                    trip_id=trip.id,
                    date=max(trip.decided, trip.depart - timedelta(days=4)),
                    content="外事纪律和保密纪律教育。",
                )
            if "report" in info:
                evaluated = info.get("evaluated")
                w[TripReport].add(
                    trip_id=trip.id,
                    text=f"代表团按批准的日程访问{city}。",
                    outcomes="达成交流合作意向。",
                    filed_on=info["report"],
                    score=rng.randint(70, 98) if evaluated else None,
                    comments="出访任务完成。" if evaluated else "",
                    evaluated_on=evaluated,
                )
            if state in travelled:
                self.check_out(trip, state)
            if (n + 1) % step == 0:
                self.log(f"    {n + 1} / {len(self.trips)} trips")

    def check_out(self, trip: TripRow, state: str) -> None:
        """Each member's passport leaves the safe before departure and comes back after the trip."""
        rng = self.rng
        taken = trip.depart - timedelta(days=rng.randint(1, 10))
        due = trip.return_date + timedelta(days=GRACE_DAYS)
        for person in trip.members:
            document = next(
                (
                    d
                    for d in person.documents
                    if d.deposited <= taken
                    and due <= d.expires
                    and (d.cancelled is None or due < d.cancelled)
                ),
                None,
            )
            if document is None:
                continue
            returned = None
            if state != S.DEPARTED and not (state == S.RETURNED_HOME and rng.random() < 0.15):
                returned = trip.return_date + timedelta(days=rng.randint(1, 6))
                if rng.random() < 0.07:
                    returned = due + timedelta(days=rng.randint(1, 20))
                returned = returned if returned <= AS_OF else None
            document.checkouts.append((taken, trip.id, due, returned))

    def write_documents(self) -> None:
        docs, moves = self.writer[TravelDocument], self.writer[CustodyMovement]
        number_field = TravelDocument._meta.get_field("number")
        index_field = TravelDocument._meta.get_field("number_index")
        prefixes = {DocumentKind.SERVICE: "SE", DocumentKind.OFFICIAL_ORDINARY: "PE"}
        serial = 0
        for person in self.people:
            office = person.unit.office
            for document in person.documents:
                serial += 1
                number = f"{prefixes[document.kind]}{1_000_000 + serial:07d}"
                last = document.checkouts[-1] if document.checkouts else None
                out = last is not None and last[3] is None
                custody = (
                    Custody.CANCELLED
                    if document.cancelled
                    else Custody.CHECKED_OUT
                    if out
                    else Custody.IN_CUSTODY
                )
                document.id = docs.add(
                    person_id=person.id,
                    kind=document.kind,
                    number=number_field.get_prep_value(number),
                    number_index=index_field.digest(number),
                    issued=document.issued,
                    expires=document.expires,
                    authority="中华人民共和国外交部",
                    custodian_id=office.id,
                    custody=custody,
                    due_date=last[2] if out else None,
                    trip_id=last[1] if out else None,
                    created_at=tz_at(document.deposited),
                    updated_at=tz_at(document.deposited),
                )
                clerk = f"{office.name}证照管理员"
                moves.add(
                    document_id=document.id,
                    kind=MovementKind.DEPOSIT,
                    date=document.deposited,
                    handed_over_by=person.name,
                    received_by=clerk,
                    recorded_at=tz_at(document.deposited, 11),
                )
                for taken, trip_id, due, returned in document.checkouts:
                    moves.add(
                        document_id=document.id,
                        kind=MovementKind.CHECK_OUT,
                        date=taken,
                        trip_id=trip_id,
                        due_date=due,
                        returned_on=returned,
                        handed_over_by=clerk,
                        received_by=person.name,
                        recorded_at=tz_at(taken, 11),
                    )
                    if returned is not None:
                        moves.add(
                            document_id=document.id,
                            kind=MovementKind.RETURN,
                            date=returned,
                            trip_id=trip_id,
                            handed_over_by=person.name,
                            received_by=clerk,
                            recorded_at=tz_at(returned, 15),
                        )
                if document.cancelled:
                    moves.add(
                        document_id=document.id,
                        kind=MovementKind.CANCEL,
                        date=document.cancelled,
                        handed_over_by=clerk,
                        received_by=clerk,
                        note="换发新证，旧证注销。",
                        recorded_at=tz_at(document.cancelled, 11),
                    )

    # -- partners --

    def partner_cities(self) -> list[int]:
        """Cities of the partner countries (GeoNames, most populous first), created where missing."""
        from waishi.directory.reference import _cities_by_country

        existing = {(c, n): pk for pk, c, n in City.objects.values_list("pk", "country_id", "name_en")}
        table = self.writer[City]
        ids = []
        stamp = tz_at(date(2014, 1, 2))
        for code in PARTNER_COUNTRIES:
            if code not in self.countries:
                continue
            cities = sorted(
                _cities_by_country().get(code, []), key=lambda c: (-(c.get("population") or 0), c["name"])
            )
            for city in cities[:12]:
                key = (code, city["name"])
                if key not in existing:
                    existing[key] = table.add(
                        country_id=code,
                        name_zh=city["name"],
                        name_en=city["name"],
                        latitude=Decimal(str(city["latitude"])).quantize(Decimal("0.00001")),
                        longitude=Decimal(str(city["longitude"])).quantize(Decimal("0.00001")),
                        geonameid=int(city["geonameid"]),
                        created_at=stamp,
                        updated_at=stamp,
                    )
                ids.append(existing[key])
        return ids

    def partners(self) -> None:
        rng, w = self.rng, self.writer
        cities = self.partner_cities()
        per_year = max(1, round((self.total / SCALES["S"]) ** 0.5))
        for office in self.offices:
            count = 40 if office.parent is None else 20
            for city_id in rng.sample(cities, min(count, len(cities))):
                signed = date(1985, 1, 1) + timedelta(days=rng.randrange(365 * 40))
                target = rng.choices(PartnerLevel.values, weights=(3, 4, 3))[0]
                path = PartnerLevel.values[: PartnerLevel.values.index(target) + 1]
                if rng.random() < 0.5:
                    path = [target]
                changes, day = [], signed
                for level in path:
                    changes.append((level, day))
                    day = min(day + timedelta(days=rng.randint(365, 365 * 4)), AS_OF)
                stamp = tz_at(signed)
                pid = w[Partnership].add(
                    office_id=office.id,
                    city_id=city_id,
                    level=target,
                    signed_on=signed,
                    level_since=changes[-1][1],
                    note="",
                    created_at=stamp,
                    updated_at=stamp,
                )
                previous = ""
                for level, when in changes:
                    w[LevelChange].add(
                        partnership_id=pid,
                        from_level=previous,
                        level=level,
                        date=when,
                        recorded_at=tz_at(when, 11),
                    )
                    previous = level
                if target == PartnerLevel.SISTER:
                    when = changes[-1][1]
                    for back, stage in zip((90, 60, 30), ApprovalStage.values, strict=True):
                        w[Approval].add(
                            partnership_id=pid,
                            stage=stage,
                            date=when - timedelta(days=back),
                            reference=f"赣外字〔{(when - timedelta(days=back)).year}〕{rng.randint(1, 99)}号",
                            recorded_at=tz_at(when - timedelta(days=back), 11),
                        )
                phone_field = Contact._meta.get_field("phone")
                for side in ContactSide.values:
                    phone = f"+{rng.randint(1, 99)} {rng.randrange(10**8):08d}"
                    w[Contact].add(
                        partnership_id=pid,
                        side=side,
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        position="联络员",
                        phone=phone_field.get_prep_value(phone),
                    )
                start = max(signed, date(2015, 1, 1))
                for year in range(start.year, AS_OF.year + 1):
                    for _ in range(rng.randint(0, 2 * per_year)):
                        day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
                        if not start <= day <= AS_OF:
                            continue
                        kind = rng.choice(ExchangeKind.values)
                        substantive = kind not in {ExchangeKind.LETTER, ExchangeKind.CONDOLENCE}
                        eid = w[PartnerExchange].add(
                            office_id=office.id,
                            date=day,
                            kind=kind,
                            substantive=substantive,
                            summary="双方开展友好交流。",
                            participants="",
                            created_at=tz_at(day),
                            updated_at=tz_at(day),
                        )
                        w[ExchangePartner].add(
                            partnerexchange_id=eid, partnership_id=pid, date=day, substantive=substantive
                        )
        self.targets()

    def targets(self) -> None:
        """Each office's sister-city targets, one of each metric for every two years from 2016 (the
        province's counting the offices below it): ten years of the targets page."""
        goals = {
            TargetMetric.ACTIVE_SHARE: 75,
            TargetMetric.REACTIVATED_SHARE: 50,
            TargetMetric.NEW_INTENTS: 4,
            TargetMetric.NEW_SISTERS: 2,
        }
        for office in self.offices:
            for year in range(2016, AS_OF.year + 1, 2):
                start, deadline = date(year, 1, 1), date(year + 1, 12, 31)
                for metric, value in goals.items():
                    self.writer[Target].add(
                        office_id=office.id,
                        metric=metric,
                        level=PartnerLevel.SISTER if metric == TargetMetric.ACTIVE_SHARE else "",
                        value=Decimal(value),
                        start=start,
                        deadline=deadline,
                        include_lower=office.parent is None,
                        note="",
                        created_at=tz_at(start),
                        updated_at=tz_at(start),
                    )


def _years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


GENERATED_MODELS = [
    Organization,
    Person,
    PersonToken,
    ApprovalCounter,
    Trip,
    TripMember,
    TripLeg,
    BudgetLine,
    TripEvent,
    Briefing,
    TripReport,
    TravelDocument,
    CustodyMovement,
    City,
    Partnership,
    LevelChange,
    Approval,
    Contact,
    PartnerExchange,
    ExchangePartner,
    Target,
]


def generated_trips() -> int:
    """How many trips the database holds (what ``make bench`` compares with a scale)."""
    return Trip.objects.count()


def has_generated_data() -> bool:
    return Organization.objects.filter(code__startswith=PREFIX).exists()


def flush() -> None:
    """Empty the database (every table; roles and countries come back), for a fresh generation."""
    call_command("flush", interactive=False, verbosity=0)
    load_countries()


def generate(trips: int, seed: int, log=print) -> dict:
    """Generate ``trips`` trips and everything around them into an empty database."""
    if has_generated_data() or Trip.objects.exists():
        raise GenerationError("The database already holds trips: generate into an empty one (--flush).")
    if not Country.objects.exists():
        load_countries()
    with transaction.atomic():
        return Generator(trips, seed, log).run()


def digest() -> str:
    """SHA-256 of every generated table, row by row in key order (encrypted columns as plaintext)."""
    sha = hashlib.sha256()
    for model in GENERATED_MODELS:
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*names).iterator(chunk_size=5000):
            sha.update(repr(row).encode())
    return sha.hexdigest()
