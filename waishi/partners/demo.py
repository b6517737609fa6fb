"""Demo data for sister cities: the partners of Jingdezhen named in its 2023 report, about fifty partners
of Chongqing, a few of the province and of two counties, several years of exchanges and the targets.

What comes from the seeds (``/work/shared/seeds``):

- Jingdezhen 2023 (000): letters of intent with Troyan (2023-09-19), Gorkha and 帕罗迪亚区 (Cyprus, both at
  the forum of 2023-10-18) and Gorodets, twice the two of 2019; the condolence to Faenza after the flood;
  Icheon and Lampang at the 2023 ceramics fair and the forum; the China-Japan-Korea photo exhibition with
  Seto and Icheon (6-11 June 2023) that reactivated Seto; the contact with Aswan to prepare visits; the
  Troyan exhibition; the Tang Ying workshop talks with 帕罗迪亚区. The targets of 下步工作 三: 4 letters of
  intent and 2 new sister cities within two years, 75% of sister cities active by 2025, half of the
  occasional and dormant ones reactivated. So the records give, for 2023: 4 opened (the four letters),
  3 strengthened (Faenza, Icheon, Lampang) and 1 reactivated (Seto).
- Chongqing 2023 (004): one new sister city and nine new friendly-exchange cities that year; deep
  exchanges with Seattle and Brisbane; the 2024 Chongqing International Sister Cities Cooperation
  Conference.

Chongqing's long-standing sister cities (Toulouse, Seattle, Toronto, Hiroshima, Voronezh, Leicestershire,
Zaporizhzhia, Mpumalanga, Düsseldorf, Brisbane, Antwerp) are real; their years are given as known to us and
should be checked against 重庆市外办's list. Every other partner, date and exchange beyond the seeds is
illustrative demo data. 帕罗迪亚区's English name is not in the seed: it is written "Parodia" and has no
coordinates (the map lists it under "not on the map").

``load_partners()`` is idempotent and writes directly, not through the services (as the directory's demo
loader does); it needs the directory's demo offices (``load_directory``) and returns the row counts.
"""

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from waishi.partners.choices import ApprovalStage, ExchangeKind, PartnerLevel, TargetMetric

INTENT, FRIENDLY, SISTER = PartnerLevel.INTENT.value, PartnerLevel.FRIENDLY.value, PartnerLevel.SISTER.value
K = ExchangeKind

# Coordinates for partners GeoNames' list of cities over 15000 inhabitants lacks, or where it would pick
# another place of the same name (Mpumalanga is also a township near Durban).
COORDINATES = {
    ("NP", "Gorkha"): (Decimal("28.00000"), Decimal("84.63330")),
    ("AT", "Gmunden"): (Decimal("47.91860"), Decimal("13.79920")),
    ("GB", "Leicestershire"): (Decimal("52.63690"), Decimal("-1.13980")),
    ("ZA", "Mpumalanga"): (Decimal("-25.47450"), Decimal("30.97030")),
}
NO_COORDINATES = {("CY", "Parodia")}


def d(text: str) -> date:
    return date.fromisoformat(text)


