from waishi.core.api.views import CreateReadViewSet, ReadOnlyViewSet
from waishi.directory import filtersets, services
from waishi.directory.api import serializers
from waishi.directory.models import City, Country, Organization, Person


class OrganizationViewSet(ReadOnlyViewSet):
    queryset = Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet


class PersonViewSet(CreateReadViewSet):
    queryset = Person.objects.select_related("organization")
    serializer_class = serializers.PersonSerializer
    filterset_class = filtersets.PersonFilterSet


class CountryViewSet(ReadOnlyViewSet):
    queryset = Country.objects.all()
    serializer_class = serializers.CountrySerializer
    filterset_class = filtersets.CountryFilterSet


class CityViewSet(CreateReadViewSet):
    queryset = City.objects.select_related("country")
    serializer_class = serializers.CitySerializer
    filterset_class = filtersets.CityFilterSet

    @staticmethod
    def create_service(*, actor, obj, m2m):
        return services.city_create(actor=actor, obj=obj)
