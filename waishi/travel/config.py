"""The rules, deadlines and limits of outbound trips: defaults from DOMAIN.md, editable per office."""

from django.utils.translation import gettext_lazy as _

from waishi.core.config import define

COUNTRIES_MAX = define(
    "travel.countries.max",
    3,
    _("Countries and regions per trip, at most"),
    source="国家规定（浙江大学实施细则）",
)
DAYS_MAX = define(
    "travel.days.max",
    {"1": 5, "2": 8, "3": 10},
    _("Days abroad by number of countries, at most"),
    _("Counting the day of leaving and the day of re-entering China."),
    source="国家规定（浙江大学实施细则）",
)
DAYS_MAX_EXTENDED = define(
    "travel.days.max_extended",
    {"1": 6, "2": 9, "3": 11},
    _("Days abroad by number of countries for Latin America or Africa, at most"),
    source="国家规定",
)
MEMBERS_MAX = define("travel.members.max", 6, _("Members per delegation, at most"), source="国家规定")
FREQUENCY_BY_RANK = define(
    "travel.frequency.rank",
    {"provincial": [1, 1], "bureau": [1, 2], "deputy_bureau": [1, 2]},
    _("Trips per person by rank: [trips, within years]"),
    source="山东省2013年规定",
)
PRINCIPAL_POSITIONS = define(
    "travel.leaders.positions",
    ["书记", "局长", "主任", "校长", "院长", "董事长", "总经理", "区长", "县长", "市长", "厅长"],
    _("Positions of a unit's principal leaders (deputies excluded)"),
    source="国家规定",
)
REFUSED_INVITERS = define(
    "travel.invitation.refused_kinds",
    ["overseas_chinese", "foreign_mission", "intermediary"],
    _("Inviter kinds that are not accepted"),
    source="广东省、中国科大审核清单",
)
NOTICE_WORKDAYS = define(
    "travel.notice.workdays", 5, _("Pre-trip public notice, working days at least"), source="厦门市外办"
)
HKMO_STAY_NORMAL = define(
    "travel.hkmo.stay_normal",
    7,
    _("Hong Kong or Macao stay, normally at most (days)"),
    source="湖南省、港澳办指南",
)
HKMO_STAY_MAX = define(
    "travel.hkmo.stay_max",
    30,
    _("Hong Kong or Macao stay, never more than (days)"),
    source="湖南省、港澳办指南",
)
ESCALATE_RANK = define(
    "travel.approval.escalate_rank",
    "deputy_bureau",
    _("A member of this rank or above sends the approval to the superior office"),
)
APPROVAL_FORMAT = define(
    "travel.approval.number_format", "{doc_code}〔{year}〕{seq}号", _("Approval number format")
)
REPORT_DUE = define(
    "travel.report.due", "1m", _("Trip report due after return (e.g. 1m, 15wd, 30d)"), source="景德镇市外办"
)
