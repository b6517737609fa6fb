"""``make bench``: QUALITY.md's performance scenarios, each beside its floor, its peer and a naive loop.

    python -m bench.run [--scale S|M|L] [--repeats N] [--only list,stats,...]

The database: ``BENCH_DATABASE_URL`` when set; else PostgreSQL at ``BENCH_PG_SERVER`` (default
postgres://postgres@127.0.0.1:5432) when it answers (and ``BENCH_DB`` is not ``sqlite``), in a database
of its own per scale (``waishi_bench_s``, created when missing); else SQLite in
``var/bench-<scale>.sqlite3``. The data is generated (``gen_data``) when the database does not hold that
scale yet.

Every scenario runs the application's real code (views through the test client, selectors, the importer,
gunicorn), so the figures follow the code as it is. Beside it:

* floor: the same SQL statements the view ran, captured and re-executed through a raw cursor;
* admin: the stock Django admin changelist of the same model with the same filters (bench.settings only);
* naive: an ORM loop without select_related that touches related rows one by one.

Each is run once to warm up, then ``--repeats`` times; the table gives the median and the 95th percentile,
the ratios to the floor and to the admin. Results go to bench/results/<date>-<scale>-<db>.json.
"""

import argparse
import contextlib
import io
import json
import math
import os
import platform
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import warnings
import zipfile
from datetime import UTC, date, datetime
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
SCENARIOS = ("list", "stats", "export", "import", "search", "pages", "http")
PER_PAGE = 25
LIST_FILTER = {"state": "closed", "category": "abroad", "sort": "-depart_date"}


# --- Database choice (before Django starts) ---------------------------------------------------------------


def choose_database(scale: str) -> str:
    """Set DATABASE_URL or WAISHI_SQLITE_PATH for this run; returns "postgresql" or "sqlite"."""
    import psycopg

    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"] = url
        return "postgresql" if url.startswith("postgres") else "sqlite"
    name = f"waishi_bench_{scale.lower()}"
    try:
        if os.environ.get("BENCH_DB") == "sqlite":
            raise psycopg.OperationalError("SQLite asked for")
        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        os.environ.pop("DATABASE_URL", None)
        (ROOT / "var").mkdir(exist_ok=True)
        os.environ["WAISHI_SQLITE_PATH"] = str(ROOT / "var" / f"bench-{scale}.sqlite3")
        return "sqlite"
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    return "postgresql"


def setup_django() -> None:
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # collectstatic is not needed here
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Measuring ----------------------------------------------------------------------------------------------