# office code → [(Chinese name, English name, country, [(level, date signed), ...])]
# fmt: off
PARTNERS = {
    "jdz-fao": [
        ("法恩扎", "Faenza", "IT", [(SISTER, "1994-10-20")]),
        ("濑户", "Seto", "JP", [(SISTER, "1995-05-12")]),
        ("利川", "Icheon", "KR", [(INTENT, "2004-04-16"), (SISTER, "2007-10-22")]),
        ("阿斯旺", "Aswan", "EG", [(FRIENDLY, "2012-11-08"), (SISTER, "2016-05-18")]),
        ("利摩日", "Limoges", "FR", [(SISTER, "2006-06-09")]),
        ("斯托克", "Stoke-on-Trent", "GB", [(FRIENDLY, "2008-09-15"), (SISTER, "2012-04-20")]),
        ("有田", "Arita", "JP", [(FRIENDLY, "2010-10-19")]),
        ("塞尔布", "Selb", "DE", [(FRIENDLY, "2014-05-27")]),
        ("南邦府", "Lampang", "TH", [(INTENT, "2019-05-21"), (SISTER, "2025-06-18")]),
        ("屈塔希亚", "Kütahya", "TR",
         [(INTENT, "2019-10-18"), (FRIENDLY, "2021-11-10"), (SISTER, "2025-11-20")]),
        ("戈罗杰茨", "Gorodets", "RU", [(INTENT, "2023-06-28")]),
        ("特罗扬", "Troyan", "BG", [(INTENT, "2023-09-19")]),
        ("廓尔喀", "Gorkha", "NP", [(INTENT, "2023-10-18")]),
        ("帕罗迪亚区", "Parodia", "CY", [(INTENT, "2023-10-18")]),
        ("格蒙登", "Gmunden", "AT", [(INTENT, "2024-05-16")]),
        ("卡尔达斯达赖尼亚", "Caldas da Rainha", "PT", [(INTENT, "2024-10-18")]),
        ("马尼塞斯", "Manises", "ES", [(INTENT, "2025-10-18")]),
    ],
    "cq-fao": [
        ("图卢兹", "Toulouse", "FR", [(SISTER, "1982-06-18")]),
        ("西雅图", "Seattle", "US", [(SISTER, "1983-06-03")]),
        ("多伦多", "Toronto", "CA", [(SISTER, "1986-05-13")]),
        ("广岛", "Hiroshima", "JP", [(SISTER, "1986-10-23")]),
        ("沃罗涅日", "Voronezh", "RU", [(SISTER, "1992-09-10")]),
        ("莱斯特郡", "Leicestershire", "GB", [(SISTER, "1993-10-06")]),
        ("扎波罗热", "Zaporizhzhia", "UA", [(SISTER, "2002-05-08")]),
        ("姆普马兰加", "Mpumalanga", "ZA", [(SISTER, "2002-09-26")]),
        ("杜塞尔多夫", "Düsseldorf", "DE", [(SISTER, "2004-10-22")]),
        ("布里斯班", "Brisbane", "AU", [(SISTER, "2005-05-23")]),
        ("安特卫普", "Antwerp", "BE", [(FRIENDLY, "2003-04-10"), (SISTER, "2006-11-14")]),
        ("万象", "Vientiane", "LA", [(FRIENDLY, "2015-09-16"), (SISTER, "2023-11-24")]),
        ("新加坡", "Singapore", "SG", [(FRIENDLY, "2009-07-02")]),
        ("大阪", "Osaka", "JP", [(FRIENDLY, "2011-08-25")]),
        ("釜山", "Busan", "KR", [(FRIENDLY, "2010-05-18")]),
        ("吉隆坡", "Kuala Lumpur", "MY", [(FRIENDLY, "2013-10-15")]),
        ("曼谷", "Bangkok", "TH", [(FRIENDLY, "2012-03-09")]),
        ("胡志明市", "Ho Chi Minh City", "VN", [(FRIENDLY, "2016-06-21")]),
        ("金边", "Phnom Penh", "KH", [(FRIENDLY, "2017-09-12")]),
        ("仰光", "Yangon", "MM", [(FRIENDLY, "2017-11-30")]),
        ("科伦坡", "Colombo", "LK", [(INTENT, "2019-04-26"), (FRIENDLY, "2023-07-20")]),
        ("加德满都", "Kathmandu", "NP", [(FRIENDLY, "2023-09-26")]),
        ("达卡", "Dhaka", "BD", [(FRIENDLY, "2023-06-15")]),
        ("塔什干", "Tashkent", "UZ", [(FRIENDLY, "2018-06-08")]),
        ("阿拉木图", "Almaty", "KZ", [(FRIENDLY, "2014-09-05")]),
        ("比什凯克", "Bishkek", "KG", [(FRIENDLY, "2023-05-19")]),
        ("迪拜", "Dubai", "AE", [(FRIENDLY, "2019-03-28")]),
        ("伊斯坦布尔", "Istanbul", "TR", [(FRIENDLY, "2015-12-04")]),
        ("喀山", "Kazan", "RU", [(FRIENDLY, "2016-07-14")]),
        ("圣彼得堡", "Saint Petersburg", "RU", [(FRIENDLY, "2013-06-20")]),
        ("明斯克", "Minsk", "BY", [(FRIENDLY, "2023-10-12")]),
        ("华沙", "Warsaw", "PL", [(FRIENDLY, "2016-06-20")]),
        ("布达佩斯", "Budapest", "HU", [(FRIENDLY, "2017-05-15")]),
        ("贝尔格莱德", "Belgrade", "RS", [(FRIENDLY, "2023-04-18")]),
        ("维也纳", "Vienna", "AT", [(FRIENDLY, "2014-11-03")]),
        ("米兰", "Milan", "IT", [(FRIENDLY, "2015-04-22")]),
        ("巴塞罗那", "Barcelona", "ES", [(FRIENDLY, "2012-10-11")]),
        ("里斯本", "Lisbon", "PT", [(FRIENDLY, "2018-12-06")]),
        ("杜伊斯堡", "Duisburg", "DE", [(FRIENDLY, "2014-03-29")]),
        ("里昂", "Lyon", "FR", [(FRIENDLY, "2013-11-26")]),
        ("曼彻斯特", "Manchester", "GB", [(FRIENDLY, "2015-10-23")]),
        ("奥克兰", "Auckland", "NZ", [(FRIENDLY, "2016-11-18")]),
        ("珀斯", "Perth", "AU", [(FRIENDLY, "2023-08-30")]),
        ("温哥华", "Vancouver", "CA", [(FRIENDLY, "2011-04-15")]),
        ("圣保罗", "São Paulo", "BR", [(FRIENDLY, "2014-07-17")]),
        ("圣地亚哥", "Santiago", "CL", [(FRIENDLY, "2023-11-08")]),
        ("利马", "Lima", "PE", [(FRIENDLY, "2016-11-21")]),
        ("墨西哥城", "Mexico City", "MX", [(FRIENDLY, "2023-03-22")]),
        ("内罗毕", "Nairobi", "KE", [(FRIENDLY, "2018-09-04")]),
        ("亚的斯亚贝巴", "Addis Ababa", "ET", [(FRIENDLY, "2019-09-03")]),
        ("开罗", "Cairo", "EG", [(FRIENDLY, "2016-01-21")]),
        ("卡萨布兰卡", "Casablanca", "MA", [(INTENT, "2024-09-10")]),
        ("蔚山", "Ulsan", "KR", [(FRIENDLY, "2024-09-10")]),
        ("伊兹密尔", "Izmir", "TR", [(INTENT, "2025-09-18")]),
    ],
    "prov-fao": [
        ("岐阜", "Gifu", "JP", [(SISTER, "1988-10-25")]),
        ("佛罗伦萨", "Florence", "IT", [(FRIENDLY, "2012-05-10")]),
        ("波尔图", "Porto", "PT", [(INTENT, "2022-11-15"), (FRIENDLY, "2024-06-06")]),
    ],
    "fl-fao": [
        ("宇治", "Uji", "JP", [(INTENT, "2018-11-05"), (FRIENDLY, "2023-05-30")]),
    ],
    "yz-fao": [
        ("清迈", "Chiang Mai", "TH", [(FRIENDLY, "2017-08-18")]),
        ("乔治市", "George Town", "MY", [(INTENT, "2024-04-23")]),
    ],
}
# fmt: on

