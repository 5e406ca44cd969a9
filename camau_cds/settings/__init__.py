"""Settings package: `camau_cds.settings` is base.py, the environment-driven settings of every
process (manage.py, wsgi, asgi, celery); test.py is the suite's (pytest reads it from
pyproject.toml); production.py is the Docker image's.
"""

from .base import *  # noqa: F403
from .base import env

if env.bool("DJANGO_TESTING", default=False):
    # Processes the suite starts (the Celery worker, a killed import) ask for the test settings
    # this way.
    from .test import *  # noqa: F403
