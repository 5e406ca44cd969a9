"""REST endpoints of figures and reports (read); writes of figures. Attainment: attainment.api.

Scoping: anonymous clients get the open-data subset (province-level approved figures and
attainment); signed-in users and tokens get that plus what `divisions.access` lets them see.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core import numbers
from core.api import params
from core.api.errors import Conflict
from core.api.lean import paginated_rows
from divisions import access
from divisions.models import Division
from divisions.permissions import TokenWriteAllowed
from reports.models import Channel, DataValue, Report, ReportStatus, Source
from reports.services import FigureErrors, FigureInput, data_values_upsert
from targets.models import Indicator

PERIOD_DOC = "Month as YYYY-MM, e.g. 2024-01"
COMMON_FILTERS = [
    OpenApiParameter("indicator", str, description="Indicator codes, comma-separated"),
    OpenApiParameter("division", str, description="GSO division codes, comma-separated"),
    OpenApiParameter("within", str, description="GSO code of a unit: its whole subtree"),
    OpenApiParameter("level", int, enum=[1, 2, 3], description="1 province, 2 district, 3 commune"),
    OpenApiParameter("period_from", str, description=PERIOD_DOC),
    OpenApiParameter("period_to", str, description=PERIOD_DOC),
    OpenApiParameter(
        "page_size",
        int,
        description="Rows per page (default 500; larger values are capped at 5000)",
    ),
    OpenApiParameter("cursor", str, description="Opaque cursor from `next`/`previous`"),
    OpenApiParameter("format", str, enum=["json", "csv"]),
]


def _ym(day) -> str | None:
    return f"{day.year:04d}-{day.month:02d}" if day else None


def apply_common_filters(request, qs, *, prefix: str = ""):
    """indicator, division, within, level, period_from/to: each validated, unknown codes 400."""
    if wanted := params.codes(request, "indicator"):
        found = set(Indicator.objects.filter(code__in=wanted).values_list("code", flat=True))
        params.require_known("indicator", wanted, found)
        qs = qs.filter(indicator__code__in=wanted)
    if wanted := params.codes(request, "division"):
        found = set(Division.objects.filter(code__in=wanted).values_list("code", flat=True))
        params.require_known("division", wanted, found)
        qs = qs.filter(division__code__in=wanted)
    if within := params.codes(request, "within"):
        if len(within) != 1:
            raise ValidationError({"within": [_("Chỉ một mã đơn vị.")]})
        # Codes are unique per validity period: the unit in force at the end of the asked
        # range (default today), else the one that started last (an ended district).
        _start, _end = params.period_range(request)
        same_code = Division.objects.filter(code=within[0])
        root = same_code.valid_on(_end or timezone.localdate()).first() or (
            same_code.order_by(F("valid_from").desc(nulls_last=True)).first()
        )
        params.require_known("within", within, {root.code} if root else set())
        qs = qs.filter(division__path__startswith=root.path)
    if (level := params.integer(request, "level", {1, 2, 3, 4})) is not None:
        qs = qs.filter(division__level=level)
    start, end = params.period_range(request)
    if start:
        qs = qs.filter(period__gte=start)
    if end:
        qs = qs.filter(period__lte=end)
    return qs


class ValueSchema(serializers.Serializer):
    id = serializers.IntegerField()
    indicator = serializers.CharField()
    division = serializers.CharField()
    level = serializers.IntegerField()
    period = serializers.CharField(help_text=PERIOD_DOC)
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    numerator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    source = serializers.ChoiceField(choices=Source.values)
    status = serializers.CharField(
        allow_null=True, help_text="Report status (null for team figures)"
    )
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


VALUE_FIELDS = (
    "id",
    "indicator__code",
    "division__code",
    "division__level",
    "period",
    "value",
    "numerator",
    "denominator",
    "source",
    "report__status",
    "version",
    "updated_at",
)


def _value_row(r: dict) -> dict:
    return {
        "id": r["id"],
        "indicator": r["indicator__code"],
        "division": r["division__code"],
        "level": r["division__level"],
        "period": _ym(r["period"]),
        "value": r["value"],
        "numerator": r["numerator"],
        "denominator": r["denominator"],
        "source": r["source"],
        "status": r["report__status"],
        "version": r["version"],
        "updated_at": r["updated_at"],
    }


STATUS_FILTERS = {"approved", "submitted", "draft", "returned", "all"}
MAX_WRITE_ROWS = 5000


class RuleDecimalField(serializers.DecimalField):
    """A JSON number as it is; a string by the portal's number rule with no convention assumed,
    so "12,5" is 12.5 and an ambiguous "1.500" is refused rather than guessed."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip():
            try:
                data = numbers.parse(data, None)
            except numbers.NumberError as exc:
                hint = _(
                    "Hãy gửi số JSON (không đặt trong ngoặc kép) hoặc bỏ dấu phân cách hàng nghìn."
                )
                raise serializers.ValidationError(f"{exc.message} {hint}") from exc
        return super().to_internal_value(data)


