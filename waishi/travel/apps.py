from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TravelConfig(AppConfig):
    name = "waishi.travel"
    label = "travel"
    verbose_name = _("Outbound trips")

    def ready(self):
        from waishi.core.navigation import Menu, MenuItem, register_menu, register_work_queue
        from waishi.core.search import Searcher, register_searcher
        from waishi.travel.selectors import search_trips, work_items

        register_menu(
            Menu(
                "travel",
                _("Outbound trips"),
                "bi-airplane",
                order=10,
                items=(
                    MenuItem(_("Trips"), "travel:trip_list", "travel.view_trip"),
                    MenuItem(_("New application"), "travel:trip_add", "travel.add_trip"),
                    MenuItem(_("Annual plan"), "travel:planentry_list", "travel.view_planentry"),
                    MenuItem(_("Per-diem rates"), "travel:perdiemrate_list", "travel.view_perdiemrate"),
                ),
            )
        )
        register_work_queue(work_items)
        register_searcher(Searcher(_("Outbound trips"), search_trips))
