"""Excel/CSV import: refusals, every validation rule, dry run, atomic apply, query counts."""

from __future__ import annotations

import gc
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.uploads import UploadError
from reports.imports import COLUMNS, HEADERS, figures_import
from reports.models import DataValue, DataValueChange
from reports.services import FigureInput, data_values_upsert
from targets.models import Indicator
from tests.reports.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


def xlsx(rows, *, headers=COLUMNS, note=True, name="bao-cao.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    if note:
        ws.append(["Ghi chú: số thập phân dùng dấu phẩy"])
    ws.append(list(headers))
    for r in rows:
        ws.append([r.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_file(text: str, name="bao-cao.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def row(indicator, division, period, **kw):
    return {
        "indicator_code": indicator,
        "division_code": division,
        "period": f"{period:%Y-%m}",
        **kw,
    }


def run(user, upload, unit, period, dry_run=False):
    return figures_import(user=user, upload=upload, unit=unit, period=period, dry_run=dry_run)


@pytest.fixture
def unit(camau):
    return camau["967"]


def communes_of_a(camau):
    return sorted(d.code for d in camau.values() if d.parent_id == camau["967"].pk)


# --- whole-file refusals -------------------------------------------------------------------


def test_not_excel_or_csv_is_refused(officer_a, unit, report_a, last_month):
    with pytest.raises(UploadError, match="Chỉ nhận tệp Excel"):
        run(officer_a, SimpleUploadedFile("x.pdf", b"%PDF-1.4"), unit, last_month)
    with pytest.raises(UploadError, match="Không đọc được tệp Excel"):
        run(officer_a, SimpleUploadedFile("x.xlsx", b"not a zip"), unit, last_month)


def test_missing_or_renamed_columns_are_refused(officer_a, unit, report_a, last_month):
    headers = [h if h != "value" else "gia_tri" for h in COLUMNS]
    with pytest.raises(UploadError) as exc:
        run(officer_a, xlsx([], headers=headers), unit, last_month)
    assert (
        "thiếu cột: Giá trị" in exc.value.messages[0] and "cột lạ: gia_tri" in exc.value.messages[0]
    )


def test_empty_file_is_refused(officer_a, unit, report_a, last_month):
    with pytest.raises(UploadError, match="rỗng"):
        run(officer_a, SimpleUploadedFile("x.csv", b""), unit, last_month)
    with pytest.raises(UploadError, match="không có dòng số liệu"):
        run(officer_a, xlsx([]), unit, last_month)


def test_an_import_leaves_the_memory_collector_as_it_found_it(
    officer_a, unit, report_a, last_month
):
    # The import pauses Python's cycle collector while it works: it must run again afterwards,
    # whether the file was stored or refused, and stay off if it was off.
    assert gc.isenabled()
    good = xlsx([row("people_guided", "32068", last_month, value=5)])
    assert run(officer_a, good, unit, last_month).ok
    assert gc.isenabled()
    with pytest.raises(UploadError):
        run(officer_a, SimpleUploadedFile("x.csv", b""), unit, last_month)
    assert gc.isenabled()
    gc.disable()
    try:
        run(officer_a, good, unit, last_month, dry_run=True)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_too_large_file_is_refused(officer_a, unit, report_a, last_month, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(UploadError, match="quá lớn"):
        run(officer_a, xlsx([row("people_guided", "32068", last_month, value=1)]), unit, last_month)


# --- every rule through the import ----------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"indicator_code": "khong_co"}, "indicator_code", "không có chỉ tiêu"),
        ({"division_code": "00000"}, "division_code", "không có đơn vị"),
        ({"division_code": "32047"}, "division_code", "không thuộc Huyện Thới Bình"),
        ({"period": "2022-06"}, "period", "ngoài thời gian báo cáo"),
        ({"period": "tháng năm"}, "period", "không đọc được"),
        ({"value": -5}, "value", "không được âm"),
        ({"value": "2,5"}, "value", "số nguyên"),
        ({"value": "abc"}, "value", "không phải là số"),
        ({"version": "x"}, "version", "cột Phiên bản"),
    ],
)
def test_each_rule_names_row_and_column(
    officer_a, unit, report_a, last_month, values, column, words
):
    good = row("people_guided", "32068", last_month, value=3)
    bad = {**row("people_guided", "32071", last_month, value=4), **values}
    outcome = run(officer_a, xlsx([good, bad]), unit, last_month)
    assert not outcome.ok
    err = outcome.errors[0]
    assert (err.row, err.column) == (4, column), outcome.errors
    assert words in err.message and "Dòng 4" in err.message
    assert not DataValue.objects.exists()


def test_other_month_is_refused(officer_a, unit, report_a, last_month):
    from core import months as periods

    other = periods.previous_month(last_month)
    outcome = run(
        officer_a, xlsx([row("people_guided", "32068", other, value=3)]), unit, last_month
    )
    assert "tháng khác" in outcome.errors[0].message


def test_ratio_rules_through_the_import(officer_a, unit, report_a, last_month):
    outcome = run(
        officer_a,
        xlsx(
            [
                row("work_records_online", "967", last_month, numerator=9, denominator=5),
                row("work_records_online", "32068", last_month, value=80),
            ]
        ),
        unit,
        last_month,
    )
    messages = [e.message for e in outcome.errors]
    assert "lớn hơn mẫu số" in messages[0] and "tử số" in messages[1]


def test_share_over_100_through_the_import(officer_a, unit, report_a, last_month):
    from tests.reports.factories import share_indicator

    share_indicator()
    outcome = run(
        officer_a, xlsx([row("sme_share", "967", last_month, value=101)]), unit, last_month
    )
    assert "0 đến 100" in outcome.errors[0].message


def test_stock_drop_needs_note_through_the_import(officer_a, unit, report_a, last_month):
    from core import months as periods

    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("team_count", "32068", periods.previous_month(last_month), value=5)],
    )
    outcome = run(
        officer_a, xlsx([row("team_count", "32068", last_month, value=2)]), unit, last_month
    )
    assert "thấp hơn tháng trước" in outcome.errors[0].message
    outcome = run(
        officer_a,
        xlsx([row("team_count", "32068", last_month, value=2, note="Sáp nhập")]),
        unit,
        last_month,
    )
    assert outcome.ok and len(outcome.result.warnings) == 1


def test_stale_version_through_the_import(officer_a, unit, report_a, last_month):
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=5)]
    )
    data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=6)]
    )
    outcome = run(
        officer_a,
        xlsx([row("people_guided", "32068", last_month, value=7, version=1)]),
        unit,
        last_month,
    )
    assert "giá trị của họ là 6" in outcome.errors[0].message


