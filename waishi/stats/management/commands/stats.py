import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from waishi.directory.models import Organization
from waishi.stats import selectors


def scope_from_options(
    office: str, start: date | None, end: date | None, include_lower: bool
) -> selectors.Scope:
    try:
        organization = Organization.objects.get(code=office, kind="fao")
    except Organization.DoesNotExist as exc:
        raise CommandError(f"no office with code {office!r}") from exc
    end = end or date.today()
    start = start or date(end.year, 1, 1)
    if end < start:
        raise CommandError("--to lies before --from")
    return selectors.Scope(organization, start, end, include_lower)


class Command(BaseCommand):
    help = "Print the statistics JSON of an office (the same as GET /api/v1/stats/)."

    def add_arguments(self, parser):
        parser.add_argument("--office", required=True, help="office code, e.g. jdz-fao")
        parser.add_argument("--from", dest="start", type=date.fromisoformat)
        parser.add_argument("--to", dest="end", type=date.fromisoformat)
        parser.add_argument("--include-lower", action="store_true")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, office, start, end, include_lower, **options):
        scope = scope_from_options(office, start, end, include_lower)
        self.stdout.write(json.dumps(selectors.statistics(scope), ensure_ascii=False, indent=2))
