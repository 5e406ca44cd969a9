"""Refresh the English catalogue from the Vietnamese source strings.

UI strings are written in Vietnamese (the default language); English lives in
locale/en/translations/<area>.yaml as `Vietnamese msgid: English text` (a list of two strings
for plural forms). This script runs makemessages, fills the catalogue from those files,
compiles it, and lists what is still untranslated. Needs GNU gettext (apt-get install gettext).

    .venv/bin/python scripts/translate_en.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib
import yaml

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
TRANSLATIONS = ROOT / "locale" / "en" / "translations"


def load_translations() -> dict[str, str | list[str]]:
    merged: dict[str, str | list[str]] = {}
    for path in sorted(TRANSLATIONS.glob("*.yaml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


def main() -> int:
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            "--ignore=.venv/*",
            "--ignore=static/*",
            "--ignore=tests/*",
            "--ignore=staticfiles/*",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    catalogue = polib.pofile(str(PO))
    table = load_translations()
    missing = []
    for entry in catalogue:
        value = table.get(entry.msgid)
        if value is None:
            missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            one, many = (value, value) if isinstance(value, str) else value
            entry.msgstr_plural = {0: one, 1: many}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save()
    subprocess.run(
        [sys.executable, "manage.py", "compilemessages", "-l", "en", "--ignore=.venv"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(catalogue) - len(missing)} translated, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
