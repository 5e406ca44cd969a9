"""Administrative divisions of Cà Mau (province > district/city > commune/ward/town > hamlet/khóm).

Hierarchy is a parent foreign key plus a denormalised `path` of codes and a `level`, so a
subtree is one indexed `path LIKE 'x%'` query (the DHIS2 way; see DESIGN.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from divisions.access import ScopedQuerySet, scope_filter
from divisions.levels import (  # noqa: F401  (re-exported: the models' module names them too)
    KIND_LEVEL,
    PATH_SEPARATOR,
    REORG_DATE,
    Kind,
    Level,
    parent_level_ok,
)


def overlaps(a_from, a_to, b_from, b_to) -> bool:
    """Do two validity periods (inclusive, None = open) share a day?"""
    lo, hi = dt.date.min, dt.date.max
    return (a_from or lo) <= (b_to or hi) and (b_from or lo) <= (a_to or hi)


class DivisionQuerySet(ScopedQuerySet):
    scope_paths = ("path",)

    def within(self, division: Division, *, include_self: bool = True) -> DivisionQuerySet:
        """The subtree rooted at `division` (itself included unless told otherwise)."""
        qs = self.filter(path__startswith=division.path)
        return qs if include_self else qs.exclude(pk=division.pk)

    def valid_on(self, day: dt.date) -> DivisionQuerySet:
        """Units in force on `day` (valid_from/valid_to are inclusive; empty means open)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def by_code(self, code: str, on: dt.date | None = None) -> Division | None:
        """The unit with this code valid on `on` (default today), or None.

        Codes are unique per validity period only: the 2025 units reuse old units' codes.
        """
        return self.by_codes([code], on=on).get(code)

    def by_codes(self, codes, on: dt.date | None = None) -> dict[str, Division]:
        """code → the unit with that code valid on `on` (default today); unknown codes absent."""
        day = on or timezone.localdate()
        return {d.code: d for d in self.filter(code__in=set(codes)).valid_on(day)}

    def province(self) -> Division | None:
        """The province in force (Cà Mau continues; Bạc Liêu, merged in 2025, has ended)."""
        provinces = self.filter(level=Level.PROVINCE).order_by("pk")
        return provinces.filter(valid_to__isnull=True).first() or provinces.first()

    def at_level(self, level: int) -> DivisionQuerySet:
        return self.filter(level=level)

    def open_data(self) -> DivisionQuerySet:
        """Units whose approved figures and attainment are open data, read by everyone signed
        in or not: the province level."""
        return self.filter(level=Level.PROVINCE)

    def readable_by(self, user) -> DivisionQuerySet:
        """The user's scope plus the open-data units: signing in adds, never subtracts. One
        condition on the divisions table, so callers filter rows with one `IN` subquery."""
        condition = scope_filter(user)
        if condition is None:
            return self.open_data()
        return self.filter(condition | Q(level=Level.PROVINCE))


