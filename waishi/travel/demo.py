"""Demo outbound trips (因公临时出国(境)): per-diem rates, annual plans and delegations in every state.

``load_trips(today)`` builds, through the real services and with the demo accounts as actors (so every
trip has a real history):

* the per-diem standard (财行〔2013〕516号) for the countries and regions the demo trips visit;
* annual plan entries of the units for the years of the trips;
* Jingdezhen's delegations of 2022 and 2023, the 2023 ones matching the figures of the FAO's 2023 report
  (seed 000): approved from January to the end of November, 13 batches / 42 person-times, of which
  cross-unit 2 / 6, Hong Kong and Macao 2 / 7, cancelled after approval 1 / 2, numbered 景外审〔2023〕1号 to
  13号 in approval order; one more approved in December (14号) and three in 2022 for the year-on-year view;
* for the Jingdezhen and Chongqing FAOs a pipeline dated relative to ``today`` in which every state of a
  trip appears (drafts with rule findings included), and Chongqing's trips of the previous year;
* more current drafts, built after everything else, so that every rule of ``travel.rules`` (with the
  passports demo, ``passport.valid`` and ``unit.locked``) shows on some demo application. Drafts are never
  submitted: blocking findings are what they are for.

Only the units ``jdz-jcu`` (``clerk``, ``leader``) and ``cq-cqu`` (``cq-clerk``) have demo accounts; the
other applicant units get a clerk and a leader account each (``<unit code>-clerk``, ``<unit code>-leader``,
linked to a person of the unit) with an unusable password: they act in the histories, nobody logs in as
them. The services date every history row "now" and the report "today": the loader moves those dates to
the day each step happened in the story (approval dates go through ``trip_approve(on=...)`` itself).

Idempotent: a trip is looked up by (applicant unit, mission) and skipped when it exists, so running the
loader again, on any day, adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from waishi.core import config
from waishi.core import services as core_services
from waishi.core.errors import ApplicationError
from waishi.core.workdays import is_workday
from waishi.directory.choices import Rank
from waishi.directory.models import CHINA_REGIONS, Country, Organization, Person
from waishi.travel import config as travel_config
from waishi.travel import rules, services
from waishi.travel.choices import (
    APPROVED_STATES,
    LIVE_STATES,
    BudgetKind,
    InviterKind,
    MemberRole,
    TripCategory,
    TripState,
)
from waishi.travel.models import (
    FollowUp,
    PerDiemRate,
    PlanEntry,
    Trip,
    TripEvent,
    TripMember,
    TripReport,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# --- Per-diem standard -----------------------------------------------------------------------------------

# (country, city or "" for the rest of the country): currency, lodging per night, meals and incidentals per
# day. Tokyo and Seoul are the figures DOMAIN.md quotes from 财行〔2013〕516号; every other row is an
# illustrative value of the same order (USD for most countries, EUR in the euro area, a local currency for
# a few), not the official figure: an office enters its own table before real use.
PER_DIEM_RATES = {
    ("JP", "东京"): ("JPY", 20000, 10000, 5000),
    ("JP", ""): ("JPY", 16000, 10000, 5000),
    ("KR", "首尔"): ("USD", 180, 70, 35),
    ("KR", ""): ("USD", 140, 70, 35),
    ("IT", ""): ("EUR", 150, 55, 35),
    ("FR", "巴黎"): ("EUR", 180, 60, 35),
    ("FR", ""): ("EUR", 140, 55, 35),
    ("DE", ""): ("EUR", 150, 55, 35),
    ("GB", "伦敦"): ("GBP", 180, 55, 30),
    ("GB", ""): ("GBP", 140, 50, 30),
    ("US", "纽约"): ("USD", 320, 90, 35),
    ("US", ""): ("USD", 220, 75, 35),
    ("BG", ""): ("USD", 120, 45, 30),
    ("NP", ""): ("USD", 110, 45, 25),
    ("CY", ""): ("EUR", 130, 50, 30),
    ("RU", "莫斯科"): ("USD", 200, 70, 35),
    ("RU", ""): ("USD", 140, 60, 30),
    ("EG", ""): ("USD", 140, 55, 30),
    ("SA", ""): ("USD", 200, 70, 35),
    ("AE", ""): ("USD", 210, 70, 35),
    ("TH", ""): ("USD", 140, 55, 30),
    ("SG", ""): ("USD", 220, 70, 35),
    ("MY", ""): ("USD", 140, 55, 30),
    ("VN", ""): ("USD", 120, 50, 30),
    ("AU", ""): ("AUD", 230, 80, 40),
    ("NZ", ""): ("NZD", 220, 80, 40),
    ("HK", ""): ("HKD", 1100, 350, 200),
    ("MO", ""): ("MOP", 1000, 330, 180),
}

# International travel per person (yuan, economy class), by where the trip goes.
AIRFARE = {"HK": 2500, "MO": 2500, "Asia": 5500, "Europe": 9500, "Africa": 10500, "North America": 12000,
           "Oceania": 9000}  # fmt: skip

# --- The trips --------------------------------------------------------------------------------------------

GOV, UNI, ENT, ASSOC, OTHER, AGENCY = (
    InviterKind.GOVERNMENT,
    InviterKind.UNIVERSITY,
    InviterKind.ENTERPRISE,
    InviterKind.ASSOCIATION,
    InviterKind.OTHER,
    InviterKind.INTERMEDIARY,
)
S = TripState


@dataclass
class Spec:
    """One delegation of the story. Dates are absolute for past years; the pipeline's are relative to
    today (``approve`` is when the deciding office approves, or would approve, the application)."""

    key: str
    unit: str
    mission: str
    legs: tuple  # ((country, city, nights), ...): each stop starts the day the previous one ends
    depart: date
    members: int | dict  # a number from the unit, or {unit code: number} for a cross-unit delegation
    state: str
    approve: date | None = None
    inviter: tuple = ("", GOV)
    senior: bool = False  # the head is of rank 副厅级 or above: the approval goes to the provincial office
    returned_first: tuple = ()  # fixes of a first return, corrected before approval
    fixes: tuple = ()  # for state ``returned``
    reason: str = ""  # why it was rejected or cancelled
    cancel_on: date | None = None
    report_lag: int = 15  # days from return to the report
    follow_ups: tuple = ()  # ((item, owner, due, done_on or None), ...)
    score: int = 90
    # A draft that shows a finding: "no_invitation", "budget", "notice", "invitation_dates" (the trip starts
    # before the invitation's dates), "invitees" (the invitation leaves out the last member), "leaders" (two
    # principal leaders of the unit), "frequency" (a senior head who travelled within the rank's window),
    # "overlap" (a member of the unit's live trip at the same dates), "heads" (the second member entered as
    # a head too), "itinerary" (the return date entered a day before the last stop ends).
    flaw: str = ""
    plan: bool = True

    @property
    def return_date(self) -> date:
        return self.depart + timedelta(days=sum(nights for _c, _city, nights in self.legs))

    @property
    def entered_return_date(self) -> date:
        """The return date the application gives: a day early in an "itinerary" draft."""
        return self.return_date - timedelta(days=1 if self.flaw == "itinerary" else 0)

    @property
    def member_counts(self) -> dict:
        return self.members if isinstance(self.members, dict) else {self.unit: self.members}

    @property
    def decided_on(self) -> date:
        return self.approve or self.depart - timedelta(days=21)


FIXES_VAGUE = (
    "出访任务不够具体：请逐日列明在各地的交流对象、活动内容和预期成果。",
    "请补充邀请单位的基本情况及与我方的既往交流情况。",
)


def jingdezhen_past() -> list[Spec]:
    """Jingdezhen's delegations of 2022 and 2023 (seed 000: 13 batches / 42 person-times to 30 November)."""
    d = date
    return [
        # 2022: few trips, the pandemic still limiting travel.
        Spec("jdz22-de", "jdz-commerce", "赴德国参加法兰克福国际消费品展览会并开展陶瓷产业经贸洽谈",
             (("DE", "法兰克福", 4),), d(2022, 9, 19), 2, S.CLOSED, d(2022, 8, 29),
             ("法兰克福展览有限公司", ENT)),
        Spec("jdz22-it", "jdz-jcu", "赴意大利法恩扎参加国际陶瓷艺术大赛并开展学术交流",
             (("IT", "法恩扎", 3), ("IT", "博洛尼亚", 1)), d(2022, 10, 17), 3, S.CLOSED, d(2022, 9, 23),
             ("法恩扎国际陶瓷博物馆", OTHER)),
        Spec("jdz22-kr", "jdz-design", "赴韩国利川市开展陶瓷工业设计交流",
             (("KR", "利川", 3), ("KR", "首尔", 1)), d(2022, 11, 21), 2, S.CLOSED, d(2022, 11, 1),
             ("利川市厅", GOV)),
        # 2023, in approval order: 景外审〔2023〕1号 to 13号.
        Spec("jdz23-hk", "jdz-commerce", "赴香港开展景德镇陶瓷产业招商推介活动",
             (("HK", "香港", 3),), d(2023, 3, 20), 4, S.CLOSED, d(2023, 2, 27), ("香港中华总商会", ASSOC)),
        Spec("jdz23-seto", "jdz-culture", "赴日本濑户市恢复友城交往并商定中日韩友好城市联合摄影展事宜",
             (("JP", "濑户", 3), ("JP", "东京", 1)), d(2023, 4, 17), 3, S.CLOSED, d(2023, 3, 27),
             ("濑户市役所", GOV),
             follow_ups=(("6月在景德镇举办中日韩友好城市联合摄影展", "市文广新旅局", d(2023, 6, 6),
                          d(2023, 6, 6)),)),
        Spec("jdz23-icheon", "jdz-design", "赴韩国利川市参加利川陶瓷艺术节并开展陶瓷设计交流",
             (("KR", "利川", 3), ("KR", "首尔", 1)), d(2023, 4, 24), 4, S.CLOSED, d(2023, 4, 6),
             ("利川市厅", GOV)),
        Spec("jdz23-arab", "jdz-commerce", "景德镇市政府代表团赴埃及、沙特、阿联酋开展陶瓷文化和经贸交流活动",
             (("EG", "开罗", 2), ("EG", "阿斯旺", 2), ("SA", "利雅得", 2), ("AE", "迪拜", 3)),
             d(2023, 5, 28), {"jdz-commerce": 2, "jdz-culture": 1, "jdz-tourism-group": 1}, S.CLOSED,
             d(2023, 5, 8), ("阿斯旺省政府", GOV), report_lag=20,
             follow_ups=(("推动与埃及阿斯旺市建立友好交流关系、开展高层互访", "市外办", d(2023, 12, 31),
                          d(2023, 11, 20)),)),
        Spec("jdz23-macao", "jdz-tourism-group", "赴澳门开展景德镇陶瓷文化旅游推介活动",
             (("MO", "澳门", 3),), d(2023, 6, 12), 3, S.CLOSED, d(2023, 5, 22), ("澳门旅游业议会", ASSOC)),
        Spec("jdz23-faenza", "jdz-jcu",
             "赴意大利法恩扎国际陶瓷博物馆开展陶瓷艺术学术交流并转达对友城灾后重建的关切",
             (("IT", "法恩扎", 3), ("IT", "罗马", 1)), d(2023, 7, 10), 5, S.CLOSED, d(2023, 6, 19),
             ("法恩扎国际陶瓷博物馆", OTHER)),
        Spec("jdz23-lampang", "jdz-commerce", "赴泰国南邦府开展陶瓷产业合作交流",
             (("TH", "南邦", 3), ("TH", "曼谷", 1)), d(2023, 8, 7), 3, S.CLOSED, d(2023, 7, 17),
             ("南邦府政府", GOV),
             follow_ups=(("邀请南邦府参加2023中国景德镇国际陶瓷博览会", "市商务局", d(2023, 10, 15),
                          d(2023, 10, 10)),)),
        Spec("jdz23-cancel", "jdz-science", "赴德国参加先进陶瓷材料技术研讨会",
             (("DE", "纽伦堡", 3),), d(2023, 9, 4), 2, S.CANCELLED, d(2023, 7, 31),
             ("德国陶瓷学会", ASSOC), reason="邀请方研讨会延期举办，团组未成行，任务批件作废。",
             cancel_on=d(2023, 8, 21)),
        Spec("jdz23-troyan", "jdz-culture",
             "赴保加利亚特罗扬市签署建立友好城市关系意向书并举办“远方的气息—从东到东”陶瓷艺术文化交流展",
             (("BG", "索非亚", 1), ("BG", "特罗扬", 3)), d(2023, 9, 16), {"jdz-culture": 1, "jdz-jcu": 1},
             S.CLOSED, d(2023, 8, 28), ("特罗扬市政府", GOV),
             follow_ups=(("推动与特罗扬市由友好城市意向书向正式友城关系发展", "市外办", d(2024, 9, 30),
                          d(2024, 9, 19)),)),
        Spec("jdz23-uk", "jdz-education", "赴英国斯托克城开展中小学国际理解教育交流",
             (("GB", "伦敦", 1), ("GB", "斯托克", 3)), d(2023, 10, 9), 3, S.CLOSED, d(2023, 9, 11),
             ("斯托克城市议会", GOV)),
        Spec("jdz23-gorodets", "jdz-tourism-group", "赴俄罗斯戈罗杰茨市商谈建立友好城市关系并开展文旅交流",
             (("RU", "莫斯科", 1), ("RU", "下诺夫哥罗德", 1), ("RU", "戈罗杰茨", 2)), d(2023, 10, 16), 3,
             S.CLOSED, d(2023, 9, 18), ("戈罗杰茨市政府", GOV)),
        Spec("jdz23-sg", "jdz-hospital", "赴新加坡开展医院管理与医疗技术合作交流",
             (("SG", "新加坡", 3),), d(2023, 10, 30), 2, S.CLOSED, d(2023, 10, 9), ("新加坡中央医院", OTHER)),
        Spec("jdz23-limoges", "jdz-college", "赴法国利摩日开展陶瓷艺术教育合作交流",
             (("FR", "巴黎", 1), ("FR", "利摩日", 3)), d(2023, 11, 13), 4, S.EVALUATED, d(2023, 10, 23),
             ("利摩日国立高等艺术学院", UNI), report_lag=25,
             follow_ups=(("与利摩日国立高等艺术学院签署学生交换协议", "景德镇学院", d(2024, 6, 30),
                          d(2024, 5, 16)),)),
        # Approved in December: outside the report's span (景外审〔2023〕14号).
        Spec("jdz23-cyprus", "jdz-jcu", "赴塞浦路斯帕罗迪亚区商谈共建唐英瓷坊事宜",
             (("CY", "尼科西亚", 1), ("CY", "帕罗迪亚区", 3)), d(2024, 1, 8), 3, S.CLOSED, d(2023, 12, 11),
             ("帕罗迪亚区政府", GOV)),
    ]  # fmt: skip


