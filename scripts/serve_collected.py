"""CI's image check: serve one page with the production settings and the collected static files.

Run from a directory that holds the image's build context after `collectstatic`:
    python scripts/serve_collected.py
It migrates a throw-away SQLite database, starts gunicorn on a free port with
camau_cds.settings.production (whitenoise serving STATIC_ROOT, DEBUG off), fetches the home page
as a proxy terminating HTTPS would send it, then every /static/ file that page links, and exits
non-zero on any answer but 200.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode("utf-8", "replace")


def main() -> int:
    work = Path(tempfile.mkdtemp())
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "camau_cds.settings.production",
        "DJANGO_SECRET_KEY": "ci-image-check-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{work / 'image.sqlite3'}",
    }
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "camau_cds.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                status, page = fetch(base + "/")
                break
            except OSError:
                time.sleep(0.5)
        else:
            print("gunicorn did not answer")
            return 1
        assets = sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page)))
        print(f"home page: {status}, {len(assets)} static files linked")
        failed = [a for a in assets if fetch(base + a)[0] != 200]
        if status != 200 or not assets or failed:
            print("not served:", failed or "the home page")
            return 1
        return 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
