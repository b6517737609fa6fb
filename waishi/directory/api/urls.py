from rest_framework.routers import SimpleRouter

from waishi.directory.api import views

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet)
router.register("persons", views.PersonViewSet)
router.register("countries", views.CountryViewSet)
router.register("cities", views.CityViewSet)

urlpatterns = router.urls
