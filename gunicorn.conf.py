"""gunicorn's settings for the portal (read from the working directory: the image's CMD and
the benchmark's load step start gunicorn the same way).

Workers: `WEB_CONCURRENCY`, else gunicorn's own rule of two per core plus one. Sync workers
serve one request each; with only one per core a quick page waits behind a slow one (an
export, a dashboard) whenever every worker is busy, while a few more let the operating system
share the cores between them, so quick pages stay quick under load.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Below the reverse proxy's timeout: a stuck request is an error, not a hang.
timeout = 60
accesslog = "-"
