"""The admin's imports (divisions, catalogue) read through the one bounded reader."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from divisions.models import Division
from tests.core.hostile_files import huge_dimension, zip_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("build", "words"),
    [(huge_dimension, "khai báo 1048576 dòng"), (lambda: zip_bomb(60), "nén bất thường")],
)
def test_hostile_workbook_is_refused_by_the_division_import(admin_client, build, words):
    before = Division.objects.count()
    upload = SimpleUploadedFile("don-vi.xlsx", build())
    response = admin_client.post(
        "/admin/divisions/division/import/",
        {"resource": "0", "format": "0", "import_file": upload},
    )
    (error,) = response.context["form"].errors["import_file"]
    assert words in error
    assert Division.objects.count() == before


def test_oversized_file_is_refused_before_the_admin_reads_it(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("don-vi.csv", b"code,name\n" + b"1,x\n" * 100)
    response = admin_client.post(
        "/admin/divisions/division/import/",
        {"resource": "0", "format": "1", "import_file": upload},
    )
    (error,) = response.context["form"].errors["import_file"]
    assert "Tệp quá lớn" in error
