"""Security settings as a user and an operator see them: passwords, sessions, production
headers, the Content-Security-Policy on every page, and brute-force locking behind a proxy."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.access_matrix import ROLES
from tests.divisions.factories import PASSWORD
from tests.test_access_matrix import ALL_CASES
from tests.test_platform import PRODUCTION_ENV, run_manage
from tests.test_write_matrix import case_url, client_for, every_world  # noqa: F401 - fixture

# --- passwords ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("weak", "code"),
    [
        ("Ab1!xyz", "password_too_short"),  # shorter than 10 characters
        ("password123", "password_too_common"),
        ("4829301756", "password_entirely_numeric"),
        ("officer_a_2024", "password_too_similar"),  # too close to the username
    ],
)
def test_password_change_refuses_a_weak_password(client, officer_a, weak, code):
    client.force_login(officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["new_password2"]
    assert code in [e.code for e in errors]
    assert 'class="invalid-feedback' in response.content.decode()
    officer_a.refresh_from_db()
    assert officer_a.check_password(PASSWORD) and not officer_a.check_password(weak)


@pytest.mark.django_db
def test_password_change_accepts_a_strong_password(client, officer_a):
    client.force_login(officer_a)
    strong = "Cà-Mau-mũi-đất-2025"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.check_password(strong)


# --- sessions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_cookie_ends_with_the_browser_and_the_session_has_the_configured_age(officer_a):
    client = Client()
    response = client.post(reverse("login"), {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No Expires/Max-Age: the browser drops it when closed.
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    # Server side the session still ends after SESSION_COOKIE_AGE.
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert client.session.get_expire_at_browser_close() is True


@pytest.mark.django_db
def test_an_expired_session_sends_the_user_to_login(officer_a):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    client.force_login(officer_a)
    assert client.get(reverse("reports:index")).status_code in (200, 302)
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- production settings and headers -----------------------------------------------------------

PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
    "for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
    "'X_FRAME_OPTIONS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'DEBUG', 'AXES_IPWARE_PROXY_COUNT']}))"
)

PROBE_REQUESTS = """
import json
from django.test import Client
c = Client(HTTP_HOST="cds.camau.gov.vn")
plain = c.get("/accounts/login/")
secure = c.get("/healthz", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "hsts": secure.get("Strict-Transport-Security", ""),
    "xfo": secure.get("X-Frame-Options", ""),
    "nosniff": secure.get("X-Content-Type-Options", ""),
}))
"""


def test_production_settings_are_secure():
    result = run_manage("shell", "-c", PRINT_SETTINGS, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_production_redirects_to_https_and_sends_hsts_and_frame_denial():
    result = run_manage("shell", "-c", PROBE_REQUESTS, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["plain_status"] == 301
    assert probe["plain_location"] == "https://cds.camau.gov.vn/accounts/login/"
    assert "max-age=31536000" in probe["hsts"] and "includeSubDomains" in probe["hsts"]
    assert probe["xfo"] == "DENY" and probe["nosniff"] == "nosniff"


def test_axes_proxy_count_comes_from_the_environment():
    result = run_manage(
        "shell", "-c", PRINT_SETTINGS, env={**PRODUCTION_ENV, "AXES_PROXY_COUNT": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["AXES_IPWARE_PROXY_COUNT"] == 1


# --- Content-Security-Policy on every HTML page ------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"\sstyle=\"", re.I)
INLINE_HANDLER = re.compile(r"\son(?:click|load|change|submit|input)=", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "steering", "officer_a", "team_leader"])
def test_every_html_page_has_a_strict_csp_and_no_inline_code(role, every_world):  # noqa: F811
    client = client_for(role, every_world["users"])
    checked = 0
    for name, case in sorted(ALL_CASES.items()):
        if case.method != "get" or name == "logout":
            continue
        response = client.get(case_url(name, every_world))
        if "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        csp = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, name
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
        assert response["X-Frame-Options"] == "DENY", name
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), f"{name}: inline <script>"
        assert not INLINE_STYLE.search(html), f"{name}: inline style attribute"
        assert not INLINE_HANDLER.search(html), f"{name}: inline event handler"
    assert checked >= 10
    assert role in ROLES


# --- brute-force locking behind one reverse proxy ----------------------------------------------


def _fail(client: Client, forwarded_for: str):
    return client.post(
        reverse("login"),
        {"username": "officer_a", "password": "sai-mat-khau"},
        REMOTE_ADDR="10.0.0.2",  # the reverse proxy
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def _login(client: Client, forwarded_for: str):
    return client.post(
        reverse("login"),
        {"username": "officer_a", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
def test_axes_behind_one_proxy_locks_the_client_address_not_the_proxy(settings, officer_a):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    attacker, colleague = "203.0.113.7", "198.51.100.23"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(Client(), attacker)
    # The attacker's address is locked, even with the right password...
    assert _login(Client(), attacker).status_code == 429
    # ...while the same account from another client behind the same proxy still signs in.
    assert _login(Client(), colleague).status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_escape_the_lock(settings, officer_a):
    # The proxy appends the real address; what the client sent itself is further left.
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(Client(), f"10.9.9.{n}, 203.0.113.7")
    assert _login(Client(), "192.0.2.1, 203.0.113.7").status_code == 429


@pytest.mark.django_db
def test_without_a_proxy_the_forwarded_header_is_ignored(settings, officer_a):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(Client(), f"198.51.100.{n}")
    # All attempts came from REMOTE_ADDR; changing the header does not help.
    assert _login(Client(), "192.0.2.77").status_code == 429


@pytest.mark.django_db
def test_attempts_and_audit_rows_carry_the_forwarded_client_address(settings, officer_a):
    from axes.models import AccessAttempt

    from divisions.models import AuditEvent

    settings.AXES_IPWARE_PROXY_COUNT = 1
    _fail(Client(), "203.0.113.7")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]
    failed = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED).get()
    assert failed.ip_address == "203.0.113.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_client_ip_resolution(settings, rf, count, forwarded, expected):
    from camau_cds.client_ip import client_ip

    settings.AXES_IPWARE_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- hostile input: NUL bytes (PostgreSQL refuses them in text; the portal must answer 4xx) ----

NUL_QUERY = "&".join(
    f"{name}=9%0067"
    for name in ("division", "parent", "within", "indicator", "period", "code", "status", "q")
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "steering", "officer_a"])
def test_nul_bytes_in_query_parameters_never_cause_a_server_error(role, every_world):  # noqa: F811
    client = client_for(role, every_world["users"])
    for name, case in sorted(ALL_CASES.items()):
        if case.method != "get" or name == "logout":
            continue
        url = case_url(name, every_world)
        url += ("&" if "?" in url else "?") + NUL_QUERY
        response = client.get(url)
        assert response.status_code < 500, f"{role} {url}: {response.status_code}"


@pytest.mark.django_db
def test_nul_bytes_in_url_codes_never_cause_a_server_error(every_world):  # noqa: F811
    client = client_for("steering", every_world["users"])
    for name, case in sorted(ALL_CASES.items()):
        if case.kwargs is None:
            continue
        kwargs = {
            k: (v if isinstance(v, int) or k == "period" else "9\x0067")
            for k, v in case.kwargs(every_world).items()
        }
        try:
            url = reverse(name, kwargs=kwargs)
        except Exception:  # noqa: BLE001 - converters that refuse the value never reach a view
            continue
        response = client.post(url, {}) if case.method == "post" else client.get(url)
        assert response.status_code < 500, f"{url!r}: {response.status_code}"


@pytest.mark.django_db
def test_nul_byte_is_a_400_with_a_clear_message_in_the_api_and_on_pages(client):
    api = client.get("/api/v1/divisions/?parent=9%0067")
    assert api.status_code == 400
    assert api.json()["detail"] == "Địa chỉ yêu cầu chứa ký tự không hợp lệ."
    page = client.get("/targets/?q=%00")
    assert page.status_code == 400
    assert "ký tự không hợp lệ" in page.content.decode()


@pytest.mark.django_db
def test_weak_password_messages_are_vietnamese(client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Ab1!xyz", "new_password2": "Ab1!xyz"},
    )
    html = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in html
    assert "too short" not in html
