"""REST endpoint of attainment rows (`/api/v1/attainment/`): read only, scoped like figures."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny

from attainment.method import Status
from attainment.models import Attainment
from core.api import params
from core.api import schema as schema_params
from core.api.lean import paginated_rows
from divisions.models import Division
from reports.api import (
    COMMON_FILTERS,
    PERIOD_DOC,
    UNIT_FIELDS,
    UnitIdentity,
    _ym,
    apply_common_filters,
    unit_identity,
)
from targets.models import Programme

# Deadlines are dates; the filter takes the year (any year: none may match).
DEADLINE_YEARS = range(2000, 2101)
# A row of a unit and month with no target to judge it against has no status ("").
STATUS_VALUES = [s.value for s in Status]


class AttainmentSchema(UnitIdentity):
    id = serializers.IntegerField()
    indicator = serializers.CharField()
    period = serializers.CharField(help_text=PERIOD_DOC)
    provisional = serializers.BooleanField()
    actual = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    target_value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    target_deadline = serializers.DateField(allow_null=True)
    target_scope_level = serializers.IntegerField(allow_null=True)
    target_programme = serializers.CharField(allow_null=True, help_text="Programme code")
    share_reached = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    status = serializers.ChoiceField(
        choices=[*STATUS_VALUES, ""], help_text='"" when the row has no target to judge by'
    )
    projected_value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    reached_in = serializers.CharField(allow_null=True, help_text=PERIOD_DOC)
    sources = serializers.CharField()
    reconstructed = serializers.BooleanField(
        help_text="True for a unit of the 2025 structure before 07/2025: the roll-up of its "
        "predecessors (× share when a predecessor was split)"
    )
    computed_at = serializers.DateTimeField()


ATTAINMENT_FIELDS = (
    "id",
    "indicator__code",
    *UNIT_FIELDS,
    "period",
    "provisional",
    "actual",
    "target_value",
    "target__deadline",
    "target__scope_level",
    "target__programme__code",
    "share_reached",
    "status",
    "projected_value",
    "reached_in",
    "sources",
    "reconstructed",
    "computed_at",
)


def _attainment_row(r: dict) -> dict:
    return {
        "id": r["id"],
        "indicator": r["indicator__code"],
        **unit_identity(r),
        "period": _ym(r["period"]),
        "provisional": r["provisional"],
        "reconstructed": r["reconstructed"],
        "actual": r["actual"],
        "target_value": r["target_value"],
        "target_deadline": r["target__deadline"],
        "target_scope_level": r["target__scope_level"],
        "target_programme": r["target__programme__code"],
        "share_reached": r["share_reached"],
        "status": r["status"],
        "projected_value": r["projected_value"],
        "reached_in": _ym(r["reached_in"]),
        "sources": r["sources"],
        "computed_at": r["computed_at"],
    }


@extend_schema(
    summary="Attainment: value vs target, status, projection",
    description=(
        "Computed by the attainment job from approved figures. Anonymous clients get "
        "province-level approved rows. `provisional=1` (signed-in only) returns the rows that "
        "also count submitted figures, where they differ."
    ),
    parameters=[
        *COMMON_FILTERS,
        OpenApiParameter("status", str, enum=STATUS_VALUES),
        OpenApiParameter(
            "deadline",
            {
                "type": "integer",
                "minimum": DEADLINE_YEARS.start,
                "maximum": DEADLINE_YEARS.stop - 1,
            },
            description="Year of the target's deadline",
        ),
        schema_params.code_param("programme", "Code of the programme whose targets to list"),
        OpenApiParameter("provisional", OpenApiTypes.INT, enum=[0, 1]),
    ],
    responses=AttainmentSchema(many=True),
)
class AttainmentList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = AttainmentSchema
    queryset = Attainment.objects.none()

    def get(self, request):
        provisional = params.integer(request, "provisional", {0, 1}) == 1
        if provisional and not request.user.is_authenticated:
            raise PermissionDenied(_("Số liệu tạm tính chỉ dành cho người dùng đã đăng nhập."))
        # Provisional rows are never open data: the scope's only. Approved rows: the open data
        # (province level) for everyone, plus the scope of a signed-in client.
        if provisional:
            divisions = Division.objects.for_user(request.user)
        else:
            divisions = Division.objects.readable_by(request.user)
        qs = Attainment.objects.filter(division__in=divisions, provisional=provisional)
        qs = apply_common_filters(request, qs)
        if status := params.choice(request, "status", set(STATUS_VALUES)):
            qs = qs.filter(status=status)
        if (year := params.integer(request, "deadline", set(DEADLINE_YEARS))) is not None:
            qs = qs.filter(target__deadline__year=year)
        if wanted := params.codes(request, "programme"):
            if len(wanted) != 1:
                raise ValidationError({"programme": [_("Chỉ một mã chương trình.")]})
            found = set(Programme.objects.filter(code=wanted[0]).values_list("code", flat=True))
            params.require_known("programme", wanted, found)
            qs = qs.filter(target__programme__code=wanted[0])
        return paginated_rows(request, self, qs, ATTAINMENT_FIELDS, _attainment_row)
