import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.utils import translation

from waishi.core import config, context


def client_ip(request) -> str | None:
    """The client address (behind a reverse proxy, see docs/deployment.md for REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request an id (echoed in the X-Request-ID header) and records the client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        token = context.activate(context.RequestContext(request_id=request.request_id, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        response["X-Request-ID"] = request.request_id
        return response


class SettingsMiddleware:
    """Each office's configured rules, deadlines and limits are read once a request (``config``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with config.remembered():
            return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login (anonymous users go to the login page); the API answers 401 itself."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class LocaleMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie).

    The browser's Accept-Language is not consulted: offices work in Chinese whatever their browsers say.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


SESSION_STARTED = "waishi_started_at"
SESSION_RENEWED = "waishi_renewed_at"


class SessionLifetimeMiddleware:
    """Ends a session 8 hours (WAISHI_SESSION_ABSOLUTE_SECONDS) after login, however active it was; the idle
    limit is SESSION_COOKIE_AGE from the last renewal, which a signed-in user's request makes when the last
    one is WAISHI_SESSION_RENEW_SECONDS old (so the session is written once a minute, not on every page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            if started is None or now - started > settings.WAISHI_SESSION_ABSOLUTE_SECONDS:
                logout(request)
            elif now - request.session.get(SESSION_RENEWED, 0) >= settings.WAISHI_SESSION_RENEW_SECONDS:
                request.session[SESSION_RENEWED] = int(now)  # modified: saved with a new expiry
        return self.get_response(request)
