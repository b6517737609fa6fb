from rest_framework.routers import SimpleRouter

from waishi.passports.api import views

router = SimpleRouter()
router.register("travel-documents", views.TravelDocumentViewSet, basename="traveldocument")

urlpatterns = router.urls
