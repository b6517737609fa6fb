"""The crypto provider: SM4-GCM encryption and HMAC-SM3 (GB/T 39786 level 3, QUALITY.md line 9).

Everything that encrypts, decrypts or MACs goes through ``provider()``, so a certified hardware
module can replace ``SoftwareProvider`` by naming another class in WAISHI_CRYPTO_PROVIDER.

Ciphertext format (text, safe in any column): ``sm4gcm$<key id>$<base64(nonce | ciphertext | tag)>``.
The key id travels with the ciphertext, so keys can be rotated: the active key encrypts, every
configured key decrypts.
"""

import base64
import hmac as std_hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.utils.module_loading import import_string

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """The ciphertext is malformed, was altered, or its key is unknown."""


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


class SoftwareProvider:
    """SM4-GCM and HMAC-SM3 in software, with keys from settings."""

    def __init__(self, keys: dict[str, str], active_key: str, blind_index_key: str, audit_key: str):
        self.keys = {kid: bytes.fromhex(key) for kid, key in keys.items()}
        if active_key not in self.keys:
            raise ValueError(f"active key {active_key!r} is not among the configured keys")
        for kid, key in self.keys.items():
            if len(key) != 16:
                raise ValueError(f"SM4 key {kid!r} must be 16 bytes (32 hex characters)")
        self.active_key = active_key
        self.blind_index_key = bytes.fromhex(blind_index_key)
        self.audit_key = bytes.fromhex(audit_key)

    def encrypt(self, plaintext: str, associated_data: bytes = b"") -> str:
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self.keys[self.active_key]), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated_data)
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        token = base64.b64encode(nonce + body + encryptor.tag).decode()
        return f"{PREFIX}${self.active_key}${token}"

    def decrypt(self, ciphertext: str, associated_data: bytes = b"") -> str:
        try:
            prefix, kid, token = ciphertext.split("$", 2)
            raw = base64.b64decode(token, validate=True)
        except ValueError as exc:
            raise DecryptionError("malformed ciphertext") from exc
        if base64.b64encode(raw).decode() != token:  # one stored value per ciphertext: no altered padding
            raise DecryptionError("malformed ciphertext")
        if prefix != PREFIX or kid not in self.keys or len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("unknown format or key")
        nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self.keys[kid]), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(associated_data)
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode()
        except InvalidTag as exc:
            raise DecryptionError("ciphertext failed authentication") from exc

    def blind_index(self, value: str, domain: str) -> str:
        """A keyed, deterministic digest for exact-match lookup; ``domain`` separates fields."""
        return hmac_sm3(self.blind_index_key, f"{domain}\x00{value}".encode()).hex()

    def audit_mac(self, data: bytes) -> str:
        return hmac_sm3(self.audit_key, data).hex()

    @staticmethod
    def constant_time_equal(a: str, b: str) -> bool:
        return std_hmac.compare_digest(a, b)


@cache
def provider() -> SoftwareProvider:
    cls = import_string(settings.WAISHI_CRYPTO_PROVIDER)
    return cls(
        keys=settings.WAISHI_CRYPTO_KEYS,
        active_key=settings.WAISHI_CRYPTO_ACTIVE_KEY,
        blind_index_key=settings.WAISHI_BLIND_INDEX_KEY,
        audit_key=settings.WAISHI_AUDIT_KEY,
    )
