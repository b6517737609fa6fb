"""Real threads against the test database, for the concurrency tests (ARCHITECTURE.md, Tests).

Each thread opens its own database connection and closes it when done. Django's SQLite test database
is an in-memory, shared-cache database: there a writer that meets another connection's lock gets
SQLITE_LOCKED ("database table is locked") at once, because SQLite's busy timeout only applies to
file databases. Production uses a file with a 20 s busy timeout (config/settings.py), which waits;
``retry_locked`` does here what that timeout does there. PostgreSQL waits on row and advisory locks
itself and is never retried.
"""

import random
import threading
import time

from django.db import OperationalError, connection


def retry_locked(fn, *args, attempts: int = 400, **kwargs):
    """Call ``fn``; on the in-memory SQLite test database, retry while another writer holds the lock."""
    for attempt in range(attempts):
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0.001, 0.01))
    raise AssertionError("unreachable")


def run_in_threads(count: int, target, *args) -> list[BaseException]:
    """Run ``target(index, *args)`` in ``count`` threads; return the exceptions they raised."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def body(index):
        try:
            target(index, *args)
        except BaseException as exc:  # reported to the test, which fails on any
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    return errors
