"""Documents generated from an application: the approval document (任务批件), the task-and-budget
approval form (因公临时出国任务和预算审批意见表) and the pre-trip public notice (公示).

Each document is built once as content (title, number, paragraphs, tables); the A4 print page and the
.docx are two renderings of the same content.
"""

from collections import Counter
from dataclasses import dataclass, field

from waishi.core import config, docx
from waishi.core.docx import DOCX_TYPE, cn_date, disposition
from waishi.core.money import money
from waishi.travel import config as travel_config
from waishi.travel.choices import BudgetKind, TripCategory
from waishi.travel.rules import Facts, standard_budget

__all__ = ["DOCUMENTS", "DOCX_TYPE", "budget_comparison", "disposition"]


@dataclass
class Content:
    title: str
    number: str = ""
    addressee: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[list[str] | None, list[list]]] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)


def budget_comparison(trip, facts: Facts | None = None) -> tuple[list[dict], list]:
    """Budget lines summed by kind and currency beside the per-diem standard for the same kind (``facts``:
    the trip's, when already loaded)."""
    facts = facts or Facts.of(trip)
    standard, unrated = standard_budget(facts)
    claimed = Counter()
    for line in facts.budget:
        claimed[(line.kind, line.currency)] += line.amount
    keys = sorted(set(claimed) | set(standard), key=lambda k: (list(BudgetKind.values).index(k[0]), k[1]))
    rows = []
    for kind, currency in keys:
        limit = standard.get((kind, currency))
        amount = claimed.get((kind, currency))
        rows.append(
            {
                "kind": BudgetKind(kind).label,
                "currency": currency,
                "amount": amount,
                "standard": limit,
                "over": amount is not None and limit is not None and amount > limit,
            }
        )
    return rows, unrated


def report_spec(trip) -> str:
    return config.get(travel_config.REPORT_DUE.key, trip.office)


def deadline_text(spec: str) -> str:
    """ "1m" → 1个月, "15wd" → 15个工作日, "30d" → 30日."""
    number, unit = spec.rstrip("dwm"), spec[len(spec.rstrip("dwm")) :]
    return number + {"m": "个月", "wd": "个工作日", "d": "日"}[unit]


def _places(trip) -> str:
    return "、".join(dict.fromkeys(str(leg.country) for leg in trip.legs.all() if not leg.transit_airside))


def _members(trip) -> list:
    return list(trip.members.select_related("person__organization"))


def _head(trip) -> str:
    members = _members(trip)
    head = next((m for m in members if m.role == "head"), members[0] if members else None)
    return head.person.name if head else ""


def _destination(trip) -> str:
    return "赴港澳" if trip.category == TripCategory.HKMO else "出访"


class ApprovalDocument:
    @staticmethod
    def filename(trip) -> str:
        return f"任务批件-{trip.approval_number or trip.pk}.docx"

    @staticmethod
    def context(trip) -> Content:
        office = trip.deciding_office or trip.office
        members = _members(trip)
        unit = trip.applicant_unit
        paragraphs = [
            f"你单位关于{_head(trip)}等{len(members)}人{_destination(trip)}的申请收悉。经审核，现批复如下：",
            f"一、同意{_head(trip)}等{len(members)}人于{cn_date(trip.depart_date)}至{cn_date(trip.return_date)}"
            f"赴{_places(trip)}执行以下任务：{trip.mission}在外停留{trip.days_abroad}天（含离、抵境当日）。",
            f"二、邀请单位：{trip.inviter_name or '—'}。",
            f"三、所需经费由{unit}按规定标准在部门预算中列支，严格执行因公临时出国经费管理规定。",
            "四、出访前须参加行前教育，严格遵守外事纪律和保密规定；不得擅自延长在外停留时间、变更行程或增加出访国家和地区。",
            f"五、回国后按规定及时将因公证照交回集中保管，{deadline_text(report_spec(trip))}内报送出访报告和成果评估表。",
        ]
        rows = [
            [m.person.name, str(m.person.organization), m.person.position, m.get_role_display()]
            for m in members
        ]
        return Content(
            title=f"关于{unit}{_destination(trip)}的批复",
            number=trip.approval_number,
            addressee=f"{unit}：",
            paragraphs=paragraphs,
            tables=[(["姓名", "单位", "职务", "团内身份"], rows)],
            signature=[office.name, cn_date(trip.approved_on)],
        )