def _figure_field() -> RuleDecimalField:
    return RuleDecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        allow_null=True,
        help_text="A JSON number, or a string: decimal comma or dot, thousands grouped by three; "
        'a string two conventions read differently ("1.500", "20,000") is refused.',
    )


class ValueInput(serializers.Serializer):
    indicator = serializers.CharField(max_length=40)
    division = serializers.CharField(max_length=20)
    period = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text=PERIOD_DOC)
    value = _figure_field()
    numerator = _figure_field()
    denominator = _figure_field()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="The version you read (0 for a new figure); a stale one gives 409.",
    )

    def validate(self, attrs):
        # Null numbers clear (delete) the figure; a row naming no number at all is more likely
        # a client's mistake than a request to delete, so it is refused.
        if not any(name in attrs for name in ("value", "numerator", "denominator")):
            raise serializers.ValidationError(
                {
                    "value": [
                        _(
                            "Hãy gửi giá trị (hoặc tử số và mẫu số); gửi null cho cả ba để xoá "
                            "số liệu."
                        )
                    ]
                }
            )
        return attrs


class ValuePatchInput(ValueInput):
    version = serializers.IntegerField(
        min_value=0, help_text="Required: the version you read (0 for a new figure)."
    )


class WrittenValue(serializers.Serializer):
    indicator = serializers.CharField()
    division = serializers.CharField()
    period = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True, help_text="null when the row leaves no figure (a cleared cell)."
    )


