"""gunicorn's settings for the portal (read from the working directory: the image's CMD and
the benchmark's load step start gunicorn the same way).

Workers: `WEB_CONCURRENCY`, else one per core plus one. The pages are CPU work in Python and
PostgreSQL on the same cores: under 20 users on 2 cores, five workers (gunicorn's suggested
two per core plus one) gave every page a higher p95 than three (docs/DECISIONS.md).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
# Below the reverse proxy's timeout: a stuck request is an error, not a hang.
timeout = 60
accesslog = "-"
