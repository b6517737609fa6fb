"""Settings of ``make bench`` only: the application's settings plus the stock Django admin (the peer the
list pages are compared with) and a one-query hello page. Never used in production: the admin is not part of
the application's INSTALLED_APPS."""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin", "bench"]
ROOT_URLCONF = "bench.urls"
# Measure what production runs: no debug toolbar of queries, no debug templates.
DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]
# gunicorn logs nothing per request; the bench prints its own table.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
