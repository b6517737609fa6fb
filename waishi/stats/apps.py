from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "waishi.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from waishi.core.navigation import Menu, MenuItem, register_menu

        register_menu(
            Menu(
                "stats",
                _("Statistics"),
                "bi-bar-chart",
                order=40,
                items=(MenuItem(_("Dashboard"), "stats:dashboard", "travel.view_statistics"),),
            )
        )
