"""Fixtures of the periodic report tests: the demo of `make run` and its generated files.

The demo is inserted once per test module, in a transaction that stays open while the module
runs and is rolled back after it; each test runs in a savepoint inside it (pytest-django's
`db`) and builds the reports it asks for there, so what a test writes is still undone before
the next one. Inserting the demo and rolling it back was most of every test's time.
"""

from __future__ import annotations

import datetime as dt

import pytest

from divisions.models import Division
from documents import composer, docx_render, services
from documents.periods import ReportPeriod, parse

ISSUED = dt.date(2027, 1, 5)


def build(division: Division, period: ReportPeriod, **fields):
    """Compose and render one report with remembered header data; returns (data, docx)."""
    header = services.header_defaults(division)
    header.signer_name = "Nguyễn Văn Ánh"
    header.save()
    report = services.report_for(division, period)
    for name, value in {"document_number": "12", "issued_on": ISSUED, **fields}.items():
        setattr(report, name, value)
    report.save()
    data = composer.compose(report, header)
    return data, docx_render.render(data)


@pytest.fixture(scope="module")
def _demo_inserted(django_db_setup, django_db_blocker, _demo_world):
    """The demo inserted in the module's transaction (see the docstring).

    A test that takes a report fixture with `request.getfixturevalue` names this fixture in
    `usefixtures`, so that it is set up before the test's own transaction, not inside it.
    The modules that use it are marked `xdist_group("demo")` as `make_run_demo`'s tests are:
    the demo world is built on first use."""
    from django.db import connection, transaction

    from tests.conftest import _load_world

    with django_db_blocker.unblock():
        # Inside a test's transaction the demo would be rolled back with that test.
        assert not connection.in_atomic_block, "set up _demo_inserted before the test's db"
    with django_db_blocker.unblock(), transaction.atomic():
        _load_world("demo", _demo_world)
        # The demo's deferred foreign-key checks run here, once: left pending, they would run
        # at the end of every test (Django's TestCase checks constraints before its rollback)
        # and come back with each savepoint's rollback.
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_inserted, db):
    """The database as `make setup-demo` leaves it: {username: user} of the demo accounts."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.in_bulk(field_name="username")


@pytest.fixture
def province_year(demo):
    """The province's report of 2025 (both structures of the year)."""
    return build(Division.objects.province(), parse("2025"), tasks_ahead="Đẩy mạnh ứng dụng.")


@pytest.fixture
def commune_month(demo):
    """Xã Biển Bạch's (32069) report of 10/2026, the last closed month of the demo."""
    unit = Division.objects.by_code("32069", on=dt.date(2026, 10, 1))
    return build(unit, parse("2026-10"), proposals="Đề nghị cấp thêm thiết bị.")
