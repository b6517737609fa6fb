from decimal import Decimal

import pycountry
import pytest

from waishi.directory import reference
from waishi.directory.choices import Continent
from waishi.directory.models import Country
from waishi.directory.reference import country_rows, geocode, load_countries

COUNTRY_FIELDS = {
    "code",
    "name_zh",
    "name_en",
    "continent",
    "is_region",
    "apostille",
    "off_limits",
    "extended_stay",
}


@pytest.fixture(scope="module")
def rows():
    return {row["code"]: row for row in country_rows()}


def test_every_iso_entry_once(rows):
    assert set(rows) == {country.alpha_2 for country in pycountry.countries}
    assert len(country_rows()) == len(pycountry.countries)
    assert all(set(row) == COUNTRY_FIELDS for row in rows.values())


def test_regions_of_china(rows):
    assert {code for code, row in rows.items() if row["is_region"]} == {"HK", "MO", "TW"}
    assert rows["HK"]["name_zh"] == "中国香港"
    assert rows["MO"]["name_zh"] == "中国澳门"
    assert rows["TW"]["name_zh"] == "中国台湾"
    assert rows["HK"]["name_en"] == "Hong Kong SAR, China"
    assert rows["MO"]["name_en"] == "Macao SAR, China"
    assert rows["TW"]["name_en"] == "Taiwan, China"
    assert all(rows[code]["continent"] == Continent.ASIA for code in ("HK", "MO", "TW"))
    assert rows["CN"]["name_zh"] == "中国"
    assert not rows["CN"]["is_region"]
    # No other entry reads as a part of China or carries the bare region names.
    others = [row for code, row in rows.items() if code not in ("HK", "MO", "TW", "CN")]
    assert not [
        row for row in others if any(word in row["name_zh"] for word in ("台湾", "香港", "澳门", "中国"))
    ]


def test_every_country_has_a_continent(rows):
    missing = [code for code, row in rows.items() if row["continent"] not in Continent.values]
    assert missing == []


def test_fallback_continents_are_valid():
    assert all(value in Continent.values for value in reference.CONTINENT_FALLBACK.values())


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("JP", "日本"),
        ("US", "美国"),
        ("GB", "英国"),
        ("KR", "韩国"),
        ("KP", "朝鲜"),
        ("RU", "俄罗斯"),
        ("BG", "保加利亚"),
        ("NP", "尼泊尔"),
        ("CY", "塞浦路斯"),
        ("EG", "埃及"),
        ("IT", "意大利"),
        ("TH", "泰国"),
        ("FR", "法国"),
        ("DE", "德国"),
        ("VN", "越南"),
        ("LA", "老挝"),
        ("IR", "伊朗"),
        ("SY", "叙利亚"),
        ("VE", "委内瑞拉"),
        ("BO", "玻利维亚"),
        ("TZ", "坦桑尼亚"),
        ("MD", "摩尔多瓦"),
        ("KH", "柬埔寨"),
    ],
)
def test_chinese_names(rows, code, name):
    assert rows[code]["name_zh"] == name


def test_names_are_filled(rows):
    assert all(row["name_zh"] and row["name_en"] for row in rows.values())
    # Translated, not left in English (pycountry's catalogue covers every entry).
    assert not [code for code, row in rows.items() if row["name_zh"].isascii()]


def test_english_names_are_short(rows):
    assert rows["KR"]["name_en"] == "South Korea"
    assert rows["RU"]["name_en"] == "Russia"
    assert rows["US"]["name_en"] == "United States"


@pytest.mark.parametrize(
    "code", ["CN", "HK", "MO", "JP", "US", "RU", "BG", "KR", "DE", "CA", "RW", "SA", "BD"]
)
def test_apostille_parties(rows, code):
    assert rows[code]["apostille"]


@pytest.mark.parametrize("code", ["EG", "VN", "TW", "TH", "KE", "AE", "IN"])
def test_apostille_non_parties(rows, code):
    # India is a party, but the Convention does not apply between China and India.
    assert not rows[code]["apostille"]


def test_apostille_codes_are_iso():
    iso = {country.alpha_2 for country in pycountry.countries}
    assert not reference.APOSTILLE - iso
    assert not reference.APOSTILLE_PARTIES - iso
    assert not reference.LATIN_AMERICA_NORTH - iso


@pytest.mark.parametrize("code", ["BR", "MX", "CU", "EG", "KE", "ZA", "AR", "PA", "JM"])
def test_extended_stay(rows, code):
    assert rows[code]["extended_stay"]


@pytest.mark.parametrize("code", ["JP", "FR", "US", "CA", "CN", "HK", "AU", "GL"])
def test_no_extended_stay(rows, code):
    assert not rows[code]["extended_stay"]


def test_latin_america_north_is_in_north_america(rows):
    assert all(rows[code]["continent"] == Continent.NORTH_AMERICA for code in reference.LATIN_AMERICA_NORTH)


def test_off_limits_is_never_set(rows):
    assert not any(row["off_limits"] for row in rows.values())


@pytest.mark.django_db
def test_load_countries_creates_then_updates_nothing():
    created, updated = load_countries()
    assert created == len(pycountry.countries)
    assert updated == 0
    assert Country.objects.count() == len(pycountry.countries)
    assert load_countries() == (0, 0)
    assert Country.objects.count() == len(pycountry.countries)
    hk = Country.objects.get(code="HK")
    assert (hk.name_zh, hk.is_region, hk.continent) == ("中国香港", True, "Asia")


@pytest.mark.django_db
def test_load_countries_keeps_edited_flags_and_fixes_names():
    load_countries()
    Country.objects.filter(code="JP").update(apostille=False, off_limits=True, extended_stay=True)
    Country.objects.filter(code="FR").update(name_zh="法兰西", continent="Asia")
    Country.objects.filter(code="DE").delete()

    created, updated = load_countries()

    assert (created, updated) == (1, 1)
    japan = Country.objects.get(code="JP")
    assert (japan.apostille, japan.off_limits, japan.extended_stay) == (False, True, True)
    france = Country.objects.get(code="FR")
    assert (france.name_zh, france.continent, france.apostille) == ("法国", "Europe", True)
    assert Country.objects.get(code="DE").apostille


def test_geocode_tokyo():
    latitude, longitude, geonameid = geocode("Tokyo", "JP")
    assert abs(latitude - Decimal("35.69")) < Decimal("0.05")
    assert abs(longitude - Decimal("139.69")) < Decimal("0.05")
    assert geonameid == 1850147
    assert latitude.as_tuple().exponent == -5
    assert longitude.as_tuple().exponent == -5


def test_geocode_faenza_and_sister_cities():
    assert geocode("Faenza", "IT") is not None
    assert geocode("faenza", "it") == geocode("Faenza", "IT")
    assert geocode("Troyan", "BG") is not None
    assert geocode("Gorodets", "RU") is not None


def test_geocode_alternate_names_and_accents():
    # "Sao Paulo" is the ascii form of São Paulo; "Peking" an alternate name of Beijing.
    assert geocode("Sao Paulo", "BR") == geocode("São Paulo", "BR")
    assert geocode("Sao Paulo", "BR") is not None
    beijing = geocode("Beijing", "CN")
    assert beijing is not None
    assert geocode("Peking", "CN") == beijing


def test_geocode_unknown():
    assert geocode("Atlantis", "GR") is None
    assert geocode("Tokyo", "FR") is None
    assert geocode("", "JP") is None
