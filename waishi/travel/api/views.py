"""Outbound trips over the API: read through ``restrict()``, write through the services (API.md)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from waishi.core.api.serializers import ErrorSerializer
from waishi.core.api.views import CreateReadViewSet, RestrictedViewSetMixin
from waishi.travel import filtersets, rules, services
from waishi.travel.api import serializers as s
from waishi.travel.models import PerDiemRate, PlanEntry, Trip, TripEvent, TripMember

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, or refused by the rules."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for your roles."),
    404: OpenApiResponse(ErrorSerializer, description="Absent, or outside your organization."),
    409: OpenApiResponse(ErrorSerializer, description="Someone changed the trip first, or wrong state."),
}


def step(request_serializer, summary: str, description: str):
    """The schema of one workflow step: its body, the trip back, and the error bodies."""
    return extend_schema(
        summary=summary,
        description=description,
        request=request_serializer,
        responses={200: s.TripSerializer, **ERRORS},
    )


@extend_schema_view(
    list=extend_schema(summary="List outbound trips", responses={200: s.TripSummarySerializer(many=True)}),
    retrieve=extend_schema(
        summary="An outbound trip with its findings and history",
        responses={200: s.TripSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        summary="Apply for an outbound trip (state draft)",
        request=s.TripSerializer,
        responses={201: s.TripSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    ),
    update=extend_schema(
        summary="Edit a draft or returned application",
        request=s.TripSerializer,
        responses={200: s.TripSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit part of a draft or returned application",
        request=s.TripSerializer,
        responses={200: s.TripSerializer, **ERRORS},
    ),
)
class TripViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Trip.objects.select_related("applicant_unit", "office").prefetch_related(
        Prefetch("members", queryset=TripMember.objects.select_related("person").order_by("order", "id")),
        "legs",
        "budget",
        "sending_units",
    )
    serializer_class = s.TripSerializer
    filterset_class = filtersets.TripFilterSet
    lookup_value_regex = r"\d+"
    HISTORY = Prefetch("events", queryset=TripEvent.objects.select_related("actor").order_by("at", "id"))

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.prefetch_related(self.HISTORY)
        if self.action != "list":
            # A step or an edit reads the trip once; the answer is read again by ``respond``.
            return queryset.prefetch_related(None)
        return queryset

    def get_serializer_class(self):
        return s.TripSummarySerializer if self.action == "list" else s.TripSerializer

    def respond(self, trip: Trip, status_code: int = status.HTTP_200_OK) -> Response:
        """The trip as it is now, read again so that its nested rows and history are fresh."""
        trip = (
            Trip.objects.select_related("applicant_unit", "office")
            .prefetch_related(*self.queryset._prefetch_related_lookups, self.HISTORY)
            .get(pk=trip.pk)
        )
        return Response(
            s.TripSerializer(trip, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        self.get_queryset()  # 403 without the permission to add, before the body is read
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        trip = services.trip_create(actor=request.user, application=serializer.application())
        return self.respond(trip, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        trip = self.get_object()
        serializer = self.get_serializer(trip, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version", trip.version)
        trip = services.trip_update(
            actor=request.user, trip=trip, version=version, application=serializer.application()
        )
        return self.respond(trip)

    def _input(self, serializer_class) -> dict:
        """The step's body, validated (after the trip was found, so that 404 comes before 400)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="The rules' findings on the trip as it is now",
        responses={200: s.FindingSerializer(many=True), 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def checks(self, request, pk=None):
        trip = self.get_object()
        return Response([finding.as_dict() for finding in rules.check(trip)])

    @step(s.OpinionSerializer, "Sign off (unit leader)", "draft → signed_off.")
    @action(detail=True, methods=["post"], url_path="sign-off", filterset_class=None)
    def sign_off(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.OpinionSerializer)
        return self.respond(services.trip_sign_off(actor=request.user, trip=trip, **data))

    @step(
        s.EmptySerializer,
        "Submit to the office (unit clerk)",
        "signed_off or returned → submitted; refused with 400 and `extra.findings` while a finding blocks.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request, pk=None):
        trip, _data = self.get_object(), self._input(s.EmptySerializer)
        return self.respond(services.trip_submit(actor=request.user, trip=trip))

    @step(
        s.ReturnSerializer,
        "Return for correction (FAO staff)",
        "submitted → returned, with the complete list of fixes.",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return", filterset_class=None)
    def return_(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.ReturnSerializer)
        fixes = [dict(fix) for fix in data["fixes"]]
        return self.respond(services.trip_return(actor=request.user, trip=trip, fixes=fixes))

    @step(
        s.OpinionSerializer,
        "Review (FAO staff)",
        "submitted → reviewed, or escalated when a member's rank needs the superior office.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def review(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.OpinionSerializer)
        return self.respond(services.trip_review(actor=request.user, trip=trip, **data))

    @step(
        s.OpinionSerializer,
        "Approve (leader of the deciding office)",
        "reviewed or escalated → approved; the trip then carries its `approval_number`. "
        "A second approval gets 409.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.OpinionSerializer)
        return self.respond(services.trip_approve(actor=request.user, trip=trip, **data))

    @step(s.ReasonSerializer, "Reject (leader of the deciding office)", "reviewed or escalated → rejected.")
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.ReasonSerializer)
        return self.respond(services.trip_reject(actor=request.user, trip=trip, **data))

    @step(
        s.ReasonSerializer,
        "Cancel: the delegation does not travel (unit clerk or FAO staff)",
        "any state before departure → cancelled.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.ReasonSerializer)
        return self.respond(services.trip_cancel(actor=request.user, trip=trip, **data))

    @step(s.BriefSerializer, "Record the pre-departure briefing (FAO staff)", "approved → briefed.")
    @action(detail=True, methods=["post"], filterset_class=None)
    def brief(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.BriefSerializer)
        trip = services.trip_brief(
            actor=request.user,
            trip=trip,
            on=data["date"],
            content=data["content"],
            attendees=data["attendees"],
        )
        return self.respond(trip)

    @step(s.DateSerializer, "Record the departure (FAO staff)", "briefed → departed.")
    @action(detail=True, methods=["post"], filterset_class=None)
    def depart(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.DateSerializer)
        return self.respond(services.trip_depart(actor=request.user, trip=trip, on=data["date"]))

    @step(
        s.ComeBackSerializer,
        "Record the return with each member's border dates (FAO staff)",
        "departed → returned_home; departures from the approval are flagged in the history.",
    )
    @action(detail=True, methods=["post"], url_path="come-back", url_name="come-back", filterset_class=None)
    def come_back(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.ComeBackSerializer)
        records = [dict(record) for record in data["members"]]
        return self.respond(services.trip_come_back(actor=request.user, trip=trip, records=records))

    @step(s.ReportSerializer, "File the trip report (unit clerk)", "returned_home → reported.")
    @action(detail=True, methods=["post"], filterset_class=None)
    def report(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.ReportSerializer)
        return self.respond(
            services.trip_report(
                actor=request.user,
                trip=trip,
                text=data["text"],
                outcomes=data["outcomes"],
                attachments=data["attachments"],
            )
        )

    @step(s.EvaluateSerializer, "Evaluate the outcomes (FAO staff)", "reported → evaluated.")
    @action(detail=True, methods=["post"], filterset_class=None)
    def evaluate(self, request, pk=None):
        trip, data = self.get_object(), self._input(s.EvaluateSerializer)
        trip = services.trip_evaluate(
            actor=request.user,
            trip=trip,
            score=data["score"],
            comments=data["comments"],
            follow_ups=[dict(f) for f in data["follow_ups"]],
        )
        return self.respond(trip)

    @step(s.EmptySerializer, "Close the file (FAO staff)", "evaluated → closed.")
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        trip, _data = self.get_object(), self._input(s.EmptySerializer)
        return self.respond(services.trip_close(actor=request.user, trip=trip))


class PlanEntryViewSet(CreateReadViewSet):
    queryset = PlanEntry.objects.select_related("unit").prefetch_related("countries")
    serializer_class = s.PlanEntrySerializer
    lookup_value_regex = r"\d+"
    filterset_class = filtersets.PlanEntryFilterSet


class PerDiemRateViewSet(CreateReadViewSet):
    queryset = PerDiemRate.objects.select_related("country")
    serializer_class = s.PerDiemRateSerializer
    lookup_value_regex = r"\d+"
    filterset_class = filtersets.PerDiemRateFilterSet
