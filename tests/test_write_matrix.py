"""Writes in the access matrix: every role × every form, action and API write.

A refused write must change nothing: every table of the portal's apps (and their history
tables) keeps its row count and its content fingerprint. An allowed write must change something.
A URL that accepts a POST without a write case fails the test, and guessed ids of other units'
objects answer 403/404, never 200 or 500.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.access_matrix import ROLES, Write
from tests.api.access_cases import WRITE_CASES as API_WRITES
from tests.divisions.access_cases import WRITE_CASES as DIVISION_WRITES
from tests.documents.access_cases import WRITE_CASES as DOCUMENT_WRITES
from tests.reports.access_cases import WRITE_CASES as REPORT_WRITES
from tests.targets.access_cases import WRITE_CASES as TARGET_WRITES
from tests.teams.access_cases import WRITE_CASES as TEAM_WRITES
from tests.test_access_matrix import ALL_CASES, named_urls

WRITES: list[Write] = [
    *DIVISION_WRITES,
    *TARGET_WRITES,
    *REPORT_WRITES,
    *TEAM_WRITES,
    *API_WRITES,
    *DOCUMENT_WRITES,
]
WRITE_IDS = {f"{w.name}[{w.label}]": w for w in WRITES}
# Apps whose tables hold the portal's data; the audit log is excluded because recording a
# denied request is exactly what it is for.
DATA_APPS = ("divisions", "targets", "reports", "teams", "dashboards", "documents", "auth")
NOT_DATA = {"divisions.auditevent"}


def data_models():
    models = []
    for label in DATA_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        # Many-to-many tables too: a role given is a row of a user's groups.
        for model in config.get_models(include_auto_created=True):
            if model._meta.label_lower not in NOT_DATA and model._meta.managed:
                models.append(model)
    return models


def snapshot() -> dict[str, str]:
    """Row count and a fingerprint of every row of every data table (history included)."""
    if connection.vendor == "postgresql":
        return _snapshot_in_database()
    state = {}
    for model in data_models():
        rows = list(model._default_manager.order_by("pk").values_list())
        digest = hashlib.sha256(json.dumps(rows, default=_plain).encode()).hexdigest()
        state[model._meta.label] = f"{len(rows)}:{digest[:16]}"
    return state


def _snapshot_in_database() -> dict[str, str]:
    """The same fingerprint computed by PostgreSQL in one statement (each row's text form,
    in key order): the rows never travel to Python, which a snapshot per URL per role needs."""
    quote = connection.ops.quote_name
    models = data_models()
    parts = [
        f"SELECT %s, count(*) || ':' || coalesce(left(md5(string_agg(t::text, '|' "
        f"ORDER BY t.{quote(m._meta.pk.column)})), 16), '') FROM {quote(m._meta.db_table)} t"
        for m in models
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [m._meta.label for m in models])
        return dict(cursor.fetchall())


def _plain(value) -> str:
    """A value as text for the fingerprint; binary columns by content (PostgreSQL returns a
    memoryview, whose str() is its address and differs on every read)."""
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return str(value)


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before if before[k] != after.get(k))


def _rows_written() -> tuple | None:
    """How many rows of the data tables this transaction has inserted, updated or deleted so
    far (PostgreSQL's own per-transaction counters, which only grow: rows written in a
    savepoint that was rolled back still count); None where the database keeps none."""
    if connection.vendor != "postgresql":
        return None
    tables = [m._meta.db_table for m in data_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s) ORDER BY relname",
            [tables],
        )
        return tuple(cursor.fetchall())


def tables_changed_by(action):
    """Run `action()` as a dry run (in a savepoint rolled back afterwards); return what it
    returned and the data tables whose content it changed, by `snapshot`'s fingerprints.

    On PostgreSQL the fingerprints are taken only when the action wrote a row at all: a
    refused request, most of the matrix, writes none, and fingerprinting every table twice per
    request was most of the matrix's time. When it did write, the fingerprint after is taken,
    then the one before, once the savepoint is rolled back."""
    written = _rows_written()
    before = snapshot() if written is None else None
    savepoint = transaction.savepoint()
    result = action()
    if written is not None and _rows_written() == written:
        transaction.savepoint_rollback(savepoint)
        return result, []
    after = snapshot()
    transaction.savepoint_rollback(savepoint)
    return result, changed_tables(before or snapshot(), after)


@pytest.mark.django_db
def test_the_fingerprint_sees_one_changed_value_and_one_new_row(camau, officer_a):
    from divisions.models import Division

    before = snapshot()
    Division.objects.filter(code="967").update(name="Huyện Thới Bình ")
    assert changed_tables(before, snapshot()) == ["divisions.Division"]
    middle = snapshot()
    officer_a.groups.clear()
    assert changed_tables(middle, snapshot()) == ["auth.User_groups"]


@pytest.mark.django_db
def test_a_write_is_seen_and_a_read_or_a_write_of_the_same_values_is_not(camau, officer_a):
    from divisions.models import Division

    def rename():
        Division.objects.filter(code="967").update(name="Huyện Thới Bình ")
        return "renamed"

    assert tables_changed_by(rename) == ("renamed", ["divisions.Division"])
    assert not Division.objects.filter(name="Huyện Thới Bình ").exists()  # a dry run
    assert tables_changed_by(lambda: officer_a.groups.clear())[1] == ["auth.User_groups"]
    assert tables_changed_by(lambda: list(Division.objects.all()))[1] == []
    name = Division.objects.get(code="966").name
    assert tables_changed_by(lambda: Division.objects.filter(code="966").update(name=name)) == (
        1,
        [],
    )


def client_for(role: str, users) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


def send(client: Client, write: Write, url: str, data):
    if write.json:
        body = json.dumps(data if data is not None else [])
        return getattr(client, write.method)(url, body, content_type="application/json")
    if write.method == "post":
        return client.post(url, data or {})
    return getattr(client, write.method)(url, data or {})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case_id", sorted(WRITE_IDS))
def test_write(case_id, role, role_users, request):
    write = WRITE_IDS[case_id]
    world = {"users": role_users}
    for fixture_name in write.world:
        world[fixture_name] = request.getfixturevalue(fixture_name)
    client = client_for(role, role_users)
    url = reverse(write.name, kwargs=write.kwargs(world) if write.kwargs else None)
    data = write.data(world) if write.data else None
    if write.prepare:
        data = {**(data or {}), **write.prepare(client, world)}
    response, changed = tables_changed_by(lambda: send(client, write, url, data))
    expected = write.expect[role]
    assert response.status_code == expected, (
        f"{role} {write.method.upper()} {url} ({write.label}): got {response.status_code}, "
        f"expected {expected}"
    )
    if role in write.allowed:
        assert changed, f"{role} {write.label}: allowed, but nothing was saved"
    else:
        assert not changed, f"{role} {write.label}: refused, yet changed {changed}"


# --- every URL that takes a POST has write cases ---------------------------------------------


@pytest.fixture
def every_world(role_users, request):
    data = {"users": role_users}
    for case in ALL_CASES.values():
        for fixture_name in case.world:
            data.setdefault(fixture_name, request.getfixturevalue(fixture_name))
    return data


def case_url(name: str, world) -> str:
    case = ALL_CASES[name]
    return reverse(name, kwargs=case.kwargs(world) if case.kwargs else None) + case.query


WRITE_NAMES = {w.name for w in WRITES} | {c.name for c in ALL_CASES.values() if c.method == "post"}
# A POST with no data is a complete action for these: they are covered by write cases above.
ACTION_WITHOUT_DATA = {
    "logout",
    "set_language",
    "reports:submit",
    "reports:approve",
    "teams:activity_delete",
    "documents:generate",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_empty_post_to_every_url_changes_nothing_and_never_errors(role, every_world):
    """A POST without data (a forged or truncated form) to any URL never saves anything."""
    client = client_for(role, every_world["users"])
    for name in sorted(set(named_urls()) - ACTION_WITHOUT_DATA):
        url = case_url(name, every_world)
        response, changed = tables_changed_by(lambda url=url: client.post(url, {}))
        assert response.status_code < 500, f"{role} POST {url}: {response.status_code}"
        assert not changed, f"{role} empty POST {url} saved data: {changed}"


@pytest.mark.django_db
def test_every_url_that_accepts_post_has_write_cases(every_world):
    """Steering staff (who may do most) POST to every URL: anything but 405 needs a case."""
    accepting = set()
    for name in named_urls():
        # A fresh session each time: the POST to logout ends the previous one.
        client = client_for("steering", every_world["users"])
        response = client.post(case_url(name, every_world), {})
        if response.status_code != 405:
            accepting.add(name)
    # Read-only views that do not restrict methods treat a POST like a GET (and save nothing,
    # see the test above); DRF read-only endpoints answer 405 by themselves.
    missing = sorted(accepting - WRITE_NAMES - READ_VIEWS_ANSWERING_POST)
    assert not missing, f"URLs accepting POST without a write case: {missing}"


# Function views without a method decorator: a POST renders the same page as a GET and saves
# nothing (checked for every role by the empty-POST test above).
READ_VIEWS_ANSWERING_POST = {
    "home",
    "divisions:tree",
    "teams:list",
    "teams:detail",
    "teams:pilot",
    "teams:member_template",
}


# --- IDOR: guessing ids and codes ------------------------------------------------------------

# Public objects: the catalogue and its API are open information for everyone.
PUBLIC_OBJECTS = {"targets:indicator", "targets:programme", "api:indicator"}
OUTSIDERS = ("officer_b", "no_role")


def object_urls() -> list[str]:
    return sorted(
        name
        for name, case in ALL_CASES.items()
        if case.kwargs is not None and name not in PUBLIC_OBJECTS
    )


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsider_guessing_an_object_url_gets_403_or_404(outsider, every_world):
    client = client_for(outsider, every_world["users"])
    for name in object_urls():
        case = ALL_CASES[name]
        url = case_url(name, every_world)
        response = client.post(url, {}) if case.method == "post" else client.get(url)
        assert response.status_code in (403, 404), f"{outsider} {url}: {response.status_code}"


def guessed(kwargs: dict) -> dict:
    """The same URL with every id or code replaced by one that does not exist."""
    out = {}
    for key, value in kwargs.items():
        if key == "period":
            out[key] = value
        elif isinstance(value, int):
            out[key] = value + 100_000
        else:
            out[key] = "99999" if str(value).isdigit() else "khong_co_ma"
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("role", ("steering", "officer_a"))
def test_nonexistent_ids_are_404_not_500(role, every_world):
    client = client_for(role, every_world["users"])
    for name, case in sorted(ALL_CASES.items()):
        if case.kwargs is None:
            continue
        try:
            url = reverse(name, kwargs=guessed(case.kwargs(every_world)))
        except NoReverseMatch:
            continue
        response = client.post(url, {}) if case.method == "post" else client.get(url + case.query)
        assert response.status_code in (403, 404), f"{role} {url}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ("officer_b", "team_leader", "commune", "no_role"))
def test_api_outsider_naming_another_units_codes_reads_nothing(
    outsider, role_users, report_a, figure_a, steering_user, officer_a
):
    """Asking the API for district A's objects by code gives an empty page or a refusal,
    never their rows (the team leader and commune officer of A see no district-level data)."""
    from attainment.engine import attainment_recompute
    from reports.services import report_approve, report_submit

    report_submit(user=officer_a, report=report_a)
    report_approve(user=steering_user, report=report_a)
    attainment_recompute()
    queries = [
        ("api:values", {"division": "32068", "status": "all"}),
        ("api:values", {"division": "967,32068"}),
        ("api:attainment", {"division": "967"}),
        ("api:reports", {"division": "967"}),
    ]
    # The same questions from district A's officer do return rows: the queries are not vacuous.
    insider = client_for("officer_a", role_users)
    for name, params in queries:
        assert insider.get(reverse(name), params).json()["results"], f"{name} {params}"
    client = client_for(outsider, role_users)
    if outsider in ("team_leader", "commune"):
        queries = [q for q in queries if "32068" not in q[1]["division"]]
    for name, params in queries:
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 403), f"{outsider} {name} {params}"
        if response.status_code == 200:
            assert response.json()["results"] == [], f"{outsider} {name} {params} leaked rows"
