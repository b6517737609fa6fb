from pathlib import Path

from django.core.management.base import BaseCommand

from waishi.core.backup import backup


class Command(BaseCommand):
    help = "Back up the database to a file (SQLite copy, or pg_dump's custom format on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, out, **options):
        backup(out)
        self.stdout.write(f"backed up to {out}")
