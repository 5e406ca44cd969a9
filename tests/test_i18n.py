"""The English catalogue is complete and compiled from the current source strings."""

from __future__ import annotations

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_portal_string_has_an_english_translation():
    catalogue = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"run scripts/translate_en.py; untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    catalogue = polib.pofile(str(PO))
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in compiled if not e.msgid_plural} == {
        e.msgid: e.msgstr for e in catalogue if not e.msgid_plural and not e.obsolete
    }
