from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttainmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "attainment"
    verbose_name = _("Kết quả thực hiện")

    def ready(self) -> None:
        # Register the tasks in every process (web too): `reports` queues the drain by name.
        from attainment import tasks  # noqa: F401