def test_csv_with_both_decimal_separators(officer_a, unit, report_a, last_month, camau):
    from tests.reports.factories import amount_indicator

    amount_indicator()
    header = ",".join(COLUMNS)
    text = (
        f"{header}\n"
        f'resolution_days,,967,,{last_month:%Y-%m},"12,5",,,,\n'
        f"people_guided,,32068,,{last_month:%Y-%m},1.500,,,,\n"
    )
    outcome = run(officer_a, csv_file(text), unit, last_month)
    assert outcome.ok, outcome.errors
    values = dict(DataValue.objects.values_list("indicator__code", "value"))
    assert values == {"resolution_days": 12.5, "people_guided": 1500}


def test_dry_run_saves_nothing(officer_a, unit, report_a, last_month):
    outcome = run(
        officer_a,
        xlsx([row("people_guided", "32068", last_month, value=3)]),
        unit,
        last_month,
        True,
    )
    assert outcome.ok and outcome.result.created == 1
    assert not DataValue.objects.exists()


# --- template round trip, views ----------------------------------------------------------------


def test_template_is_prefilled_and_reimports_unchanged(
    officer_a, unit, report_a, last_month, camau
):
    data_values_upsert(
        user=officer_a,
        rows=[FigureInput("work_records_online", "967", last_month, numerator=3, denominator=4)],
    )
    c = Client()
    c.force_login(officer_a)
    response = c.get(reverse("reports:template", args=["967", f"{last_month:%Y-%m}"]))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert "DẤU PHẨY" in ws["A1"].value
    assert ws.title == "Số liệu"
    assert [c.value for c in ws[2]] == [HEADERS[c] for c in COLUMNS]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    divisions = {r[2] for r in rows}
    assert divisions == {"967", *communes_of_a(camau)}
    ratio_row = next(r for r in rows if r[0] == "work_records_online" and r[2] == "967")
    assert ratio_row[6:8] == (3, 4) and ratio_row[9] == 1
    outcome = run(officer_a, SimpleUploadedFile("t.xlsx", response.content), unit, last_month)
    assert outcome.ok and outcome.result.unchanged == len(rows)


