from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DivisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "divisions"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        from divisions import audit  # noqa: F401  (connects the login signal receivers)
