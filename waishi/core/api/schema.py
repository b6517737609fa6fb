from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter

from waishi.core.api.serializers import ErrorSerializer


class AutoSchema(openapi.AutoSchema):
    """Every operation documents the error bodies it can answer with (API.md): 401 and 403 always, 400
    where it reads a body, query parameters or pages and filters a list, 404 where it names a record or
    pages a list, 415 where it reads a body (one of a type it does not read, or of no type at all). What a
    view declares with ``extend_schema`` stays as it is."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        is_list = self._is_list_view()
        errors = ["401", "403"]
        reads_query = any(
            getattr(parameter, "location", None) == OpenApiParameter.QUERY
            for parameter in self.get_override_parameters()
        )
        if self.method != "GET" or is_list or reads_query:
            errors.append("400")
        if "{" in self.path or is_list:
            errors.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            errors.append("415")
        for code in errors:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses
