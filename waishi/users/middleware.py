from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.core.audit import audit_refusal
from waishi.users.policy import needs_second_factor, password_expired

# What a signed-in user may reach before the gate lets him through: leaving, the language, the gate's pages.
OPEN_VIEWS = frozenset({"logout", "set_language"})
SECOND_FACTOR_VIEWS = frozenset({"users:second_factor", "users:second_factor_enrol"})
PASSWORD_VIEWS = frozenset({"users:password_change"})


class AccountGateMiddleware:
    """After the password, before any page: the TOTP code for accounts that need one, then a new password
    when the old one has expired (users.policy). Pages redirect to the step; the API (signed in by the
    session) answers 403, audited as every refused request is. Runs after LoginRequiredMiddleware, so
    anonymous users never get here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in OPEN_VIEWS:
            return None
        if needs_second_factor(user) and not user.is_verified():
            if view_name in SECOND_FACTOR_VIEWS:
                return None
            return self.refuse(
                request,
                "users:second_factor",
                "second_factor_required",
                _("Confirm your login with the code of your authenticator app first."),
            )
        if password_expired(user) and view_name not in PASSWORD_VIEWS:
            return self.refuse(
                request,
                "users:password_change",
                "password_expired",
                _("Your password has expired: choose a new one first."),
            )
        return None

    @staticmethod
    def refuse(request, step: str, code: str, message: str):
        if request.path_info.startswith("/api/"):
            audit_refusal(request.user, {"method": request.method, "path": request.path, "code": code})
            return JsonResponse({"code": code, "message": message, "extra": {}}, status=403)
        url = reverse(step)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
