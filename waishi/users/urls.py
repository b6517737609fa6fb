from django.urls import path

from waishi.users import views
from waishi.users.views import UserViews

app_name = "users"

urlpatterns = [
    *UserViews.urls(),
    path("second-factor/", views.SecondFactorView.as_view(), name="second_factor"),
    path("second-factor/enrol/", views.SecondFactorEnrolView.as_view(), name="second_factor_enrol"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/<int:pk>/roles/", views.UserRolesView.as_view(), name="user_roles"),
    path(
        "users/<int:pk>/second-factor/reset/",
        views.SecondFactorResetView.as_view(),
        name="second_factor_reset",
    ),
]
