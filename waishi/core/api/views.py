"""API base: every viewset reads through ``restrict()`` and writes through services."""

from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.views import APIView

from waishi.core import services
from waishi.core.models import permission_name


class RestrictedViewSetMixin:
    """``queryset`` narrowed to the caller; 403 without the permission for the action, 404 outside scope."""

    ACTIONS = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "update": "change",
        "partial_update": "change",
        "destroy": "delete",
    }

    def permission_action(self) -> str:
        return self.ACTIONS.get(self.action, "view")

    def get_queryset(self):
        action = self.permission_action()
        if not self.request.user.has_perm(permission_name(self.queryset.model, action)):
            raise PermissionDenied()
        return self.queryset.restrict(self.request.user, action)


class ReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, through ``restrict()``."""


class PermissionFirstCreateMixin:
    """403 for a caller who may not add, whatever the body (not a 400 that tells what exists)."""

    def create(self, request, *args, **kwargs):
        self.get_queryset()
        return super().create(request, *args, **kwargs)


class CreateReadViewSet(
    PermissionFirstCreateMixin, RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """List, retrieve and create; the serializer builds an unsaved instance, the service saves it."""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        model = self.queryset.model
        m2m = {f.name: data.pop(f.name) for f in model._meta.many_to_many if f.name in data}
        obj = model(**data)
        serializer.instance = self.create_service(actor=self.request.user, obj=obj, m2m=m2m)

    @staticmethod
    def create_service(*, actor, obj, m2m):
        return services.model_create(actor=actor, obj=obj, m2m=m2m)


class UnknownAddressView(APIView):
    """Any other address under the API answers as the API does (API.md): 401 to an anonymous caller, else
    the JSON 404, never the HTML page."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()
