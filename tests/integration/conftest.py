"""Real components for integration and fault tests: a Celery worker process on Redis, a
throw-away Redis server, all against the test database (PostgreSQL in CI)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.services)


def database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A real redis-server of our own, so a test can stop and restart 'the broker'."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


class Worker:
    """`celery -A camau_cds worker` as a separate process on the test database."""

    def __init__(self, broker_url: str, log: Path):
        self.broker_url = broker_url
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "DJANGO_TESTING": "1",
            # Redeliver a killed worker's unacknowledged task quickly (default: one hour).
            "CELERY_VISIBILITY_TIMEOUT": "5",
        }
        self.handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "camau_cds",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if b"ready." in self.log.read_bytes():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"worker did not start:\n{self.log.read_text(errors='replace')}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


@pytest.fixture
def use_broker(monkeypatch):
    """Point the in-process Celery app at a broker, with tasks really sent (not eager)."""
    from kombu import pools as kombu_pools

    from camau_cds.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)

    def reset_pools() -> None:
        # Connections are pooled per broker URL at first use, in kombu's process-wide pools
        # that Celery's app looks up again: close and forget them all, or the next test's send
        # (eager ones too acquire a producer) finds the closed pool of the URL it uses.
        kombu_pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    def switch(url: str) -> None:
        # Celery reads CELERY_BROKER_URL from the environment before its own settings.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        reset_pools()

    yield switch
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_pools()


@pytest.fixture
def make_worker(tmp_path):
    workers: list[Worker] = []

    def start(broker_url: str) -> Worker:
        worker = Worker(broker_url, tmp_path / f"worker-{len(workers)}.log")
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not reached in time")
