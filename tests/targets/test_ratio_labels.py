"""A ratio's numerator and denominator labels speak the page's language: English pages show the
catalogue's English labels (the Vietnamese one, marked lang="vi", only where no English exists),
Vietnamese pages the Vietnamese ones; the API publishes both."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client
from django.urls import reverse

from targets.models import Indicator, Measurement
from tests.dashboards.helpers import build_world
from tests.reports.province_fixtures import PROVINCE_INDICATOR

pytestmark = pytest.mark.django_db

NUM_VI, DEN_VI = "Số hồ sơ xử lý trên mạng", "Tổng số hồ sơ"
NUM_EN, DEN_EN = "Records processed online", "All records"


def client_for(user, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _translate(code: str) -> None:
    Indicator.objects.filter(code=code).update(
        numerator_label=NUM_VI,
        denominator_label=DEN_VI,
        numerator_label_en=NUM_EN,
        denominator_label_en=DEN_EN,
    )


def _assert_english(html: str) -> None:
    assert f'<span lang="en">{NUM_EN}</span>' in html
    assert f'<span lang="en">{DEN_EN}</span>' in html
    text = _text(html)
    assert NUM_VI not in text and DEN_VI not in text


def _assert_vietnamese(html: str) -> None:
    assert f'<span lang="vi">{NUM_VI}</span>' in html
    assert f'<span lang="vi">{DEN_VI}</span>' in html
    text = _text(html)
    assert NUM_EN not in text and DEN_EN not in text


def _entry_url(report) -> str:
    return reverse("reports:entry", args=[report.division.code, f"{report.period:%Y-%m}"])


# The report of one unit (the form of indicator rows).


def test_english_unit_form_shows_english_labels(province_officer, report_province):
    _translate(PROVINCE_INDICATOR)
    page = client_for(province_officer, "en").get(_entry_url(report_province))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="{PROVINCE_INDICATOR}__96__num-desc"' in html
    _assert_english(html)


def test_vietnamese_unit_form_shows_vietnamese_labels(province_officer, report_province):
    _translate(PROVINCE_INDICATOR)
    html = client_for(province_officer, "vi").get(_entry_url(report_province)).content.decode()
    assert f'id="{PROVINCE_INDICATOR}__96__num-desc"' in html
    _assert_vietnamese(html)


def test_english_unit_form_without_english_labels_marks_the_vietnamese(
    province_officer, report_province
):
    Indicator.objects.filter(code=PROVINCE_INDICATOR).update(
        numerator_label=NUM_VI, denominator_label=DEN_VI
    )
    html = client_for(province_officer, "en").get(_entry_url(report_province)).content.decode()
    _assert_vietnamese(html)


# A district's report with its communes (the grid: column headers and input labels).


def test_english_report_grid_shows_english_labels(officer_a, report_a):
    _translate("work_records_online")
    html = client_for(officer_a, "en").get(_entry_url(report_a)).content.decode()
    assert "report-grid" in html
    _assert_english(html)
    labels = [html_lib.unescape(v) for v in re.findall(r'aria-label="([^"]*)"', html)]
    assert any(label.startswith(f"{NUM_EN} — ") for label in labels)
    assert any(label.startswith(f"{DEN_EN} — ") for label in labels)
    assert not any(NUM_VI in label or DEN_VI in label for label in labels)


def test_vietnamese_report_grid_shows_vietnamese_labels(officer_a, report_a):
    _translate("work_records_online")
    html = client_for(officer_a, "vi").get(_entry_url(report_a)).content.decode()
    _assert_vietnamese(html)
    labels = [html_lib.unescape(v) for v in re.findall(r'aria-label="([^"]*)"', html)]
    assert any(label.startswith(f"{NUM_VI} — ") for label in labels)
    assert not any(NUM_EN in label or DEN_EN in label for label in labels)


# The public indicator page of the shipped catalogue.


def test_english_indicator_page_shows_catalogue_english_labels(client, catalogue):
    indicator = catalogue["work_records_online"]
    assert indicator.numerator_label_en == "Work records processed online"
    client.cookies["django_language"] = "en"
    html = client.get(
        reverse("targets:indicator", args=["work_records_online"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f'<span lang="en">{indicator.numerator_label_en}</span>' in html
    assert f'<span lang="en">{indicator.denominator_label_en}</span>' in html
    text = _text(html)
    assert indicator.numerator_label not in text
    assert indicator.denominator_label not in text


def test_vietnamese_indicator_page_shows_vietnamese_labels(client, catalogue):
    indicator = catalogue["work_records_online"]
    html = client.get(reverse("targets:indicator", args=["work_records_online"])).content.decode()
    assert f'<span lang="vi">{indicator.numerator_label}</span>' in html
    assert f'<span lang="vi">{indicator.denominator_label}</span>' in html
    text = _text(html)
    assert indicator.numerator_label_en not in text
    assert indicator.denominator_label_en not in text


# The dashboard's indicator page (the monthly table's headers).


def _dashboard(user, camau, language: str) -> str:
    world = build_world(camau)
    _translate(world["indicator"].code)
    response = client_for(user, language).get(
        reverse("dashboards:indicator", args=[world["indicator"].code]), {"division": "96"}
    )
    assert response.status_code == 200
    return response.content.decode()


def _headers(html: str) -> list[tuple[str, str]]:
    return [
        (lang, html_lib.unescape(text))
        for lang, text in re.findall(r'<th class="text-end" lang="([^"]*)">([^<]*)</th>', html)
    ]


def test_english_dashboard_indicator_page_heads_columns_in_english(steering_user, camau):
    html = _dashboard(steering_user, camau, "en")
    headers = _headers(html)
    assert ("en", NUM_EN) in headers and ("en", DEN_EN) in headers
    text = _text(html)
    assert NUM_VI not in text and DEN_VI not in text


def test_vietnamese_dashboard_indicator_page_heads_columns_in_vietnamese(steering_user, camau):
    html = _dashboard(steering_user, camau, "vi")
    headers = _headers(html)
    assert ("vi", NUM_VI) in headers and ("vi", DEN_VI) in headers
    text = _text(html)
    assert NUM_EN not in text and DEN_EN not in text


# The shipped catalogue and the API.


def test_every_labelled_indicator_of_the_catalogue_has_english_labels(catalogue):
    ratios = [i for i in catalogue.values() if i.measurement == Measurement.RATIO]
    assert ratios, "the catalogue has ratio indicators"
    labelled = [i for i in catalogue.values() if i.numerator_label or i.denominator_label]
    for indicator in {*ratios, *labelled}:
        assert indicator.numerator_label_en.strip(), indicator.code
        assert indicator.denominator_label_en.strip(), indicator.code
        assert indicator.numerator_label_en != indicator.numerator_label, indicator.code
        assert indicator.denominator_label_en != indicator.denominator_label, indicator.code
        indicator.full_clean()


def test_api_publishes_english_labels_next_to_vietnamese(client, catalogue):
    indicator = catalogue["work_records_online"]
    body = client.get("/api/v1/indicators/work_records_online/").json()
    assert body["numerator_label"] == indicator.numerator_label
    assert body["denominator_label"] == indicator.denominator_label
    assert body["numerator_label_en"] == "Work records processed online"
    assert body["denominator_label_en"] == indicator.denominator_label_en != ""
