"""The report's pages: the form remembers the header per unit with history, only writers may
save, a long report runs in the worker with htmx-polled progress, files download from the page
and the API within the scope, and the dashboards link to the report."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from divisions.models import Division
from documents.models import FileStatus, PeriodicReport, ReportFile, ReportHeader

pytestmark = pytest.mark.django_db

FORM = {
    "header-parent_body": "UBND tỉnh Cà Mau",
    "header-issuing_body": "Ban Chỉ đạo chuyển đổi số",
    "header-number_pattern": "{so}/BC-BCĐ",
    "header-place": "Cà Mau",
    "header-authority": "KT.",
    "header-authority_body": "Trưởng ban",
    "header-signer_position": "Phó Trưởng ban",
    "header-signer_name": "Trần Thị Bé",
    "header-recipients": "Ban Chỉ đạo CĐS quốc gia (b/c)\nCác sở, ban, ngành",
    "report-document_number": "7",
    "report-issued_on": "2024-02-03",
    "report-tasks_ahead": "Hoàn thành số hóa hồ sơ.",
    "report-proposals": "",
}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_steering_saves_the_header_and_the_next_report_remembers_it(role_users, camau):
    client = client_of(role_users["steering"])
    url = reverse("documents:report", kwargs={"code": "96"})
    response = client.post(f"{url}?period=2024-01", FORM)
    assert response.status_code == 302
    header = ReportHeader.objects.get(division__code="96")
    assert (header.authority, header.signer_name) == ("KT.", "Trần Thị Bé")
    assert header.history.count() == 1
    report = PeriodicReport.objects.get(division__code="96", kind="month", year=2024, number=1)
    assert report.tasks_ahead == "Hoàn thành số hóa hồ sơ." and report.history.count() == 1
    # The next period's form starts from the remembered header, with its own empty text.
    page = client.get(url, {"period": "2024-02"}).content.decode()
    assert "Trần Thị Bé" in page and "Hoàn thành số hóa hồ sơ." not in page
    client.post(f"{url}?period=2024-01", {**FORM, "header-signer_name": "Lê Văn Cường"})
    assert header.history.count() == 2


def test_a_viewer_reads_but_cannot_save(role_users, camau):
    client = client_of(role_users["viewer"])
    url = reverse("documents:report", kwargs={"code": "96"})
    assert client.get(url).status_code == 200
    assert client.post(url, FORM).status_code == 403
    assert not ReportHeader.objects.exists() and not PeriodicReport.objects.exists()


def test_a_number_pattern_without_its_placeholder_is_refused(role_users, camau):
    client = client_of(role_users["steering"])
    url = reverse("documents:report", kwargs={"code": "96"})
    response = client.post(url, {**FORM, "header-number_pattern": "BC-BCĐ"})
    assert response.status_code == 200
    assert "{so}" in response.content.decode() and not ReportHeader.objects.exists()


def test_a_year_report_runs_in_the_worker_and_the_page_polls_its_progress(role_users, camau):
    client = client_of(role_users["viewer"])
    url = reverse("documents:generate", kwargs={"code": "96", "period": "2024"})
    response = client.post(url)
    file = ReportFile.objects.get()
    assert response["Location"] == reverse("documents:file", kwargs={"pk": file.pk})
    # The worker (eager in tests) has run it; the fragment stops polling once done.
    assert file.status == FileStatus.DONE and file.progress == 100
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "/pdf/" in fragment
    docx = client.get(reverse("documents:download", kwargs={"pk": file.pk, "kind": "docx"}))
    texts = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert "Kết quả thực hiện chuyển đổi số năm 2024 của Tỉnh Cà Mau" in texts
    pdf = client.get(reverse("documents:download", kwargs={"pk": file.pk, "kind": "pdf"}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_queued_file_is_polled_with_its_progress(role_users, province_report_file):
    ReportFile.objects.filter(pk=province_report_file.pk).update(
        status=FileStatus.RUNNING, progress=40, step="Viết văn bản"
    )
    client = client_of(role_users["steering"])
    url = reverse("documents:file", kwargs={"pk": province_report_file.pk})
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "40%" in fragment and "Viết văn bản" in fragment


def test_a_district_makes_no_periodic_report(role_users, camau):
    client = client_of(role_users["steering"])
    assert client.get(reverse("documents:report", kwargs={"code": "967"})).status_code == 404


def test_a_commune_file_is_hidden_outside_its_scope(role_users, reorganised):
    unit = reorganised.new["32069"]
    report = PeriodicReport.objects.create(division=unit, kind="month", year=2026, number=1)
    file = ReportFile.objects.create(report=report, status=FileStatus.DONE, docx=b"d", pdf=b"p")
    outsider = client_of(role_users["officer_b"])
    url = reverse("documents:download", kwargs={"pk": file.pk, "kind": "pdf"})
    assert outsider.get(url).status_code == 404
    api = reverse("api:document_file", kwargs={"pk": file.pk, "kind": "pdf"})
    assert outsider.get(api).status_code == 404
    listed = outsider.get(reverse("api:documents")).json()["results"]
    assert file.pk not in [row["id"] for row in listed]
    steering = client_of(role_users["steering"])
    assert steering.get(url).status_code == 200 and steering.get(api).content == b"p"


def test_the_api_lists_the_province_files_with_their_addresses(role_users, province_report_file):
    client = client_of(role_users["commune"])
    rows = client.get(reverse("api:documents")).json()["results"]
    assert [(r["division"], r["period"]) for r in rows] == [("96", "2024-01")]
    assert rows[0]["pdf"].endswith(f"/api/v1/documents/{province_report_file.pk}/pdf/")
    assert client.get(rows[0]["pdf"]).content == b"%PDF"


def test_the_dashboards_link_to_the_report_of_the_month_shown(role_users, reorganised):
    client = client_of(role_users["steering"])
    page = client.get(reverse("dashboards:province"), {"period": "2026-10"}).content.decode()
    assert f"{reverse('documents:report', kwargs={'code': '96'})}?period=2026-10" in page
    unit = Division.objects.by_code("32069", on=reorganised.new["32069"].valid_from)
    page = client.get(
        reverse("dashboards:division", kwargs={"code": unit.code}), {"period": "2026-10"}
    ).content.decode()
    assert reverse("documents:report", kwargs={"code": "32069"}) in page


def test_a_period_not_over_yet_opens_and_generates_the_latest_ended_one(role_users, camau):
    """The dashboard's link carries its current month: the page, its choices and the document
    all speak of the last ended month instead, and no unfinished year is offered."""
    from django.utils import timezone

    from documents import periods

    client = client_of(role_users["steering"])
    today = timezone.localdate()
    this_month = periods.of_month(periods.MONTH, today.replace(day=1))
    last_month = this_month.previous
    url = reverse("documents:report", kwargs={"code": "96"})
    page = client.get(url, {"period": this_month.text}).content.decode()
    assert f'value="{last_month.text}" selected' in page
    assert f'value="{this_month.text}"' not in page
    assert f'value="{today.year}"' not in page  # the year is not over
    assert f'value="{today.year - 1}"' in page
    client.post(reverse("documents:generate", kwargs={"code": "96", "period": this_month.text}))
    made = ReportFile.objects.select_related("report").get()
    assert (made.report.kind, made.report.year, made.report.number) == (
        "month",
        last_month.year,
        last_month.number,
    )
