"""The API's filter backend: django-filter's, with every filter the schema documents."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """The list pages leave out a filter that cannot narrow what the user sees (``core.filtersets``); the
    API keeps it, as its schema (read from the filter set's class) documents it: a value among the
    choices is applied, any other refused with 400, as for every other filter."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "drop_inert": False}
