from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from waishi.core.audit import audit
from waishi.users.models import User


class Command(BaseCommand):
    help = "Print the API token of a user, creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"no active user {username!r}") from exc
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit("auth.token_create", obj=user, username="manage.py")
        self.stdout.write(token.key)