def jingdezhen_pipeline(today: date) -> list[Spec]:
    """Jingdezhen's current trips, one or more in every state, dated relative to ``today``."""

    def t(days: int) -> date:
        return today + timedelta(days=days)

    return [
        Spec("jdz-p-closed", "jdz-culture",
             "赴意大利法恩扎市开展友城交流并参加法恩扎国际陶瓷艺术大赛颁奖活动",
             (("IT", "法恩扎", 3), ("IT", "米兰", 1)), t(-150), 3, S.CLOSED, t(-172), ("法恩扎市政府", GOV),
             follow_ups=(("举办法恩扎—景德镇青年陶艺家联展", "市文广新旅局", t(-90), t(-95)),)),
        Spec("jdz-p-closed-hk", "jdz-tourism-group", "赴香港参加香港国际旅游展开展景德镇文旅推介",
             (("HK", "香港", 3),), t(-130), 3, S.CLOSED, t(-151), ("香港旅游发展局", GOV)),
        Spec("jdz-p-evaluated", "jdz-commerce", "赴阿联酋、沙特开展陶瓷产业经贸合作对接",
             (("AE", "迪拜", 3), ("SA", "利雅得", 3)), t(-95), {"jdz-commerce": 2, "jdz-ndrc": 1},
             S.EVALUATED, t(-118), ("迪拜中国商会", ASSOC), report_lag=18, score=85,
             follow_ups=(("落实与迪拜陶瓷贸易商签署的合作备忘录", "市商务局", t(-10), None),
                         ("组织陶瓷企业参加利雅得中国贸易博览会", "市商务局", t(45), None))),
        Spec("jdz-p-reported", "jdz-hospital", "赴韩国首尔开展医疗技术合作交流",
             (("KR", "首尔", 4),), t(-55), 2, S.REPORTED, t(-77), ("首尔大学医院", UNI), report_lag=21),
        Spec("jdz-p-overdue", "jdz-design", "赴日本濑户市参加濑户陶瓷器节并开展陶瓷设计交流",
             (("JP", "濑户", 3), ("JP", "名古屋", 1)), t(-50), 3, S.RETURNED_HOME, t(-70),
             ("濑户市役所", GOV)),
        Spec("jdz-p-report-due", "jdz-jcu", "赴英国斯托克城参加英国陶瓷双年展并开展学术交流",
             (("GB", "伦敦", 1), ("GB", "斯托克", 3)), t(-14), 3, S.RETURNED_HOME, t(-35),
             ("斯塔福德郡大学", UNI)),
        Spec("jdz-p-departed", "jdz-college", "赴法国塞夫尔国家陶瓷城开展陶瓷艺术教育交流",
             (("FR", "巴黎", 4),), t(-2), 3, S.DEPARTED, t(-20), ("塞夫尔国家陶瓷城", OTHER)),
        Spec("jdz-p-briefed", "jdz-culture", "赴保加利亚特罗扬市开展友城交流并参加特罗扬陶瓷艺术节",
             (("BG", "特罗扬", 3), ("BG", "索非亚", 1)), t(3), 2, S.BRIEFED, t(-12), ("特罗扬市政府", GOV)),
        Spec("jdz-p-approved", "jdz-commerce", "赴泰国南邦府参加南邦陶瓷博览会并开展经贸对接",
             (("TH", "南邦", 3), ("TH", "曼谷", 1)), t(18), 3, S.APPROVED, t(-3), ("南邦府政府", GOV)),
        Spec("jdz-p-approved-2", "jdz-education", "赴新加坡开展基础教育交流合作",
             (("SG", "新加坡", 4),), t(25), 2, S.APPROVED, t(-2), ("新加坡教育部", GOV),
             returned_first=("国际旅费预算偏高：请按经济舱标准重新核算。",)),
        Spec("jdz-p-cancelled", "jdz-science", "赴德国开展先进陶瓷材料科技合作交流",
             (("DE", "慕尼黑", 3),), t(10), 2, S.CANCELLED, t(-20), ("弗劳恩霍夫陶瓷技术与系统研究所", UNI),
             reason="邀请方因故取消交流活动，团组未成行。", cancel_on=t(-6)),
        Spec("jdz-p-rejected", "jdz-tourism-group", "赴美国开展文化旅游市场调研",
             (("US", "纽约", 2), ("US", "洛杉矶", 2)), t(30), 3, S.REJECTED, t(-4),
             ("美国华美旅游协会", ASSOC),
             reason="出访任务不明确，以考察、调研为主，缺少实质性交流内容，不予批准。"),
        Spec("jdz-p-escalated", "jdz-jcu", "赴意大利、法国开展陶瓷艺术高等教育合作交流",
             (("IT", "法恩扎", 3), ("FR", "利摩日", 3)), t(35), 3, S.ESCALATED, t(1),
             ("法恩扎国际陶瓷艺术学院", UNI), senior=True),
        Spec("jdz-p-reviewed", "jdz-health", "赴新加坡开展公共卫生应急管理交流合作",
             (("SG", "新加坡", 4),), t(30), 2, S.REVIEWED, t(1), ("新加坡卫生部", GOV)),
        Spec("jdz-p-submitted", "jdz-commerce", "赴香港参加景德镇—香港陶瓷产业合作推介会",
             (("HK", "香港", 3),), t(28), 3, S.SUBMITTED, t(3), ("香港贸易发展局", GOV)),
        Spec("jdz-p-returned", "jdz-jcu", "赴日本开展陶瓷文化遗产保护学术交流",
             (("JP", "东京", 2), ("JP", "京都", 2)), t(30), 2, S.RETURNED, t(-2), ("京都市立艺术大学", UNI),
             fixes=FIXES_VAGUE),
        Spec("jdz-p-signed-off", "jdz-jcu", "赴韩国利川市开展陶瓷艺术学术交流",
             (("KR", "利川", 3), ("KR", "首尔", 1)), t(40), 2, S.SIGNED_OFF, t(10), ("韩国陶瓷财团", ASSOC)),
        Spec("jdz-p-draft", "jdz-jcu", "赴美国犹他州中国陶瓷文化中心开展陶瓷艺术交流",
             (("US", "盐湖城", 4),), t(50), 3, S.DRAFT, t(28), ("犹他州中国陶瓷文化中心", OTHER)),
        # Drafts that show one finding each on the application page.
        Spec("jdz-f-days", "jdz-jcu", "赴法国开展陶瓷专业人才培养合作交流",
             (("FR", "巴黎", 2), ("FR", "利摩日", 5)), t(60), 2, S.DRAFT, t(40), ("利摩日大学", UNI)),
        Spec("jdz-f-members", "jdz-ndrc", "赴德国开展绿色低碳产业发展交流",
             (("DE", "柏林", 2), ("DE", "慕尼黑", 2)), t(45), 7, S.DRAFT, t(25),
             ("德国联邦外贸与投资署", GOV)),
        Spec("jdz-f-hk-leg", "jdz-culture", "赴日本、中国香港开展陶瓷文化推广活动",
             (("JP", "东京", 3), ("HK", "香港", 2)), t(48), 2, S.DRAFT, t(28), ("日本陶磁协会", ASSOC)),
        Spec("jdz-f-invitation", "jdz-education", "赴英国开展职业教育合作交流",
             (("GB", "伦敦", 4),), t(52), 2, S.DRAFT, t(32), ("伦敦南岸大学", UNI), flaw="no_invitation"),
        Spec("jdz-f-budget", "jdz-commerce", "赴韩国首尔参加首尔国际生活用品展",
             (("KR", "首尔", 4),), t(55), 2, S.DRAFT, t(35), ("韩国贸易协会", ASSOC), flaw="budget"),
        Spec("jdz-f-notice", "jdz-health", "赴日本东京开展智慧医疗交流",
             (("JP", "东京", 4),), t(20), 2, S.DRAFT, t(8), ("东京大学医学部附属医院", UNI), flaw="notice"),
        Spec("jdz-f-inviter", "jdz-tourism-group", "赴泰国曼谷开展文旅合作洽谈",
             (("TH", "曼谷", 4),), t(58), 2, S.DRAFT, t(38), ("曼谷环球国际旅行社", AGENCY), plan=False),
    ]  # fmt: skip


