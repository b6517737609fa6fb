from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from waishi.core.choices import ChangeAction
from waishi.core.errors import ApplicationError
from waishi.core.services import record_change
from waishi.directory.choices import OrganizationKind, OrganizationLevel
from waishi.directory.models import Organization
from waishi.users import services
from waishi.users.models import User


class Command(BaseCommand):
    help = (
        "Create a user, or update an existing one (password, organization, roles). On a new installation, "
        "--create-org makes the first organization for the first administrators: no superuser is needed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--org", required=True, help="organization code, e.g. jdz-fao")
        parser.add_argument("--roles", default="", help="comma-separated role codes, e.g. fao_staff,viewer")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="full name shown in the interface")
        parser.add_argument(
            "--create-org",
            default="",
            metavar="NAME",
            help="new installation only: create --org as the root Foreign Affairs Office named NAME",
        )
        parser.add_argument(
            "--org-level",
            default=OrganizationLevel.PROVINCE,
            choices=OrganizationLevel.values,
            help="with --create-org",
        )

    @transaction.atomic
    def handle(self, *args, username, password, org, roles, email, name, create_org, org_level, **options):
        if create_org:
            organization = self.first_organization(org, create_org, org_level)
        else:
            try:
                organization = Organization.objects.get(code=org)
            except Organization.DoesNotExist as exc:
                message = f"no organization with code {org!r} (on a new installation: --create-org NAME)"
                raise CommandError(message) from exc
        role_codes = [r.strip() for r in roles.split(",") if r.strip()]
        user = User.objects.filter(username=username).first()
        try:
            if user is None:
                user = User(username=username, organization=organization, email=email, last_name=name)
                services.user_create(actor=None, user=user, password=password, roles=role_codes)
                verb = "created"
            else:
                user.organization = organization
                user.email = email or user.email
                user.last_name = name or user.last_name
                services.user_update(actor=None, user=user, password=password, roles=role_codes)
                verb = "updated"
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{verb} {username} ({org}; {', '.join(role_codes) or 'no roles'})")

    @staticmethod
    def first_organization(code: str, name: str, level: str) -> Organization:
        """The root Foreign Affairs Office of a new installation, made with its first account (in the same
        transaction, so a refused password leaves nothing behind)."""
        if Organization.objects.exists():
            raise CommandError("organizations exist already: choose one with --org (no --create-org)")
        organization = Organization(code=code, name=name, kind=OrganizationKind.FAO, level=level)
        try:
            organization.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        organization.save()
        record_change(actor=None, obj=organization, action=ChangeAction.CREATE)
        return organization
