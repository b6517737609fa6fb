from waishi.directory.views import CityViews, CountryViews, OrganizationViews, PersonViews

app_name = "directory"

urlpatterns = [
    *OrganizationViews.urls(),
    *PersonViews.urls(),
    *CountryViews.urls(),
    *CityViews.urls(),
]
