from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "waishi.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from waishi.core.navigation import Menu, MenuItem, register_menu
        from waishi.core.search import Searcher, register_searcher
        from waishi.directory import config  # noqa: F401  (defines the directory's settings)
        from waishi.directory.selectors import search_organizations, search_people

        register_menu(
            Menu(
                "directory",
                _("Directory"),
                "bi-people",
                order=80,
                items=(
                    MenuItem(
                        _("Organizations"), "directory:organization_list", "directory.view_organization"
                    ),
                    MenuItem(_("People"), "directory:person_list", "directory.view_person"),
                    MenuItem(_("Countries and regions"), "directory:country_list", "directory.view_country"),
                    MenuItem(_("Cities"), "directory:city_list", "directory.view_city"),
                ),
            )
        )
        register_searcher(Searcher(_("People"), search_people))
        register_searcher(Searcher(_("Organizations"), search_organizations))
