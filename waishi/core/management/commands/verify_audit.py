from django.core.management.base import BaseCommand, CommandError

from waishi.core.audit import verify


class Command(BaseCommand):
    help = (
        "Verify the audit chain; exit non-zero naming the first altered, deleted, inserted or reordered row."
    )

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at row #{result.bad_seq}: {result.reason} "
                f"({result.checked} rows verified)"
            )
        self.stdout.write(f"audit chain verified: {result.checked} rows")
