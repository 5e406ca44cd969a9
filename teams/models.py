"""Tổ CNSCĐ registry: community digital technology teams, their members and activities.

A team is set up by the commune chairman's decision in a hamlet/khóm (or, where the hamlet is not
known, for the commune as a whole). `commune` is always stored so that every commune or district
filter is one indexed column, whatever level `division` is at: it is the commune-level unit the
team belongs to now (the unit in force; after the 2025 reorganisation the successor of the commune
that set it up). `former_commune` keeps the commune it belonged to before that unit started, so
months before the change still count, and read, under the unit of their time.
Writes go through teams/services.py; simple rules live here as database constraints.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from divisions.access import ScopedQuerySet
from teams.placement import former_label

DEMO_LABEL = "Dữ liệu minh hoạ"


# --- phone numbers --------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobiles: 0 + 3/5/7/8/9 + 8 digits (10 digits). Landlines: 02x area code, 10-11 digits in all.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{8,9}$")


def normalize_phone(raw: str) -> str:
    """Strip separators and turn +84/84 into the national 0 prefix ("" stays "")."""
    value = _PHONE_SEPARATORS.sub("", raw or "")
    if value.startswith("+84"):
        value = "0" + value[3:]
    elif value.startswith("84") and len(value) in (11, 12):
        value = "0" + value[2:]
    return value


def validate_vn_phone(raw: str) -> None:
    """Accept Vietnamese mobile (03/05/07/08/09 + 8 digits) and landline (02x) numbers."""
    value = normalize_phone(raw)
    if not value:
        return
    if not (_MOBILE.match(value) or _LANDLINE.match(value)):
        raise ValidationError(
            _(
                "Số điện thoại “%(value)s” không phải số Việt Nam hợp lệ: di động 10 số bắt đầu "
                "bằng 03, 05, 07, 08, 09 (hoặc +84), cố định 10–11 số bắt đầu bằng 02."
            ),
            code="invalid_phone",
            params={"value": raw},
        )


def format_phone(value: str) -> str:
    """Group digits for reading: "0912 345 678", landline "0290 3831 234"."""
    if len(value) == 10 and value.startswith("0") and not value.startswith("02"):
        return f"{value[:4]} {value[4:7]} {value[7:]}"
    if len(value) == 11:
        return f"{value[:4]} {value[4:8]} {value[8:]}"
    return value


def mask_phone(value: str) -> str:
    """ "0912345123" → "09xx xxx 123": keeps the network prefix and the last three digits."""
    if not value:
        return ""
    if len(value) < 6:
        return "x" * len(value)
    return f"{value[:2]}xx xxx {value[-3:]}"


# --- teams ----------------------------------------------------------------------------------


class TeamStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    DISSOLVED = "dissolved", _("Đã giải thể")


class TeamQuerySet(ScopedQuerySet):
    """Teams in the user's scope (their commune, district or the province); none without one.
    A scope of the structure before 07/2025 (history accounts) also reads the teams that were
    in it then: `former_commune` within the scope."""

    scope_paths = ("commune__path", "former_commune__path")

    def under(self, division) -> TeamQuerySet:
        """Teams that belong now to `division`'s subtree (the registry's filter)."""
        return self.filter(commune__path__startswith=division.path)

    def led_by(self, user) -> TeamQuerySet:
        """Teams whose current leader or deputy member is linked to `user`."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        team_ids = Member.objects.current().filter(
            user=user, role__in=(MemberRole.LEADER, MemberRole.DEPUTY)
        )
        return self.filter(pk__in=team_ids.values("team_id"))

    def active(self) -> TeamQuerySet:
        return self.filter(status=TeamStatus.ACTIVE)

    def active_on(self, day: dt.date) -> TeamQuerySet:
        """Teams established on or before `day` and not dissolved by then."""
        return self.filter(decision_date__lte=day).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )


