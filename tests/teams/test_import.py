from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from teams.models import Member

pytestmark = pytest.mark.django_db

HEADER = ["Họ và tên", "Vai trò", "Đơn vị, đoàn thể", "Số điện thoại", "Ngày tham gia", "Ghi chú"]


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(
        "thanh-vien.xlsx",
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


GOOD_ROWS = [
    ["Nguyễn Văn Tư", "Tổ phó", "Công an", "0912 000 444", dt.datetime(2023, 3, 2), ""],
    ["Lê Thị Năm", "Tổ viên", "Đoàn Thanh niên", 987000555, "03/03/2023", "Bí thư Đoàn ấp"],
    ["Phạm Văn Sáu", "tổ viên", "Hội Cựu chiến binh", "", "2023-03-04", ""],
]


def _url(team):
    return reverse("teams:member_import", kwargs={"pk": team.pk})


def test_good_file_previews_then_saves_on_confirmation(client, team_leader, team_a):
    client.force_login(team_leader)
    preview = client.post(_url(team_a), {"file": _xlsx(GOOD_ROWS)})
    assert preview.status_code == 200
    assert not preview.context["has_errors"]
    assert Member.objects.filter(team=team_a).count() == 2  # preview saves nothing
    token = preview.context["token"]
    done = client.post(_url(team_a), {"token": token})
    assert done.status_code == 302
    added = Member.objects.filter(team=team_a, full_name="Lê Thị Năm").get()
    assert added.phone == "0987000555"  # Excel number without its leading zero
    assert added.joined_on == dt.date(2023, 3, 3)
    assert added.body == "youth_union"
    assert Member.objects.filter(team=team_a).count() == 5


def test_one_bad_row_saves_nothing_and_names_the_row(client, commune_officer, team_a):
    rows = [*GOOD_ROWS[:2], ["Trần Văn Bảy", "Tổ viên", "Công an", "0123456", "05/03/2023", ""]]
    client.force_login(commune_officer)
    preview = client.post(_url(team_a), {"file": _xlsx(rows)})
    assert preview.context["has_errors"]
    assert "token" not in preview.context
    bad = [r for r in preview.context["results"] if r["errors"]]
    assert [r["row"] for r in bad] == [4]
    assert "không phải số Việt Nam" in bad[0]["errors"][0]
    assert "Có dòng sai: chưa lưu dòng nào" in preview.content.decode()
    assert Member.objects.filter(team=team_a).count() == 2


def test_second_leader_in_file_is_refused(client, commune_officer, team_a):
    rows = [["Người Lạ", "Tổ trưởng", "Khác", "", "05/03/2023", ""]]
    client.force_login(commune_officer)
    preview = client.post(_url(team_a), {"file": _xlsx(rows)})
    assert "đã có tổ trưởng Võ Văn Tổ" in preview.context["results"][0]["errors"][0]


def test_unknown_role_and_bad_date_are_row_errors(client, commune_officer, team_a):
    rows = [["Người Lạ", "Chủ tịch", "Khác", "", "31/02/2023", ""]]
    client.force_login(commune_officer)
    errors = client.post(_url(team_a), {"file": _xlsx(rows)}).context["results"][0]["errors"]
    assert any("Vai trò “Chủ tịch”" in e for e in errors)
    assert any("31/02/2023" in e for e in errors)


def test_a_body_or_role_that_could_not_be_read_is_shown_empty_not_as_a_default(
    client, commune_officer, team_a
):
    """The preview shows what the file says: a blank body is an error, not "Khác"."""
    rows = [["Người Lạ", "Chủ tịch", "", "", "05/03/2023", ""], GOOD_ROWS[0]]
    client.force_login(commune_officer)
    results = client.post(_url(team_a), {"file": _xlsx(rows)}).context["results"]
    assert any("Thiếu đơn vị, đoàn thể" in e for e in results[0]["errors"])
    assert results[0]["labels"]["body"] == "" and results[0]["labels"]["role"] == ""
    assert (results[1]["labels"]["role"], results[1]["labels"]["body"]) == ("Tổ phó", "Công an")


def test_csv_with_header_is_accepted(client, commune_officer, team_a):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerow(
        ["Đỗ Thị Tám", "Tổ viên", "Hội Liên hiệp Phụ nữ", "+84 90 111 2233", "06/03/2023", ""]
    )
    upload = SimpleUploadedFile(
        "tv.csv", buf.getvalue().encode("utf-8-sig"), content_type="text/csv"
    )
    client.force_login(commune_officer)
    preview = client.post(_url(team_a), {"file": upload})
    assert not preview.context["has_errors"]
    client.post(_url(team_a), {"token": preview.context["token"]})
    assert Member.objects.get(full_name="Đỗ Thị Tám").phone == "0901112233"


def test_file_without_name_column_is_refused(client, commune_officer, team_a):
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", content_type="text/csv")
    client.force_login(commune_officer)
    response = client.post(_url(team_a), {"file": upload})
    assert response.status_code == 400
    assert "Thiếu cột bắt buộc: Họ và tên" in response.content.decode()


def test_tampered_confirmation_is_refused(client, commune_officer, team_a):
    client.force_login(commune_officer)
    response = client.post(_url(team_a), {"token": "forged"})
    assert response.status_code == 400
    assert Member.objects.filter(team=team_a).count() == 2


def test_template_download_has_the_import_columns(client, commune_officer):
    client.force_login(commune_officer)
    response = client.get(reverse("teams:member_template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == HEADER


def test_hostile_workbook_is_refused_with_its_message_and_nothing_saved(
    client, commune_officer, team_a
):
    from tests.core.hostile_files import huge_dimension

    client.force_login(commune_officer)
    upload = SimpleUploadedFile("thanh-vien.xlsx", huge_dimension())
    response = client.post(_url(team_a), {"file": upload})
    assert response.status_code == 400
    assert "Trang tính khai báo 1048576 dòng" in response.content.decode()
    assert Member.objects.filter(team=team_a).count() == 2


def test_csv_not_in_utf8_is_named_in_vietnamese_not_python(client, commune_officer, team_a):
    text = "Họ và tên,Ghi chú\nNguyễn Văn Tư,Tổ phó\n"
    upload = SimpleUploadedFile("tv.csv", text.encode("utf-8")[:10] + b"\xfa" + b"\n")
    client.force_login(commune_officer)
    response = client.post(_url(team_a), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Tệp CSV không dùng bảng mã UTF-8" in body and "codec" not in body


def test_confirmation_reads_the_previewed_file_once(client, commune_officer, team_a):
    client.force_login(commune_officer)
    preview = client.post(_url(team_a), {"file": _xlsx(GOOD_ROWS[1:2])})
    token = preview.context["token"]
    assert client.post(_url(team_a), {"token": token}).status_code == 302
    again = client.post(_url(team_a), {"token": token})
    assert again.status_code == 400 and "Bản xem trước đã hết hạn" in again.content.decode()
    assert Member.objects.filter(team=team_a, full_name="Lê Thị Năm").count() == 1
