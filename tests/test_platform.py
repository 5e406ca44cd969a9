"""Project-level behaviour: health probes, production settings, deployment files, languages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_TESTING": "0",
    "DJANGO_SECRET_KEY": "x7" * 30 + "-production-like-secret",
    "DJANGO_ALLOWED_HOSTS": "cds.camau.gov.vn",
    "DATABASE_URL": "sqlite:////tmp/cds-deploy-check.sqlite3",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment():
    # The settings of the Docker image: base.py (`camau_cds.settings`) with DEBUG refused.
    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "camau_cds.settings.production"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_in_production_is_a_clear_startup_error():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_demo_accounts_are_refused_in_production():
    result = run_manage("seed_accounts", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "DJANGO_DEBUG=1" in result.stderr


@pytest.mark.django_db
def test_healthz_and_readyz(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
    assert client.get(reverse("readyz")).json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_broker(client, settings):
    # A real connection attempt to a port where nothing listens.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["reasons"][0].startswith("broker:")


def test_docker_compose_matches_the_project():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "camau_cds.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:3] == ["celery", "-A", "camau_cds"]
    assert "beat" in services["beat"]["command"]
    # The app services read the same env file that .env.example documents.
    example = (ROOT / ".env.example").read_text()
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOWED_HOSTS"):
        assert f"{name}=" in example
    for svc in ("web", "worker", "beat"):
        assert services[svc]["env_file"] == ".env"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile and "collectstatic" in dockerfile
    assert "DJANGO_SETTINGS_MODULE=camau_cds.settings.production" in dockerfile
    # The image holds no tests, benchmark, docs, local state or secrets.
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {"tests", "devtools", "docs", ".env", ".venv", ".git"} <= set(ignored)


@pytest.mark.django_db
def test_home_is_vietnamese_by_default_and_english_on_request(client):
    html = client.get(reverse("home")).content.decode()
    assert 'lang="vi"' in html and "Cổng theo dõi chuyển đổi số tỉnh Cà Mau" in html
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    assert "Digital transformation portal of Cà Mau province" in html


@pytest.mark.django_db
def test_error_pages_are_vietnamese(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_responses_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("healthz"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.django_db
def test_vendored_assets_are_served_locally(client):
    html = client.get(reverse("home")).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "http://" not in html.split("<body")[0] and "https://" not in html.split("<body")[0]
    for rel in ("bootstrap/LICENSE", "htmx/LICENSE", "chartjs/LICENSE.md"):
        assert (ROOT / "static" / "vendor" / rel).is_file()


@pytest.mark.django_db
def test_browser_language_does_not_override_vietnamese_default(client):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in html


@pytest.mark.django_db
def test_demo_banner_only_in_debug(client, settings):
    settings.DEBUG = True
    assert 'id="demo-banner"' in client.get(reverse("home")).content.decode()
    settings.DEBUG = False
    assert 'id="demo-banner"' not in client.get(reverse("home")).content.decode()
