from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.core.api.serializers import ErrorSerializer
from waishi.stats import selectors


class StatsQuery(serializers.Serializer):
    office = serializers.CharField()
    start = serializers.DateField(source="from", required=False)
    to = serializers.DateField(required=False)
    include_lower = serializers.BooleanField(required=False, default=False)


class StatsView(APIView):
    """The statistics of an office over a span, with the same span one year earlier (API.md)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("office", str, required=True, description="office code, e.g. jdz-fao"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default: 1 January)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="last day (default: today)"),
            OpenApiParameter("include_lower", bool, description="include the offices below"),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request):
        if not request.user.has_perm("travel.view_statistics"):
            raise PermissionDenied()
        params = request.query_params
        data = {"office": params.get("office", ""), "include_lower": params.get("include_lower", "0")}
        data |= {key: params[name] for key, name in (("start", "from"), ("to", "to")) if params.get(name)}
        query = StatsQuery(data=data)
        query.is_valid(raise_exception=True)
        office = selectors.offices(request.user).filter(code=query.validated_data["office"]).first()
        if office is None:
            raise NotFound(_("No office with this code in your jurisdiction."))
        end = query.validated_data.get("to") or timezone.localdate()
        start = query.validated_data.get("from") or date(end.year, 1, 1)
        if end < start:
            raise serializers.ValidationError({"to": [_("The end lies before the start.")]})
        scope = selectors.Scope(office, start, end, query.validated_data["include_lower"])
        return Response(selectors.statistics(scope))