# Approvals on record for the partnerships raised to sister city in the demo years:
# (office, English name) → [(stage, date, document number)].
APPROVALS = {
    ("jdz-fao", "Lampang"): [
        (ApprovalStage.GOVERNMENT, "2024-11-26", "景府字〔2024〕88号"),
        (ApprovalStage.PROVINCIAL_FAO, "2025-02-14", "赣外字〔2025〕9号"),
        (ApprovalStage.NATIONAL_ASSOCIATION, "2025-05-20", "友协〔2025〕31号"),
    ],
    ("jdz-fao", "Kütahya"): [
        (ApprovalStage.GOVERNMENT, "2025-04-08", "景府字〔2025〕27号"),
        (ApprovalStage.PROVINCIAL_FAO, "2025-06-30", "赣外字〔2025〕41号"),
        (ApprovalStage.NATIONAL_ASSOCIATION, "2025-10-28", "友协〔2025〕77号"),
    ],
    ("cq-fao", "Vientiane"): [
        (ApprovalStage.GOVERNMENT, "2023-03-16", "渝府函〔2023〕19号"),
        (ApprovalStage.PROVINCIAL_FAO, "2023-06-12", "渝外〔2023〕58号"),
        (ApprovalStage.NATIONAL_ASSOCIATION, "2023-10-30", "友协〔2023〕64号"),
    ],
    ("jdz-fao", "Troyan"): [(ApprovalStage.GOVERNMENT, "2025-09-12", "景府字〔2025〕61号")],
}