class Team(models.Model):
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("ấp, khóm hoặc xã"),
        on_delete=models.PROTECT,
        related_name="teams",
        help_text=_("Ấp/khóm nơi tổ hoạt động; chọn xã nếu tổ phụ trách cả xã."),
    )
    commune = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("xã, phường, thị trấn"),
        on_delete=models.PROTECT,
        related_name="commune_teams",
        editable=False,
    )
    former_commune = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("xã trước sắp xếp 07/2025"),
        on_delete=models.PROTECT,
        related_name="former_commune_teams",
        null=True,
        blank=True,
        editable=False,
        help_text=_("Đơn vị cấp xã mà tổ thuộc về trước khi đơn vị hiện tại có hiệu lực."),
    )
    name = models.CharField(_("tên tổ"), max_length=200)
    decision_number = models.CharField(_("số quyết định thành lập"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    is_pilot = models.BooleanField(_("tổ thí điểm"), default=False)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=TeamStatus.choices, default=TeamStatus.ACTIVE
    )
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("Tổ công nghệ số cộng đồng")
        verbose_name_plural = _("Tổ công nghệ số cộng đồng")
        ordering = ["commune__path", "name"]
        indexes = [
            models.Index(fields=["commune", "status"], name="team_commune_status_idx"),
            models.Index(fields=["former_commune"], name="team_former_commune_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=TeamStatus.ACTIVE, dissolved_on__isnull=True)
                | Q(status=TeamStatus.DISSOLVED, dissolved_on__isnull=False),
                name="team_dissolved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gte=models.F("decision_date")),
                name="team_dissolved_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == TeamStatus.ACTIVE

    @property
    def former_commune_label(self) -> str:
        """ "Xã Biển Bạch Đông, huyện Thới Bình" for a team moved in 2025; "" otherwise."""

        return former_label(self.former_commune) if self.former_commune_id else ""

    def commune_on(self, day: dt.date):
        """The commune-level unit the team belonged to on `day` (the former one before the
        current unit started)."""
        start = self.commune.valid_from
        if self.former_commune_id and start and day < start:
            return self.former_commune
        return self.commune


# --- members --------------------------------------------------------------------------------


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Tổ trưởng")
    DEPUTY = "deputy", _("Tổ phó")
    MEMBER = "member", _("Tổ viên")


class MemberBody(models.TextChoices):
    HAMLET_HEAD = "hamlet_head", _("Trưởng ấp, khóm")
    POLICE = "police", _("Công an")
    YOUTH_UNION = "youth_union", _("Đoàn Thanh niên")
    WOMEN_UNION = "women_union", _("Hội Liên hiệp Phụ nữ")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    DIGITAL_BUSINESS = "digital_business", _("Doanh nghiệp công nghệ số")
    OTHER = "other", _("Khác")


class MemberQuerySet(models.QuerySet):
    def current(self, day: dt.date | None = None) -> MemberQuerySet:
        """Members who have not left (or leave after `day`, default today)."""
        day = day or timezone.localdate()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


class Member(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("tổ"), on_delete=models.PROTECT, related_name="members"
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    role = models.CharField(
        _("vai trò"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    body = models.CharField(
        _("đơn vị, đoàn thể"), max_length=20, choices=MemberBody.choices, default=MemberBody.OTHER
    )
    phone = models.CharField(
        _("số điện thoại"), max_length=15, blank=True, validators=[validate_vn_phone]
    )
    joined_on = models.DateField(_("ngày tham gia"))
    left_on = models.DateField(_("ngày rời tổ"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản cổng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_memberships",
        help_text=_("Tài khoản đăng nhập của tổ trưởng/tổ phó để cập nhật tổ từ điện thoại."),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên tổ")
        verbose_name_plural = _("thành viên tổ")
        ordering = ["team", "role", "full_name"]
        constraints = [
            # A team has at most one current leader; a past leader has a left_on date.
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="leader", left_on__isnull=True),
                name="member_one_active_leader_per_team",
                violation_error_message=_("Tổ đã có tổ trưởng đang hoạt động."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="member_left_after_joined",
                violation_error_message=_("Ngày rời tổ phải sau ngày tham gia."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"

    def save(self, *args, **kwargs) -> None:
        self.phone = normalize_phone(self.phone)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.left_on is None or self.left_on > timezone.localdate()


# --- activities -----------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    """What the team did: the article's list and the five basic digital skills."""

    PROPAGANDA = "propaganda", _("Tuyên truyền về chuyển đổi số")
    PUBLIC_SERVICES = "public_services", _("Hướng dẫn sử dụng dịch vụ công trực tuyến")
    ECOMMERCE = "ecommerce", _("Mua sắm trực tuyến, đưa sản phẩm lên sàn TMĐT")
    EPAYMENT = "epayment", _("Thanh toán điện tử, mở tài khoản thanh toán")
    ONLINE_SAFETY = "online_safety", _("An toàn trên không gian mạng")
    LOCAL_PLATFORMS = "local_platforms", _("Nền tảng số địa phương (CaMau-G, phản ánh hiện trường)")
    HEALTH_EDUCATION = "health_education", _("Dịch vụ số y tế, giáo dục")
    DIGITAL_PRODUCTION = "digital_production", _("Ứng dụng công nghệ số trong sản xuất, kinh doanh")
    OTHER = "other", _("Hoạt động khác")


ACTIVITY_COUNT_FIELDS = (
    "households",
    "people",
    "businesses",
    "dvctt_accounts",
    "epayment_accounts",
    "ecommerce_sellers",
)


class Activity(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("tổ"), on_delete=models.PROTECT, related_name="activities"
    )
    date = models.DateField(_("ngày"))
    kind = models.CharField(_("nội dung"), max_length=24, choices=ActivityKind.choices)
    households = models.PositiveIntegerField(_("số hộ gia đình được hướng dẫn"), default=0)
    people = models.PositiveIntegerField(_("số người dân được hướng dẫn"), default=0)
    businesses = models.PositiveIntegerField(_("số DN, HTX, hộ kinh doanh được hỗ trợ"), default=0)
    dvctt_accounts = models.PositiveIntegerField(_("tài khoản DVCTT được tạo"), default=0)
    epayment_accounts = models.PositiveIntegerField(
        _("tài khoản thanh toán điện tử được mở"), default=0
    )
    ecommerce_sellers = models.PositiveIntegerField(_("người bán đưa lên sàn TMĐT"), default=0)
    notes = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hoạt động của tổ")
        verbose_name_plural = _("hoạt động của tổ")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["team", "date"], name="activity_team_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(households__gte=0)
                & Q(people__gte=0)
                & Q(businesses__gte=0)
                & Q(dvctt_accounts__gte=0)
                & Q(epayment_accounts__gte=0)
                & Q(ecommerce_sellers__gte=0),
                name="activity_counts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.date:%d/%m/%Y} {self.get_kind_display()}"


# --- the pilot plan -------------------------------------------------------------------------

PILOT_DEADLINE = dt.date(2023, 6, 30)


class PilotCommune(models.Model):
    """A commune-level unit a district chose for the Tổ CNSCĐ pilot (≥1 per district by 30/6/2023)."""

    district = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("huyện, thành phố"),
        on_delete=models.PROTECT,
        related_name="pilot_communes_chosen",
    )
    commune = models.OneToOneField(
        "divisions.Division",
        verbose_name=_("xã, phường, thị trấn"),
        on_delete=models.PROTECT,
        related_name="pilot",
    )
    chosen_on = models.DateField(_("ngày lựa chọn"))
    decision_reference = models.CharField(_("văn bản lựa chọn"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("xã thí điểm Tổ CNSCĐ")
        verbose_name_plural = _("xã thí điểm Tổ CNSCĐ")
        ordering = ["district__path", "commune__path"]

    def __str__(self) -> str:
        return f"{self.district} — {self.commune}"
