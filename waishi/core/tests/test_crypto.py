"""The crypto provider and the encrypted fields (QUALITY.md Security line 9, 密评 GB/T 39786).

Known-answer vectors pin the primitives to SM3 and SM4; an independent SM4-GCM computation (CTR keystream
and GHASH built on SM4-ECB) pins the stored format; the Person model shows what reaches the database.
"""

import base64
import json
import string

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import FieldError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waishi.core import services
from waishi.core.crypto import (
    NONCE_BYTES,
    TAG_BYTES,
    DecryptionError,
    SoftwareProvider,
    hmac_sm3,
    provider,
    sm3,
)
from waishi.core.fields import mask, normalize
from waishi.core.models import AuditLog, ChangeLog
from waishi.core.testing.factories import PersonFactory
from waishi.directory.models import Person

K1 = "0123456789abcdeffedcba9876543210"
K2 = "00112233445566778899aabbccddeeff"
BLIND = "11" * 32
AUDIT = "22" * 32
ID_NUMBER = "11010519491231002X"


def make_provider(keys=None, active="k1", blind=BLIND, audit_key=AUDIT) -> SoftwareProvider:
    return SoftwareProvider(
        keys=keys or {"k1": K1}, active_key=active, blind_index_key=blind, audit_key=audit_key
    )


def split(token: str) -> tuple[str, str, bytes]:
    prefix, kid, body = token.split("$", 2)
    return prefix, kid, base64.b64decode(body)


def join(prefix: str, kid: str, raw: bytes) -> str:
    return f"{prefix}${kid}${base64.b64encode(raw).decode()}"


# --- SM4-GCM computed independently from the SM4 block cipher (NIST SP 800-38D) ---------------------


def sm4_block(key: bytes, block: bytes) -> bytes:
    # One block of the raw cipher, to check the primitive and to rebuild GCM from it: not for data.
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    return encryptor.update(block) + encryptor.finalize()


def gf128_mul(x: int, y: int) -> int:
    r = 0xE1 << 120
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ r if v & 1 else v >> 1
    return z


def ghash(h: bytes, aad: bytes, ciphertext: bytes) -> bytes:
    def blocks(data: bytes):
        padded = data + b"\x00" * (-len(data) % 16)
        return [padded[i : i + 16] for i in range(0, len(padded), 16)]

    lengths = (len(aad) * 8).to_bytes(8, "big") + (len(ciphertext) * 8).to_bytes(8, "big")
    y, hk = 0, int.from_bytes(h, "big")
    for block in [*blocks(aad), *blocks(ciphertext), lengths]:
        y = gf128_mul(y ^ int.from_bytes(block, "big"), hk)
    return y.to_bytes(16, "big")


def sm4_gcm_reference(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """(ciphertext, tag) of SM4-GCM with a 96-bit nonce, from the block cipher alone."""
    counter = int.from_bytes(nonce + b"\x00\x00\x00\x01", "big")
    out = bytearray()
    for offset in range(0, len(plaintext), 16):
        counter += 1
        keystream = sm4_block(key, counter.to_bytes(16, "big"))
        chunk = plaintext[offset : offset + 16]
        out += bytes(a ^ b for a, b in zip(chunk, keystream, strict=False))
    h = sm4_block(key, b"\x00" * 16)
    s = ghash(h, aad, bytes(out))
    e_j0 = sm4_block(key, nonce + b"\x00\x00\x00\x01")
    return bytes(out), bytes(a ^ b for a, b in zip(s, e_j0, strict=True))


# --- primitives --------------------------------------------------------------------------------------


def test_sm3_known_answers():
    # GB/T 32905-2016, appendix A.
    assert sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_block_known_answer():
    # GB/T 32907-2016, appendix A example 1: key = plaintext.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm4_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_hmac_sm3_is_rfc2104_over_sm3():
    key, data = b"k" * 20, b"what do ya want for nothing?"
    block = 64
    padded = key + b"\x00" * (block - len(key))
    inner = sm3(bytes(b ^ 0x36 for b in padded) + data)
    expected = sm3(bytes(b ^ 0x5C for b in padded) + inner)
    assert hmac_sm3(key, data) == expected
    assert hmac_sm3(key, data) != hmac_sm3(key + b"!", data)


def test_provider_output_is_sm4_gcm_in_the_documented_layout():
    p = make_provider()
    token = p.encrypt("护照号码 E12345678", b"directory.person.id_number")
    prefix, kid, raw = split(token)
    assert (prefix, kid) == ("sm4gcm", "k1")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    expected_body, expected_tag = sm4_gcm_reference(
        bytes.fromhex(K1), nonce, "护照号码 E12345678".encode(), b"directory.person.id_number"
    )
    assert body == expected_body
    assert tag == expected_tag


# --- the software provider ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(plaintext=st.text(max_size=200), aad=st.binary(max_size=40))
def test_round_trip(plaintext, aad):
    p = make_provider()
    token = p.encrypt(plaintext, aad)
    assert token.startswith("sm4gcm$k1$")
    assert p.decrypt(token, aad) == plaintext


def test_ciphertext_differs_each_time():
    p = make_provider()
    tokens = {p.encrypt(ID_NUMBER) for _ in range(20)}
    assert len(tokens) == 20
    nonces = {split(t)[2][:NONCE_BYTES] for t in tokens}
    assert len(nonces) == 20
    assert all(p.decrypt(t) == ID_NUMBER for t in tokens)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_flipped_byte_of_nonce_ciphertext_or_tag_is_refused(data):
    p = make_provider()
    token = p.encrypt(data.draw(st.text(min_size=0, max_size=40), label="plaintext"), b"ad")
    prefix, kid, raw = split(token)
    index = data.draw(st.integers(0, len(raw) - 1), label="index")
    bit = data.draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]), label="bit")
    altered = bytearray(raw)
    altered[index] ^= bit
    with pytest.raises(DecryptionError):
        p.decrypt(join(prefix, kid, bytes(altered)), b"ad")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_flipped_character_of_prefix_or_key_id_is_refused(data):
    p = make_provider()
    token = p.encrypt(ID_NUMBER)
    header_length = len("sm4gcm$k1$")
    index = data.draw(st.integers(0, header_length - 1), label="index")
    altered = bytearray(token.encode())
    altered[index] ^= data.draw(st.sampled_from([1, 2, 4, 8, 16, 32]), label="bit")
    with pytest.raises(DecryptionError):
        p.decrypt(altered.decode("latin-1"))


