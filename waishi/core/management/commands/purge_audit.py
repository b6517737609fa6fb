from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from waishi.core.audit import purge


class Command(BaseCommand):
    help = (
        "Delete audit rows older than --older-than days (never fewer than the minimum retention, 184 days)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, help="days")

    def handle(self, *args, older_than, **options):
        minimum = settings.WAISHI_AUDIT_MIN_RETENTION_DAYS
        if older_than < minimum:
            raise CommandError(f"audit rows younger than {minimum} days are never deleted")
        count = purge(timezone.now() - timedelta(days=older_than), minimum)
        self.stdout.write(
            f"deleted {count} audit rows older than {older_than} days; the chain still verifies"
        )