def chongqing_previous_year(year: int) -> list[Spec]:
    """Chongqing's trips of the previous year: travelled and closed, two decided by the provincial office."""
    d = date
    return [
        Spec("cq-y-de", "cq-commerce", "赴德国杜伊斯堡开展中欧班列（成渝）物流合作洽谈",
             (("DE", "杜伊斯堡", 3), ("DE", "杜塞尔多夫", 1)), d(year, 3, 13), 3, S.CLOSED,
             inviter=("杜伊斯堡港务集团", ENT)),
        Spec("cq-y-gb", "cq-cqu", "赴英国莱斯特大学开展高等教育国际合作交流",
             (("GB", "伦敦", 1), ("GB", "莱斯特", 3)), d(year, 4, 10), 3, S.CLOSED,
             inviter=("莱斯特大学", UNI)),
        Spec("cq-y-jp", "cq-friendship", "赴日本广岛市开展友城交流活动",
             (("JP", "广岛", 3), ("JP", "东京", 1)), d(year, 4, 17), 3, S.CLOSED,
             inviter=("广岛县日中友好协会", ASSOC)),
        Spec("cq-y-hk", "cq-culture", "赴香港举办重庆文化旅游推介会",
             (("HK", "香港", 3),), d(year, 5, 8), 4, S.CLOSED, inviter=("香港旅游业议会", ASSOC)),
        Spec("cq-y-kr", "cq-economy", "赴韩国开展汽车及电子信息产业合作对接",
             (("KR", "首尔", 2), ("KR", "水原", 2)), d(year, 5, 22), 3, S.CLOSED,
             inviter=("韩国产业通商资源部", GOV)),
        Spec("cq-y-gulf", "cq-investment", "赴阿联酋、沙特开展招商推介",
             (("AE", "迪拜", 3), ("SA", "利雅得", 3)), d(year, 6, 5), 3, S.CLOSED,
             inviter=("迪拜工商会", ASSOC),
             senior=True),
        Spec("cq-y-th", "cq-swu", "赴泰国开展农业科技与教育合作交流",
             (("TH", "曼谷", 2), ("TH", "清迈", 2)), d(year, 6, 19), 3, S.CLOSED, inviter=("清迈大学", UNI)),
        Spec("cq-y-ru", "cq-sisu", "赴俄罗斯开展语言文化教育合作交流",
             (("RU", "莫斯科", 2), ("RU", "圣彼得堡", 2)), d(year, 7, 3), 2, S.CLOSED,
             inviter=("圣彼得堡国立大学", UNI)),
        Spec("cq-y-sg", "cq-health", "赴新加坡开展医疗卫生合作交流",
             (("SG", "新加坡", 4),), d(year, 7, 17), 3, S.CLOSED, inviter=("新加坡保健服务集团", OTHER)),
        Spec("cq-y-cancel", "cq-science", "赴德国开展科技创新合作交流",
             (("DE", "柏林", 2), ("DE", "斯图加特", 2)), d(year, 9, 4), 2, S.CANCELLED,
             inviter=("德国史太白技术转移中心", OTHER),
             reason="团组主要成员因工作安排调整无法出访，团组未成行。"),
        Spec("cq-y-au", "cq-education", "赴澳大利亚昆士兰州开展教育合作交流",
             (("AU", "布里斯班", 4),), d(year, 9, 14), 3, S.CLOSED, inviter=("昆士兰州教育厅", GOV)),
        Spec("cq-y-mo", "cq-commerce", "赴澳门参加澳门国际贸易投资展览会",
             (("MO", "澳门", 3),), d(year, 10, 16), 3, S.CLOSED, inviter=("澳门贸易投资促进局", GOV)),
        Spec("cq-y-fr", "cq-culture", "赴法国图卢兹市开展友城文化交流",
             (("FR", "巴黎", 1), ("FR", "图卢兹", 3)), d(year, 10, 23), {"cq-culture": 2, "cq-friendship": 1},
             S.CLOSED, inviter=("图卢兹市政府", GOV)),
        Spec("cq-y-us", "cq-cqu", "赴美国开展工程科技领域学术交流",
             (("US", "西雅图", 4),), d(year, 11, 6), 2, S.CLOSED, inviter=("华盛顿大学", UNI)),
        Spec("cq-y-voronezh", "cq-friendship", "赴俄罗斯沃罗涅日市开展友城交流",
             (("RU", "沃罗涅日", 3), ("RU", "莫斯科", 1)), d(year, 11, 20), 3, S.CLOSED,
             inviter=("沃罗涅日州政府", GOV), senior=True),
        Spec("cq-y-nagoya", "cq-economy", "赴日本名古屋开展汽车产业合作交流",
             (("JP", "名古屋", 3), ("JP", "东京", 1)), d(year, 12, 7), 3, S.EVALUATED,
             inviter=("中部经济联合会", ASSOC),
             follow_ups=(("促成汽车零部件企业与日方签订合作意向", "市经信委", d(year + 1, 3, 31), None),)),
    ]  # fmt: skip


