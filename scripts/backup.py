"""Back up or restore the portal's database named by DATABASE_URL.

    python scripts/backup.py backup [--out DIR]      → prints the file written
    python scripts/backup.py restore FILE [--yes]    → replaces the database's content

PostgreSQL: pg_dump custom format / pg_restore --clean. SQLite: the online backup API (a
consistent copy even while the portal runs). Media files are not part of the database; the
portal keeps no user uploads after an import is applied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'db.sqlite3'}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def sqlite_path(url: str) -> Path:
    """sqlite:////abs/path → /abs/path; sqlite:///rel/path → ROOT/rel/path (as django-environ)."""
    path = url.split("sqlite://", 1)[1]
    if path.startswith("//"):
        return Path(path[1:])
    return ROOT / path.lstrip("/")


def is_postgres(url: str) -> bool:
    return urlparse(url).scheme in {"postgres", "postgresql", "pgsql"}


def backup(url: str, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if is_postgres(url):
        target = out_dir / f"cds-{stamp}.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", url], check=True
        )
        return target
    source = sqlite_path(url)
    if not source.exists():
        sys.exit(f"no SQLite database at {source}")
    target = out_dir / f"cds-{stamp}.sqlite3"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def restore(url: str, file: Path) -> None:
    if not file.exists():
        sys.exit(f"no backup file {file}")
    if is_postgres(url):
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={url}",
                str(file),
            ],
            check=True,
        )
        return
    target = sqlite_path(url)
    if target.exists():
        shutil.copy2(target, target.with_suffix(".before-restore"))
    with sqlite3.connect(file) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup")
    b.add_argument("--out", type=Path, default=ROOT / "backups")
    r = sub.add_parser("restore")
    r.add_argument("file", type=Path)
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    args = parser.parse_args(argv)
    url = database_url()
    if args.command == "backup":
        print(backup(url, args.out))
        return 0
    if not args.yes:
        answer = input(
            f"Replace the content of {urlparse(url).path or url} with {args.file}? [y/N] "
        )
        if answer.strip().lower() not in {"y", "yes", "c", "có"}:
            print("cancelled")
            return 1
    restore(url, args.file)
    print(f"restored {args.file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
