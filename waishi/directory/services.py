"""Writes to the directory. People and organizations use core's generic services; cities are
geocoded from GeoNames when their coordinates are not given."""

from waishi.core import services
from waishi.directory.reference import geocode


def city_create(*, actor, obj, extra=None):
    if obj.latitude is None and obj.longitude is None and obj.country_id:
        found = geocode(obj.name_en, obj.country_id)
        if found:
            obj.latitude, obj.longitude, obj.geonameid = found
    return services.model_create(actor=actor, obj=obj)