# Jingdezhen's exchanges: (date, kind, substantive, partners by English name, summary, participants).
JDZ_EXCHANGES = [
    ("2016-03-22", K.LETTER, False, ["Seto"], "向濑户市致函，互致问候。", ""),
    (
        "2017-10-18",
        K.VISIT_IN,
        True,
        ["Arita", "Limoges"],
        "有田町、利摩日市代表参加2017景德镇国际陶瓷博览会。",
        "",
    ),
    (
        "2018-10-18",
        K.VISIT_IN,
        True,
        ["Faenza", "Aswan"],
        "法恩扎市、阿斯旺市代表团参加2018瓷博会并访问陶瓷大学。",
        "",
    ),
    ("2018-11-12", K.EDUCATION, True, ["Limoges"], "与利摩日国立高等艺术学院开展陶艺师生交流。", ""),
    ("2019-04-09", K.LETTER, False, ["Aswan"], "阿斯旺市来函，商谈互访事宜。", ""),
    (
        "2019-05-21",
        K.VISIT_IN,
        True,
        ["Lampang"],
        "南邦府代表团来访，签署建立友好城市关系意向书。",
        "南邦府副府尹等6人",
    ),
    ("2019-06-14", K.CULTURE, True, ["Stoke-on-Trent"], "斯托克市陶艺家驻留景德镇创作交流。", ""),
    ("2019-09-20", K.EXHIBITION, True, ["Selb"], "在塞尔布举办景德镇当代陶瓷展。", ""),
    (
        "2019-10-18",
        K.FORUM,
        True,
        ["Kütahya", "Icheon"],
        "屈塔希亚市、利川市代表参加国际陶瓷论坛，与屈塔希亚签署意向书。",
        "",
    ),
    (
        "2021-03-25",
        K.ONLINE_MEETING,
        True,
        ["Stoke-on-Trent"],
        "与斯托克市举行线上会议，商讨陶瓷设计人才交流。",
        "",
    ),
    ("2021-11-10", K.ONLINE_MEETING, True, ["Kütahya"], "“云签约”：与屈塔希亚建立友好交流城市关系。", ""),
    ("2022-08-16", K.ONLINE_MEETING, True, ["Lampang"], "与南邦府举行视频会议，商讨陶瓷产业合作。", ""),
    (
        "2022-09-22",
        K.ONLINE_MEETING,
        True,
        ["Faenza"],
        "与法恩扎市举行“友城+云端”视频交流，商定陶瓷博物馆合作。",
        "",
    ),
    ("2022-10-27", K.ONLINE_MEETING, True, ["Kütahya"], "与屈塔希亚线上交流陶瓷产业园建设经验。", ""),
    ("2022-11-24", K.ONLINE_MEETING, True, ["Icheon"], "与利川市举行视频会议，筹备三地联合摄影展。", ""),
    ("2023-03-10", K.LETTER, False, ["Aswan"], "多渠道与阿斯旺市取得联系，推动高层互访。", ""),
    ("2023-05-22", K.CONDOLENCE, True, ["Faenza"], "法恩扎遭受洪灾，市政府及时发出慰问函，表达关切。", ""),
    (
        "2023-06-06",
        K.EXHIBITION,
        True,
        ["Seto", "Icheon"],
        "中日韩友好城市联合摄影展在景德镇陶瓷博览交易中心开幕（6月6日至11日），展出120幅作品；与多年未联系的濑户市重新建立联系。",
        "",
    ),
    ("2023-06-28", K.LETTER, True, ["Gorodets"], "与戈罗杰茨市签署建立友好城市关系意向书。", ""),
    (
        "2023-09-19",
        K.EXHIBITION,
        True,
        ["Troyan"],
        "签署友好城市意向书；“远方的气息—从东到东”中国景德镇与保加利亚特罗扬陶瓷艺术文化交流展开幕。",
        "",
    ),
    (
        "2023-10-18",
        K.JOINT_EVENT,
        True,
        ["Icheon", "Lampang"],
        "利川市、南邦府代表参加2023中国景德镇国际陶瓷博览会。",
        "",
    ),
    (
        "2023-10-18",
        K.FORUM,
        True,
        ["Lampang", "Gorkha", "Icheon", "Parodia"],
        "举办国际友好城市交流论坛；与廓尔喀市、帕罗迪亚区签署友好城市意向书。",
        "南邦府、廓尔喀市及法国、韩国、土耳其等国城市嘉宾",
    ),
    (
        "2023-10-19",
        K.PROJECT,
        True,
        ["Parodia"],
        "为景德镇陶瓷大学与帕罗迪亚区商谈共建唐英瓷坊牵线搭桥。",
        "",
    ),
    ("2023-12-20", K.LETTER, False, ["Selb"], "向塞尔布市致新年贺信。", ""),
    ("2024-03-18", K.LETTER, False, ["Gorodets"], "与戈罗杰茨市互致函件，商讨陶艺交流。", ""),
    (
        "2024-04-15",
        K.VISIT_OUT,
        True,
        ["Aswan"],
        "市政府代表团访问阿斯旺市，会见阿斯旺省省长，实现高层互访。",
        "",
    ),
    ("2024-05-16", K.VISIT_OUT, True, ["Gmunden"], "代表团访问格蒙登，签署友好城市意向书。", ""),
    (
        "2024-05-28",
        K.EDUCATION,
        True,
        ["Stoke-on-Trent"],
        "斯托克斯塔福德郡大学与景德镇陶瓷大学开展学生交换。",
        "",
    ),
    ("2024-06-20", K.PROJECT, True, ["Parodia"], "唐英瓷坊合作项目推进会（线上）。", ""),
    ("2024-09-12", K.ONLINE_MEETING, True, ["Seto"], "与濑户市举行视频会议，商定2025年互访。", ""),
    ("2024-09-25", K.CULTURE, True, ["Troyan"], "特罗扬陶艺家来景驻留创作。", ""),
    (
        "2024-10-18",
        K.VISIT_IN,
        True,
        ["Faenza", "Icheon", "Lampang", "Kütahya", "Caldas da Rainha"],
        "友城代表参加2024瓷博会；与卡尔达斯达赖尼亚签署友好城市意向书。",
        "",
    ),
    ("2025-03-20", K.ONLINE_MEETING, True, ["Gorkha"], "与廓尔喀市举行视频会议，商讨文旅合作。", ""),
    ("2025-05-14", K.VISIT_IN, True, ["Seto"], "濑户市代表团来访，回访2023年联合摄影展。", ""),
    ("2025-05-27", K.EXHIBITION, True, ["Selb"], "与塞尔布联合举办欧洲瓷器设计展。", ""),
    ("2025-06-18", K.VISIT_IN, True, ["Lampang"], "南邦府代表团来访，正式缔结国际友好城市关系。", ""),
    ("2025-06-26", K.EXHIBITION, True, ["Faenza"], "法恩扎国际陶瓷博物馆景德镇作品展。", ""),
    ("2025-09-16", K.LETTER, False, ["Limoges"], "向利摩日市致函，邀请参加2025瓷博会。", ""),
    (
        "2025-10-18",
        K.VISIT_IN,
        True,
        ["Icheon", "Kütahya", "Manises"],
        "友城代表参加2025瓷博会；与马尼塞斯签署友好城市意向书。",
        "",
    ),
    ("2025-11-06", K.ONLINE_MEETING, True, ["Aswan"], "与阿斯旺市举行视频会议，落实陶瓷技艺培训项目。", ""),
    ("2026-02-10", K.LETTER, False, ["Troyan", "Gorodets", "Gmunden"], "向友好意向城市致新春贺信。", ""),
    ("2026-04-22", K.EDUCATION, True, ["Icheon"], "利川市中学生陶艺研学团来访。", ""),
    (
        "2026-05-19",
        K.VISIT_OUT,
        True,
        ["Faenza", "Caldas da Rainha"],
        "市代表团访问法恩扎和卡尔达斯达赖尼亚。",
        "",
    ),
    ("2026-09-08", K.PROJECT, True, ["Lampang"], "南邦府陶瓷产业园合作项目启动。", ""),
]

