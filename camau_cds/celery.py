"""Celery application. Tasks are thin: they take ids and call a service function."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "camau_cds.settings")

app = Celery("camau_cds")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
