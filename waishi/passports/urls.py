from django.urls import path

from waishi.passports import views

app_name = "passports"

urlpatterns = [
    path("", views.custody, name="custody"),
    path("figures/", views.figures, name="figures"),
    path("movements/<int:pk>/receipt/", views.receipt, name="receipt"),
    path(
        "documents/<int:pk>/move/<str:movement>/",
        views.MovementView.as_view(config=views.TravelDocumentViews),
        name="traveldocument_move",
    ),
    *views.TravelDocumentViews.urls(),
]
