from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "waishi.core"
    label = "core"
    verbose_name = _("System")

    def ready(self):
        from waishi.core.navigation import Menu, MenuItem, register_menu

        register_menu(
            Menu(
                "system",
                _("System"),
                "bi-gear",
                order=90,
                items=(
                    MenuItem(_("Users"), "users:user_list", "users.view_user"),
                    MenuItem(
                        _("Working-day calendar"), "core:workdayoverride_list", "core.view_workdayoverride"
                    ),
                    MenuItem(_("Audit log"), "core:auditlog_list", "core.view_auditlog"),
                    MenuItem(_("Change log"), "core:changelog_list", "core.view_changelog"),
                ),
            )
        )