# Chongqing: how lively each partner is, by English name; the others are "steady".
CQ_PROFILES = {
    "Seattle": "lively", "Brisbane": "lively", "Düsseldorf": "lively", "Toulouse": "lively",
    "Singapore": "lively", "Vientiane": "lively", "Hiroshima": "steady", "Toronto": "quiet",
    "Voronezh": "steady", "Leicestershire": "steady", "Zaporizhzhia": "lapsed", "Mpumalanga": "quiet",
    "Antwerp": "quiet", "Duisburg": "lively", "Kazan": "quiet", "Istanbul": "lapsed", "Yangon": "lapsed",
    "Lima": "lapsed", "Nairobi": "quiet", "Cairo": "quiet", "Auckland": "lapsed", "Barcelona": "lapsed",
}  # fmt: skip
TOPICS = ["经贸", "教育", "文化旅游", "科技创新", "城市治理", "医疗卫生", "青年交流", "体育", "物流通道"]


def _chongqing_exchanges(partners: list[tuple], rng: random.Random) -> list[tuple]:
    """Several years of exchanges per partner by its profile, and the seed's events."""
    rows = []
    for name_zh, name_en, _country, history in partners:
        profile = CQ_PROFILES.get(name_en, "steady")
        signed = d(history[0][1])
        for year in range(max(2018, signed.year), 2027):
            last_month = 10 if year == 2026 else 12
            if profile == "lapsed" and year > 2019:
                break
            if profile == "lively":  # one or two substantive exchanges a year
                plan = [True] + ([True] if rng.random() < 0.6 else [])
            elif profile == "steady":  # a substantive exchange every other year or so, and letters
                plan = ([True] if rng.random() < 0.5 else []) + ([False] if rng.random() < 0.5 else [])
            else:  # quiet: courtesy letters, now and then
                plan = [False] if rng.random() < 0.5 else []
            for substantive in plan:
                day = date(year, rng.randint(1, last_month), rng.randint(1, 28))
                if day < signed:
                    continue
                topic = rng.choice(TOPICS)
                if substantive:
                    kind = rng.choice(
                        [K.VISIT_IN, K.VISIT_OUT, K.ONLINE_MEETING, K.PROJECT, K.EDUCATION, K.CULTURE]
                    )
                    summary = {
                        K.VISIT_IN: f"{name_zh}代表团来渝访问，开展{topic}交流。",
                        K.VISIT_OUT: f"重庆市代表团访问{name_zh}，洽谈{topic}合作。",
                        K.ONLINE_MEETING: f"与{name_zh}举行视频会议，商讨{topic}合作。",
                        K.PROJECT: f"与{name_zh}推进{topic}合作项目。",
                        K.EDUCATION: f"与{name_zh}开展院校师生交流。",
                        K.CULTURE: f"与{name_zh}联合举办文化交流活动。",
                    }[kind]
                else:
                    kind, summary = K.LETTER, f"与{name_zh}互致函件，保持{topic}领域联系。"
                rows.append((day.isoformat(), kind, substantive, [name_en], summary, ""))
    # The seed: deep exchanges with Seattle and Brisbane in 2023; the 2024 cooperation conference.
    rows += [
        (
            "2023-04-12",
            K.VISIT_IN,
            True,
            ["Seattle"],
            "西雅图市代表团访渝，纪念结好40周年，签署经贸合作备忘录。",
            "",
        ),
        ("2023-09-05", K.VISIT_OUT, True, ["Brisbane"], "重庆市代表团访问布里斯班，推进教育和农业合作。", ""),
        (
            "2024-09-10",
            K.FORUM,
            True,
            [
                "Seattle",
                "Brisbane",
                "Toulouse",
                "Düsseldorf",
                "Hiroshima",
                "Vientiane",
                "Singapore",
                "Osaka",
                "Busan",
                "Kuala Lumpur",
                "Bangkok",
                "Colombo",
                "Kathmandu",
                "Tashkent",
                "Almaty",
                "Minsk",
                "Belgrade",
                "Budapest",
                "Duisburg",
                "Perth",
                "Casablanca",
                "Ulsan",
            ],
            "举办2024重庆国际友好城市合作大会，友城代表共商合作；与卡萨布兰卡签署意向书、与蔚山建立友好交流关系。",
            "来自五大洲的友城代表",
        ),
    ]
    return rows


