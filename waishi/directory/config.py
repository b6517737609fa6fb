"""The directory's per-office settings."""

from django.utils.translation import gettext_lazy as _

from waishi.core.config import define

RANK_NAMES = define(
    "directory.rank.names",
    {},
    _("The office's rank table: the name it uses for each rank code (empty: the national names)"),
    _(
        'For example {"division": "处级"}. The codes are fixed (API.md); the rules that depend on rank '
        "(trip frequency, escalation) are travel settings."
    ),
)


def rank_choices(office) -> list[tuple[str, str]]:
    """The rank choices as an office names them, highest first."""
    from waishi.core import config
    from waishi.directory.choices import Rank

    names = config.get(RANK_NAMES.key, office) if office is not None else {}
    return [(code, names.get(code) or label) for code, label in Rank.choices]