def chongqing_pipeline(today: date) -> list[Spec]:
    """Chongqing's current trips, one or more in every state, dated relative to ``today``."""

    def t(days: int) -> date:
        return today + timedelta(days=days)

    return [
        Spec("cq-p-closed-it", "cq-commerce", "赴意大利米兰开展消费品工业经贸合作交流",
             (("IT", "米兰", 4),), t(-160), 3, S.CLOSED, t(-181), ("意大利对外贸易委员会", GOV)),
        Spec("cq-p-closed-gb", "cq-sisu", "赴英国开展外语教育合作交流",
             (("GB", "伦敦", 4),), t(-140), 2, S.CLOSED, t(-160), ("伦敦大学亚非学院", UNI)),
        Spec("cq-p-closed-mo", "cq-culture", "赴澳门开展重庆文旅推介活动",
             (("MO", "澳门", 3),), t(-120), 3, S.CLOSED, t(-141), ("澳门特别行政区政府旅游局", GOV)),
        Spec("cq-p-closed-de", "cq-cqu", "赴德国斯图加特开展汽车工程领域学术合作",
             (("DE", "斯图加特", 4),), t(-110), 3, S.CLOSED, t(-131), ("斯图加特大学", UNI)),
        Spec("cq-p-closed-jp", "cq-health", "赴日本开展老年健康服务交流",
             (("JP", "东京", 2), ("JP", "大阪", 2)), t(-100), 3, S.CLOSED, t(-121),
             ("日本国立长寿医疗研究中心", UNI),
             senior=True),
        Spec("cq-p-evaluated", "cq-investment", "赴新加坡开展中新互联互通项目招商推介",
             (("SG", "新加坡", 4),), t(-85), {"cq-investment": 2, "cq-commerce": 1}, S.EVALUATED, t(-106),
             ("新加坡企业发展局", GOV), report_lag=20,
             follow_ups=(("跟进新加坡物流企业在渝设立区域分拨中心项目", "市招商投资局", t(-7), None),
                         ("筹办中新金融峰会重庆专场", "市招商投资局", t(60), None))),
        Spec("cq-p-reported", "cq-economy", "赴德国开展智能制造产业合作对接",
             (("DE", "汉诺威", 2), ("DE", "慕尼黑", 2)), t(-60), 3, S.REPORTED, t(-81),
             ("德国机械设备制造业联合会", ASSOC), report_lag=24),
        Spec("cq-p-overdue", "cq-swu", "赴澳大利亚开展农业科技合作交流",
             (("AU", "悉尼", 2), ("AU", "布里斯班", 2)), t(-52), 2, S.RETURNED_HOME, t(-73),
             ("昆士兰大学", UNI)),
        Spec("cq-p-report-due", "cq-cqu", "赴韩国开展土木工程领域学术交流",
             (("KR", "首尔", 4),), t(-12), 2, S.RETURNED_HOME, t(-33), ("首尔国立大学", UNI)),
        Spec("cq-p-departed", "cq-friendship", "赴法国图卢兹市参加友城交流纪念活动",
             (("FR", "图卢兹", 4),), t(-1), 3, S.DEPARTED, t(-22), ("图卢兹市政府", GOV)),
        Spec("cq-p-briefed", "cq-commerce", "赴泰国、马来西亚开展RCEP经贸合作对接",
             (("TH", "曼谷", 3), ("MY", "吉隆坡", 3)), t(4), 3, S.BRIEFED, t(-14), ("泰国商业部", GOV)),
        Spec("cq-p-approved", "cq-education", "赴新西兰开展职业教育合作交流",
             (("NZ", "奥克兰", 4),), t(20), 2, S.APPROVED, t(-4), ("新西兰教育国际推广局", GOV)),
        Spec("cq-p-cancelled", "cq-science", "赴俄罗斯开展新材料科技合作交流",
             (("RU", "新西伯利亚", 3), ("RU", "莫斯科", 1)), t(15), 2, S.CANCELLED, t(-18),
             ("俄罗斯科学院西伯利亚分院", UNI), reason="对方活动日程推迟，团组未成行。", cancel_on=t(-5)),
        Spec("cq-p-rejected", "cq-culture", "赴美国开展文化旅游市场考察",
             (("US", "纽约", 2), ("US", "旧金山", 2)), t(40), 3, S.REJECTED, t(-3),
             ("美中文化交流促进会", ASSOC),
             reason="出访任务不明确，考察性质明显，不符合因公临时出国管理规定，不予批准。"),
        Spec("cq-p-escalated", "cq-commerce", "赴德国、法国开展中欧班列及经贸合作洽谈",
             (("DE", "杜伊斯堡", 3), ("FR", "巴黎", 3)), t(32), 3, S.ESCALATED, t(1),
             ("杜伊斯堡港务集团", ENT),
             senior=True),
        Spec("cq-p-reviewed", "cq-investment", "赴香港开展重庆市招商引资推介活动",
             (("HK", "香港", 3),), t(28), 3, S.REVIEWED, t(1), ("香港贸易发展局", GOV)),
        Spec("cq-p-submitted", "cq-cqu", "赴美国西雅图开展智能建造领域学术交流",
             (("US", "西雅图", 4),), t(35), 2, S.SUBMITTED, t(3), ("华盛顿大学", UNI)),
        Spec("cq-p-returned", "cq-sisu", "赴意大利开展意大利语人才培养合作交流",
             (("IT", "罗马", 2), ("IT", "佛罗伦萨", 2)), t(38), 2, S.RETURNED, t(-2), ("佛罗伦萨大学", UNI),
             fixes=FIXES_VAGUE),
        Spec("cq-p-signed-off", "cq-health", "赴英国开展公立医院管理交流",
             (("GB", "伦敦", 4),), t(45), 2, S.SIGNED_OFF, t(12), ("伦敦国王学院", UNI)),
        Spec("cq-p-draft", "cq-cqu", "赴日本开展新能源汽车技术学术交流",
             (("JP", "东京", 2), ("JP", "名古屋", 2)), t(55), 3, S.DRAFT, t(33), ("名古屋大学", UNI)),
        Spec("cq-p-draft-vn", "cq-economy", "赴越南开展西部陆海新通道经贸合作对接",
             (("VN", "河内", 3),), t(60), 3, S.DRAFT, t(38), ("越南工贸部", GOV)),
        Spec("cq-f-budget", "cq-friendship", "赴英国莱斯特市开展友城交流",
             (("GB", "莱斯特", 4),), t(50), 2, S.DRAFT, t(30), ("莱斯特市议会", GOV), flaw="budget"),
    ]  # fmt: skip


