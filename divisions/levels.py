"""Levels, kinds and the 2025 reorganisation date of administrative units: plain constants
and one pure rule, imported by the models and the access rules alike (no models here).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Cấp tỉnh")
    DISTRICT = 2, _("Cấp huyện")
    COMMUNE = 3, _("Cấp xã")
    HAMLET = 4, _("Ấp, khóm")


class Kind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    CITY = "city", _("Thành phố thuộc tỉnh")
    TOWN_DISTRICT = "town_district", _("Thị xã")
    DISTRICT = "district", _("Huyện")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn")
    COMMUNE = "commune", _("Xã")
    HAMLET = "hamlet", _("Ấp")
    KHOM = "khom", _("Khóm")


KIND_LEVEL: dict[str, int] = {
    Kind.PROVINCE: Level.PROVINCE,
    Kind.CITY: Level.DISTRICT,
    Kind.TOWN_DISTRICT: Level.DISTRICT,
    Kind.DISTRICT: Level.DISTRICT,
    Kind.WARD: Level.COMMUNE,
    Kind.TOWNSHIP: Level.COMMUNE,
    Kind.COMMUNE: Level.COMMUNE,
    Kind.HAMLET: Level.HAMLET,
    Kind.KHOM: Level.HAMLET,
}

PATH_SEPARATOR = "/"

# The 2025 reorganisation (Resolution 202/2025/QH15, NQ 1655/NQ-UBTVQH15): districts
# abolished, Bạc Liêu merged into Cà Mau. Units of the new structure start on this day.
REORG_DATE = dt.date(2025, 7, 1)


def parent_level_ok(level: int, parent_level: int, valid_from: dt.date | None) -> bool:
    """One level down, or, from 07/2025, a commune-level unit directly under the province."""
    if parent_level == level - 1:
        return True
    return (
        level == Level.COMMUNE
        and parent_level == Level.PROVINCE
        and valid_from is not None
        and valid_from >= REORG_DATE
    )
