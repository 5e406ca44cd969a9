"""Old Bạc Liêu's history under the merged province: steering staff of Cà Mau (in force) read
and complete the reports of Bạc Liêu's old units for months before 07/2025; officers of one
unit or of the province's own figures do not reach them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from divisions import access
from reports.models import DataValue, Report
from tests.divisions.factories import make_user
from tests.reports.test_import import xlsx

pytestmark = pytest.mark.django_db

MAY_2024 = dt.date(2024, 5, 1)
HONG_DAN = "956"  # Huyện Hồng Dân, old Bạc Liêu (until 30/06/2025)


def commune_of(reorganised, district_code: str) -> str:
    district = reorganised.old[district_code]
    return district.children.order_by("code").values_list("code", flat=True)[0]


def test_steering_of_the_province_in_force_covers_old_bac_lieu(reorganised):
    steering = make_user("steering", "96", on=dt.date(2026, 1, 1), username="bcd")
    bac_lieu = reorganised.old["95"]
    assert access.get_access(steering).merged == (bac_lieu.path,)
    assert access.can_view(steering, reorganised.old[HONG_DAN])
    assert access.can_change(steering, reorganised.old[HONG_DAN])
    # An officer of one old Cà Mau district does not reach Bạc Liêu.
    officer = make_user("district_officer", "967", username="tb")
    assert not access.can_view(officer, reorganised.old[HONG_DAN])
    # The agencies enter only the province's own figures.
    agency = make_user("province_officer", "96", on=dt.date(2026, 1, 1), username="so")
    assert access.can_view(agency, reorganised.old[HONG_DAN])
    assert not access.can_change(agency, reorganised.old[HONG_DAN])


def test_steering_imports_a_bac_lieu_history_month_and_approves_it(reorganised, catalogue):
    steering = make_user("steering", "96", on=dt.date(2026, 1, 1), username="bcd")
    other = make_user("steering", "96", on=dt.date(2026, 1, 1), username="bcd2")
    commune = commune_of(reorganised, HONG_DAN)
    client = Client()
    client.force_login(steering)
    slug = f"{MAY_2024:%Y-%m}"
    page = client.get(reverse("reports:entry", args=[HONG_DAN, slug]))
    assert page.status_code == 200
    upload = xlsx(
        [{"indicator_code": "people_guided", "division_code": commune, "period": slug, "value": 40}]
    )
    preview = client.post(reverse("reports:import", args=[HONG_DAN, slug]), {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    token = preview.context["token"]
    done = client.post(reverse("reports:import_confirm", args=[HONG_DAN, slug]), {"token": token})
    assert done.status_code == 302
    figure = DataValue.objects.get(division__code=commune, period=MAY_2024)
    assert figure.value == 40 and figure.division.parent.code == HONG_DAN
    report = Report.objects.get(division__code=HONG_DAN, period=MAY_2024)
    client.post(reverse("reports:submit", args=[HONG_DAN, slug]))
    reviewer = Client()
    reviewer.force_login(other)
    reviewer.post(reverse("reports:approve", args=[HONG_DAN, slug]))
    report.refresh_from_db()
    assert report.status == "approved"
    # The district officer of old Cà Mau lists none of it.
    officer = make_user("district_officer", "967", username="tb")
    assert not Report.objects.for_user(officer).filter(pk=report.pk).exists()
    assert Report.objects.for_user(steering).filter(pk=report.pk).exists()
