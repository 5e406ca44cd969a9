"""One file over 500 lines: the catalogue's indicators, programmes and targets check each other.

Indicator catalogue, programmes and their first-class targets (see DESIGN.md).

Aggregation is declared per indicator and never guessed: a percentage rolls up as the ratio of
summed numerators and denominators, a stock takes the latest value over time, a flow sums.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Pillar(models.TextChoices):
    GOVERNMENT = "government", _("Chính quyền số")
    ECONOMY = "economy", _("Kinh tế số")
    SOCIETY = "society", _("Xã hội số")
    INFRASTRUCTURE = "infrastructure", _("Hạ tầng và nền tảng số")


class Measurement(models.TextChoices):
    RATIO = "ratio", _("Tỷ lệ tử số/mẫu số")
    COUNT = "count", _("Số lượng")
    AMOUNT = "amount", _("Giá trị")
    SHARE = "share", _("Tỷ trọng (%)")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Càng cao càng tốt")
    LOWER = "lower", _("Càng thấp càng tốt")


class DivisionAggregation(models.TextChoices):
    SUM = "sum", _("Cộng các đơn vị")
    RATIO_OF_SUMS = "ratio_of_sums", _("Tỷ lệ của tổng tử số và tổng mẫu số")
    NONE = "none", _("Không cộng dồn (mỗi cấp báo cáo riêng)")


class TimeAggregation(models.TextChoices):
    SUM = "sum", _("Cộng các tháng")
    LATEST = "latest", _("Giá trị mới nhất")
    AVERAGE = "average", _("Trung bình các tháng")


class CountingWindow(models.TextChoices):
    """Which months a value at a given month counts (how they combine is `TimeAggregation`)."""

    CUMULATIVE = "cumulative", _("Lũy kế từ khi bắt đầu chương trình")
    YEAR_TO_DATE = "year_to_date", _("Lũy kế từ đầu năm")
    LATEST = "latest", _("Giá trị mới nhất (số hiện có)")


# The aggregations over time each window allows: a stock carries its latest figure; a year's
# window sums, averages or takes the latest figure of that year only; a cumulative window sums.
WINDOW_AGGREGATIONS = {
    CountingWindow.CUMULATIVE: {TimeAggregation.SUM},
    CountingWindow.YEAR_TO_DATE: {
        TimeAggregation.SUM,
        TimeAggregation.AVERAGE,
        TimeAggregation.LATEST,
    },
    CountingWindow.LATEST: {TimeAggregation.LATEST},
}


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")


# Words used as page addresses under /targets/; an indicator code must not shadow them.
RESERVED_CODES = frozenset({"methodology", "import", "template", "programmes"})


def in_page_language(vi: str, en: str) -> tuple[str, str]:
    """A catalogue text in the page's language and that language: the English when the page
    is English and the catalogue has it, else the Vietnamese (which an English page marks
    lang="vi"). The one rule for names, labels and wordings of the catalogue."""
    if en and (get_language() or "vi").startswith("en"):
        return en, "en"
    return vi, "vi"


class Indicator(models.Model):
    code = models.SlugField(_("mã chỉ tiêu"), max_length=40, unique=True)
    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=300)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=300)
    pillar = models.CharField(_("trụ cột"), max_length=20, choices=Pillar.choices)
    unit = models.CharField(
        _("đơn vị tính"), max_length=40, help_text=_("Ví dụ: %, tổ, người, hộ.")
    )
    measurement = models.CharField(_("cách đo"), max_length=10, choices=Measurement.choices)
    numerator_label = models.CharField(_("tử số"), max_length=200, blank=True)
    denominator_label = models.CharField(_("mẫu số"), max_length=200, blank=True)
    numerator_label_en = models.CharField(_("tử số (tiếng Anh)"), max_length=200, blank=True)
    denominator_label_en = models.CharField(_("mẫu số (tiếng Anh)"), max_length=200, blank=True)
    direction = models.CharField(_("chiều tốt"), max_length=10, choices=Direction.choices)
    division_aggregation = models.CharField(
        _("cộng dồn theo đơn vị"), max_length=20, choices=DivisionAggregation.choices
    )
    time_aggregation = models.CharField(
        _("cộng dồn theo thời gian"), max_length=10, choices=TimeAggregation.choices
    )
    counting_window = models.CharField(
        _("khoảng cộng dồn"),
        max_length=15,
        choices=CountingWindow.choices,
        default=CountingWindow.CUMULATIVE,
        help_text=_(
            "Các tháng được tính vào giá trị của một tháng: từ khi bắt đầu chương trình, "
            "từ đầu năm, hoặc chỉ số liệu mới nhất."
        ),
    )
    frequency = models.CharField(
        _("kỳ báo cáo"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    reports_province = models.BooleanField(_("cấp tỉnh báo cáo"), default=False)
    reports_district = models.BooleanField(_("cấp huyện báo cáo"), default=False)
    reports_commune = models.BooleanField(_("cấp xã báo cáo"), default=False)
    authoritative_level = models.PositiveSmallIntegerField(
        _("cấp có số liệu chính thức"),
        null=True,
        blank=True,
        choices=[(1, _("Cấp tỉnh")), (2, _("Cấp huyện")), (3, _("Cấp xã"))],
        help_text=_(
            "Khi cấp này tự báo cáo và các đơn vị cấp dưới cũng báo cáo, số liệu riêng của cấp "
            "này được dùng thay cho tổng của các đơn vị (tháng nào không có thì dùng tổng). "
            "Để trống: luôn cộng từ cấp thấp nhất."
        ),
    )
    min_value = models.DecimalField(
        _("giá trị nhỏ nhất"), max_digits=20, decimal_places=4, default=Decimal("0")
    )
    max_value = models.DecimalField(
        _("giá trị lớn nhất"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("100 với tỷ lệ phần trăm; để trống nếu không giới hạn."),
    )
    whole_numbers = models.BooleanField(
        _("chỉ nhận số nguyên"), default=False, help_text=_("Đúng với các chỉ tiêu đếm.")
    )
    definition_vi = models.TextField(_("định nghĩa (tiếng Việt)"), blank=True)
    definition_en = models.TextField(_("định nghĩa (tiếng Anh)"), blank=True)
    source_document = models.CharField(_("văn bản nguồn"), max_length=200, blank=True)
    source_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["pillar", "position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measurement="ratio")
                | (~Q(numerator_label="") & ~Q(denominator_label="")),
                name="indicator_ratio_has_labels",
            ),
            models.CheckConstraint(
                condition=Q(max_value__isnull=True) | Q(max_value__gt=models.F("min_value")),
                name="indicator_limits_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"

    @property
    def is_percentage(self) -> bool:
        return self.measurement in (Measurement.RATIO, Measurement.SHARE)

    @property
    def reporting_levels(self) -> list[int]:
        """Division levels (1 province, 2 district, 3 commune) that report this indicator."""
        flags = (self.reports_province, self.reports_district, self.reports_commune)
        return [level for level, on in zip((1, 2, 3), flags, strict=True) if on]

    @property
    def numerator_label_shown(self) -> str:
        """The numerator label in the page's language (Vietnamese when no English exists)."""
        return in_page_language(self.numerator_label, self.numerator_label_en)[0]

    @property
    def numerator_label_lang(self) -> str:
        """The language of `numerator_label_shown`, for its `lang` attribute."""
        return in_page_language(self.numerator_label, self.numerator_label_en)[1]

    @property
    def denominator_label_shown(self) -> str:
        """The denominator label in the page's language (Vietnamese when no English exists)."""
        return in_page_language(self.denominator_label, self.denominator_label_en)[0]

    @property
    def denominator_label_lang(self) -> str:
        """The language of `denominator_label_shown`, for its `lang` attribute."""
        return in_page_language(self.denominator_label, self.denominator_label_en)[1]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.measurement == Measurement.RATIO and not (
            self.numerator_label and self.denominator_label
        ):
            errors["numerator_label"] = _(
                "Chỉ tiêu tỷ lệ cần nhãn tử số và mẫu số (ví dụ: số hồ sơ xử lý trên mạng / "
                "tổng số hồ sơ)."
            )
        if self.measurement == Measurement.RATIO and (
            self.division_aggregation == DivisionAggregation.SUM
        ):
            errors["division_aggregation"] = _(
                "Chỉ tiêu tỷ lệ không được cộng tỷ lệ phần trăm: hãy chọn tỷ lệ của tổng tử số "
                "và tổng mẫu số, hoặc không cộng dồn."
            )
        if self.is_percentage and self.max_value is None:
            self.max_value = Decimal("100")
        allowed = WINDOW_AGGREGATIONS.get(self.counting_window, set())
        if self.time_aggregation and self.time_aggregation not in allowed:
            errors["counting_window"] = _(
                "Khoảng cộng dồn «%(window)s» không dùng được với cách cộng theo thời gian "
                "«%(how)s»."
            ) % {
                "window": self.get_counting_window_display(),
                "how": self.get_time_aggregation_display(),
            }
        if self.authoritative_level and self.authoritative_level not in self.reporting_levels:
            errors["authoritative_level"] = _(
                "Cấp có số liệu chính thức phải là một trong các cấp báo cáo chỉ tiêu này."
            )
        if not (self.reports_province or self.reports_district or self.reports_commune):
            errors["reports_province"] = _("Hãy chọn ít nhất một cấp báo cáo chỉ tiêu này.")
        if (
            self.max_value is not None
            and self.min_value is not None
            and self.max_value <= self.min_value
        ):
            errors["max_value"] = _("Giá trị lớn nhất phải lớn hơn giá trị nhỏ nhất.")
        if self.code in RESERVED_CODES:
            # These words are page addresses under /targets/ (methodology, import).
            errors["code"] = _(
                "Mã «%(code)s» trùng với địa chỉ trang của cổng, hãy chọn mã khác."
            ) % {"code": self.code}
        if errors:
            raise ValidationError(errors)


