"""Settings of the production image (the Dockerfile sets them): base, with DEBUG refused."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG

if DEBUG:
    raise ImproperlyConfigured(
        "camau_cds.settings.production runs with DJANGO_DEBUG=0; use camau_cds.settings to debug."
    )
