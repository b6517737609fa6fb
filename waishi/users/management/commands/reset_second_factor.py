from django.core.management.base import BaseCommand, CommandError

from waishi.users import services
from waishi.users.models import User


class Command(BaseCommand):
    help = (
        "Remove a user's second factor (a lost phone, or the last security administrator's own): "
        "his next login sets up a new key. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        removed = services.second_factor_reset(actor=None, user=user)
        self.stdout.write(f"{username}: {removed} device(s) removed; a new key is set up at the next login")