class Comparator(models.TextChoices):
    AT_LEAST = "gte", _("Đạt ít nhất")
    AT_MOST = "lte", _("Không vượt quá")


class TargetKind(models.TextChoices):
    ABSOLUTE = "absolute", _("Giá trị tuyệt đối")
    RELATIVE = "relative", _("Thay đổi so với giá trị gốc (%)")


class ScopeLevel(models.IntegerChoices):
    PROVINCE = 1, _("Toàn tỉnh / cấp tỉnh")
    DISTRICT = 2, _("Từng đơn vị cấp huyện (đến 06/2025)")
    COMMUNE = 3, _("Từng đơn vị cấp xã")


class ProgrammeKind(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    PLAN = "plan", _("Kế hoạch")
    SCHEME = "scheme", _("Đề án")
    DECISION = "decision", _("Quyết định")
    PROGRAMME = "programme", _("Chương trình")


# The programme every target and goal belonged to before programmes were data; a target or goal
# created without naming a programme still belongs to it (the catalogue loader names it).
DEFAULT_PROGRAMME_CODE = "05-nq-tu"
DEFAULT_PROGRAMME = {
    "kind": "resolution",
    "number": "05-NQ/TU",
    "issuer": "Tỉnh ủy Cà Mau",
    "issued_on": dt.date(2022, 7, 14),
    "title_vi": "Nghị quyết về chuyển đổi số tỉnh Cà Mau đến năm 2025, định hướng đến năm 2030",
    "title_en": "Resolution on the digital transformation of Cà Mau province to 2025, "
    "with orientations to 2030",
    "first_year": 2022,
    "last_year": 2030,
    "source": "Nghị quyết 05-NQ/TU ngày 14/7/2022 của Tỉnh ủy Cà Mau",
    "position": 10,
}


def default_programme_id() -> int:
    """The primary key of Resolution 05-NQ/TU, created with its known data when missing."""
    programme, _created = Programme.objects.get_or_create(
        code=DEFAULT_PROGRAMME_CODE, defaults=DEFAULT_PROGRAMME
    )
    return programme.pk


class ProgrammeQuerySet(models.QuerySet):
    def in_force(self, on: dt.date | None = None) -> ProgrammeQuerySet:
        """Programmes whose period (first to last year) contains the day asked (today by default)."""
        on = on or dt.date.today()
        return self.filter(first_year__lte=on.year, last_year__gte=on.year).filter(
            Q(issued_on__isnull=True) | Q(issued_on__lte=on)
        )


class Programme(models.Model):
    """A programme document (resolution, plan, scheme, decision) with its own targets.

    An indicator can serve several programmes: each keeps its own targets, which are shown side
    by side and never merged, even when two programmes set a different value for the same
    indicator and deadline.
    """

    code = models.SlugField(_("mã chương trình"), max_length=40, unique=True)
    kind = models.CharField(_("loại văn bản"), max_length=12, choices=ProgrammeKind.choices)
    number = models.CharField(_("số hiệu"), max_length=40, help_text=_("Ví dụ: 05-NQ/TU."))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    title_vi = models.CharField(_("tên (tiếng Việt)"), max_length=500)
    title_en = models.CharField(_("tên (tiếng Anh)"), max_length=500, blank=True)
    first_year = models.PositiveSmallIntegerField(_("năm bắt đầu"))
    last_year = models.PositiveSmallIntegerField(_("năm kết thúc"))
    source = models.TextField(
        _("nguồn"), blank=True, help_text=_("Địa chỉ hoặc trích dẫn văn bản đã công bố.")
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["position", "issued_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")),
                name="programme_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError(
                {"last_year": _("Năm kết thúc phải bằng hoặc sau năm bắt đầu của chương trình.")}
            )


