from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "waishi.partners"
    label = "partners"
    verbose_name = _("Sister cities")

    def ready(self):
        from waishi.core.navigation import Menu, MenuItem, register_menu, register_work_queue
        from waishi.core.search import Searcher, register_searcher
        from waishi.partners import config  # noqa: F401  (defines the partners.* settings)
        from waishi.partners.selectors import search_hits, work_items

        register_menu(
            Menu(
                "partners",
                _("Sister cities"),
                "bi-globe-asia-australia",
                order=30,
                items=(
                    MenuItem(_("Partnerships"), "partners:partnership_list", "partners.view_partnership"),
                    MenuItem(
                        _("Exchanges"), "partners:partnerexchange_list", "partners.view_partnerexchange"
                    ),
                    MenuItem(
                        _("Record an exchange"),
                        "partners:partnerexchange_add",
                        "partners.add_partnerexchange",
                    ),
                    MenuItem(
                        _("Three batches (三个一批)"), "partners:three_batches", "partners.view_partnership"
                    ),
                    MenuItem(_("Targets"), "partners:targets", "partners.view_target"),
                    MenuItem(_("Map and figures"), "partners:map", "partners.view_partnership"),
                ),
            )
        )
        register_work_queue(work_items)
        register_searcher(Searcher(_("Sister cities"), search_hits))
