"""Backup and restore of the database (QUALITY.md Reliability 4): SQLite through its online backup API,
PostgreSQL through pg_dump and pg_restore. Attachments (MEDIA_ROOT) and the keys are backed up separately
(docs/deployment.md)."""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


def _pg_command(program: str, *args: str) -> tuple[list[str], dict]:
    settings = connection.settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    command = [
        program,
        "--host",
        settings.get("HOST") or "localhost",
        "--port",
        str(settings.get("PORT") or 5432),
        "--username",
        settings.get("USER") or "postgres",
        "--dbname",
        settings["NAME"],
        *args,
    ]
    return command, env


def backup(path: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return
    command, env = _pg_command("pg_dump", "--format=custom", "--no-owner", "--file", str(path))
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=3600)  # noqa: S603


def restore(path: Path) -> None:
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        return
    connection.close()
    command, env = _pg_command(
        "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path)
    )
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=3600)  # noqa: S603