def test_upload_preview_then_confirm(officer_a, report_a, last_month):
    c = Client()
    c.force_login(officer_a)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    response = c.post(url, {"file": xlsx([row("people_guided", "32068", last_month, value=3)])})
    assert response.status_code == 200 and "Xác nhận nhập" in response.content.decode()
    assert not DataValue.objects.exists()
    token = response.context["token"]
    response = c.post(
        reverse("reports:import_confirm", args=["967", f"{last_month:%Y-%m}"]), {"token": token}
    )
    assert response.status_code == 302
    assert DataValue.objects.get().changes.get().channel == "import"


def test_upload_with_errors_lists_them_by_row_and_column(officer_a, report_a, last_month):
    c = Client()
    c.force_login(officer_a)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    response = c.post(url, {"file": xlsx([row("people_guided", "32068", last_month, value=-1)])})
    body = response.content.decode()
    assert response.status_code == 422 and 'id="import-errors"' in body and "không được âm" in body


def test_upload_refusal_is_shown(officer_a, report_a, last_month):
    c = Client()
    c.force_login(officer_a)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    response = c.post(url, {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert response.status_code == 400 and "Chỉ nhận tệp Excel" in response.content.decode()


def test_officer_of_other_district_cannot_upload(officer_b, report_a, last_month):
    c = Client()
    c.force_login(officer_b)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    response = c.post(url, {"file": xlsx([row("people_guided", "32068", last_month, value=3)])})
    assert response.status_code == 403 and not DataValue.objects.exists()


def test_steering_can_import_for_any_district(steering_user, unit, report_a, last_month):
    outcome = run(
        steering_user, xlsx([row("people_guided", "32068", last_month, value=3)]), unit, last_month
    )
    assert outcome.ok and DataValue.objects.count() == 1


# --- 5,000 rows ---------------------------------------------------------------------------------


@pytest.fixture
def many_indicators(db):
    Indicator.objects.bulk_create(
        [
            IndicatorFactory.build(code=f"imp_{n:03d}", name_vi=f"Chỉ tiêu nhập {n}")
            for n in range(400)
        ]
    )
    return list(Indicator.objects.filter(code__startswith="imp_").order_by("code"))


def big_rows(camau, period, n, bad_at=None):
    units = ["967", *communes_of_a(camau)]
    rows = []
    for ind_n in range(400):
        for code in units:
            if len(rows) == n:
                return rows
            value = -1 if len(rows) == bad_at else len(rows) % 97
            rows.append(row(f"imp_{ind_n:03d}", code, period, value=value))
    return rows


def test_5000_rows_with_one_bad_row_save_nothing_and_name_the_row(
    officer_a, unit, report_a, last_month, camau, many_indicators
):
    upload = xlsx(big_rows(camau, last_month, 5000, bad_at=4321))
    outcome = run(officer_a, upload, unit, last_month)
    assert [e.row for e in outcome.errors] == [4321 + 3]  # note row + header row
    assert "Dòng 4324" in outcome.errors[0].message
    assert not DataValue.objects.exists() and not DataValueChange.objects.exists()


def test_5000_rows_apply_atomically_in_seconds(
    officer_a, unit, report_a, last_month, camau, many_indicators
):
    upload = xlsx(big_rows(camau, last_month, 5000))
    started = time.monotonic()
    outcome = run(officer_a, upload, unit, last_month)
    elapsed = time.monotonic() - started
    assert outcome.ok and outcome.result.created == 5000
    assert DataValue.objects.count() == 5000 and DataValueChange.objects.count() == 5000
    assert elapsed < 20, f"5,000 rows took {elapsed:.1f}s"


def test_import_query_count_does_not_grow_with_rows(
    officer_a, unit, report_a, last_month, camau, many_indicators
):
    def queries_for(n):
        DataValueChange.objects.all().delete()
        DataValue.objects.all().delete()
        upload = xlsx(big_rows(camau, last_month, n))
        # A fresh user object each time: its role and scope are cached on the instance.
        user = type(officer_a).objects.get(pk=officer_a.pk)
        with CaptureQueriesContext(connection) as ctx:
            outcome = run(user, upload, unit, last_month)
        assert outcome.ok
        sql = [q["sql"] for q in ctx.captured_queries]
        inserts = [q for q in sql if q.startswith("INSERT")]
        return len(sql) - len(inserts), len(inserts)

    (small, _), (large, large_inserts) = queries_for(100), queries_for(1000)
    assert large == small, "reads and locks must not depend on the number of rows"
    # Inserts are bulk statements: as many rows per statement as the backend takes
    # (1,000 on PostgreSQL, fewer on SQLite's 999-parameter limit), one per table and batch.
    per_statement = min(1000, connection.ops.bulk_batch_size(["f"] * 13, [None] * 1000))
    assert large_inserts <= 2 * -(-1000 // per_statement)


def test_too_large_upload_is_refused_by_the_view(officer_a, report_a, last_month, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    c = Client()
    c.force_login(officer_a)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    response = c.post(url, {"file": xlsx([row("people_guided", "32068", last_month, value=3)])})
    assert response.status_code == 400 and "quá lớn" in response.content.decode()
    assert not DataValue.objects.exists()


# --- hostile files, capped error lists, formulas in the template ----------------------------


def test_hostile_workbook_is_refused_by_the_view_with_its_message(officer_a, report_a, last_month):
    from tests.core.hostile_files import huge_dimension

    c = Client()
    c.force_login(officer_a)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    response = c.post(url, {"file": SimpleUploadedFile("bao-cao.xlsx", huge_dimension())})
    assert response.status_code == 400
    assert "Trang tính khai báo 1048576 dòng" in response.content.decode()
    assert not DataValue.objects.exists()


def test_many_bad_rows_list_fifty_errors_and_count_the_rest(officer_a, report_a, last_month):
    rows = [row("people_guided", "32068", last_month, value=-1, version=0)] * 120
    c = Client()
    c.force_login(officer_a)
    url = reverse("reports:import", args=["967", f"{last_month:%Y-%m}"])
    response = c.post(url, {"file": xlsx(rows)})
    body = response.content.decode()
    assert response.status_code == 422
    assert len(response.context["outcome"].errors) > 100
    assert body.count('<tr><td class="num">') == 50
    more = len(response.context["outcome"].errors) - 50
    assert f"và {more} lỗi khác" in body


def test_a_formula_in_a_note_stays_text_in_the_template(officer_a, unit, report_a, last_month):
    data_values_upsert(
        user=officer_a,
        rows=[
            FigureInput(
                "people_guided", "32068", last_month, value=5, note='=HYPERLINK("http://x","y")'
            )
        ],
        unit=unit,
        period=last_month,
    )
    c = Client()
    c.force_login(officer_a)
    url = reverse("reports:template", args=["967", f"{last_month:%Y-%m}"])
    sheet = load_workbook(io.BytesIO(c.get(url).content)).active
    notes = [r[8] for r in sheet.iter_rows(min_row=3) if r[8].value]
    assert [(n.value, n.data_type) for n in notes] == [('=HYPERLINK("http://x","y")', "s")]
