from django.core.management.base import BaseCommand, CommandError

from waishi.core.errors import ApplicationError
from waishi.directory.models import Organization
from waishi.users import services
from waishi.users.models import User


class Command(BaseCommand):
    help = "Create a user, or update an existing one (password, organization, roles)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--org", required=True, help="organization code, e.g. jdz-fao")
        parser.add_argument("--roles", default="", help="comma-separated role codes, e.g. fao_staff,viewer")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="full name shown in the interface")

    def handle(self, *args, username, password, org, roles, email, name, **options):
        try:
            organization = Organization.objects.get(code=org)
        except Organization.DoesNotExist as exc:
            raise CommandError(f"no organization with code {org!r}") from exc
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
