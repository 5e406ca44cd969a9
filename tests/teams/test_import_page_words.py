"""The member import page read in English and with a keyboard: the help names the role words
the import reads in the reader's language, the file input has a label, the preview table can
take the focus to scroll."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.teams.test_import import GOOD_ROWS, _xlsx

pytestmark = pytest.mark.django_db


def test_import_help_lists_the_role_words_in_english(client, commune_officer, team_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(commune_officer)
    page = client.get(reverse("teams:member_import", kwargs={"pk": team_a.pk})).content.decode()
    assert "Roles: Team leader, " in page
    assert "Tổ trưởng" not in page
    assert re.search(r'<label[^>]*for="import-file"', page)
    assert re.search(r'<input[^>]*id="import-file"[^>]*type="file"', page)


def test_import_preview_table_takes_the_keyboard_focus(client, commune_officer, team_a):
    client.force_login(commune_officer)
    url = reverse("teams:member_import", kwargs={"pk": team_a.pk})
    page = client.post(url, {"file": _xlsx(GOOD_ROWS)}).content.decode()
    assert re.search(r'<div class="table-responsive" tabindex="0" role="region" aria-label="', page)