# Targets: (office, metric, level, value, start, deadline, note).
TARGETS = [
    (
        "jdz-fao",
        TargetMetric.ACTIVE_SHARE,
        SISTER,
        "75",
        "2024-01-01",
        "2025-12-31",
        "争取到2025年活跃友城占比达75%",
    ),
    (
        "jdz-fao",
        TargetMetric.REACTIVATED_SHARE,
        "",
        "50",
        "2024-01-01",
        "2025-12-31",
        "有效激活50%以上的偶有往来及停摆友城",
    ),
    (
        "jdz-fao",
        TargetMetric.NEW_INTENTS,
        "",
        "4",
        "2024-01-01",
        "2025-12-31",
        "未来两年与4个城市签署建立友好城市意向书",
    ),
    ("jdz-fao", TargetMetric.NEW_SISTERS, "", "2", "2024-01-01", "2025-12-31", "未来两年新结2对正式友城"),
    (
        "cq-fao",
        TargetMetric.NEW_FRIENDLY,
        "",
        "9",
        "2024-01-01",
        "2024-12-31",
        "新增友好交流城市（2023年新增9个）",
    ),
    ("cq-fao", TargetMetric.ACTIVE_SHARE, SISTER, "80", "2025-01-01", "2026-12-31", "友城活跃度"),
]