def finding_drafts(today: date) -> list[Spec]:
    """Drafts of both offices that show the rules no other demo trip triggers, one finding each (built
    last, so the members of every other trip stay as they are). ``cq-commerce`` keeps the passports demo's
    overdue document (the first Chongqing trip that travelled, ``cq-y-de``): its draft shows
    ``unit.locked``."""

    def t(days: int) -> date:
        return today + timedelta(days=days)

    return [
        Spec("jdz-f-countries", "jdz-college", "赴法国、德国、意大利、英国开展陶瓷艺术设计合作办学交流",
             (("FR", "巴黎", 2), ("DE", "柏林", 2), ("IT", "米兰", 2), ("GB", "伦敦", 2)), t(62), 3, S.DRAFT,
             t(42), ("利摩日国立高等艺术学院", UNI)),
        Spec("jdz-f-overlap", "jdz-jcu", "赴韩国首尔开展陶瓷材料学科建设交流",
             (("KR", "首尔", 3),), t(42), 2, S.DRAFT, t(22), ("首尔大学", UNI), flaw="overlap"),
        Spec("jdz-f-dates", "jdz-science", "赴新加坡参加亚洲先进陶瓷材料国际会议",
             (("SG", "新加坡", 4),), t(65), 2, S.DRAFT, t(45), ("新加坡国立大学", UNI),
             flaw="invitation_dates"),
        Spec("jdz-f-invitees", "jdz-design", "赴日本有田町参加有田陶器市并开展陶瓷设计交流",
             (("JP", "有田", 3), ("JP", "东京", 1)), t(68), 3, S.DRAFT, t(48), ("有田町役场", GOV),
             flaw="invitees"),
        Spec("cq-f-frequency", "cq-health", "赴新加坡开展智慧医院建设交流合作",
             (("SG", "新加坡", 4),), t(66), 2, S.DRAFT, t(46), ("新加坡保健服务集团", OTHER), senior=True,
             flaw="frequency"),
        Spec("cq-f-leaders", "cq-investment", "赴日本开展重点产业链招商推介",
             (("JP", "东京", 2), ("JP", "大阪", 2)), t(70), 3, S.DRAFT, t(50), ("日本贸易振兴机构", GOV),
             flaw="leaders"),
        Spec("cq-f-hkmo", "cq-culture", "赴香港举办重庆文化旅游周系列活动",
             (("HK", "香港", 8),), t(64), 3, S.DRAFT, t(44), ("香港旅游业议会", ASSOC)),
        Spec("cq-f-locked", "cq-commerce", "赴马来西亚开展西部陆海新通道经贸合作推介",
             (("MY", "吉隆坡", 4),), t(72), 2, S.DRAFT, t(52), ("马来西亚对外贸易发展局", GOV)),
        Spec("jdz-f-itinerary", "jdz-hospital", "赴韩国首尔、釜山开展医院管理与护理交流",
             (("KR", "首尔", 3), ("KR", "釜山", 2)), t(75), 2, S.DRAFT, t(55), ("釜山大学医院", UNI),
             flaw="itinerary"),
        Spec("cq-f-heads", "cq-sisu", "赴法国开展法语人才培养合作交流",
             (("FR", "巴黎", 4),), t(74), 3, S.DRAFT, t(54), ("巴黎第三大学", UNI), flaw="heads"),
    ]  # fmt: skip


# --- Dates ------------------------------------------------------------------------------------------------


