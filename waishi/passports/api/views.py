"""Travel documents over the API: read through ``restrict()`` with the derived state, every custody movement
through its service (API.md "Travel documents"). The full number is accepted, never returned."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from waishi.core.api.serializers import ErrorSerializer
from waishi.core.api.views import RestrictedViewSetMixin
from waishi.passports import services
from waishi.passports.api import serializers as s
from waishi.passports.filtersets import TravelDocumentFilterSet
from waishi.passports.models import TravelDocument

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, or refused by the custody rules."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for your roles."),
    404: OpenApiResponse(ErrorSerializer, description="Absent, or outside your organization."),
    409: OpenApiResponse(
        ErrorSerializer, description="Someone recorded a movement first, or the document is in another state."
    ),
}

MOVEMENT_ACTIONS = frozenset({"deposit", "check_out", "return_", "report_lost", "cancel"})


def movement(request_serializer, summary: str, description: str):
    """The schema of one custody movement: its body, the document back, and the error bodies."""
    return extend_schema(
        summary=summary,
        description=description,
        request=request_serializer,
        responses={200: s.TravelDocumentSerializer, **ERRORS},
    )


@extend_schema_view(
    list=extend_schema(summary="List travel documents in custody"),
    retrieve=extend_schema(
        summary="A travel document with its custody state",
        responses={200: s.TravelDocumentSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        summary="Register a travel document as it is handed into custody (passport officer)",
        responses={201: s.TravelDocumentSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    ),
)
class TravelDocumentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Official travel documents in central custody, with the state derived as of today (`overdue` once
    the due date has passed). Reads show `number_masked` only; filters as on the custody pages (`q` is the
    holder or the exact number)."""

    queryset = TravelDocument.objects.select_related("person", "custodian", "trip")
    serializer_class = s.TravelDocumentSerializer
    filterset_class = TravelDocumentFilterSet
    lookup_value_regex = r"\d+"

    def permission_action(self) -> str:
        # A movement needs the keep permission: 403 before the body is read for those who may only look.
        return "keep" if self.action in MOVEMENT_ACTIONS else super().permission_action()

    def get_queryset(self):
        return super().get_queryset().with_state(timezone.localdate())

    def respond(self, document: TravelDocument, status_code: int = status.HTTP_200_OK) -> Response:
        """The document as it is now, read again with its derived state."""
        document = (
            TravelDocument.objects.with_state(timezone.localdate())
            .select_related("person", "custodian", "trip")
            .get(pk=document.pk)
        )
        serializer = s.TravelDocumentSerializer(document, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def create(self, request, *args, **kwargs):
        self.get_queryset()  # 403 without the permission to add, before the body is read
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        extra = {name: data.pop(name, None) for name in ("handed_over_by", "received_by", "date")}
        document = TravelDocument(**data)
        document = services.document_register(
            actor=request.user,
            document=document,
            on=extra["date"] or timezone.localdate(),
            handed_over_by=extra["handed_over_by"] or document.person.name,
            received_by=extra["received_by"] or str(request.user),
        )
        return self.respond(document, status.HTTP_201_CREATED)

    def _input(self, serializer_class) -> dict:
        """The movement's body, validated (after the document was found, so that 404 comes before 400)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _movement(self, serializer_class, *, outward: bool = False):
        """The document, the body, and the common arguments of a movement with their defaults: the holder
        hands the document to the caller, or the caller to the holder when it goes out."""
        document = self.get_object()
        data = self._input(serializer_class)
        holder, user = document.person.name, str(self.request.user)
        giver, taker = (user, holder) if outward else (holder, user)
        common = {
            "actor": self.request.user,
            "document": document,
            "on": data.get("date") or timezone.localdate(),
        }
        return data, common, data.get("handed_over_by") or giver, data.get("received_by") or taker

    @movement(
        s.TravelDocumentDepositSerializer,
        "Found: back into custody (passport officer)",
        "lost → in_custody. `date` defaults to today.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def deposit(self, request, pk=None):
        _data, common, giver, taker = self._movement(s.TravelDocumentDepositSerializer)
        return self.respond(services.document_deposit(**common, handed_over_by=giver, received_by=taker))

    @movement(
        s.TravelDocumentCheckOutSerializer,
        "Check out for an approved trip (passport officer)",
        "in_custody → checked_out, due back by the office's rule (approved return date + 7 days by default). "
        "Refused with 400 when the trip is not approved, the holder is not a member, the kind does not fit "
        "the trip, or the day lies before the check-out window; 409 when someone moved the document first.",
    )
    @action(detail=True, methods=["post"], url_path="check-out", url_name="check-out", filterset_class=None)
    def check_out(self, request, pk=None):
        data, common, giver, taker = self._movement(s.TravelDocumentCheckOutSerializer, outward=True)
        document = services.document_check_out(
            **common, trip=data["trip"], handed_over_by=giver, received_by=taker
        )
        return self.respond(document)

    @movement(
        s.TravelDocumentReturnSerializer,
        "Take back after the trip (passport officer)",
        "checked_out (or overdue) → in_custody.",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return", filterset_class=None)
    def return_(self, request, pk=None):
        _data, common, giver, taker = self._movement(s.TravelDocumentReturnSerializer)
        return self.respond(services.document_return(**common, handed_over_by=giver, received_by=taker))

    @movement(
        s.TravelDocumentNoteSerializer,
        "Report lost (passport officer)",
        "in_custody or checked_out → lost; `note` says how and where.",
    )
    @action(
        detail=True, methods=["post"], url_path="report-lost", url_name="report-lost", filterset_class=None
    )
    def report_lost(self, request, pk=None):
        data, common, giver, taker = self._movement(s.TravelDocumentNoteSerializer)
        document = services.document_report_lost(
            **common, note=data["note"], reported_by=giver, received_by=taker
        )
        return self.respond(document)

    @movement(
        s.TravelDocumentNoteSerializer,
        "Cancel the document (passport officer)",
        "in_custody or lost → cancelled: it leaves the custody figures.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        data, common, giver, taker = self._movement(s.TravelDocumentNoteSerializer)
        document = services.document_cancel(
            **common, note=data["note"], handed_over_by=giver, received_by=taker
        )
        return self.respond(document)
