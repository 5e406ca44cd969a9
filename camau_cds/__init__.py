"""camau_cds: the project package: settings, URLs (incl. /api/v1/), Celery app, middleware, health.

Owns no models; wires the apps together and is imported by none of them.
May import every app.
"""

from __future__ import annotations

from .celery import app as celery_app

__all__ = ("celery_app",)
