from rest_framework.routers import SimpleRouter

from waishi.travel.api import views

router = SimpleRouter()
router.register("trips", views.TripViewSet, basename="trip")
router.register("plan-entries", views.PlanEntryViewSet, basename="planentry")
router.register("per-diem-rates", views.PerDiemRateViewSet, basename="perdiemrate")

urlpatterns = router.urls