@pytest.mark.parametrize(
    "token",
    ["", "sm4gcm", "sm4gcm$k1", "sm4gcm$k1$not base64!", "sm4gcm$k1$" + base64.b64encode(b"short").decode()],
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(DecryptionError):
        make_provider().decrypt(token)


def test_truncated_or_extended_token_is_refused():
    p = make_provider()
    prefix, kid, raw = split(p.encrypt(ID_NUMBER))
    for altered in (raw[:-1], raw + b"\x00", raw[1:]):
        with pytest.raises(DecryptionError):
            p.decrypt(join(prefix, kid, altered))


def test_every_altered_character_of_the_stored_value_is_refused():
    p = make_provider()
    # nonce + ciphertext + tag of 3k+1 bytes: the base64 text ends in "==" and its last data character
    # carries 4 bits that decoding ignores unless the encoding is checked to be canonical.
    plaintext = next("9" * n for n in range(1, 10) if (NONCE_BYTES + TAG_BYTES + n) % 3 == 1)
    token = p.encrypt(plaintext)
    alphabet = string.ascii_letters + string.digits + "+/="
    accepted = []
    for index, original in enumerate(token):
        for replacement in alphabet:
            if replacement == original:
                continue
            altered = token[:index] + replacement + token[index + 1 :]
            try:
                p.decrypt(altered)
            except DecryptionError:
                continue
            accepted.append((index, original, replacement))
    assert accepted == []


def test_wrong_associated_data_is_refused():
    p = make_provider()
    token = p.encrypt(ID_NUMBER, b"directory.person.id_number")
    assert p.decrypt(token, b"directory.person.id_number") == ID_NUMBER
    for aad in (b"", b"directory.person.phone", b"directory.person.id_number\x00"):
        with pytest.raises(DecryptionError):
            p.decrypt(token, aad)


def test_unknown_key_or_wrong_key_is_refused():
    token = make_provider().encrypt(ID_NUMBER)
    with pytest.raises(DecryptionError):
        make_provider(keys={"k2": K2}, active="k2").decrypt(token)
    # Same key id, different key material: authentication fails.
    with pytest.raises(DecryptionError):
        make_provider(keys={"k1": K2}).decrypt(token)


def test_key_rotation():
    old = make_provider(keys={"k1": K1}, active="k1")
    token_k1 = old.encrypt(ID_NUMBER)
    rotated = make_provider(keys={"k1": K1, "k2": K2}, active="k2")
    assert rotated.decrypt(token_k1) == ID_NUMBER
    token_k2 = rotated.encrypt(ID_NUMBER)
    assert token_k2.startswith("sm4gcm$k2$")
    assert rotated.decrypt(token_k2) == ID_NUMBER
    # The old deployment, which does not hold k2, cannot read the new value.
    with pytest.raises(DecryptionError):
        old.decrypt(token_k2)
    # The value really is under k2: the same bytes relabelled as k1 fail.
    _prefix, _kid, raw = split(token_k2)
    with pytest.raises(DecryptionError):
        rotated.decrypt(join("sm4gcm", "k1", raw))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"keys": {"k1": K1}, "active": "k9"},
        {"keys": {"k1": K1[:-2]}, "active": "k1"},
        {"keys": {"k1": K1 + "00"}, "active": "k1"},
    ],
)
def test_misconfigured_keys_are_refused_at_start(kwargs):
    with pytest.raises(ValueError):
        make_provider(**kwargs)


