from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from waishi.core.audit import verify
from waishi.core.backup import restore


class Command(BaseCommand):
    help = "Restore the database from a backup file, then report the row counts and verify the audit chain."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, type=Path)

    def handle(self, *args, source, **options):
        try:
            restore(source)
        except FileNotFoundError as exc:
            raise CommandError(f"no backup at {source}") from exc
        for model in apps.get_app_config("core").get_models():
            self.stdout.write(f"{model._meta.label}: {model.objects.count()}")
        result = verify()
        if not result.ok:
            raise CommandError(f"restored, but the audit chain does not verify at row #{result.bad_seq}")
        self.stdout.write(f"restored from {source}; audit chain verified ({result.checked} rows)")
