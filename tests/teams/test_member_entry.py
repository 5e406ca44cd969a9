"""Entering members without stumbling: no duplicate person, no silent default for the body,
and member files that went through LibreOffice (phones without their 0, dd/mm/yy dates,
English headers) read as the officer meant, with labels (not codes) in the preview."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from teams import services
from teams.models import Member, MemberBody

pytestmark = pytest.mark.django_db

VI_HEADER = [
    "Họ và tên",
    "Vai trò",
    "Đơn vị, đoàn thể",
    "Số điện thoại",
    "Ngày tham gia",
    "Ghi chú",
]


def _csv(lines: list[str], header: str | None = None) -> SimpleUploadedFile:
    # LibreOffice quotes the header with a comma in it; the rest is as typed.
    head = (
        header
        or '"Họ và tên","Vai trò","Đơn vị, đoàn thể","Số điện thoại","Ngày tham gia","Ghi chú"'
    )
    text = "\n".join([head, *lines]) + "\n"
    return SimpleUploadedFile("thanh-vien.csv", text.encode("utf-8"), content_type="text/csv")


def _import_url(team):
    return reverse("teams:member_import", kwargs={"pk": team.pk})


def _add_url(team):
    return reverse("teams:member_add", kwargs={"pk": team.pk})


# --- the same person twice ------------------------------------------------------------------


def test_service_refuses_the_same_name_and_phone_twice(commune_officer, team_a):
    # team_a already has "Trần Thị Hoa" 0987654321; spaces, case and +84 do not hide her.
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            user=commune_officer,
            team=team_a,
            full_name="  trần  thị HOA ",
            body=MemberBody.WOMEN_UNION,
            phone="+84 987 654 321",
        )
    message = " ".join(exc.value.messages)
    assert "Trần Thị Hoa" in message and "đã là thành viên" in message
    assert team_a.members.filter(full_name__icontains="hoa").count() == 1


def test_same_name_with_another_phone_is_another_person(commune_officer, team_a):
    services.member_add(
        user=commune_officer,
        team=team_a,
        full_name="Trần Thị Hoa",
        body=MemberBody.YOUTH_UNION,
        phone="0987000111",
    )
    assert team_a.members.filter(full_name="Trần Thị Hoa").count() == 2


def test_a_member_who_left_may_join_again(commune_officer, member_a):
    services.member_leave(user=commune_officer, member=member_a, left_on=dt.date(2024, 1, 1))
    services.member_add(
        user=commune_officer,
        team=member_a.team,
        full_name=member_a.full_name,
        body=member_a.body,
        phone=member_a.phone,
        joined_on=dt.date(2024, 6, 1),
    )
    assert member_a.team.members.filter(full_name=member_a.full_name).count() == 2


def test_editing_a_member_into_a_copy_of_another_is_refused(commune_officer, team_a):
    other = services.member_add(
        user=commune_officer, team=team_a, full_name="Lý Văn Bé", body=MemberBody.POLICE
    )
    with pytest.raises(ValidationError):
        services.member_update(
            user=commune_officer, member=other, full_name="Trần Thị Hoa", phone="0987654321"
        )


def test_member_form_twice_shows_the_error_and_adds_nothing(client, team_leader, team_a):
    client.force_login(team_leader)
    data = {
        "full_name": "Trần Thị Hoa",
        "role": "member",
        "body": "women_union",
        "phone": "0987 654 321",
        "joined_on": "2023-03-01",
    }
    response = client.post(_add_url(team_a), data)
    assert response.status_code == 200
    assert "đã là thành viên của tổ" in response.content.decode()
    assert team_a.members.count() == 2


def test_the_same_person_twice_in_one_file_is_a_row_error(client, team_leader, team_a):
    client.force_login(team_leader)
    rows = [
        "Lê Văn Út,Tổ viên,Công an,0912000777,01/03/2023,",
        "Lê Văn Út,Tổ viên,Công an,0912 000 777,01/03/2023,",
    ]
    preview = client.post(_import_url(team_a), {"file": _csv(rows)})
    bad = [r for r in preview.context["results"] if r["errors"]]
    assert [r["row"] for r in bad] == [3]
    assert "đã là thành viên" in bad[0]["errors"][0]


# --- no silent default for the body ---------------------------------------------------------


def test_member_form_offers_an_empty_body_choice_first(client, team_leader, team_a):
    client.force_login(team_leader)
    page = client.get(_add_url(team_a)).content.decode()
    select = page[page.index('name="body"') :]
    first_option = select[select.index("<option") : select.index("</option>")]
    assert 'value=""' in first_option and "— Chọn —" in first_option
    assert "Trưởng ấp, khóm</option>" in select
    assert 'value="hamlet_head" selected' not in select


def test_member_form_without_body_is_refused_in_vietnamese(client, team_leader, team_a):
    client.force_login(team_leader)
    data = {"full_name": "Đỗ Văn Mười", "role": "member", "joined_on": "2023-03-01"}
    response = client.post(_add_url(team_a), data)
    assert response.status_code == 200
    assert "Hãy chọn đơn vị, đoàn thể của thành viên." in response.content.decode()
    assert not Member.objects.filter(full_name="Đỗ Văn Mười").exists()


def test_import_row_without_body_is_an_error_not_other(client, team_leader, team_a):
    client.force_login(team_leader)
    preview = client.post(_import_url(team_a), {"file": _csv(["Đỗ Văn Mười,Tổ viên,,,,"])})
    errors = preview.context["results"][0]["errors"]
    assert errors and errors[0].startswith("Thiếu đơn vị, đoàn thể")


# --- files through LibreOffice --------------------------------------------------------------


def test_nine_digit_mobile_gets_its_zero_back_and_the_preview_says_so(client, team_leader, team_a):
    client.force_login(team_leader)
    preview = client.post(
        _import_url(team_a), {"file": _csv(["Lê Văn Út,Tổ viên,Công an,912345679,01/03/2023,"])}
    )
    row = preview.context["results"][0]
    assert row["errors"] == []
    assert row["data"]["phone"] == "0912345679"
    page = preview.content.decode()
    assert "912345679" in page and "0912 345 679" in page
    assert "thêm số 0 ở đầu" in page
    client.post(_import_url(team_a), {"token": preview.context["token"]})
    assert Member.objects.get(full_name="Lê Văn Út").phone == "0912345679"


def test_nine_digits_that_are_no_mobile_stay_an_error(client, team_leader, team_a):
    client.force_login(team_leader)
    preview = client.post(
        _import_url(team_a), {"file": _csv(["Lê Văn Út,Tổ viên,Công an,112345679,01/03/2023,"])}
    )
    assert "không phải số Việt Nam" in preview.context["results"][0]["errors"][0]


def test_libreoffice_short_date_reads_as_this_century(client, team_leader, team_a):
    client.force_login(team_leader)
    preview = client.post(
        _import_url(team_a), {"file": _csv(["Lê Văn Út,Tổ viên,Công an,,15/03/25,"])}
    )
    row = preview.context["results"][0]
    assert row["errors"] == []
    assert row["data"]["joined_on"] == dt.date(2025, 3, 15)
    assert "15/03/2025" in preview.content.decode()


def test_short_date_in_the_future_is_refused(client, team_leader, team_a):
    client.force_login(team_leader)
    later = timezone.localdate() + dt.timedelta(days=400)
    preview = client.post(
        _import_url(team_a),
        {"file": _csv([f"Lê Văn Út,Tổ viên,Công an,,{later:%d/%m/%y},"])},
    )
    assert "không được ở tương lai" in " ".join(preview.context["results"][0]["errors"])


def test_preview_shows_labels_not_codes(client, team_leader, team_a):
    client.force_login(team_leader)
    preview = client.post(
        _import_url(team_a), {"file": _csv(["Lê Thị Sáu,deputy,women_union,,01/03/2023,"])}
    )
    table = preview.content.decode().split('id="import-preview"')[1]
    assert "Tổ phó" in table and "Hội Liên hiệp Phụ nữ" in table
    assert "women_union" not in table and ">deputy<" not in table


def test_old_english_headers_still_import(client, team_leader, team_a):
    client.force_login(team_leader)
    upload = _csv(
        ["Lê Văn Út,member,police,0912000777,2023-03-01,"],
        header="full_name,role,body,phone,joined_on,note",
    )
    preview = client.post(_import_url(team_a), {"file": upload})
    assert preview.status_code == 200
    assert preview.context["results"][0]["errors"] == []


def test_template_is_vietnamese_with_text_phone_column(client, team_leader):
    client.force_login(team_leader)
    response = client.get(reverse("teams:member_template"))
    sheet = load_workbook(filename=io.BytesIO(response.content)).active
    assert sheet.title == "Thành viên tổ"
    assert [c.value for c in sheet[1]] == VI_HEADER
    # Phones typed into the template keep their leading 0: the column is text.
    assert sheet["D2"].number_format == "@"


# --- other stumbles on the teams pages ------------------------------------------------------


def test_negative_count_message_begins_with_a_capital(client, team_leader, team_a):
    client.force_login(team_leader)
    response = client.post(
        reverse("teams:activity_add", kwargs={"pk": team_a.pk}),
        {"date": "2023-05-02", "kind": "propaganda", "households": "-3"},
    )
    assert "Số hộ gia đình được hướng dẫn không được âm" in response.content.decode()


def test_add_member_form_starts_today_and_asks_no_leaving_date(client, team_leader, team_a):
    # A member added today did not belong to the team since its decision in 2023: the
    # decision date as default silently raised the member counts of every month since.
    client.force_login(team_leader)
    form = client.get(_add_url(team_a)).context["form"]
    assert form["joined_on"].value() == timezone.localdate()
    assert "left_on" not in form.fields
    assert "01/03/2023" in str(form.fields["joined_on"].help_text)


def test_import_row_without_joining_date_says_which_date_counts(client, team_leader, team_a):
    client.force_login(team_leader)
    preview = client.post(_import_url(team_a), {"file": _csv(["Lê Văn Út,Tổ viên,Công an,,,"])})
    assert preview.context["results"][0]["errors"] == []
    assert "tính từ ngày quyết định thành lập tổ 01/03/2023" in preview.content.decode()


def test_members_export_has_the_template_shape_and_imports_back(client, commune_officer, team_a):
    client.force_login(commune_officer)
    response = client.get(reverse("teams:member_export", kwargs={"pk": team_a.pk}))
    assert response.status_code == 200
    sheet = load_workbook(filename=io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == VI_HEADER
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["Trần Thị Hoa"][1:4] == ("Tổ viên", "Hội Liên hiệp Phụ nữ", "0987 654 321")
    # Read back by the import: the same people are recognised as already in the team.
    upload = SimpleUploadedFile("ds.xlsx", response.content)
    preview = client.post(_import_url(team_a), {"file": upload})
    errors = " ".join(e for r in preview.context["results"] for e in r["errors"])
    assert "Trần Thị Hoa (0987 654 321) đã là thành viên" in errors


def test_members_export_masks_phones_for_a_viewer_and_hides_other_scopes(
    client, viewer, officer_b, team_a
):
    client.force_login(viewer)
    response = client.get(reverse("teams:member_export", kwargs={"pk": team_a.pk}))
    sheet = load_workbook(filename=io.BytesIO(response.content)).active
    phones = [r[3] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
    assert phones and all("xx" in p for p in phones)
    client.force_login(officer_b)
    url = reverse("teams:member_export", kwargs={"pk": team_a.pk})
    assert client.get(url).status_code == 404
