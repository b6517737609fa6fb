from rest_framework.routers import SimpleRouter

from waishi.partners.api import views

router = SimpleRouter()
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("partner-exchanges", views.PartnerExchangeViewSet, basename="partnerexchange")

urlpatterns = router.urls