CONTACTS = {
    ("jdz-fao", "Faenza"): [
        (
            "theirs",
            "Relazioni internazionali",
            "国际关系办公室",
            "Comune di Faenza",
            "international@example.org",
        ),
        ("ours", "周敏", "友城科", "景德镇市外办", "youcheng@example.org"),
    ],
    ("jdz-fao", "Seto"): [("theirs", "国際交流担当", "国际交流负责人", "瀬戸市", "kokusai@example.org")],
}


def _city(country, name_zh: str, name_en: str):
    from waishi.directory.models import City
    from waishi.directory.reference import geocode

    city = City.objects.filter(country=country, name_en=name_en).first()
    if city is not None:
        return city
    city = City(country=country, name_zh=name_zh, name_en=name_en)
    key = (country.code, name_en)
    if key in COORDINATES:
        city.latitude, city.longitude = COORDINATES[key]
    elif key not in NO_COORDINATES:
        found = geocode(name_en, country.code)
        if found:
            city.latitude, city.longitude, city.geonameid = found
    city.save()
    return city


def _partnership(office, city, history):
    from waishi.partners.models import LevelChange, Partnership

    steps = [(level, d(day)) for level, day in history]
    signed_on, (level, since) = steps[0][1], steps[-1]
    partnership, _created = Partnership.objects.get_or_create(
        office=office,
        city=city,
        defaults={"level": level, "signed_on": signed_on, "level_since": since},
    )
    existing = set(partnership.level_changes.values_list("level", "date"))
    previous = ""
    for step_level, day in steps:
        if (step_level, day) not in existing:
            LevelChange.objects.create(
                partnership=partnership, from_level=previous, level=step_level, date=day
            )
        previous = step_level
    if (partnership.level, partnership.signed_on, partnership.level_since) != (level, signed_on, since):
        Partnership.objects.filter(pk=partnership.pk).update(
            level=level, signed_on=signed_on, level_since=since
        )
    return partnership


