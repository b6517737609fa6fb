"""Sister cities over the API: read through ``restrict()``, write through the services (API.md)."""

from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from waishi.core.api.serializers import ErrorSerializer
from waishi.core.api.views import PermissionFirstCreateMixin, RestrictedViewSetMixin
from waishi.partners import filtersets, services
from waishi.partners.api import serializers as s
from waishi.partners.models import PartnerExchange, Partnership

ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description="Invalid input, or refused (e.g. an off-limits country)."
    ),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for your roles."),
    404: OpenApiResponse(ErrorSerializer, description="Absent, or outside your organization."),
    409: OpenApiResponse(ErrorSerializer, description="Someone changed the partnership first."),
}
AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="The date of the activity class and the last exchange (today)."
)


@extend_schema_view(
    list=extend_schema(summary="List partnerships with their activity", parameters=[AS_OF]),
    retrieve=extend_schema(
        summary="A partnership with its activity",
        parameters=[AS_OF],
        responses={200: s.PartnershipSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        summary="Record a partnership (office, city, level, signed_on)",
        responses={201: s.PartnershipSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    ),
)
class PartnershipViewSet(
    PermissionFirstCreateMixin,
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Partnership.objects.select_related("office", "city__country")
    serializer_class = s.PartnershipSerializer
    filterset_class = filtersets.PartnershipFilterSet
    lookup_value_regex = r"\d+"
    ACTIONS = {**RestrictedViewSetMixin.ACTIONS, "change_level": "change"}

    def as_of(self) -> date:
        value = self.request.query_params.get("as_of")
        if not value:
            return timezone.localdate()
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise serializers.ValidationError({"as_of": [_("Give a date as YYYY-MM-DD.")]}) from exc

    def get_queryset(self):
        return super().get_queryset().with_activity(self.as_of())

    def respond(self, partnership, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.queryset.with_activity(self.as_of()).get(pk=partnership.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.partnership_create(
            actor=self.request.user,
            office=data["office"],
            city=data["city"],
            level=data["level"],
            signed_on=data["signed_on"],
            note=data.get("note", ""),
        )

    def create(self, request, *args, **kwargs):
        self.get_queryset()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.respond(serializer.instance, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the level (a new letter or agreement)",
        description="The history keeps every change with its date and document. Raising a partnership to "
        "`sister` needs the national friendship association's approval on record (office setting).",
        request=s.ChangeLevelSerializer,
        responses={200: s.PartnershipSerializer, **ERRORS},
    )
    @action(
        detail=True, methods=["post"], url_path="change-level", url_name="change-level", filterset_class=None
    )
    def change_level(self, request, pk=None):
        partnership = self.get_object()
        body = s.ChangeLevelSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        partnership = services.partnership_change_level(
            actor=request.user,
            partnership=partnership,
            level=data["level"],
            on=data["date"],
            document=data.get("document"),
            note=data["note"],
        )
        return self.respond(partnership)


@extend_schema_view(
    list=extend_schema(summary="List exchanges with partners"),
    retrieve=extend_schema(
        summary="An exchange", responses={200: s.PartnerExchangeSerializer, 404: ERRORS[404]}
    ),
    create=extend_schema(
        summary="Record an exchange with one or several partners of one office",
        responses={201: s.PartnerExchangeSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    ),
)
class PartnerExchangeViewSet(
    PermissionFirstCreateMixin,
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PartnerExchange.objects.select_related("office").prefetch_related(
        Prefetch("partnerships", queryset=Partnership.objects.only("id").order_by("id"))
    )
    serializer_class = s.PartnerExchangeSerializer
    filterset_class = filtersets.PartnerExchangeFilterSet
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        partnerships = data.pop("partnerships")
        serializer.instance = services.exchange_create(
            actor=self.request.user, exchange=PartnerExchange(**data), partnerships=partnerships
        )
