import django_filters
import django_tables2 as tables
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from waishi.core.filtersets import FilterSet
from waishi.core.generic import ModelViews
from waishi.users import services
from waishi.users.forms import LoginForm, UserForm
from waishi.users.models import User


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
        return services.user_create(
            actor=actor, user=obj, password=extra.get("password"), roles=_roles(actor, extra) or ()
        )

    @staticmethod
    def update(*, actor, obj, version, extra):
        return services.user_update(
            actor=actor, user=obj, password=extra.get("password"), roles=_roles(actor, extra)
        )


def _roles(actor, extra):
    """The roles the form sets, or None when the actor may not assign roles (the field was read-only)."""
    return extra.get("roles") if actor.has_perm("users.assign_roles") else None