def _exchange(office, row, partners: dict):
    from waishi.partners.models import PartnerExchange

    day, kind, substantive, names, summary, participants = row
    exchange, created = PartnerExchange.objects.get_or_create(
        office=office,
        date=d(day),
        kind=kind,
        summary=summary,
        defaults={"substantive": substantive, "participants": participants},
    )
    if created:
        exchange.set_partners([partners[name] for name in names])
    return exchange


def load_partners(seed: int = 2023) -> dict[str, int]:
    """Load the demo partnerships, their history, approvals, contacts, exchanges and targets.

    Idempotent: running it again adds nothing. Skips the offices that do not exist. Returns the number of
    rows of each kind afterwards."""
    from waishi.directory.models import Country, Organization
    from waishi.partners.models import Approval, Contact, PartnerExchange, Partnership, Target

    rng = random.Random(seed)
    with transaction.atomic():
        offices = {o.code: o for o in Organization.objects.filter(code__in=PARTNERS)}
        countries = {c.code: c for c in Country.objects.all()}
        by_office: dict[str, dict] = {}
        for code, partners in PARTNERS.items():
            office = offices.get(code)
            if office is None:
                continue
            by_office[code] = {
                name_en: _partnership(office, _city(countries[country], name_zh, name_en), history)
                for name_zh, name_en, country, history in partners
            }
        for (code, name_en), stages in APPROVALS.items():
            partnership = by_office.get(code, {}).get(name_en)
            if partnership is None:
                continue
            for stage, day, reference in stages:
                Approval.objects.get_or_create(
                    partnership=partnership, stage=stage, defaults={"date": d(day), "reference": reference}
                )
        for (code, name_en), contacts in CONTACTS.items():
            partnership = by_office.get(code, {}).get(name_en)
            if partnership is None or partnership.contacts.exists():
                continue
            for side, name, position, organization, email in contacts:
                Contact.objects.create(
                    partnership=partnership,
                    side=side,
                    name=name,
                    position=position,
                    organization=organization,
                    email=email,
                )
        exchanges = {
            "jdz-fao": JDZ_EXCHANGES,
            "cq-fao": _chongqing_exchanges(PARTNERS["cq-fao"], rng),
            "prov-fao": [
                ("2019-10-25", K.VISIT_IN, True, ["Gifu"], "岐阜县代表团访问，纪念结好31周年。", ""),
                ("2024-06-06", K.VISIT_OUT, True, ["Porto"], "省代表团访问波尔图，建立友好交流关系。", ""),
                ("2025-04-17", K.CULTURE, True, ["Florence"], "与佛罗伦萨联合举办文艺复兴与陶瓷艺术展。", ""),
                (
                    "2026-03-12",
                    K.ONLINE_MEETING,
                    True,
                    ["Gifu"],
                    "与岐阜县举行视频会议，商讨青少年交流。",
                    "",
                ),
            ],
            "fl-fao": [
                ("2023-05-30", K.VISIT_IN, True, ["Uji"], "宇治市茶业代表团来访，建立友好交流关系。", ""),
                ("2025-05-08", K.CULTURE, True, ["Uji"], "浮梁茶与宇治茶茶文化交流会。", ""),
            ],
            "yz-fao": [
                ("2019-08-18", K.CULTURE, True, ["Chiang Mai"], "与清迈联合举办城市文化周。", ""),
                (
                    "2024-04-23",
                    K.VISIT_IN,
                    True,
                    ["George Town"],
                    "乔治市代表团来访，签署友好交流意向书。",
                    "",
                ),
            ],
        }
        for code, rows in exchanges.items():
            if code in by_office:
                for row in rows:
                    _exchange(offices[code], row, by_office[code])
        for code, metric, level, value, start, deadline, note in TARGETS:
            if code in offices:
                Target.objects.get_or_create(
                    office=offices[code],
                    metric=metric,
                    start=d(start),
                    deadline=d(deadline),
                    defaults={"level": level, "value": Decimal(value), "note": note},
                )
    return {
        "partnerships": Partnership.objects.count(),
        "exchanges": PartnerExchange.objects.count(),
        "targets": Target.objects.count(),
    }
