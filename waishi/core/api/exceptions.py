"""API errors as ``{"code", "message", "extra"}`` (API.md) in the request's language."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from waishi.core.audit import audit_refusal
from waishi.core.errors import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "message": str(exc.message), "extra": exc.extra}, status=exc.status
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError()  # "Malformed request." translated: the parsers' own text is English
    if isinstance(exc, exceptions.PermissionDenied):
        request = context["request"]
        audit_refusal(request.user, {"method": request.method, "path": request.path})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("Please correct the errors."),
            "extra": {"errors": response.data},
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or exc.default_code
        body = {"code": code, "message": str(detail), "extra": {}}
    response.data = body
    return response
