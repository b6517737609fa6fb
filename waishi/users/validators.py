import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters (MLPS)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if sum(1 for pattern in CLASSES if re.search(pattern, password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must mix at least %(count)d of: lower-case letters, upper-case letters, "
            "digits and other characters."
        ) % {"count": self.min_classes}