def timed(fn, repeats: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def timed_side_by_side(fns: dict, repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """``timed`` for several functions whose times are compared (a view and its floor), taken in turn, so
    that a machine that slows down or speeds up during the run moves both the same way."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "n": len(ordered),
    }


class QueryCount:
    """Counts the statements run inside it (no cap, unlike the debug cursor's log of 9000)."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


class Bench:
    def __init__(self, scale: str, vendor: str, repeats: int):
        from django.test import Client

        self.scale, self.vendor, self.repeats = scale, vendor, repeats
        self.results: list[dict] = []
        self.user = bench_user()
        self.client = Client()
        login(self.client, self.user)

    def record(self, scenario: str, variant: str, times=None, **extra) -> dict:
        row = {"scenario": scenario, "variant": variant, **(summary(times) if times else {}), **extra}
        self.results.append(row)
        shown = {k: v for k, v in row.items() if k not in {"scenario", "variant"}}
        print(f"  {scenario} / {variant}: {shown}", flush=True)
        return row

    # -- helpers --

    def get(self, url: str, params: dict | None = None):
        response = self.client.get(url, params or {})
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params}: HTTP {response.status_code}")
        return response

    def captured(self, url: str, params: dict | None = None) -> list[str]:
        """The SQL statements a request runs (the reads, which the floor re-executes)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            self.get(url, params)
        return [q["sql"] for q in ctx.captured_queries]

    @staticmethod
    def reads(statements: list[str]) -> list[str]:
        return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH", "EXPLAIN"))]

    @staticmethod
    def raw(statements: list[str]):
        from django.db import connection

        def run():
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        return run

    def page(self, scenario: str, url: str, params: dict, admin_url: str = "", admin_params=None, naive=None):
        """A page through the view, its floor, the admin's changelist and a naive loop."""
        statements = self.captured(url, params)
        times = timed_side_by_side(
            {"view": lambda: self.get(url, params), "floor": self.raw(self.reads(statements))}, self.repeats
        )
        view = self.record(
            scenario,
            "view",
            times["view"],
            queries=len(statements),
            full_count=any(_full_count(s) for s in statements),
        )
        floor = self.record(scenario, "floor", times["floor"])
        view["x_floor"] = round(view["median_ms"] / floor["median_ms"], 2)
        if admin_url:
            admin_statements = self.captured(admin_url, admin_params)
            admin = self.record(
                scenario,
                "admin",
                timed(lambda: self.get(admin_url, admin_params), self.repeats),
                queries=len(admin_statements),
                full_count=any(_full_count(s) for s in admin_statements),
            )
            view["x_admin"] = round(view["median_ms"] / admin["median_ms"], 2)
        if naive is not None:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                naive()
            row = self.record(
                scenario, "naive", timed(naive, self.repeats), queries=len(ctx.captured_queries)
            )
            view["x_naive"] = round(view["median_ms"] / row["median_ms"], 2)
        return view

    # -- scenarios --

    def list(self):
        from django.urls import reverse

        from waishi.travel.models import Trip

        url = reverse("travel:trip_list")
        admin_url = reverse("admin:travel_trip_changelist")
        admin_filter = {"state__exact": "closed", "category__exact": "abroad", "o": "-3"}
        filtered = Trip.objects.filter(state="closed", category="abroad").order_by("-depart_date", "-pk")
        total = filtered.count()

        def naive(offset: int, qs):
            def run():
                qs.count()
                for trip in qs[offset : offset + PER_PAGE]:
                    str(trip.applicant_unit.name)
                    [m.person.name for m in trip.members.all()]
                    [str(leg.country) for leg in trip.legs.all()]

            return run

        everything = Trip.objects.order_by("-depart_date", "-pk")
        self.page("list: page 1, unfiltered", url, {}, admin_url, {"o": "-3"}, naive(0, everything))
        self.page(
            "list: page 1, filtered, sorted", url, LIST_FILTER, admin_url, admin_filter, naive(0, filtered)
        )
        number = max(2, total // PER_PAGE // 2)
        params, how = self.deep_page(url, number, filtered)
        view = self.page(
            f"list: deep page ({how}), filtered, sorted",
            url,
            params,
            admin_url,
            {**admin_filter, "p": str(number)},
            naive((number - 1) * PER_PAGE, filtered),
        )
        view["page"] = number
        # Same number of queries at 10 and 100 rows (the list offers 25, 50 and 100 per page).
        small = len(self.captured(url, {**LIST_FILTER, "per_page": "25"}))
        large = len(self.captured(url, {**LIST_FILTER, "per_page": "100"}))
        self.record("list: queries at 25 and 100 rows", "view", queries_25=small, queries_100=large)

    def deep_page(self, url: str, number: int, filtered):
        """``?page=N`` when the list numbers its pages that far, else the cursor its next links carry."""
        params = {**LIST_FILTER, "page": str(number)}
        if self.client.get(url, params).status_code == 200:
            return params, f"page {number}"
        from waishi.core import pagination

        keys = pagination.sort_keys(filtered)
        ordered = filtered.order_by(*(key.expression for key in keys))
        record = ordered[(number - 1) * PER_PAGE - 1]
        return {
            **LIST_FILTER,
            "after": pagination.encode_cursor(keys, record),
        }, f"cursor at row {number * 25}"

    def stats(self):
        from django.db.models import Count

        from waishi.stats import selectors
        from waishi.travel.models import Trip

        office_id, year = (
            Trip.objects.exclude(approved_on=None)
            .values_list("office", "approved_on__year")
            .annotate(n=Count("id"))
            .order_by("-n")[0][:2]
        )
        from waishi.directory.models import Organization

        office = Organization.objects.get(pk=office_id)
        scope = selectors.Scope(office, date(year, 1, 1), date(year, 12, 31))
        name = f"statistics: {office.code} {year}"
        with QueryCount() as queries:
            selectors.outbound(scope)
        compared = {"view": lambda: selectors.outbound(scope), "floor": self.stats_floor(office.pk, scope)}
        times = timed_side_by_side(compared, self.repeats)
        view = self.record(name, "view", times["view"], queries=queries.count)
        floor = self.record(name, "floor", times["floor"])
        view["x_floor"] = round(view["median_ms"] / floor["median_ms"], 2)

        def naive():
            figures = {"batches": 0, "people": 0, "countries": set()}
            for trip in Trip.objects.filter(office=office, approved_on__range=(scope.start, scope.end)):
                figures["batches"] += 1
                figures["people"] += trip.members.count()
                if trip.state in selectors.TRAVELLED:
                    for leg in trip.legs.all():
                        figures["countries"].add(leg.country.continent)
            return figures

        naive_row = self.record(name, "naive", timed(naive, self.repeats))
        view["x_naive"] = round(view["median_ms"] / naive_row["median_ms"], 2)
        # The query count does not depend on the categories, countries or years in the span.
        other = selectors.Scope(office, date(year - 3, 1, 1), date(year, 12, 31), include_lower=True)
        with QueryCount() as queries:
            selectors.outbound(other)
        view["queries_wider_span"] = queries.count
        with QueryCount() as queries:
            selectors.statistics(scope)
        self.record(
            f"{name}: whole statistics JSON",
            "view",
            timed(lambda: selectors.statistics(scope), self.repeats),
            queries=queries.count,
        )

    def stats_floor(self, office_id: int, scope):
        from waishi.stats.selectors import TRAVELLED

        travelled = ", ".join(f"'{state}'" for state in TRAVELLED)
        where = "t.office_id = %s AND t.approved_on BETWEEN %s AND %s"
        # Constant table and column names; the values are parameters.
        statements = [
            f"""SELECT COUNT(*), SUM(CASE WHEN t.is_cross_unit THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.category = 'hkmo' THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.state = 'cancelled' THEN 1 ELSE 0 END) FROM travel_trip t WHERE {where}""",  # noqa: S608
            f"""SELECT COUNT(*), SUM(CASE WHEN t.is_cross_unit THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.category = 'hkmo' THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.state = 'cancelled' THEN 1 ELSE 0 END)
                FROM travel_tripmember m JOIN travel_trip t ON t.id = m.trip_id WHERE {where}""",  # noqa: S608
            f"""SELECT c.continent, COUNT(DISTINCT l.country_id) FROM travel_tripleg l
                JOIN travel_trip t ON t.id = l.trip_id JOIN directory_country c ON c.code = l.country_id
                WHERE {where} AND t.state IN ({travelled}) AND NOT l.transit_airside GROUP BY c.continent""",  # noqa: S608
        ]
        params = [office_id, scope.start, scope.end]

        def run():
            from django.db import connection

            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return run

    def export(self):
        from django.urls import reverse
        from openpyxl import Workbook

        from waishi.travel.models import Trip

        url = reverse("travel:trip_export")
        total = Trip.objects.count()
        big = min(total, 100_000)
        years = list(
            Trip.objects.values_list("depart_date__year", flat=True).order_by("depart_date__year").distinct()
        )
        year = years[len(years) // 2]
        if total <= 100_000:  # every row against one year's
            big_filter, small_filter = {}, {"year": str(year)}
        else:  # one year (about 90k at L) against one month's approvals
            big_filter = {"year": str(year)}
            small_filter = {"approved_from": f"{year}-03-01", "approved_to": f"{year}-03-31"}
        big = self.count(big_filter)
        small = self.count(small_filter)
        for label, params, rows in (("small", small_filter, small), ("large", big_filter, big)):
            worker = export_worker(url, params)
            self.record(
                f"export .xlsx: {rows} rows",
                "view",
                times=[worker["seconds"]],
                ttfb_ms=round(worker["ttfb"] * 1000, 1),
                peak_rss_mb=worker["peak_rss_mb"],
                baseline_rss_mb=worker["baseline_rss_mb"],
                bytes=worker["bytes"],
                streaming=worker["streaming"],
                size=label,
            )
        small_row, large_row = self.results[-2], self.results[-1]
        large_row["memory_x_small"] = round(large_row["peak_rss_mb"] / small_row["peak_rss_mb"], 2)
        # The floor of the smaller export (running the large one once more in this process would double
        # the scenario's time): its SQL re-run raw, against the same export run here.
        with QueryCount() as queries:
            view = self.record(
                f"export .xlsx: {small} rows",
                "view, in process",
                timed(lambda: self.get(url, small_filter), 1),
            )
        view["queries"] = queries.count
        statements = self.reads(self.captured(url, small_filter))
        floor = self.record(f"export .xlsx: {small} rows", "floor", timed(self.raw(statements), 1, warmup=0))
        view["x_floor"] = round(view["median_ms"] / floor["median_ms"], 2)

        def naive():
            workbook = Workbook()
            sheet = workbook.active
            for trip in Trip.objects.filter(**self.trip_lookups(small_filter)):
                sheet.append(
                    [
                        trip.approval_number,
                        trip.applicant_unit.name,
                        "、".join(m.person.name for m in trip.members.all()),
                        "、".join(str(leg.country) for leg in trip.legs.all()),
                        trip.depart_date,
                        trip.get_state_display(),
                    ]
                )
            workbook.save(io.BytesIO())

        naive_row = self.record(f"export .xlsx: {small} rows", "naive", timed(naive, 1, warmup=0))
        view["x_naive"] = round(view["median_ms"] / naive_row["median_ms"], 2)

    @staticmethod
    def trip_lookups(params: dict) -> dict:
        lookups = {
            "year": "depart_date__year",
            "approved_from": "approved_on__gte",
            "approved_to": "approved_on__lte",
        }
        return {lookups[key]: value for key, value in params.items()}

    def count(self, params: dict) -> int:
        from waishi.travel.models import Trip

        return Trip.objects.filter(**self.trip_lookups(params)).count()

    def import_(self):
        """The bulk import against two per-row references, each inside a transaction rolled back: the same
        import with every row saved on its own as the application saves one person ("naive: per-row
        save": the same rows read and validated the same way, then ``model_create`` a row, which writes
        its change-log row and, through ``Person.save``, its search tokens), and a bare ``Person.save()``
        loop that validates nothing and writes no change log ("bare save"). ``x_naive`` is the ratio to
        the first, ``x_bare_save`` to the second (below 1: the import is faster).

        The people are named as the generated ones (``generate.person_name``: two or three characters,
        which make about half the search tokens of a longer name), deterministically, and born after
        every generated person, so that each row is a new person (the importer matches on name,
        organization and birth date); the workbook holds its text as Excel and WPS save it
        (``import_file``). On PostgreSQL the tables an import writes are vacuumed before each variant:
        a rolled-back import leaves its rows behind as dead rows (150,000 search tokens at 10,000 people),
        which autovacuum, when it is on, clears only later, and not at all when it is off (as on the
        development machine's server); every variant would otherwise run on the tables the earlier ones
        bloated, and every run of the bench slower than the last."""
        import random
        from datetime import timedelta

        from django.db import transaction

        from bench import generate
        from waishi.core.models import AuditHead, AuditLog, ChangeLog
        from waishi.directory.importers import PersonImporter
        from waishi.directory.models import Organization, Person, PersonToken

        written = (Person, PersonToken, ChangeLog, AuditLog, AuditHead)
        units = list(Organization.objects.filter(kind="unit").order_by("pk")[:50])
        born_after = generate.FIRST_BIRTH + timedelta(days=generate.BIRTH_DAYS)
        for rows in (1_000, 10_000):
            scenario = f"import: {rows} people"
            rng = random.Random(rows)
            people = [
                {
                    "name": generate.person_name(rng),
                    "gender": "male" if n % 2 else "female",
                    # A day of its own in its unit: no two rows are the same person.
                    "birth_date": born_after + timedelta(days=n // len(units)),
                    "organization": units[n % len(units)],
                    "position": "科员",
                    "rank": "section",
                    "id_number": f"36010119800101{n % 10000:04d}",
                    "phone": f"139{n:08d}",
                }
                for n in range(rows)
            ]
            workbook = import_file(PersonImporter(), people)

            def run_import(importer_class, workbook=workbook, rows=rows):
                with transaction.atomic():
                    report = importer_class().run(actor=self.user, fileobj=io.BytesIO(workbook))
                    transaction.set_rollback(True)  # leave the database as it was
                if not report.ok or report.created != rows:
                    raise RuntimeError(f"import refused: {report.errors[:3]}")
                return report

            vacuum(*written)
            with QueryCount() as queries:
                view = self.record(scenario, "view", timed(lambda: run_import(PersonImporter), 1, warmup=0))
            view.update(queries=queries.count, created=rows)
            vacuum(*written)
            with QueryCount() as queries:
                per_row = self.record(
                    scenario,
                    "naive: per-row save",
                    timed(lambda: run_import(per_row_importer_class()), 1, warmup=0),
                )
            per_row["queries"] = queries.count

            def bare_save(people=people):
                with transaction.atomic():
                    for values in people:
                        Person(**values).save()
                    transaction.set_rollback(True)

            vacuum(*written)
            with QueryCount() as queries:
                bare = self.record(scenario, "bare save", timed(bare_save, 1, warmup=0))
            bare["queries"] = queries.count
            view["x_naive"] = round(view["median_ms"] / per_row["median_ms"], 3)
            view["x_bare_save"] = round(view["median_ms"] / bare["median_ms"], 3)

    def search(self):
        from django.db import connection
        from django.urls import reverse

        from waishi.directory.models import Person

        url = reverse("directory:person_list")
        admin_url = reverse("admin:directory_person_changelist")
        name = Person.objects.filter(name__regex=r"^...$").order_by("pk").values_list("name", flat=True)[0]
        pinyin, initials = Person.objects.filter(name=name).values_list("pinyin", "initials")[0]
        queries = [name[:1], name[:2], name, name + "华", initials, pinyin[:4]]

        def naive(query):
            people = Person.objects.values_list("name", "pinyin", "initials")
            return [n for n, p, i in people if query in n or p.startswith(query) or i.startswith(query)]

        for query in queries:
            view = self.page(
                f"search people: {query!r}",
                url,
                {"q": query},
                admin_url,
                {"q": query},
                naive=lambda q=query: naive(q),
            )
            if connection.vendor == "postgresql":
                # The statements that read people (or their search tokens) to answer the query.
                statements = [
                    s
                    for s in self.reads(self.captured(url, {"q": query}))
                    if "directory_person" in s and not s.lstrip().upper().startswith("EXPLAIN")
                ]
                plans = []
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(f"EXPLAIN {sql}")
                        plans.append("\n".join(row[0] for row in cursor.fetchall()))
                view["plan_uses_index"] = bool(plans) and all(
                    "Seq Scan on directory_person" not in p for p in plans
                )
                view["plan"] = plans

    def pages(self):
        """Every main page as the province's FAO staff sees it (every office's records): its time, size and
        queries. No page may grow with the data: summaries show their first rows and link to the lists."""
        from django.urls import reverse

        from waishi.directory.models import Organization, Person
        from waishi.partners.models import Partnership
        from waishi.passports.models import TravelDocument
        from waishi.travel.models import Trip

        trip = Trip.objects.filter(state="closed").order_by("-pk").first()
        person = Person.objects.filter(trip_memberships__isnull=False).order_by("pk").first()
        document = TravelDocument.objects.filter(movements__isnull=False).order_by("pk").first()
        urls = [
            ("home (work queue)", reverse("home"), {}),
            ("whole work queue", reverse("work_queue"), {}),
            ("search: a two-character name", reverse("search"), {"q": person.name[:2]}),
            ("trip list: search", reverse("travel:trip_list"), {"q": person.name[:2]}),
            ("trip page", trip.get_absolute_url(), {}),
            ("person page", person.get_absolute_url(), {}),
            ("custody", reverse("passports:custody"), {}),
            ("custody figures", reverse("passports:figures"), {}),
            ("document page", document.get_absolute_url(), {}),
            ("statistics", reverse("stats:dashboard"), {}),
            ("sister cities: map", reverse("partners:map"), {}),
            ("sister cities: targets", reverse("partners:targets"), {}),
            ("sister cities: list", reverse("partners:partnership_list"), {}),
            ("partnership page", Partnership.objects.order_by("pk").first().get_absolute_url(), {}),
            ("organization page", Organization.objects.order_by("path").first().get_absolute_url(), {}),
        ]
        for label, url, params in urls:
            statements = self.captured(url, params)
            size = len(self.get(url, params).content)
            self.record(
                f"page: {label}",
                "view",
                timed(lambda url=url, params=params: self.get(url, params), self.repeats),
                queries=len(statements),
                kb=round(size / 1024, 1),
            )

    def http(self):
        from django.urls import reverse

        port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        server = subprocess.Popen(  # noqa: S603  (this interpreter, fixed arguments)
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "--timeout", "120"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            wait_for(port, "/bench/hello/")
            cookie = "; ".join(f"{k}={v.value}" for k, v in self.client.cookies.items())
            seconds = float(os.environ.get("BENCH_HTTP_SECONDS", 10))
            hello = load(port, "/bench/hello/", "", seconds)
            self.record("http: hello (one query)", "gunicorn", **hello)
            path = reverse("travel:trip_list") + "?" + urllib.parse.urlencode(LIST_FILTER)
            listing = load(port, path, cookie, seconds)
            row = self.record("http: trip list, filtered", "gunicorn", **listing)
            row["x_hello"] = round(listing["rps"] / hello["rps"], 3) if hello["rps"] else None
        finally:
            server.terminate()
            server.wait(timeout=30)


def _full_count(sql: str) -> bool:
    """A COUNT over the whole trips table (no WHERE, no LIMIT): what QUALITY.md forbids at L."""
    text = " ".join(sql.upper().split())
    return "COUNT(" in text and 'FROM "TRAVEL_TRIP"' in text and " WHERE " not in text and "LIMIT" not in text


def bench_user():
    """An FAO staff account of the generated province (sees every trip), also admin staff for the peer."""
    from django.contrib.auth.models import Group

    from bench.generate import PREFIX
    from waishi.directory.models import Organization
    from waishi.users.models import User

    province = Organization.objects.get(code=f"{PREFIX}prov")
    user, created = User.objects.get_or_create(
        username="bench", defaults={"organization": province, "is_staff": True, "last_name": "bench"}
    )
    if created:
        user.set_unusable_password()
    # The password stays as it is: changing it would end the sessions of the other processes of the run.
    user.organization, user.is_staff, user.password_changed_at = province, True, datetime.now(UTC)
    user.save(
        update_fields=["organization", "is_staff", "password_changed_at", *(["password"] if created else [])]
    )
    user.groups.set(Group.objects.filter(name__in=["fao_staff"]))
    return User.objects.get(pk=user.pk)


def login(client, user) -> None:
    """A session as after a good password and TOTP code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def per_row_importer_class():
    """``PersonImporter`` with each validated row saved on its own, as the person form saves one."""
    from waishi.core.services import model_create
    from waishi.directory.importers import PersonImporter

    class PerRowPersonImporter(PersonImporter):
        def save_batch(self, actor, batch):
            for item in batch:
                model_create(actor=actor, obj=item.obj)  # Person.save() fills the pinyin and the tokens

    return PerRowPersonImporter


def import_file(importer, people: list[dict]) -> bytes:
    """The workbook a clerk would upload: a header row, then a row a person, its text in a shared-strings
    table as Excel and WPS write it (openpyxl writes text inline, which it reads about twice as slowly)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(importer.headers())
    for person in people:
        row = []
        for column in importer.columns:
            value = person.get(column.field, "")
            row.append(getattr(value, column.lookup) if column.lookup and value else value)
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return shared_strings(out.getvalue())


INLINE_TEXT = re.compile(r'<c ([^>]*)t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>')
_OOXML = "http://schemas.openxmlformats.org"
STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
STRINGS_RELATION = (
    f'<Relationship Id="rIdStrings" Type="{_OOXML}/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
)


def shared_strings(workbook: bytes) -> bytes:
    """``workbook`` (openpyxl's) with its inline text cells moved to a shared-strings table."""
    strings: dict[str, int] = {}

    def shared(cell) -> str:
        return f'<c {cell[1]}t="s"><v>{strings.setdefault(cell[2], len(strings))}</v></c>'

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            part = source.read(item).decode()
            if item.filename.startswith("xl/worksheets/"):
                part = INLINE_TEXT.sub(shared, part)
            elif item.filename == "[Content_Types].xml":
                part = part.replace("</Types>", STRINGS_TYPE + "</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                part = part.replace("</Relationships>", STRINGS_RELATION + "</Relationships>")
            target.writestr(item, part)
        items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
        target.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{_OOXML}/spreadsheetml/2006/main" uniqueCount="{len(strings)}">{items}</sst>',
        )
    return out.getvalue()


def export_worker(url: str, params: dict) -> dict:
    """Run one export in a fresh process: its time, time to first byte and peak memory (peak_rss_kb)."""
    out = subprocess.run(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "-m", "bench.run", "--worker-export", url, "--worker-params", json.dumps(params)],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[-1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss_kb() -> int:
    """The process's peak resident memory in KB: the kernel's high-water mark of its own memory (VmHWM)
    where there is one. ``ru_maxrss`` on Linux keeps the parent's peak across fork and exec, so a worker
    started by a run that had just generated the data reported the generator's memory."""
    with contextlib.suppress(OSError):  # no /proc: not Linux
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS


def run_export_worker(url: str, params: dict) -> None:
    setup_django()
    from django.test import Client

    client = Client()
    login(client, bench_user())
    # A server process has served pages before: the list on screen first, so that the first byte does not
    # include what the first request of a process loads (URLs, templates, translations).
    client.get(url.removesuffix("export/"), params)
    baseline = peak_rss_kb()
    start = time.perf_counter()
    response = client.get(url, params)
    chunks = (
        iter(response.streaming_content)
        if getattr(response, "streaming", False)
        else iter([response.content])
    )
    size = len(next(chunks, b""))
    ttfb = time.perf_counter() - start
    for chunk in chunks:
        size += len(chunk)
    seconds = time.perf_counter() - start
    peak = peak_rss_kb()
    result = {"seconds": seconds, "ttfb": ttfb, "bytes": size, "status": response.status_code}
    result["streaming"] = bool(getattr(response, "streaming", False))
    result.update(peak_rss_mb=round(peak / 1024, 1), baseline_rss_mb=round(baseline / 1024, 1))
    print(json.dumps(result))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


def load(port: int, path: str, cookie: str, seconds: float, concurrency: int = 4) -> dict:
    """Closed-loop load on 127.0.0.1 only: ``concurrency`` clients for ``seconds`` (bounded in time)."""
    done, errors, latencies, statuses = [0], [0], [], {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}

    def client():
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok, status = response.status == 200, str(response.status)
                conn.close()
            except OSError as exc:
                ok, status = False, type(exc).__name__
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                done[0] += ok
                errors[0] += not ok
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    stats = summary(latencies) if latencies else {}
    return {"rps": round(done[0] / elapsed, 1), "requests": done[0], "errors": errors[0],
            "statuses": statuses, "concurrency": concurrency, "seconds": round(elapsed, 1),
            **stats}  # fmt: skip


# --- Report -------------------------------------------------------------------------------------------------


def machine(vendor: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0] if Path("/proc/meminfo").exists() else ""
    return {"cpus": os.cpu_count(), "memory": meminfo, "python": platform.python_version(),
            "platform": platform.platform(), "database": version}  # fmt: skip


def markdown(results: list[dict]) -> str:
    lines = [
        "| scenario | variant | median ms | p95 ms | queries | × floor | × admin | × naive | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    keys = {
        "scenario",
        "variant",
        "median_ms",
        "p95_ms",
        "n",
        "queries",
        "x_floor",
        "x_admin",
        "x_naive",
        "plan",
    }
    for row in results:
        notes = ", ".join(f"{k}={v}" for k, v in row.items() if k not in keys)
        lines.append(
            f"| {row['scenario']} | {row['variant']} | {row.get('median_ms', '')} | {row.get('p95_ms', '')} "
            f"| {row.get('queries', '')} | {row.get('x_floor', '')} | {row.get('x_admin', '')} "
            f"| {row.get('x_naive', '')} | {notes} |"
        )
    return "\n".join(lines)


def ensure_data(scale: str) -> dict:
    from django.core.management import call_command

    from bench import generate

    call_command("migrate", verbosity=0, interactive=False)
    wanted = generate.SCALES[scale]
    if generate.has_generated_data() and generate.generated_trips() == wanted:
        print(f"The database holds scale {scale} ({wanted} trips): generation skipped.")
        from waishi.directory.models import PersonToken

        if not PersonToken.objects.exists():  # generated before the name search had its token table
            call_command("index_people")
        return {}
    print(f"Generating scale {scale} ({wanted} trips)…", flush=True)
    generate.flush()
    result = generate.generate(wanted, seed=1)
    rows = sum(result["counts"].values())
    print(f"Generated {rows} rows in {result['seconds']}s ({rows / result['seconds']:.0f} rows/s)")
    # What autovacuum would have done on a server that had held these rows for years: the planner's
    # statistics, and the visibility map that index-only scans need (autovacuum may be off, as on the
    # development machine's server, and it would be working through 28 million new rows at L anyway).
    vacuum()
    return result


def vacuum(*models) -> None:
    """``VACUUM (ANALYZE)`` the tables of ``models`` (with none, the whole database), on PostgreSQL only.
    VACUUM cannot run inside a transaction: call it outside ``atomic`` (Django's connection is then in
    autocommit)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["S", "M", "L"], default=os.environ.get("BENCH_SCALE", "S"))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 7)))
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ",".join(SCENARIOS)))
    parser.add_argument(
        "--markdown", metavar="RESULTS_JSON", help="print the table of a results file and stop"
    )
    parser.add_argument("--worker-export", help=argparse.SUPPRESS)
    parser.add_argument("--worker-params", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())["results"]))
        return
    if args.worker_export:
        run_export_worker(args.worker_export, json.loads(args.worker_params))
        return

    vendor = choose_database(args.scale)
    setup_django()
    print(f"Benchmark at scale {args.scale} on {vendor}", flush=True)
    generation = ensure_data(args.scale)
    names = [name for name in args.only.split(",") if name]
    if not names:  # --only "": generate the data and stop
        return
    bench = Bench(args.scale, vendor, args.repeats)
    started, now = time.monotonic(), datetime.now(UTC)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{now:%Y-%m-%d}-{args.scale}-{vendor}.json"
    report = {
        "date": now.isoformat(timespec="seconds"),
        "scale": args.scale,
        "database": vendor,
        "repeats": args.repeats,
        "scenarios": names,
        "machine": machine(vendor),
        "generation": generation,
        "results": bench.results,
    }
    for name in names:
        print(f"{name}:", flush=True)
        try:
            getattr(bench, "import_" if name == "import" else name)()
        except Exception as exc:  # a failing scenario is a result: the others still run
            bench.record(name, "error", error=f"{type(exc).__name__}: {exc}"[:500])
        # Written after every scenario, so that an interrupted run keeps what it measured.
        report["seconds"] = round(time.monotonic() - started, 1)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    print()
    print(markdown(bench.results))
    print(f"\nWritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
