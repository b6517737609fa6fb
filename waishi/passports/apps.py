from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassportsConfig(AppConfig):
    name = "waishi.passports"
    label = "passports"
    verbose_name = _("Travel documents")

    def ready(self):
        from waishi.core.navigation import Menu, MenuItem, register_menu, register_work_queue
        from waishi.core.search import Searcher, register_searcher
        from waishi.passports import rules  # noqa: F401  (registers passport.valid and unit.locked)
        from waishi.passports.selectors import search_hits, work_items

        register_menu(
            Menu(
                "passports",
                _("Travel documents"),
                "bi-passport",
                order=20,
                items=(
                    MenuItem(_("Custody"), "passports:custody", "passports.view_traveldocument"),
                    MenuItem(
                        _("All documents"), "passports:traveldocument_list", "passports.view_traveldocument"
                    ),
                    MenuItem(
                        _("Register a document"),
                        "passports:traveldocument_add",
                        "passports.add_traveldocument",
                    ),
                    MenuItem(
                        _("Collection and custody rates"),
                        "passports:figures",
                        "passports.view_traveldocument",
                    ),
                ),
            )
        )
        register_work_queue(work_items)
        register_searcher(Searcher(_("Travel documents"), search_hits))
