"""`make backup` / `make restore` round trips keep every row."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    db = tmp_path / "portal.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db}"}
    run("manage.py", "migrate", "--noinput", env=env)
    run("manage.py", "load_divisions", env=env)
    file = Path(
        run("scripts/backup.py", "backup", "--out", str(tmp_path / "b"), env=env).stdout.strip()
    )
    with sqlite3.connect(db) as conn:
        before = conn.execute("select count(*) from divisions_division").fetchone()[0]
        conn.execute("delete from divisions_userscope")
        conn.execute("delete from divisions_division where level = 3")
    run("scripts/backup.py", "restore", str(file), "--yes", env=env)
    with sqlite3.connect(db) as conn:
        after = conn.execute("select count(*) from divisions_division").fetchone()[0]
    # load_divisions loads both structures since the 2025 reorganisation: Cà Mau and Bạc Liêu before
    # 01/07/2025 (2 provinces, 16 district-level, 164 commune-level units) and 64 units after.
    assert before == after == 246


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_into_a_fresh_database_with_equal_counts(camau, tmp_path):
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    file = Path(
        run(
            "scripts/backup.py", "backup", "--out", str(tmp_path), env={"DATABASE_URL": url}
        ).stdout.strip()
    )
    scratch = f"cds_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        scratch_url = url.rsplit("/", 1)[0] + f"/{scratch}"
        run("scripts/backup.py", "restore", str(file), "--yes", env={"DATABASE_URL": scratch_url})
        out = subprocess.run(
            ["psql", scratch_url, "-tAc", "select count(*) from divisions_division"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(out.stdout.strip()) == 110
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
