from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from waishi.core.models import RestrictedQuerySet, record_url
from waishi.users.choices import Role


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):
    """Django's user manager with ``restrict()``."""


class User(AbstractUser):
    """A login. Roles are groups named by the role codes of API.md (see roles.py)."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    person = models.OneToOneField(
        "directory.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects = UserManager()

    scope_field = "organization"
    changelog_exclude = ("password",)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [
            ("assign_roles", _("Can assign roles to users")),
            ("reset_second_factor_user", _("Can reset a user's second factor")),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return record_url("users:user", self.pk)

    @property
    def role_codes(self) -> set[str]:
        return {group.name for group in self.groups.all()}

    @property
    def role_labels(self) -> list[str]:
        return [Role(code).label for code in sorted(self.role_codes) if code in Role.values]

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))

    @property
    def second_factor_enrolled(self) -> bool:
        """The user has a confirmed TOTP device."""
        return user_has_device(self)
