"""The public target pages speak one language: Vietnamese pages carry no English name, wording or
accessibility label; English pages show the catalogue's English name and wording where it has one.
The API documentation, which publishes the same catalogue, is titled in Vietnamese too."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from targets.models import Target

PAGES = ("work_records_online", "team_member_count")


def _get(client, url, lang=None):
    if lang:
        client.cookies["django_language"] = lang
        return client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    return client.get(url)


def _text(response) -> str:
    html = response.content.decode()
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _breadcrumb(response) -> str:
    html = response.content.decode()
    current = re.search(r'<li class="breadcrumb-item active" aria-current="page">(.*?)</li>', html)
    assert current, "the page has a breadcrumb"
    return html_lib.unescape(current.group(1)).strip()


def _attribute_values(response) -> list[str]:
    html = response.content.decode()
    return [html_lib.unescape(v) for v in re.findall(r'(?:aria-label|title|alt)="([^"]*)"', html)]


@pytest.mark.django_db
@pytest.mark.parametrize("code", PAGES)
def test_vietnamese_indicator_page_has_no_english_name_or_wording(client, catalogue, code):
    indicator = catalogue[code]
    response = _get(client, reverse("targets:indicator", args=[code]))
    assert response.status_code == 200
    text = _text(response)
    assert indicator.name_en and indicator.name_en not in text
    assert indicator.name_vi in text
    assert _breadcrumb(response) == indicator.name_vi
    for target in Target.objects.filter(indicator=indicator):
        assert target.wording_vi in text
        if target.wording_en:
            assert target.wording_en not in text


@pytest.mark.django_db
def test_work_records_online_has_an_english_target_wording_to_hide(catalogue):
    # Otherwise the wording checks above and below would pass without testing anything.
    assert Target.objects.filter(indicator__code="work_records_online").exclude(wording_en="")


@pytest.mark.django_db
@pytest.mark.parametrize("code", PAGES)
def test_english_indicator_page_shows_english_name_and_wording(client, catalogue, code):
    indicator = catalogue[code]
    response = _get(client, reverse("targets:indicator", args=[code]), lang="en")
    text = _text(response)
    assert _breadcrumb(response) == indicator.name_en
    assert re.search(r"<h1[^>]*>\s*" + re.escape(indicator.name_en), response.content.decode())
    for target in Target.objects.filter(indicator=indicator):
        if target.wording_en:
            assert target.wording_en in text
            assert target.wording_vi not in text
        else:
            assert target.wording_vi in text
    assert 'aria-label="Breadcrumb"' in response.content.decode()


@pytest.mark.django_db
def test_programme_page_shows_target_wording_in_the_page_language(client, catalogue):
    url = reverse("targets:programme", args=["05-nq-tu"])
    targets = list(Target.objects.filter(programme__code="05-nq-tu").exclude(wording_en=""))
    assert targets
    vietnamese, english = _text(_get(client, url)), _text(_get(client, url, lang="en"))
    for target in targets:
        assert target.wording_vi in vietnamese and target.wording_en not in vietnamese
        assert target.wording_en in english and target.wording_vi not in english


ENGLISH_WORDS = re.compile(
    r"\b(breadcrumb|navigation|close|search|toggle|main|skip|page|previous|next)\b", re.I
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("targets:indicator", args=["work_records_online"]),
        reverse("targets:programme", args=["05-nq-tu"]),
        reverse("targets:methodology"),
        reverse("targets:catalogue"),
    ],
)
def test_vietnamese_pages_have_no_english_accessibility_labels(client, catalogue, url):
    values = _attribute_values(_get(client, url))
    assert values, "the page labels something"
    assert [v for v in values if ENGLISH_WORDS.search(v)] == []


@pytest.mark.django_db
def test_import_page_breadcrumb_label_is_vietnamese(client, steering_user):
    client.force_login(steering_user)
    html = client.get(reverse("targets:import")).content.decode()
    assert 'aria-label="breadcrumb"' not in html
    assert 'aria-label="Đường dẫn trang"' in html


@pytest.mark.django_db
def test_programme_milestones_are_not_brackets_inside_brackets(client, catalogue):
    text = _text(_get(client, reverse("targets:programme", args=["2629-qd-ttg"])))
    assert "2028: 96,33% — lộ trình dự kiến (tự tính, không phải chỉ tiêu)" in text
    assert "))" not in text


@pytest.mark.django_db
def test_api_docs_are_titled_in_vietnamese(client):
    html = client.get("/api/docs/").content.decode()
    assert "<title>API của Cổng chuyển đổi số tỉnh Cà Mau</title>" in html
    # The schema's own title stays ASCII on purpose: generated clients take their name from it.