class Calendar:
    """Chinese working days (``waishi.core.workdays``), remembered for the length of one load."""

    def __init__(self):
        self.days: dict[date, bool] = {}

    def workday(self, day: date) -> bool:
        if day not in self.days:
            self.days[day] = is_workday(day)
        return self.days[day]

    def back(self, end: date, count: int) -> date:
        """The first day of a run of ``count`` working days that ends on or before ``end``."""
        day, found = end, 0
        while True:
            if self.workday(day):
                found += 1
                if found == count:
                    return day
            day -= timedelta(days=1)

    def on_or_before(self, day: date) -> date:
        while not self.workday(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        while not self.workday(day):
            day += timedelta(days=1)
        return day


@dataclass
class Timeline:
    """The day of each step of one trip."""

    created: date
    signed_off: date
    notice_from: date
    notice_to: date
    first_submit: date
    returned: date | None
    corrected: date | None
    submit: date
    review: date
    decide: date
    brief: date
    depart: date
    back: date
    report: date
    evaluate: date
    close: date
    cancel: date | None


def timeline(spec: Spec, notice_days: int, calendar: Calendar) -> Timeline:
    decide = spec.decided_on
    submit = calendar.on_or_before(decide - timedelta(days=4))
    review = min(calendar.on_or_after(submit + timedelta(days=1)), decide)
    if spec.returned_first:
        first_submit = calendar.on_or_before(submit - timedelta(days=9))
        returned = calendar.on_or_after(first_submit + timedelta(days=1))
        corrected = submit - timedelta(days=1)
    else:
        first_submit, returned, corrected = submit, None, None
    if spec.state == S.RETURNED:
        returned = review
    notice_to = first_submit - timedelta(days=1)
    notice_from = calendar.back(notice_to, 3 if spec.flaw == "notice" else notice_days)
    signed_off = calendar.on_or_before(notice_from - timedelta(days=1))
    created = calendar.on_or_before(signed_off - timedelta(days=2))
    back = spec.return_date
    report = calendar.on_or_after(back + timedelta(days=spec.report_lag))
    evaluate = calendar.on_or_after(report + timedelta(days=7))
    cancel = spec.cancel_on or (min(decide + timedelta(days=14), spec.depart - timedelta(days=3)))
    return Timeline(
        created=created,
        signed_off=signed_off,
        notice_from=notice_from,
        notice_to=notice_to,
        first_submit=first_submit,
        returned=returned,
        corrected=corrected,
        submit=submit,
        review=review,
        decide=decide,
        brief=max(decide + timedelta(days=1), calendar.on_or_before(spec.depart - timedelta(days=4))),
        depart=spec.depart,
        back=back,
        report=report,
        evaluate=evaluate,
        close=calendar.on_or_after(evaluate + timedelta(days=10)),
        cancel=cancel,
    )


# --- Loader -----------------------------------------------------------------------------------------------

# How far along the workflow each target state lies; returned, rejected and cancelled branch off.
LEVEL = {
    S.DRAFT: 0, S.SIGNED_OFF: 1, S.SUBMITTED: 2, S.RETURNED: 2, S.REVIEWED: 3, S.ESCALATED: 3,
    S.REJECTED: 4, S.APPROVED: 4, S.CANCELLED: 5, S.BRIEFED: 5, S.DEPARTED: 6, S.RETURNED_HOME: 7,
    S.REPORTED: 8, S.EVALUATED: 9, S.CLOSED: 10,
}  # fmt: skip
HOURS = {
    "create": time(9, 10), "sign_off": time(10, 20), "submit": time(15, 0), "return": time(10, 30),
    "review": time(11, 0), "approve": time(16, 30), "reject": time(16, 30), "cancel": time(10, 0),
    "brief": time(15, 0), "depart": time(8, 0), "come_back": time(17, 0), "report": time(16, 0),
    "evaluate": time(10, 0), "close": time(11, 0),
}  # fmt: skip
SENIOR = Rank.order(Rank.DEPUTY_BUREAU)
BRIEFING = (
    "外事纪律和保密纪律教育；出访国别（地区）安全形势与领事保护；因公护照（通行证）使用与交还规定；"
    "廉洁自律和经费使用规定；回国（返回）后一个月内提交出访报告。"
)


class DemoError(RuntimeError):
    """The demo data could not be built as described (a service refused a step)."""


def _principal(person) -> bool:
    """A principal leader of the unit (rule ``leaders.same_unit``): a head's title, not a deputy's."""
    position = person.position or ""
    return "副" not in position and any(k in position for k in travel_config.PRINCIPAL_POSITIONS.default)


def _user(username: str):
    from waishi.users.models import User

    user = User.objects.filter(username=username).select_related("organization").first()
    if user is None:
        raise DemoError(f"The demo account {username!r} is missing: run load_accounts() first.")
    return user


class Loader:
    def __init__(self, today: date, seed: int):
        self.today = today
        self.seed = seed
        self.units = {o.code: o for o in Organization.objects.all()}
        self.countries = {c.code: c for c in Country.objects.all()}
        self.people: dict[str, list] = {}
        self.busy: dict[int, list[tuple[date, date]]] = {}
        self.senior_trips: dict[int, list[date]] = {}
        self.accounts: dict[tuple[str, str], object] = {}
        self.created_accounts = 0
        self.calendar = Calendar()
        self.fixed = {
            ("unit_clerk", "jdz-jcu"): "clerk",
            ("unit_leader", "jdz-jcu"): "leader",
            ("unit_clerk", "cq-cqu"): "cq-clerk",
            ("fao_staff", "jdz-fao"): "staff",
            ("fao_leader", "jdz-fao"): "director",
            ("fao_staff", "cq-fao"): "cq-staff",
            ("fao_leader", "cq-fao"): "cq-director",
            ("fao_leader", "prov-fao"): "province",
        }

    def book_existing(self) -> None:
        """Whoever is on a trip already stored is busy for its dates: new trips choose around them."""
        rows = TripMember.objects.values_list(
            "person_id", "person__rank", "trip__depart_date", "trip__return_date"
        )
        for person_id, rank, depart, back in rows:
            self.book([SimpleNamespace(pk=person_id, rank=rank)], depart, back)

    # -- reference rows --

    def rates(self) -> int:
        created = 0
        for (country, city), (currency, lodging, meals, incidentals) in PER_DIEM_RATES.items():
            _rate, new = PerDiemRate.objects.get_or_create(
                country_id=country,
                city_name=city,
                defaults={
                    "currency": currency,
                    "lodging": Decimal(lodging),
                    "meals": Decimal(meals),
                    "incidentals": Decimal(incidentals),
                },
            )
            created += new
        return created

    def plan_entry(self, spec: Spec):
        unit = self.units[spec.unit]
        entry, new = PlanEntry.objects.get_or_create(
            unit=unit,
            year=spec.depart.year,
            title=spec.mission[:200],
            defaults={
                "planned_members": sum(spec.member_counts.values()),
                "planned_month": spec.depart.month,
            },
        )
        if new:
            entry.countries.set({code for code, _city, _n in spec.legs})
        return entry

    # -- people and accounts --

    def unit_people(self, code: str) -> list:
        if code not in self.people:
            self.people[code] = list(Person.objects.filter(organization=self.units[code]).order_by("pk"))
        return self.people[code]

    def account(self, role: str, code: str):
        key = (role, code)
        if key in self.accounts:
            return self.accounts[key]
        username = self.fixed.get(key)
        if username is None:
            username = f"{code}-{'clerk' if role == 'unit_clerk' else 'leader'}"
            user = self._helper_account(username, role, code)
        else:
            user = _user(username)
        self.accounts[key] = user
        return user

    def _helper_account(self, username: str, role: str, code: str):
        from waishi.users import services as user_services
        from waishi.users.models import User

        user = User.objects.filter(username=username).select_related("organization").first()
        if user is not None:
            return user
        taken = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        people = [p for p in self.unit_people(code) if p.pk not in taken]
        if role == "unit_leader":
            person = min(people, key=lambda p: (Rank.order(p.rank), p.pk))
        else:  # the foreign-affairs clerk: a member of staff
            person = max(people, key=lambda p: (Rank.order(p.rank), -p.pk))
        user = User(username=username, last_name=person.name, organization=self.units[code], person=person)
        user_services.user_create(actor=None, user=user, roles=[role])
        self.created_accounts += 1
        return user

    def decider(self, office):
        return self.account("fao_leader", office.code)

    def free(self, person, start: date, end: date) -> bool:
        return all(end < a or start > b for a, b in self.busy.get(person.pk, ()))

    def may_travel(self, person, depart: date) -> bool:
        """The frequency rule for 副厅级 and above: one trip in two years (checked on both sides)."""
        return all(abs((depart - other).days) >= 2 * 365 for other in self.senior_trips.get(person.pk, ()))

    def pick(self, spec: Spec) -> list[tuple[object, str]]:
        """The delegation: (person, role) with the head first, chosen deterministically among the people
        free at the time; below 副厅级 unless the spec asks for a senior head."""
        rng = random.Random(f"{self.seed}-{spec.key}")
        start, end = spec.depart - timedelta(days=1), spec.return_date + timedelta(days=1)
        chosen = []
        for index, (code, count) in enumerate(spec.member_counts.items()):
            people = [p for p in self.unit_people(code) if self.free(p, start, end)]
            picked = self.flawed(spec, code, people) if index == 0 else []
            if spec.senior and index == 0:
                # A "frequency" draft wants the senior the rule stops: one who travelled within two years.
                allowed = self.travelled_recently if spec.flaw == "frequency" else self.may_travel
                seniors = sorted(
                    (p for p in people if Rank.order(p.rank) <= SENIOR and allowed(p, spec.depart)),
                    key=lambda p: (p.rank != Rank.DEPUTY_BUREAU, p.pk),
                )
                if not seniors:
                    raise DemoError(f"{spec.key}: no senior member free in {code}")
                picked.append(seniors[0])
            juniors = [p for p in people if Rank.order(p.rank) > SENIOR and p not in picked]
            rng.shuffle(juniors)
            for person in juniors:
                if len(picked) == count:
                    break
                if _principal(person) and any(_principal(p) for p in picked):
                    continue  # the principal leaders of one unit do not travel together
                picked.append(person)
            if len(picked) < count:
                raise DemoError(f"{spec.key}: not enough free people in {code}")
            chosen += picked
        head = min(chosen, key=lambda p: (Rank.order(p.rank), chosen.index(p)))
        ordered = [head, *sorted((p for p in chosen if p is not head), key=lambda p: Rank.order(p.rank))]
        return [(p, MemberRole.HEAD if p is head else MemberRole.MEMBER) for p in ordered]

    @staticmethod
    def travelled_recently(person, depart: date) -> bool:
        """``person`` is on an approved trip departing within two years of ``depart``."""
        window = timedelta(days=2 * 365)
        return TripMember.objects.filter(
            person=person,
            trip__state__in=APPROVED_STATES,
            trip__depart_date__gt=depart - window,
            trip__depart_date__lt=depart + window,
        ).exists()

    def flawed(self, spec: Spec, code: str, people: list) -> list:
        """The members a finding-draft starts from, before the others are chosen: two principal leaders
        of the unit ("leaders"), or a member of the unit's live trip at the same dates ("overlap")."""
        if spec.flaw == "leaders":
            keywords = travel_config.PRINCIPAL_POSITIONS.default
            leaders = [
                p
                for p in people
                if "副" not in (p.position or "") and (p.position or "").strip().endswith(tuple(keywords))
            ]
            if len(leaders) < 2:
                raise DemoError(f"{spec.key}: fewer than two principal leaders free in {code}")
            return leaders[:2]
        if spec.flaw == "overlap":
            clash = (
                TripMember.objects.filter(
                    person__organization=self.units[code],
                    trip__state__in=LIVE_STATES,
                    trip__depart_date__lte=spec.return_date,
                    trip__return_date__gte=spec.depart,
                )
                .order_by("trip_id", "person_id")
                .first()
            )
            if clash is None:
                raise DemoError(f"{spec.key}: no live trip of {code} at the same dates")
            return [p for p in self.unit_people(code) if p.pk == clash.person_id]
        return []

    def book(self, people, depart: date, back: date) -> None:
        for person in people:
            self.busy.setdefault(person.pk, []).append((depart - timedelta(days=1), back + timedelta(days=1)))
            if Rank.order(person.rank) <= SENIOR:
                self.senior_trips.setdefault(person.pk, []).append(depart)

    # -- one trip --

    def legs(self, spec: Spec) -> list[dict]:
        result, day = [], spec.depart
        for code, city, nights in spec.legs:
            result.append(
                {
                    "country": self.countries[code],
                    "city": city,
                    "arrive": day,
                    "depart": day + timedelta(days=nights),
                    "transit_airside": False,
                }
            )
            day += timedelta(days=nights)
        return result

    def budget(self, spec: Spec, legs: list[dict], people: int, airfare_factor: float = 1.0) -> list[dict]:
        from waishi.travel.models import TripLeg

        facts = rules.Facts(
            trip=SimpleNamespace(depart_date=spec.depart, return_date=spec.entered_return_date),
            members=[None] * people,
            legs=[
                TripLeg(country_id=leg["country"].code, city=leg["city"], arrive=leg["arrive"],
                        depart=leg["depart"])
                for leg in legs
            ],
        )  # fmt: skip
        standard, _unrated = rules.standard_budget(facts)
        share = Decimal("1.3") if spec.flaw == "budget" else Decimal("0.9")
        lines = []
        for kind in (BudgetKind.LODGING, BudgetKind.MEALS, BudgetKind.INCIDENTALS):
            for (line_kind, currency), amount in sorted(standard.items()):
                if line_kind == kind:
                    value = (amount * (share if kind == BudgetKind.LODGING else Decimal("0.9"))).quantize(
                        Decimal(1), rounding=ROUND_DOWN
                    )
                    lines.append({"kind": kind.value, "currency": currency, "amount": value})
        first = legs[0]["country"]
        fare = AIRFARE.get(first.code) or AIRFARE.get(first.continent, 9000)
        airfare = Decimal(int(fare * people * airfare_factor))
        lines.insert(0, {"kind": BudgetKind.INTERNATIONAL_TRAVEL.value, "currency": "CNY", "amount": airfare})
        return lines

    def application(self, spec: Spec, members, when: Timeline, airfare_factor: float = 1.0):
        legs = self.legs(spec)
        codes = {leg["country"].code for leg in legs}
        category = TripCategory.HKMO if codes <= set(CHINA_REGIONS) else TripCategory.ABROAD
        inviter_name, inviter_kind = spec.inviter
        cross = len(spec.member_counts) > 1
        fields = {
            "applicant_unit": self.units[spec.unit],
            "category": category,
            "is_cross_unit": cross,
            "mission": spec.mission,
            "depart_date": spec.depart,
            "return_date": spec.entered_return_date,
            "inviter_name": inviter_name,
            "inviter_country": legs[0]["country"],
            "inviter_kind": inviter_kind,
            # An "invitation_dates" draft: the invitation covers the conference, not the days before it.
            "invitation_from": spec.depart + timedelta(days=2 if spec.flaw == "invitation_dates" else -7),
            "invitation_to": spec.return_date + timedelta(days=5),
            "invitation_invitees": [person.name for person, _role in members][
                : -1 if spec.flaw == "invitees" else None
            ],
            "invitation_signed": True,
            "notice_from": when.notice_from,
            "notice_to": when.notice_to,
            "plan_entry": self.plan_entry(spec) if spec.plan else None,
        }
        return services.Application(
            fields=fields,
            members=[
                {"person": person, "role": MemberRole.HEAD if spec.flaw == "heads" and index == 1 else role}
                for index, (person, role) in enumerate(members)
            ],
            legs=legs,
            budget=self.budget(spec, legs, len(members), airfare_factor),
            sending_units=[self.units[code] for code in spec.member_counts] if cross else [],
        )

    def on(self, day: date, action: str) -> datetime:
        """The moment of a step on ``day`` (never after today, nor later than now today)."""
        day = min(day, self.today)
        moment = timezone.make_aware(datetime.combine(day, HOURS.get(action, time(10, 0))))
        return min(moment, timezone.now()) if day == timezone.localdate() else moment

    def dated(self, trip: Trip, day: date) -> Trip:
        """Move the history row the last step wrote to the day the step happened in the story."""
        event = trip.events.order_by("-id").first()
        TripEvent.objects.filter(pk=event.pk).update(at=self.on(day, event.action))
        return trip

    def build(self, spec: Spec) -> Trip | None:
        unit = self.units[spec.unit]
        if Trip.objects.filter(applicant_unit=unit, mission=spec.mission).exists():
            return None
        office = unit.office()
        when = timeline(spec, config.get(travel_config.NOTICE_WORKDAYS.key, office), self.calendar)
        members = self.pick(spec)
        self.book([person for person, _role in members], spec.depart, spec.return_date)
        clerk = self.account("unit_clerk", spec.unit)
        leader = self.account("unit_leader", spec.unit)
        staff = self.account("fao_staff", office.code)
        target, level = spec.state, LEVEL[spec.state]

        trip = services.trip_create(
            actor=clerk,
            application=self.application(spec, members, when, 1.15 if spec.returned_first else 1.0),
        )
        created = min(when.created, self.today - timedelta(days=1))
        self.dated(trip, created)
        Trip.objects.filter(pk=trip.pk).update(created_at=self.on(created, "create"))
        if spec.flaw != "no_invitation":
            core_services.attachment_add(
                actor=clerk,
                obj=trip,
                upload=SimpleUploadedFile("邀请函.pdf", PDF, "application/pdf"),
                description=f"{spec.inviter[0]}邀请函",
                purpose="invitation",
            )
        if level >= 1:
            trip = self.dated(
                services.trip_sign_off(actor=leader, trip=trip, opinion="同意派出。"), when.signed_off
            )
        if level >= 2:
            trip = self.submit(clerk, trip, spec, when.first_submit)
            if spec.returned_first or target == S.RETURNED:
                fixes = spec.returned_first or spec.fixes
                trip = services.trip_return(
                    actor=staff, trip=trip, fixes=[{"field": "", "message": text} for text in fixes]
                )
                self.dated(trip, when.returned)
                if target == S.RETURNED:
                    return trip
                trip = services.trip_update(
                    actor=clerk,
                    trip=trip,
                    version=trip.version,
                    application=self.application(spec, members, when),
                )
                trip = self.submit(clerk, trip, spec, when.submit)
        if level >= 3:
            trip = self.dated(
                services.trip_review(actor=staff, trip=trip, opinion="经审核，符合规定。"), when.review
            )
            expected = S.ESCALATED if spec.senior else S.REVIEWED
            if trip.state != expected:
                raise DemoError(f"{spec.key}: reviewed into {trip.state}, expected {expected}")
        decider = self.decider(trip.deciding_office) if level >= 4 else None
        if target == S.REJECTED:
            trip = services.trip_reject(actor=decider, trip=trip, reason=spec.reason)
            return self.dated(trip, when.decide)
        if level >= 4:
            trip = services.trip_approve(actor=decider, trip=trip, opinion="同意。", on=when.decide)
            self.dated(trip, when.decide)
        if target == S.CANCELLED:
            trip = services.trip_cancel(actor=clerk, trip=trip, reason=spec.reason)
            return self.dated(trip, when.cancel)
        if level >= 5:
            people = [person for person, _role in members]
            trip = services.trip_brief(
                actor=staff, trip=trip, on=when.brief, content=BRIEFING, attendees=people
            )
            self.dated(trip, when.brief)
        if level >= 6:
            trip = self.dated(services.trip_depart(actor=staff, trip=trip, on=spec.depart), spec.depart)
        if level >= 7:
            records = [
                {"person": person.pk, "exit_date": spec.depart, "entry_date": spec.return_date}
                for person, _role in members
            ]
            trip = self.dated(services.trip_come_back(actor=staff, trip=trip, records=records), when.back)
        if level >= 8:
            trip = services.trip_report(
                actor=clerk, trip=trip, text=self.report_text(spec), outcomes=self.outcomes(spec)
            )
            self.dated(trip, when.report)
            TripReport.objects.filter(trip=trip).update(filed_on=min(when.report, self.today))
        if level >= 9:
            follow_ups = [
                {"item": item, "owner": owner, "due": due} for item, owner, due, _done in spec.follow_ups
            ]
            trip = services.trip_evaluate(
                actor=staff,
                trip=trip,
                score=spec.score,
                comments="出访任务完成，成果较为丰富，请抓好后续落实。",
                follow_ups=follow_ups,
            )
            self.dated(trip, when.evaluate)
            TripReport.objects.filter(trip=trip).update(evaluated_on=min(when.evaluate, self.today))
            for item, _owner, _due, done in spec.follow_ups:
                if done is not None:
                    follow_up = FollowUp.objects.get(trip=trip, item=item)
                    services.follow_up_done(actor=staff, follow_up=follow_up, on=done)
        if level >= 10:
            trip = self.dated(services.trip_close(actor=staff, trip=trip), when.close)
        return trip

    def submit(self, clerk, trip: Trip, spec: Spec, day: date) -> Trip:
        try:
            trip = services.trip_submit(actor=clerk, trip=trip)
        except ApplicationError as exc:
            raise DemoError(f"{spec.key}: {exc.message} {exc.extra}") from exc
        return self.dated(trip, day)

    @staticmethod
    def report_text(spec: Spec) -> str:
        places = "、".join(dict.fromkeys(city for _code, city, _n in spec.legs))
        back = spec.return_date
        return (
            f"经批准，代表团于{spec.depart.year}年{spec.depart.month}月{spec.depart.day}日至"
            f"{back.year}年{back.month}月{back.day}日访问{places}，任务：{spec.mission}。"
            "代表团按批准的日程开展活动，严格遵守外事纪律，无超期、绕道等情况；"
            "因公证照已于回国后7日内交回集中保管。"
        )

    @staticmethod
    def outcomes(spec: Spec) -> str:
        return "；".join(item for item, *_rest in spec.follow_ups) or "达成进一步交流合作意向。"


def load_trips(today: date | None = None, seed: int = 2023) -> dict:
    """Build the demo trips (see the module's docstring); running it again adds nothing.

    Returns what this call created and the number of trips per office and state afterwards.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        loader = Loader(today, seed)
        loader.book_existing()
        rates = loader.rates()
        plans_before = PlanEntry.objects.count()
        specs = (
            jingdezhen_past()
            + jingdezhen_pipeline(today)
            + chongqing_previous_year(today.year - 1)
            + chongqing_pipeline(today)
        )
        late = finding_drafts(today)
        keys = [(spec.unit, spec.mission) for spec in specs + late]
        if len(keys) != len(set(keys)):
            raise DemoError("Two demo trips share a unit and a mission.")
        # Approval numbers follow the order of approval: build the trips in that order; the finding-drafts
        # last, so that the members of every other trip do not depend on them.
        created = 0
        for spec in sorted(specs, key=lambda s: s.decided_on) + sorted(late, key=lambda s: s.decided_on):
            created += loader.build(spec) is not None
        by_office: dict[str, dict[str, int]] = {}
        for office, state in Trip.objects.values_list("office__code", "state"):
            by_office.setdefault(office, {}).setdefault(state, 0)
            by_office[office][state] += 1
        return {
            "trips": created,
            "per_diem_rates": rates,
            "plan_entries": PlanEntry.objects.count() - plans_before,
            "accounts": loader.created_accounts,
            "by_office": by_office,
        }
