from django.urls import path

from waishi.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.<str:fmt>", views.annual_report, name="annual_report"),
]
