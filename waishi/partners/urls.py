from django.urls import path

from waishi.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("three-batches/", views.three_batches, name="three_batches"),
    path("targets/progress/", views.targets, name="targets"),
    path(
        "partnerships/<int:pk>/contacts/<int:contact_pk>/delete/",
        views.ContactDeleteView.as_view(config=views.PartnershipViews),
        name="partnership_contact_delete",
    ),
    path(
        "partnerships/<int:pk>/contacts/<int:contact_pk>/reveal/",
        views.ContactRevealView.as_view(config=views.PartnershipViews),
        name="partnership_contact_reveal",
    ),
    path(
        "partnerships/<int:pk>/do/<str:action>/",
        views.PartnershipActionView.as_view(config=views.PartnershipViews),
        name="partnership_action",
    ),
    *views.PartnershipViews.urls(),
    *views.PartnerExchangeViews.urls(),
    *views.TargetViews.urls(),
]
