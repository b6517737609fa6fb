"""Encrypted personal data (QUALITY.md line 9).

``EncryptedCharField`` keeps SM4-GCM ciphertext in the database and the plaintext on the instance;
it adds ``<name>_masked`` to the model. ``BlindIndexField(source=...)`` keeps an HMAC-SM3 digest of
the normalised plaintext, so an exact match is one indexed lookup (``Model.objects.blind_match``),
never a decryption of every row.
"""

from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from waishi.core.crypto import DecryptionError, provider


def normalize(value: str) -> str:
    """The canonical form of an identifier: no spaces or hyphens, upper case."""
    return "".join(value.split()).replace("-", "").upper()


def mask(value: str | None, head: int = 3, tail: int = 4) -> str:
    """Keep the first ``head`` and last ``tail`` characters, star the rest."""
    if not value:
        return ""
    if len(value) <= head + tail:
        visible = max(1, len(value) // 3)
        return value[:visible] + "*" * (len(value) - visible)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


class EncryptedCharField(models.TextField):
    description = _("Encrypted text")

    def __init__(self, *args, mask_head: int = 3, mask_tail: int = 4, max_plain_length: int = 64, **kwargs):
        self.mask_head = mask_head
        self.mask_tail = mask_tail
        self.max_plain_length = max_plain_length
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(
            mask_head=self.mask_head, mask_tail=self.mask_tail, max_plain_length=self.max_plain_length
        )
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        field = self

        def masked(instance):
            return mask(getattr(instance, field.attname), field.mask_head, field.mask_tail)

        setattr(cls, f"{name}_masked", property(masked))

    @property
    def associated_data(self) -> bytes:
        return f"{self.model._meta.label_lower}.{self.name}".encode()

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return provider().decrypt(value, self.associated_data)

    def to_python(self, value):
        if value is None:
            return value
        return normalize(str(value))

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value and len(value) > self.max_plain_length:
            raise ValidationError(
                _("At most %(limit)d characters."), code="max_length", params={"limit": self.max_plain_length}
            )

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return provider().encrypt(normalize(value), self.associated_data)

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only emptiness can be queried; exact matches go through the blind index.
        if lookup_name == "exact":
            return EmptyExact
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(
            max_length=self.max_plain_length, required=not self.blank, label=self.verbose_name
        )


class EmptyExact(Exact):
    """``field=""`` works; ``field="value"`` would compare with a fresh ciphertext and never match."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError("encrypted fields are matched through their blind index: use blind_match()")
        return super().get_prep_lookup()


class BlindIndexField(models.CharField):
    """HMAC-SM3 of another field's normalised plaintext, filled on save."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.update(max_length=64, editable=False, blank=True, default="", db_index=True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "editable", "blank", "default", "db_index"):
            kwargs.pop(key, None)
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def digest(self, plaintext: str | None) -> str:
        if not plaintext:
            return ""
        return provider().blind_index(normalize(plaintext), f"{self.model._meta.label_lower}.{self.source}")

    def pre_save(self, model_instance, add):
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def mask_numbers(model, values: dict[str, str]) -> dict[str, str]:
    """``values`` (a request's parameters) with each one that is a stored full number of ``model`` masked as
    its field masks it: what is recorded of a search by number (an export's audit row) never holds the
    number (QUALITY.md Security 9)."""
    indexed = [model._meta.get_field(f.source) for f in model._meta.fields if isinstance(f, BlindIndexField)]
    masked = dict(values)
    for key, value in values.items():
        for field in indexed:
            if value and model.objects.blind_match(field.name, value).exists():
                masked[key] = mask(normalize(value), field.mask_head, field.mask_tail)
                break
    return masked


__all__ = ["BlindIndexField", "DecryptionError", "EncryptedCharField", "mask", "mask_numbers", "normalize"]
