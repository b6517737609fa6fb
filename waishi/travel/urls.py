from django.urls import path

from waishi.travel.views import PerDiemRateViews, PlanEntryViews, TripDocumentView, TripStepView, TripViews

app_name = "travel"

urlpatterns = [
    *TripViews.urls(),
    path("trips/<int:pk>/step/<str:step>/", TripStepView.as_view(config=TripViews), name="trip_step"),
    path(
        "trips/<int:pk>/documents/<str:document>.<str:fmt>",
        TripDocumentView.as_view(config=TripViews),
        name="trip_document",
    ),
    *PlanEntryViews.urls(),
    *PerDiemRateViews.urls(),
]