class WriteResult(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deleted = serializers.IntegerField(help_text="Figures cleared by rows of null numbers.")
    warnings = serializers.ListField(child=serializers.CharField())
    results = WrittenValue(many=True)


def write_values(request, *, require_version: bool) -> Response:
    """POST/PATCH of figures: the same service, validation, scoping, versions and locking as
    the form; all rows or none."""
    if not isinstance(request.data, list):
        raise ValidationError({"non_field_errors": [_("Nội dung phải là một danh sách số liệu.")]})
    if not 1 <= len(request.data) <= MAX_WRITE_ROWS:
        raise ValidationError(
            {"non_field_errors": [_("Gửi từ 1 đến %(n)s số liệu mỗi lần.") % {"n": MAX_WRITE_ROWS}]}
        )
    serializer = (ValuePatchInput if require_version else ValueInput)(data=request.data, many=True)
    if not serializer.is_valid():
        raw = serializer.errors
        # DRF gives a list of per-row dicts, or a dict keyed by row index, depending on version.
        items = raw.items() if isinstance(raw, dict) else enumerate(raw)
        errors = {
            f"rows.{i}.{field}": [str(m) for m in msgs]
            for i, row_errors in items
            for field, msgs in (row_errors or {}).items()
        }
        raise ValidationError(errors)
    rows = []
    for item in serializer.validated_data:
        year, month = item["period"].split("-")
        rows.append(
            FigureInput(
                indicator_code=item["indicator"],
                division_code=item["division"],
                period=dt.date(int(year), int(month), 1),
                value=item.get("value"),
                numerator=item.get("numerator"),
                denominator=item.get("denominator"),
                note=item.get("note", ""),
                expected_version=item.get("version"),
            )
        )
    try:
        result = data_values_upsert(user=request.user, rows=rows, channel=Channel.API)
    except FigureErrors as exc:
        codes = {e.code for e in exc.row_errors}
        detail = {f"rows.{e.index}.{e.field}": [e.message] for e in exc.row_errors}
        if "denied" in codes:
            raise PermissionDenied(exc.row_errors[0].message) from exc
        if codes & {"conflict", "locked"}:
            raise Conflict(detail) from exc
        raise ValidationError(detail) from exc
    written = [
        {
            "indicator": row.indicator_code,
            "division": row.division_code,
            "period": _ym(row.period),
            "version": value.version if value is not None else None,
        }
        for row, value in zip(rows, result.values, strict=True)
    ]
    return Response(
        {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "deleted": result.deleted,
            "warnings": [w.message for w in result.warnings],
            "results": written,
        }
    )


@extend_schema(
    summary="Figures (approved by default)",
    description=(
        "Monthly figures. Anonymous clients get province-level approved figures (open data). "
        "`status` other than `approved` needs a user or token allowed to enter or approve "
        "figures in its scope. Example: the approved monthly figures of three indicators for the "
        "communes of district 967 over 2024: "
        "`?indicator=a,b,c&within=967&level=3&period_from=2024-01&period_to=2024-12`."
    ),
    parameters=[
        *COMMON_FILTERS,
        OpenApiParameter("status", str, enum=sorted(STATUS_FILTERS)),
    ],
    responses=ValueSchema(many=True),
    examples=[
        OpenApiExample(
            "One figure",
            value={
                "id": 1,
                "indicator": "work_records_online",
                "division": "32068",
                "level": 3,
                "period": "2024-01",
                "value": 62.5,
                "numerator": 125,
                "denominator": 200,
                "source": "manual",
                "status": "approved",
                "version": 1,
                "updated_at": "2024-02-10T08:00:00+07:00",
            },
            response_only=True,
        )
    ],
)
class ValueList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ValueSchema
    queryset = DataValue.objects.none()

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [AllowAny()]
        return [IsAuthenticated(), TokenWriteAllowed()]

    @extend_schema(
        summary="Write figures (all rows or none)",
        description=(
            "District systems push figures under the same rules as the web form: validation, "
            "scope (403 outside it, nothing saved), report locking and versions (409). Needs a "
            "session or a write-enabled token of an officer."
        ),
        request=ValueInput(many=True),
        responses=WriteResult,
    )
    def post(self, request):
        return write_values(request, require_version=False)

    @extend_schema(
        summary="Update figures with lost-update protection (version required)",
        request=ValuePatchInput(many=True),
        responses=WriteResult,
    )
    def patch(self, request):
        return write_values(request, require_version=True)

    def get(self, request):
        status = params.choice(request, "status", STATUS_FILTERS) or "approved"
        if status != "approved" and not (
            access.can(request.user, access.Action.EDIT_FIGURES)
            or access.can(request.user, access.Action.APPROVE)
        ):
            raise PermissionDenied(
                _("Chỉ cán bộ nhập liệu hoặc Ban Chỉ đạo xem được số liệu chưa duyệt.")
            )
        # The open data (province level) for everyone, plus the scope of a signed-in client.
        qs = DataValue.objects.filter(division__in=Division.objects.readable_by(request.user))
        approved = Q(source=Source.TEAMS) | Q(report__status=ReportStatus.APPROVED)
        if status == "approved":
            qs = qs.filter(approved)
        else:
            # Open data is approved figures only: unapproved ones come from the scope alone.
            qs = qs.filter(approved | access.scope_filter(request.user, "division__path"))
            if status != "all":
                qs = qs.filter(report__status=status)
        qs = apply_common_filters(request, qs)
        return paginated_rows(request, self, qs, VALUE_FIELDS, _value_row)


class ReportSchema(serializers.Serializer):
    id = serializers.IntegerField()
    division = serializers.CharField()
    period = serializers.CharField(help_text=PERIOD_DOC)
    status = serializers.ChoiceField(choices=ReportStatus.values)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()


@extend_schema(
    summary="Monthly reports: status per reporting unit and month",
    parameters=[
        OpenApiParameter("division", str, description="GSO codes, comma-separated"),
        OpenApiParameter("period_from", str, description=PERIOD_DOC),
        OpenApiParameter("period_to", str, description=PERIOD_DOC),
        OpenApiParameter("status", str, enum=ReportStatus.values),
    ],
    responses=ReportSchema(many=True),
)
class ReportList(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReportSchema
    queryset = Report.objects.none()

    def get(self, request):
        qs = Report.objects.for_user(request.user)
        if wanted := params.codes(request, "division"):
            found = set(Division.objects.filter(code__in=wanted).values_list("code", flat=True))
            params.require_known("division", wanted, found)
            qs = qs.filter(division__code__in=wanted)
        start, end = params.period_range(request)
        if start:
            qs = qs.filter(period__gte=start)
        if end:
            qs = qs.filter(period__lte=end)
        if status := params.choice(request, "status", set(ReportStatus.values)):
            qs = qs.filter(status=status)
        fields = (
            "id",
            "division__code",
            "period",
            "status",
            "submitted_at",
            "approved_at",
            "return_reason",
        )

        def shape(r: dict) -> dict:
            r["division"] = r.pop("division__code")
            r["period"] = _ym(r["period"])
            return r

        return paginated_rows(request, self, qs, fields, shape)
