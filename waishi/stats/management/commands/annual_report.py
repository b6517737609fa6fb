from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from waishi.stats import report
from waishi.stats.management.commands.stats import scope_from_options


class Command(BaseCommand):
    help = "Write the annual report draft (.docx) and, optionally, the workbook of its tables (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--office", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--to", dest="end", type=date.fromisoformat, help="last day (default: 31 December)"
        )
        parser.add_argument("--include-lower", action="store_true")
        parser.add_argument("--out", required=True, help="the .docx to write")
        parser.add_argument("--xlsx", help="also write the tables to this .xlsx")

    def handle(self, *args, office, year, end, include_lower, out, xlsx, **options):
        scope = scope_from_options(office, date(year, 1, 1), end or date(year, 12, 31), include_lower)
        Path(out).write_bytes(report.document(scope))
        self.stdout.write(f"wrote {out}")
        if xlsx:
            Path(xlsx).write_bytes(report.workbook(scope))
            self.stdout.write(f"wrote {xlsx}")