DEADLINE_MIN = dt.date(2020, 1, 1)
DEADLINE_MAX = dt.date(2035, 12, 31)


def _number(value: Decimal) -> str:
    """A decimal without trailing zeros, with a decimal comma (as Vietnamese users write it)."""
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",")


class Target(models.Model):
    """A target of one indicator for one deadline and scope (the province, or each unit of a level).

    A relative target states a change in percent of the baseline (value -30 with direction
    'lower' = reduce by 30%); `resolved_value()` turns it into an absolute number.
    """

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("chương trình"),
        default=default_programme_id,
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("chỉ tiêu")
    )
    wording_vi = models.TextField(
        _("nguyên văn mục tiêu"), help_text=_("Câu chữ của văn bản nguồn, giữ nguyên văn.")
    )
    wording_en = models.TextField(_("mục tiêu (tiếng Anh)"), blank=True)
    deadline = models.DateField(_("thời hạn"))
    scope_level = models.PositiveSmallIntegerField(
        _("phạm vi"), choices=ScopeLevel.choices, default=ScopeLevel.PROVINCE
    )
    kind = models.CharField(
        _("loại mục tiêu"), max_length=10, choices=TargetKind.choices, default=TargetKind.ABSOLUTE
    )
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=20, decimal_places=4)
    comparator = models.CharField(_("so sánh"), max_length=3, choices=Comparator.choices)
    baseline_value = models.DecimalField(
        _("giá trị gốc"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_provisional = models.BooleanField(
        _("giá trị gốc tạm tính"),
        default=False,
        help_text=_("Đánh dấu khi giá trị gốc chưa được Ban Chỉ đạo xác nhận."),
    )
    baseline_period = models.DateField(
        _("kỳ gốc"), null=True, blank=True, help_text=_("Ngày đầu tháng của kỳ gốc.")
    )
    source_document = models.CharField(_("văn bản nguồn"), max_length=200, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["deadline", "indicator__position", "scope_level"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "indicator", "deadline", "scope_level"],
                name="target_unique_programme_scope",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=DEADLINE_MIN) & Q(deadline__lte=DEADLINE_MAX),
                name="target_deadline_range",
            ),
            models.CheckConstraint(
                condition=Q(kind="absolute") | Q(baseline_value__isnull=False),
                name="target_relative_has_baseline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.deadline:%d/%m/%Y} {self.get_scope_level_display()}"

    def resolved_value(self) -> Decimal | None:
        """The absolute value to reach: the target itself, or baseline × (1 + change%)."""
        if self.kind == TargetKind.ABSOLUTE:
            return self.value
        if self.baseline_value is None:
            return None
        return self.baseline_value * (Decimal(1) + self.value / Decimal(100))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        ind = self.indicator if self.indicator_id else None
        if self.deadline and not (DEADLINE_MIN <= self.deadline <= DEADLINE_MAX):
            errors["deadline"] = _(
                "Thời hạn %(date)s nằm ngoài khoảng cho phép: phải trong các năm 2020 đến 2035."
            ) % {"date": self.deadline.strftime("%d/%m/%Y")}
        if self.kind == TargetKind.RELATIVE and self.baseline_value is None:
            errors["baseline_value"] = _(
                "Mục tiêu tương đối (tăng/giảm %) cần giá trị gốc và kỳ gốc."
            )
        elif self.kind == TargetKind.RELATIVE and self.baseline_period is None:
            errors["baseline_period"] = _(
                "Mục tiêu tương đối cần kỳ gốc (tháng hoặc năm của giá trị gốc)."
            )
        if ind is not None and self.value is not None and self.kind == TargetKind.ABSOLUTE:
            if ind.is_percentage and not (0 <= self.value <= 100):
                errors["value"] = _(
                    "Chỉ tiêu %(code)s tính bằng phần trăm: giá trị mục tiêu %(value)s nằm ngoài "
                    "khoảng từ 0 đến 100."
                ) % {"code": ind.code, "value": _number(self.value)}
            elif self.value < ind.min_value:
                errors["value"] = _("Giá trị mục tiêu nhỏ hơn giá trị nhỏ nhất của chỉ tiêu.")
        if (
            ind is not None
            and self.kind == TargetKind.RELATIVE
            and ind.is_percentage
            and self.value is not None
            and self.baseline_value is not None
            and not (0 <= (self.resolved_value() or 0) <= 100)
        ):
            errors["value"] = _(
                "Mục tiêu tương đối của chỉ tiêu phần trăm %(code)s cho kết quả ngoài khoảng "
                "0 đến 100."
            ) % {"code": ind.code}
        if ind is not None and self.scope_level and self.scope_level not in ind.reporting_levels:
            errors["scope_level"] = _(
                "Chỉ tiêu %(code)s không được báo cáo ở %(level)s, không thể đặt mục tiêu cho cấp này."
            ) % {"code": ind.code, "level": ScopeLevel(self.scope_level).label.lower()}
        if errors:
            raise ValidationError(errors)

    @property
    def deadline_year(self) -> int:
        return self.deadline.year


class ProgrammeGoal(models.Model):
    """A qualitative goal of the programme, shown on the catalogue page (not a number)."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="goals",
        verbose_name=_("chương trình"),
        default=default_programme_id,
    )
    # A stable key so that the catalogue loader can update a goal instead of duplicating it.
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    text_vi = models.TextField(_("nội dung (tiếng Việt)"))
    text_en = models.TextField(_("nội dung (tiếng Anh)"), blank=True)
    deadline_year = models.PositiveSmallIntegerField(_("năm"))
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    source_document = models.CharField(_("văn bản nguồn"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mục tiêu tổng quát")
        verbose_name_plural = _("mục tiêu tổng quát")
        ordering = ["deadline_year", "position"]

    def __str__(self) -> str:
        return self.text_vi[:80]
