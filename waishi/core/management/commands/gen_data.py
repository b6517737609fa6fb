import argparse

from django.core.management.base import BaseCommand, CommandError

from bench import generate


class Command(BaseCommand):
    help = (
        "Generate benchmark data into an empty database: S = 10k trips, M = 100k, L = 1M, with their "
        "members, itineraries, budgets, travel documents and ledger, partnerships and exchanges "
        "(deterministic per seed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(generate.SCALES), default="S")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--flush", action="store_true", help="Empty the whole database first (it must not be production)."
        )
        parser.add_argument("--digest", action="store_true", help="Print the SHA-256 of the generated rows.")
        parser.add_argument("--trips", type=int, help=argparse.SUPPRESS)  # a tiny size for tests

    def handle(self, *args, scale, seed, flush, digest, trips, verbosity, **options):
        count = trips or generate.SCALES[scale]
        log = self.stdout.write if verbosity else (lambda _line: None)
        if flush:
            generate.flush()
        log(f"Generating {count} trips (seed {seed})")
        try:
            result = generate.generate(count, seed, log=log)
        except generate.GenerationError as exc:
            raise CommandError(str(exc)) from exc
        for label, rows in result["counts"].items():
            log(f"  {label}: {rows} rows")
        log(f"Done in {result['seconds']}s")
        if digest:
            self.stdout.write(generate.digest())
