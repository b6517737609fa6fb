from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from waishi.core import views as core_views
from waishi.core.api.views import UnknownAddressView
from waishi.stats.api.views import StatsView
from waishi.users.views import LoginView

api_patterns = [
    path("", include("waishi.directory.api.urls")),
    path("", include("waishi.travel.api.urls")),
    path("", include("waishi.passports.api.urls")),
    path("", include("waishi.partners.api.urls")),
    path("stats/", StatsView.as_view(), name="stats"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^[\s\S]*/\Z", UnknownAddressView.as_view()),  # any other address ending in a slash
]

handler403 = core_views.permission_denied

urlpatterns = [
    path("", core_views.home, name="home"),
    path("search/", core_views.search, name="search"),
    path("work/", core_views.work, name="work_queue"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/read/", core_views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", core_views.notification_open, name="notification_open"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("system/", include("waishi.core.urls")),
    path("directory/", include("waishi.directory.urls")),
    path("users/", include("waishi.users.urls")),
    path("travel/", include("waishi.travel.urls")),
    path("passports/", include("waishi.passports.urls")),
    path("partners/", include("waishi.partners.urls")),
    path("stats/", include("waishi.stats.urls")),
    path("api/v1/", include((api_patterns, "api"))),
]