class BudgetForm:
    @staticmethod
    def filename(trip) -> str:
        return f"因公临时出国任务和预算审批意见表-{trip.approval_number or trip.pk}.docx"

    @staticmethod
    def context(trip) -> Content:
        members = _members(trip)
        budget_rows, _unrated = budget_comparison(trip)
        events = {e.action: e for e in trip.events.select_related("actor")}
        summary = [
            ["组团单位", str(trip.applicant_unit), "团组类别", trip.get_category_display()],
            ["团长", _head(trip), "团组人数", str(len(members))],
            ["出访国家和地区", _places(trip), "在外天数", str(trip.days_abroad)],
            [
                "出访时间",
                f"{cn_date(trip.depart_date)}至{cn_date(trip.return_date)}",
                "邀请单位",
                trip.inviter_name or "—",
            ],
            ["出访任务", trip.mission, "双跨团组", "是" if trip.is_cross_unit else "否"],
        ]
        budget = [
            [
                r["kind"],
                r["currency"],
                money(r["amount"]),
                money(r["standard"]),
                "超标准" if r["over"] else "",
            ]
            for r in budget_rows
        ]
        opinions_rows = [
            ["单位意见", events["sign_off"].note if "sign_off" in events else ""],
            ["外办审核意见", events["review"].note if "review" in events else ""],
            ["外办审批意见", events["approve"].note if "approve" in events else ""],
        ]
        return Content(
            title="因公临时出国任务和预算审批意见表",
            number=trip.approval_number,
            tables=[
                (None, summary),
                (["费用类别", "币种", "预算", "标准", "备注"], budget),
                (
                    ["团组成员", "单位", "职务", "职级"],
                    [
                        [
                            m.person.name,
                            str(m.person.organization),
                            m.person.position,
                            m.person.get_rank_display(),
                        ]
                        for m in members
                    ],
                ),
                (None, opinions_rows),
            ],
        )


class PublicNotice:
    @staticmethod
    def filename(trip) -> str:
        return f"出访公示-{trip.applicant_unit}-{trip.depart_date:%Y%m%d}.docx"

    @staticmethod
    def context(trip) -> Content:
        members = _members(trip)
        names = "、".join(f"{m.person.name}（{m.person.position}）" for m in members)
        return Content(
            title="因公临时出国（境）公示",
            paragraphs=[
                f"根据因公临时出国（境）管理有关规定，现将{trip.applicant_unit}{_head(trip)}等{len(members)}人"
                f"{_destination(trip)}事项公示如下：",
                f"一、出访任务：{trip.mission}",
                f"二、出访时间：{cn_date(trip.depart_date)}至{cn_date(trip.return_date)}，共{trip.days_abroad}天。",
                f"三、出访国家和地区：{_places(trip)}。",
                f"四、团组成员：{names}。",
                f"五、邀请单位：{trip.inviter_name or '—'}。",
                "六、经费来源：部门预算。",
                f"公示期：{cn_date(trip.notice_from)}至{cn_date(trip.notice_to)}。如有异议，请在公示期内向"
                f"{trip.applicant_unit}或{trip.office}反映。",
            ],
            signature=[str(trip.applicant_unit), cn_date(trip.notice_from)],
        )


def _docx(content: Content) -> bytes:
    document = docx.new_document()
    docx.title(document, content.title)
    if content.number:
        docx.centered(document, content.number)
    if content.addressee:
        docx.body(document, content.addressee, indent=False)
    for paragraph in content.paragraphs:
        docx.body(document, paragraph)
    for headers, rows in content.tables:
        docx.table(document, headers, rows)
        docx.body(document, "", indent=False)
    for line in content.signature:
        docx.body(document, line, indent=False, align_right=True)
    return docx.to_bytes(document)


class _Builder:
    def __init__(self, document):
        self.document = document

    def filename(self, trip) -> str:
        return self.document.filename(trip)

    def context(self, trip) -> Content:
        return self.document.context(trip)

    def docx(self, trip) -> bytes:
        return _docx(self.document.context(trip))


DOCUMENTS = {
    "approval": _Builder(ApprovalDocument),
    "budget-form": _Builder(BudgetForm),
    "notice": _Builder(PublicNotice),
}
