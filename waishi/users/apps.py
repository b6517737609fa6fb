from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "waishi.users"
    label = "users"
    verbose_name = _("Users")

    def ready(self):
        from waishi.users import signals  # noqa: F401  (connects the audit receivers)
        from waishi.users.roles import sync_roles

        # Roles are groups whose permissions are declared in roles.py; keep them in step after migrate.
        post_migrate.connect(sync_roles, dispatch_uid="waishi.users.sync_roles")
