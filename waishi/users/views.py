import base64

import django_filters
import django_tables2 as tables
import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp import login as otp_login
from django_otp.util import random_hex

from waishi.core.errors import ApplicationError
from waishi.core.filtersets import FilterSet
from waishi.core.generic import ModelViews
from waishi.users import services
from waishi.users.forms import LoginForm, PasswordChangeForm, RolesForm, SecondFactorForm, UserForm
from waishi.users.models import User
from waishi.users.policy import needs_second_factor, password_expired


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "users/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class UserFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="username", lookup_expr="icontains")
    roles = django_filters.CharFilter(label=_("role"), field_name="groups__name")

    class Meta:
        model = User
        fields = ["q", "organization", "is_active"]


class UserTable(tables.Table):
    username = tables.Column(linkify=True)
    roles = tables.Column(verbose_name=_("roles"), accessor="pk", orderable=False)

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "organization", "is_active", "last_login"]

    def render_roles(self, record):
        return "、".join(str(g) for g in record.role_labels)


class UserViews(ModelViews):
    model = User
    filterset_class = UserFilterSet
    table_class = UserTable
    form_class = UserForm
    allow_delete = False  # accounts are disabled, never deleted: the audit trail names them
    detail_template = "users/user_detail.html"
    detail_fields = [
        "username",
        "last_name",
        "first_name",
        "email",
        "organization",
        "is_active",
        "last_login",
        "date_joined",
        "password_changed_at",
    ]

    list_select_related = ("organization",)
    list_prefetch_related = ("groups",)

    @staticmethod
    def create(*, actor, obj, extra):
        return services.user_create(actor=actor, user=obj, password=extra.get("new_password"))

    @staticmethod
    def update(*, actor, obj, version, extra):
        return services.user_update(actor=actor, user=obj, password=extra.get("new_password"))


class UserRolesView(View):
    """The security administrator's page: which roles an account holds (MLPS separation of duties: the
    system administrator keeps accounts, the security administrator grants rights)."""

    template_name = "users/user_roles.html"

    def dispatch(self, request, pk):
        if not request.user.has_perm("users.assign_roles"):
            raise PermissionDenied
        self.object = UserViews.get_object(request.user, pk)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return self.render(RolesForm(initial={"roles": sorted(self.object.role_codes)}))

    def post(self, request, pk):
        form = RolesForm(request.POST)
        if form.is_valid():
            services.set_roles(actor=request.user, user=self.object, roles=form.cleaned_data["roles"])
            messages.success(request, gettext("The roles of %(user)s were saved.") % {"user": self.object})
            return redirect(self.object)
        return self.render(form)

    def render(self, form):
        return render(self.request, self.template_name, {"form": form, "object": self.object})


def _next_url(request) -> str:
    """Where to go once the step is done: the page first asked for, if it is on this site."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(view_name: str, request) -> str:
    url = reverse(view_name)
    next_url = request.POST.get("next") or request.GET.get("next")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SecondFactorView(View):
    """The code step after the password (users.policy.needs_second_factor). Wrong codes are audited and
    count toward the account lockout like wrong passwords; a locked account is signed out."""

    enrolling = False
    template_name = "users/second_factor.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not needs_second_factor(user) or user.is_verified():
            return redirect(_next_url(request))
        if user.second_factor_enrolled == self.enrolling:
            other = "users:second_factor" if self.enrolling else "users:second_factor_enrol"
            return redirect(_with_next(other, request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(SecondFactorForm())

    def post(self, request):
        credentials = {"username": request.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return self.lock_out(request, credentials)
        form = SecondFactorForm(request.POST)
        if form.is_valid():
            device = services.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
            if device is not None:
                request.session.cycle_key()
                otp_login(request, device)
                return redirect(_next_url(request))
            AxesProxyHandler.user_login_failed(type(self), credentials, request)
            if request.axes_locked_out:
                return self.lock_out(request, credentials)
            form.add_error(
                "code", _("This code is wrong or was already used: wait for the next code and enter it.")
            )
        return self.render(form)

    @staticmethod
    def lock_out(request, credentials):
        logout(request)
        return get_lockout_response(request, None, credentials)

    def render(self, form):
        context = {"form": form, "next": _next_url(self.request), "hide_navigation": True}
        return render(self.request, self.template_name, {**context, **self.extra_context()})

    def extra_context(self) -> dict:
        return {}


class SecondFactorEnrolView(SecondFactorView):
    """First login of an account that needs a second factor: a new key, shown as a QR code and as text,
    confirmed by one good code."""

    enrolling = True
    template_name = "users/second_factor_enrol.html"

    session_key = "second_factor_key"

    def post(self, request):
        services.second_factor_enrolment(user=request.user, key=self.key())
        return super().post(request)

    def key(self) -> str:
        """The key shown to this session until it is stored (on the first code sent)."""
        return self.request.session.setdefault(self.session_key, random_hex(20))

    def extra_context(self) -> dict:
        device = services.second_factor_new_device(self.request.user, self.key())
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        key = base64.b32encode(device.bin_key).decode()
        return {
            "qr_code": "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode(),
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        }


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; required before any other page once it has expired."""

    template_name = "users/password_change.html"
    form_class = PasswordChangeForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            expired=password_expired(self.request.user),
            max_age_days=settings.WAISHI_PASSWORD_MAX_AGE_DAYS,
            next=_next_url(self.request),
            hide_navigation=password_expired(self.request.user),
        )

    def form_valid(self, form):
        user = self.request.user
        services.password_change(user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        messages.success(self.request, gettext("Your password was changed."))
        return redirect(_next_url(self.request))


class SecondFactorResetView(View):
    """The security administrator's button on the user page (a lost or replaced phone)."""

    def post(self, request, pk):
        user = UserViews.get_object(request.user, pk)
        try:
            services.second_factor_reset(actor=request.user, user=user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                gettext("The second factor of %(user)s was reset: a new key is set up at the next login.")
                % {"user": user},
            )
        return redirect(user)
