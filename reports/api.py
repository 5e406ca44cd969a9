"""One file over 500 lines: the figure and report endpoints share their scope, rows and filters.

REST endpoints of figures and reports (read); writes of figures. Attainment: attainment.api.

Scoping: anonymous clients get the open-data subset (province-level approved figures and
attainment); signed-in users and tokens get that plus what `divisions.access` lets them see.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core import numbers
from core.api import params
from core.api import schema as schema_params
from core.api.errors import Conflict, Unprocessable
from core.api.lean import paginated_rows
from divisions import access
from divisions.models import Division
from divisions.permissions import TokenWriteAllowed
from reports.models import Channel, DataValue, Report, ReportStatus, Source
from reports.services import FigureErrors, FigureInput, data_values_upsert
from targets.models import Indicator

PERIOD_DOC = "Month as YYYY-MM (2000-2099), e.g. 2024-01"
COMMON_FILTERS = [
    schema_params.codes_param("indicator", "Indicator codes, comma-separated"),
    schema_params.codes_param("division", "GSO division codes, comma-separated"),
    schema_params.code_param("within", "GSO code of a unit: its whole subtree"),
    OpenApiParameter(
        "level", int, enum=[1, 2, 3, 4], description="1 province, 2 district, 3 commune, 4 hamlet"
    ),
    schema_params.period_param("period_from"),
    schema_params.period_param("period_to"),
    *schema_params.PAGE_PARAMS,
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


class UnitIdentity(serializers.Serializer):
    """Which unit a row is: GSO codes were reused by the units of 07/2025, so a code alone
    can name two units (e.g. 32044 before and after the reorganisation)."""

    division = serializers.CharField(help_text="GSO code of the unit")
    division_id = serializers.IntegerField(help_text="The unit's own id (unique, never reused)")
    division_name = serializers.CharField()
    division_valid_from = serializers.DateField(
        allow_null=True, help_text="First day the unit exists"
    )
    division_valid_to = serializers.DateField(allow_null=True, help_text="Last day, if it ended")
    level = serializers.IntegerField()


UNIT_FIELDS = (
    "division__code",
    "division_id",
    "division__name",
    "division__valid_from",
    "division__valid_to",
    "division__level",
)


def unit_identity(r: dict) -> dict:
    return {
        "division": r["division__code"],
        "division_id": r["division_id"],
        "division_name": r["division__name"],
        "division_valid_from": r["division__valid_from"],
        "division_valid_to": r["division__valid_to"],
        "level": r["division__level"],
    }


class ValueSchema(UnitIdentity):
    id = serializers.IntegerField()
    indicator = serializers.CharField()
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
    *UNIT_FIELDS,
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
        **unit_identity(r),
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
# Refusals of a row that matches the schema: a number string two conventions read differently,
# a row naming no number, more decimals than stored. 422, like the figure checks of the service.
RULE_CODES = {"ambiguous", "no_number", "max_decimal_places"}


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
                raise serializers.ValidationError(
                    f"{exc.message} {hint}", code="ambiguous"
                ) from exc
        return super().to_internal_value(data)


def _figure_field() -> RuleDecimalField:
    return RuleDecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        allow_null=True,
        help_text="A JSON number (at most 4 decimals), or a string: decimal comma or dot, "
        'thousands grouped by three; a string two conventions read differently ("1.500", '
        '"20,000") is refused with 422.',
    )


class ValueInput(serializers.Serializer):
    indicator = serializers.RegexField(r"^[A-Za-z0-9_\-]{1,40}$", max_length=40)
    division = serializers.RegexField(
        r"^[A-Za-z0-9_\-]{1,20}$", max_length=20, help_text="GSO code"
    )
    period = serializers.RegexField(params.PERIOD_PATTERN, help_text=PERIOD_DOC)
    value = _figure_field()
    numerator = _figure_field()
    denominator = _figure_field()
    # No NUL character (PostgreSQL cannot store one): the pattern says so.
    note = serializers.RegexField(
        r"^[^\x00]*$",
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why the figure is what it is; a changed note alone is saved (a new version).",
    )
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
                },
                code="no_number",
            )
        return attrs


class ValuePatchInput(ValueInput):
    version = serializers.IntegerField(
        min_value=0, help_text="Required: the version you read (0 for a new figure)."
    )


def _rows_serializer(child: type[ValueInput], **kwargs) -> serializers.ListSerializer:
    return serializers.ListSerializer(
        child=child(), min_length=1, max_length=MAX_WRITE_ROWS, allow_empty=False, **kwargs
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


def _body_errors(raw) -> tuple[dict[str, list[str]], set[str]]:
    """DRF's errors of the list body → ({"rows.<i>.<field>": [messages]}, their codes). DRF
    gives a list of per-row dicts, or a dict keyed by row index, or `non_field_errors` for
    the list itself (not a list, empty, too long)."""
    if isinstance(raw, dict) and "non_field_errors" in raw:
        items = raw["non_field_errors"]
        return {"non_field_errors": [str(m) for m in items]}, {
            getattr(m, "code", "") for m in items
        }
    rows = raw.items() if isinstance(raw, dict) else enumerate(raw)
    errors: dict[str, list[str]] = {}
    found: set[str] = set()
    for i, row_errors in rows:
        if not isinstance(row_errors, dict):
            # A row that is not an object ([null], [1]): DRF's message for the row itself.
            row_errors = {"non_field_errors": row_errors}
        for field, messages in row_errors.items():
            messages = messages if isinstance(messages, list) else [messages]
            errors[f"rows.{i}.{field}"] = [str(m) for m in messages]
            found |= {getattr(m, "code", "") for m in messages}
    return errors, found


def _figure_inputs(validated) -> list[FigureInput]:
    return [
        FigureInput(
            indicator_code=item["indicator"],
            division_code=item["division"],
            period=params.parse_period(item["period"], "period"),
            value=item.get("value"),
            numerator=item.get("numerator"),
            denominator=item.get("denominator"),
            note=item.get("note", ""),
            expected_version=item.get("version"),
        )
        for item in validated
    ]


def _raise_figure_errors(exc: FigureErrors):
    """403 naming the rows outside the scope; 409 for stale or locked rows; else 422."""

    def detail(errors):
        return {f"rows.{e.index}.{e.field}": [e.message] for e in errors}

    denied = [e for e in exc.row_errors if e.code == "denied"]
    if denied:
        raise PermissionDenied(_first_message(detail(denied))) from exc
    if {e.code for e in exc.row_errors} & {"conflict", "locked"}:
        raise Conflict(detail(exc.row_errors)) from exc
    raise Unprocessable(detail(exc.row_errors)) from exc


def _first_message(detail: dict[str, list[str]]) -> str:
    """One sentence naming every denied row (a 403 carries no field list)."""
    return " ".join(f"{field}: {msgs[0]}" for field, msgs in detail.items())


def write_values(request, *, require_version: bool) -> Response:
    """POST/PATCH of figures: the same service, validation, scoping, versions and locking as
    the form; all rows or none. 201 when a figure was created, else 200."""
    if not isinstance(request.data, list):
        raise ValidationError({"non_field_errors": [_("Nội dung phải là một danh sách số liệu.")]})
    serializer = _rows_serializer(
        ValuePatchInput if require_version else ValueInput, data=request.data
    )
    if not serializer.is_valid():
        errors, found = _body_errors(serializer.errors)
        if found and found <= RULE_CODES:
            raise Unprocessable(errors)
        raise ValidationError(errors)
    rows = _figure_inputs(serializer.validated_data)
    try:
        result = data_values_upsert(user=request.user, rows=rows, channel=Channel.API)
    except FigureErrors as exc:
        _raise_figure_errors(exc)
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
        },
        status=201 if result.created else 200,
    )


WRITE_EXTENSIONS = {
    **schema_params.links_to_values_list(),
    **schema_params.body_items(1, MAX_WRITE_ROWS),
}


class ValueList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ValueSchema
    queryset = DataValue.objects.none()
    # The body is a JSON array: a form or multipart body cannot carry one.
    parser_classes = [JSONParser]

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [AllowAny()]
        return [IsAuthenticated(), TokenWriteAllowed()]

    @extend_schema(
        summary="Write figures (all rows or none)",
        description=(
            "District systems push figures under the same rules as the web form: validation, "
            "scope (403 naming the rows outside it, nothing saved), report locking and "
            "versions (409), the figure checks (422). 201 when a figure was created, 200 when "
            "rows only changed, cleared or left figures as they were. Needs a session or a "
            "write-enabled token of an officer."
        ),
        request=_rows_serializer(ValueInput),
        responses={200: WriteResult, 201: WriteResult},
        examples=[
            OpenApiExample(
                "A commune's figure",
                value=[
                    {
                        "indicator": "people_guided",
                        "division": "32068",
                        "period": "2024-05",
                        "value": 5,
                    }
                ],
                request_only=True,
            )
        ],
        extensions=WRITE_EXTENSIONS,
    )
    def post(self, request):
        return write_values(request, require_version=False)

    @extend_schema(
        summary="Update figures with lost-update protection (version required)",
        description="As POST, with each row's `version` required (409 when stale).",
        request=_rows_serializer(ValuePatchInput),
        responses={200: WriteResult, 201: WriteResult},
        extensions=WRITE_EXTENSIONS,
    )
    def patch(self, request):
        return write_values(request, require_version=True)

    @extend_schema(
        summary="Figures (approved by default)",
        description=(
            "Monthly figures. Anonymous clients get province-level approved figures (open data). "
            "`status` other than `approved` needs a user or token allowed to enter or approve "
            "figures in its scope. Example: the approved monthly figures of three indicators for the "
            "communes of district 967 over 2024: "
            "`?indicator=a,b,c&within=967&level=3&period_from=2024-01&period_to=2024-12`. "
            "Each row names its unit by code and by id, name and validity: codes were reused by "
            "the units of 07/2025."
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
                    "division_id": 57,
                    "division_name": "Xã Biển Bạch",
                    "division_valid_from": None,
                    "division_valid_to": "2025-06-30",
                    "level": 3,
                    "period": "2024-01",
                    "value": 62.5,
                    "numerator": 125,
                    "denominator": 200,
                    "source": "manual",
                    "status": "approved",
                    "version": 1,
                    "updated_at": "2024-02-10T01:00:00Z",
                },
                response_only=True,
            )
        ],
    )
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


class ReportSchema(UnitIdentity):
    id = serializers.IntegerField()
    period = serializers.CharField(help_text=PERIOD_DOC)
    status = serializers.ChoiceField(choices=ReportStatus.values)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()


REPORT_FIELDS = (
    "id",
    *UNIT_FIELDS,
    "period",
    "status",
    "submitted_at",
    "approved_at",
    "return_reason",
)


def _report_row(r: dict) -> dict:
    return {
        "id": r["id"],
        **unit_identity(r),
        "period": _ym(r["period"]),
        "status": r["status"],
        "submitted_at": r["submitted_at"],
        "approved_at": r["approved_at"],
        "return_reason": r["return_reason"],
    }


@extend_schema(
    summary="Monthly reports: status per reporting unit and month",
    parameters=[
        schema_params.codes_param("division", "GSO codes, comma-separated"),
        schema_params.period_param("period_from"),
        schema_params.period_param("period_to"),
        OpenApiParameter("status", str, enum=ReportStatus.values),
        *schema_params.PAGE_PARAMS,
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
        return paginated_rows(request, self, qs, REPORT_FIELDS, _report_row)