def test_blind_index_is_deterministic_keyed_and_domain_separated():
    p = make_provider()
    a = p.blind_index(ID_NUMBER, "directory.person.id_number")
    assert a == p.blind_index(ID_NUMBER, "directory.person.id_number")
    assert len(a) == 64 and int(a, 16) >= 0
    assert a != p.blind_index(ID_NUMBER, "directory.person.phone")
    assert a != p.blind_index("11010519491231003X", "directory.person.id_number")
    assert a != make_provider(blind="33" * 32).blind_index(ID_NUMBER, "directory.person.id_number")
    # Keyed: not a bare SM3 of the value.
    assert a != sm3(f"directory.person.id_number\x00{ID_NUMBER}".encode()).hex()
    assert a == hmac_sm3(bytes.fromhex(BLIND), f"directory.person.id_number\x00{ID_NUMBER}".encode()).hex()


@settings(max_examples=60, deadline=None)
@given(value=st.text(min_size=1, max_size=30), other=st.text(min_size=1, max_size=30))
def test_blind_index_distinguishes_values(value, other):
    p = make_provider()
    same = p.blind_index(value, "d") == p.blind_index(other, "d")
    assert same == (value == other)


def test_audit_mac_uses_its_own_key():
    p = make_provider()
    assert p.audit_mac(b"row") == hmac_sm3(bytes.fromhex(AUDIT), b"row").hex()
    assert p.audit_mac(b"row") != make_provider(audit_key="44" * 32).audit_mac(b"row")
    assert p.audit_mac(b"row") != p.blind_index("row", "")


# --- masking and normalisation -----------------------------------------------------------------------


@settings(max_examples=100)
@given(value=st.text(alphabet=string.digits + "X", min_size=8, max_size=30))
def test_mask_keeps_only_head_and_tail(value):
    masked = mask(value, 3, 4)
    assert len(masked) == len(value)
    assert masked[:3] == value[:3]
    assert masked[-4:] == value[-4:]
    assert set(masked[3:-4]) == {"*"}


@settings(max_examples=50)
@given(value=st.text(alphabet=string.digits, min_size=1, max_size=7))
def test_mask_of_a_short_value_shows_at_most_a_third(value):
    masked = mask(value, 3, 4)
    assert len(masked) == len(value)
    shown = len(masked) - masked.count("*")
    assert 1 <= shown <= max(1, len(value) // 3)


def test_normalize():
    assert normalize(" 110105 19491231-002x ") == "11010519491231002X"
    assert mask("") == "" and mask(None) == ""


# --- encrypted model fields through Person -----------------------------------------------------------


def raw_column(person, column="id_number") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM directory_person WHERE id = %s", [person.pk])  # noqa: S608
        return cursor.fetchone()[0]


def write_raw_column(person, value: str, column="id_number") -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE directory_person SET {column} = %s WHERE id = %s", [value, person.pk])  # noqa: S608


@pytest.mark.django_db
def test_database_holds_ciphertext_and_reading_gives_plaintext(world):
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER, phone="13800138000")
    stored = raw_column(person)
    assert stored.startswith(f"sm4gcm${provider().active_key}$")
    assert ID_NUMBER not in stored and ID_NUMBER.lower() not in stored
    assert "13800138000" not in raw_column(person, "phone")
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.id_number == ID_NUMBER
    assert loaded.phone == "13800138000"
    assert provider().decrypt(stored, b"directory.person.id_number") == ID_NUMBER


@pytest.mark.django_db
def test_empty_value_is_stored_empty(world):
    person = PersonFactory(organization=world.unit_a, id_number="", phone="")
    assert raw_column(person) == ""
    assert Person.objects.get(pk=person.pk).id_number == ""
    assert Person.objects.filter(pk=person.pk, id_number="").exists()
    assert Person.objects.get(pk=person.pk).id_number_masked == ""


@pytest.mark.django_db
def test_value_is_normalised_before_encryption(world):
    person = PersonFactory(organization=world.unit_a, id_number="110105 19491231 002x")
    assert Person.objects.get(pk=person.pk).id_number == ID_NUMBER


