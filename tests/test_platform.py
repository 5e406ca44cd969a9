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


def _gunicorn(port: int, broker_url: str, log: Path) -> subprocess.Popen:
    """The Docker image's web server (sync workers, 60 s worker timeout), two workers, on the
    test database and the given broker."""
    from tests.integration.conftest import database_url

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_TESTING": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "camau_cds.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _get(url: str, timeout: float) -> tuple[int, float]:
    """Status and seconds of one GET; status 0 when no answer came within `timeout`."""
    import time
    import urllib.error
    import urllib.request

    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_frozen_broker_gives_readyz_503_within_3s_and_never_blocks_healthz(tmp_path):
    """Redis stopped by SIGSTOP accepts connections and never answers: two load-balancer
    probes at once get a 503 within 3 s, and the liveness probe keeps answering meanwhile."""
    import signal
    import time
    from concurrent.futures import ThreadPoolExecutor

    from tests.integration.conftest import RedisServer, free_port

    redis = RedisServer(tmp_path)
    redis.start()
    port = free_port()
    web = _gunicorn(port, redis.url, tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while _get(f"{base}/healthz", 1)[0] != 200:
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        assert _get(f"{base}/readyz", 5)[0] == 200
        os.kill(redis.proc.pid, signal.SIGSTOP)
        with ThreadPoolExecutor(4) as pool:
            probes = [pool.submit(_get, f"{base}/readyz", 10) for _ in range(2)]
            time.sleep(0.2)  # both web workers are busy with a probe now
            alive = pool.submit(_get, f"{base}/healthz", 10)
            results = [p.result() for p in probes]
            live_status, live_seconds = alive.result()
        assert [status for status, _ in results] == [503, 503], results
        assert max(seconds for _, seconds in results) < 3, results
        assert live_status == 200 and live_seconds < 3, (live_status, live_seconds)
    finally:
        os.kill(redis.proc.pid, signal.SIGCONT)
        web.terminate()
        web.wait(timeout=30)
        redis.stop()


@pytest.mark.services
@pytest.mark.django_db
def test_a_database_that_accepts_but_never_answers_gives_readyz_503_within_3s(client):
    """A frozen PostgreSQL (connections accepted by the kernel, nothing answered) is a quick
    503 too: the probe's connection has its own short timeout."""
    import socket
    import time

    from django.db import connection

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # never accepted, never answered
    saved = dict(connection.settings_dict)
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(silent.getsockname()[1]))
    try:
        started = time.monotonic()
        response = client.get(reverse("readyz"))
        seconds = time.monotonic() - started
    finally:
        connection.settings_dict.update(saved)
        silent.close()
    assert response.status_code == 503
    assert response.json()["reasons"][0].startswith("database:")
    assert seconds < 3, seconds


def test_the_embedded_mode_queues_tasks_without_a_broker_warning(tmp_path):
    """`make run` (no broker: tasks run in-process) logs no kombu "No hostname was supplied"
    warning when an approval queues the recompute."""
    script = (
        "import django, logging; django.setup(); logging.basicConfig(level=logging.WARNING)\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from celery import current_app\n"
        "current_app.tasks['reports.drain_recompute_outbox'].delay(); print('queued')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DATABASE_URL")}
    env.update(
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="camau_cds.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "queued" in done.stdout, done.stderr[-2000:]
    assert "No hostname was supplied" not in done.stderr


def test_the_readme_opens_with_the_two_commands_and_how_to_change_the_port():
    top = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make run" in top and "make test" in top
    assert "PORT=" in top
    makefile = (ROOT / "Makefile").read_text()
    assert "PORT ?=" in makefile and "$(HOST):$(PORT)" in makefile
