"""The portal's icon: /favicon.ico (asked for by browsers whatever a page links) and the icons
every page links. Static files themselves are served by whitenoise (not by the test client):
the tests follow the address to the file the static finders serve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders


def static_file(url: str) -> Path:
    assert url.startswith(settings.STATIC_URL), url
    found = finders.find(url.removeprefix(settings.STATIC_URL))
    assert found, url
    return Path(found)


@pytest.mark.django_db
def test_favicon_ico_leads_to_an_icon_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302), response.status_code
    assert static_file(response["Location"]).read_bytes()[:4] == b"\x00\x00\x01\x00"  # ICO


@pytest.mark.django_db
def test_every_page_links_its_icons(client):
    html = client.get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert {Path(i).suffix for i in icons} == {".ico", ".svg"}, icons
    for icon in icons:
        assert static_file(icon).stat().st_size > 0