@pytest.mark.django_db
def test_flipped_byte_in_the_column_fails_to_decrypt(world):
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER)
    stored = raw_column(person)
    middle = len(stored) // 2
    altered = stored[:middle] + chr(ord(stored[middle]) ^ 1) + stored[middle + 1 :]
    write_raw_column(person, altered)
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk)


@pytest.mark.django_db
def test_ciphertext_is_bound_to_its_column(world):
    """Associated data names the field: a phone ciphertext copied into the ID column does not decrypt."""
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER, phone="13800138000")
    write_raw_column(person, raw_column(person, "phone"))
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spacing=st.lists(st.sampled_from(["", " ", "  ", "-"]), min_size=18, max_size=18),
    lower=st.booleans(),
)
def test_blind_match_finds_the_person_whatever_the_spacing_and_case(world, spacing, lower):
    person = Person.objects.filter(organization=world.unit_a, name="盲索引").first() or PersonFactory(
        organization=world.unit_a, name="盲索引", id_number=ID_NUMBER
    )
    PersonFactory(organization=world.unit_a, name="他人", id_number="110105194912310037")
    typed = "".join(sep + ch for sep, ch in zip(spacing, ID_NUMBER, strict=True))
    typed = typed.lower() if lower else typed
    assert list(Person.objects.blind_match("id_number", typed)) == [person]


@pytest.mark.django_db
def test_blind_match_specific_examples(world):
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER, phone="13800138000")
    assert list(Person.objects.blind_match("id_number", "11010519491231002x")) == [person]
    assert list(Person.objects.blind_match("id_number", " 110105 19491231 002X ")) == [person]
    assert not Person.objects.blind_match("id_number", "11010519491231002Y").exists()
    # Domain separation: the ID number does not match through the phone index.
    assert not Person.objects.blind_match("phone", ID_NUMBER).exists()
    assert list(Person.objects.blind_match("phone", "138 0013 8000")) == [person]
    with pytest.raises(FieldError):
        Person.objects.blind_match("name", "张三")


@pytest.mark.django_db
def test_blind_index_follows_an_edit(world):
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER)
    person.id_number = "110105194912310037"
    person.save()
    assert not Person.objects.blind_match("id_number", ID_NUMBER).exists()
    assert list(Person.objects.blind_match("id_number", "110105194912310037")) == [person]


@pytest.mark.django_db
def test_masked_shows_first_three_and_last_four(world):
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER, phone="13800138000")
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.id_number_masked == "110" + "*" * 11 + "002X"
    assert loaded.phone_masked == "138****8000"


@pytest.mark.django_db
@pytest.mark.parametrize("lookup", ["contains", "icontains", "startswith", "endswith", "gt", "in", "regex"])
def test_lookups_on_ciphertext_are_refused(world, lookup):
    value = ["110"] if lookup == "in" else "110"
    with pytest.raises(FieldError):
        list(Person.objects.filter(**{f"id_number__{lookup}": value}))


@pytest.mark.django_db
def test_exact_filter_on_an_encrypted_value_does_not_silently_miss(world):
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER)
    try:
        found = list(Person.objects.filter(id_number=ID_NUMBER))
    except FieldError:
        return  # refusing the lookup is a correct answer
    assert found == [person]


@pytest.mark.django_db
def test_change_log_and_audit_log_never_hold_the_plaintext(world):
    actor = world.user("fao_staff")
    person = services.model_create(
        actor=actor,
        obj=Person(
            organization=world.unit_a, name="李四", gender="male", id_number=ID_NUMBER, phone="13800138000"
        ),
    )
    person = Person.objects.get(pk=person.pk)
    person.id_number = "110105194912310037"
    person.phone = "13912345678"
    services.model_update(actor=actor, obj=person, version=person.version)
    services.reveal(actor=actor, obj=person, field="id_number", reason="核对护照申请")

    entries = list(ChangeLog.objects.filter(object_id=str(person.pk)).values("before", "after"))
    assert len(entries) == 2
    logged = json.dumps(entries, ensure_ascii=False) + json.dumps(
        list(AuditLog.objects.values("detail", "object_repr")), ensure_ascii=False
    )
    for secret in (ID_NUMBER, "110105194912310037", "13800138000", "13912345678"):
        assert secret not in logged
    update = ChangeLog.objects.get(object_id=str(person.pk), action="update")
    assert update.before["id_number"] == "110***********002X"
    assert update.after["id_number"] == "110***********0037"
    assert ("id_number", "110***********002X", "110***********0037") in update.changes