class Division(models.Model):
    code = models.CharField(
        _("mã"),
        max_length=20,
        db_index=True,
        help_text=_(
            "Mã đơn vị hành chính của Tổng cục Thống kê (ấp, khóm: mã xã + số thứ tự). "
            "Mã là duy nhất trong mỗi thời kỳ hiệu lực: đơn vị từ 01/07/2025 dùng lại mã cũ."
        ),
    )
    name = models.CharField(_("tên"), max_length=150)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("đường dẫn"), max_length=255, editable=False, db_index=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    history = HistoricalRecords()
    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' needs a pattern-ops index on PostgreSQL (non-C collation).
            models.Index(
                fields=["path"], name="division_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "path"], name="division_level_path_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=4), name="division_level_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="division_validity_order",
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="division_parent_matches_level",
            ),
            # A code is unique per validity period; overlapping periods are refused in clean()
            # and by the loader (a database cannot check overlap portably).
            models.UniqueConstraint(fields=["code", "valid_from"], name="division_code_period"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_from__isnull=True),
                name="division_code_open_start",
            ),
            models.UniqueConstraint(fields=["path"], name="division_path_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.level = KIND_LEVEL[self.kind]
        new_path = self.compute_path()
        old_path = self.path
        with transaction.atomic():
            self.path = new_path
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                # Re-root the whole subtree in one UPDATE rather than node by node.
                Division.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
                )

    @property
    def codes(self) -> list[str]:
        """Codes from the root down to this unit."""
        return [c for c in self.path.split(PATH_SEPARATOR) if c]

    def is_within(self, other: Division) -> bool:
        """True when this unit is `other` or lies below it."""
        return self.path.startswith(other.path)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        level = KIND_LEVEL.get(self.kind)
        if level is None:
            errors.setdefault("kind", []).append(_("Loại đơn vị không hợp lệ."))
        elif level == Level.PROVINCE:
            if self.parent_id:
                errors.setdefault("parent", []).append(_("Cấp tỉnh không có đơn vị cấp trên."))
        elif self.parent_id is None:
            errors.setdefault("parent", []).append(
                _("Đơn vị %(name)s cần đơn vị cấp trên.") % {"name": self.name}
            )
        else:
            parent = self.parent
            if not parent_level_ok(level, parent.level, self.valid_from):
                errors.setdefault("parent", []).append(
                    _(
                        "%(name)s (%(kind)s) không thể trực thuộc %(parent)s (%(parent_kind)s): "
                        "đơn vị cấp trên phải là cấp %(expected)s."
                    )
                    % {
                        "name": self.name,
                        "kind": Kind(self.kind).label,
                        "parent": parent.name,
                        "parent_kind": Kind(parent.kind).label,
                        "expected": Level(level - 1).label.lower(),
                    }
                )
            if self.pk and parent.path.startswith(self.path or "\0"):
                errors.setdefault("parent", []).append(
                    _("Không thể đặt %(name)s dưới chính nó hoặc đơn vị cấp dưới của nó.")
                    % {"name": self.name}
                )
        if PATH_SEPARATOR in (self.code or ""):
            errors.setdefault("code", []).append(_("Mã không được chứa ký tự '/'."))
        elif self.code:
            clash = next(
                (
                    o
                    for o in Division.objects.filter(code=self.code).exclude(pk=self.pk)
                    if overlaps(self.valid_from, self.valid_to, o.valid_from, o.valid_to)
                ),
                None,
            )
            if clash is not None:
                errors.setdefault("code", []).append(
                    _(
                        "Mã %(code)s đã dùng cho %(other)s trong cùng thời kỳ hiệu lực; một mã "
                        "chỉ thuộc một đơn vị tại mỗi thời điểm."
                    )
                    % {"code": self.code, "other": clash.name}
                )
        if errors:
            raise ValidationError(errors)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def valid_in_month(self, period: dt.date) -> bool:
        """Is the unit in force during (part of) the month starting `period`?"""
        month_end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        month_end -= dt.timedelta(days=1)
        if self.valid_from and self.valid_from > month_end:
            return False
        return not (self.valid_to and self.valid_to < period)

    @property
    def is_new_structure(self) -> bool:
        """A unit of the structure in force from 01/07/2025."""
        return self.valid_from is not None and self.valid_from >= REORG_DATE


class ShareBasis(models.TextChoices):
    """How an old unit's share in a successor was set (the resolution gives no shares itself)."""

    WHOLE = "whole", _("toàn bộ (không chia tách)")
    EQUAL = "equal", _("chia đều (giả định)")
    POPULATION = "population", _("theo dân số")
    AREA = "area", _("theo diện tích")


class DivisionSuccession(models.Model):
    """A predecessor unit continued (wholly or by a share) in a successor unit."""

    predecessor = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="successions_in")
    effective_on = models.DateField(_("có hiệu lực từ"))
    share = models.DecimalField(
        _("tỷ lệ"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Phần của đơn vị cũ chuyển sang đơn vị mới khi đơn vị cũ bị chia tách."),
    )
    share_basis = models.CharField(
        _("cơ sở tỷ lệ"), max_length=12, choices=ShareBasis.choices, default=ShareBasis.WHOLE
    )
    source = models.CharField(
        _("căn cứ"),
        max_length=200,
        blank=True,
        help_text=_("Văn bản và điều, khoản quy định việc sắp xếp (ví dụ khoản 6 Điều 1)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="division_succession_unique"
            ),
            # A share may be 0: a part with land but no residents gets nothing by population.
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gte=0) & Q(share__lte=1)),
                name="division_succession_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class UserScope(models.Model):
    """The division a user works on. Their role is their group (see divisions.access)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cds_scope"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("phạm vi"), on_delete=models.PROTECT, related_name="user_scopes"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phạm vi người dùng")
        verbose_name_plural = _("phạm vi người dùng")

    def __str__(self) -> str:
        return f"{self.user} → {self.division}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A REST API token of a client system. Only a hash of the secret is stored.

    The token acts for `user`: the same role and scope rules apply as in the browser. Several
    tokens may exist per user; each can expire and be revoked; read-only unless said otherwise.
    """

    name = models.CharField(_("tên ứng dụng"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("tiền tố"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    read_only = models.BooleanField(_("chỉ đọc"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["last_used_at"])
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """Security audit trail: logins, failed logins and denied access."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Đăng nhập")
        LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
        LOGOUT = "logout", _("Đăng xuất")
        DENIED = "denied", _("Bị từ chối truy cập")

    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("lúc"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(_("đường dẫn"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("nhật ký an ninh")
        verbose_name_plural = _("nhật ký an ninh")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.kind} {self.username}"
