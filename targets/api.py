"""REST endpoints of the catalogue: programmes, indicators with their targets, targets. Public."""

from __future__ import annotations

from collections import defaultdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api import params
from targets.models import Indicator, Programme, ScopeLevel, Target

TARGET_FIELDS = (
    "id",
    "programme__code",
    "indicator__code",
    "wording_vi",
    "wording_en",
    "deadline",
    "scope_level",
    "kind",
    "value",
    "comparator",
    "baseline_value",
    "baseline_period",
    "source_document",
)
INDICATOR_FIELDS = (
    "id",
    "code",
    "name_vi",
    "name_en",
    "pillar",
    "unit",
    "measurement",
    "numerator_label",
    "denominator_label",
    "direction",
    "division_aggregation",
    "time_aggregation",
    "counting_window",
    "authoritative_level",
    "frequency",
    "reports_province",
    "reports_district",
    "reports_commune",
    "max_value",
    "source_document",
    "source_date",
)


PROGRAMME_FIELDS = (
    "code",
    "kind",
    "number",
    "issuer",
    "issued_on",
    "title_vi",
    "title_en",
    "first_year",
    "last_year",
    "source",
)


class ProgrammeSchema(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=["resolution", "plan", "scheme", "decision", "programme"]
    )
    number = serializers.CharField(help_text="Document number, e.g. 05-NQ/TU")
    issuer = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    title_vi = serializers.CharField()
    title_en = serializers.CharField()
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    source = serializers.CharField()


class TargetSchema(serializers.Serializer):
    programme = serializers.CharField(
        help_text="Programme code; programmes keep their own targets, never merged"
    )
    indicator = serializers.CharField(help_text="Indicator code")
    wording_vi = serializers.CharField()
    wording_en = serializers.CharField()
    deadline = serializers.DateField()
    scope_level = serializers.IntegerField(help_text="1 province, 2 each district, 3 each commune")
    kind = serializers.ChoiceField(choices=["absolute", "relative"])
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    comparator = serializers.ChoiceField(choices=["gte", "lte"])
    baseline_value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    baseline_period = serializers.DateField(allow_null=True)
    source_document = serializers.CharField()


class IndicatorSchema(serializers.Serializer):
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    pillar = serializers.CharField()
    unit = serializers.CharField()
    measurement = serializers.CharField()
    numerator_label = serializers.CharField()
    denominator_label = serializers.CharField()
    direction = serializers.CharField()
    division_aggregation = serializers.CharField()
    time_aggregation = serializers.CharField()
    counting_window = serializers.ChoiceField(
        choices=["cumulative", "year_to_date", "latest"],
        help_text="Months counted in a month's value: since the programme began, the calendar "
        "year to date, or the latest figure.",
    )
    authoritative_level = serializers.IntegerField(
        allow_null=True,
        help_text="Level whose own figure replaces the sum of its units in a month it is given.",
    )
    frequency = serializers.CharField()
    reporting_levels = serializers.ListField(child=serializers.IntegerField())
    max_value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    source_document = serializers.CharField()
    source_date = serializers.DateField(allow_null=True)
    targets = TargetSchema(many=True)


def _target_row(row: dict) -> dict:
    row = dict(row)
    row.pop("id", None)
    row["programme"] = row.pop("programme__code")
    row["indicator"] = row.pop("indicator__code")
    return row


def _indicator_rows(qs) -> list[dict]:
    """Indicators with their targets: two queries, no per-row work beyond dict shaping."""
    indicators = list(qs.values(*INDICATOR_FIELDS))
    targets = defaultdict(list)
    for t in Target.objects.filter(indicator_id__in=[i["id"] for i in indicators]).values(
        "indicator_id", *TARGET_FIELDS
    ):
        targets[t.pop("indicator_id")].append(_target_row(t))
    for ind in indicators:
        ind["reporting_levels"] = [
            lv
            for lv, key in (
                (1, "reports_province"),
                (2, "reports_district"),
                (3, "reports_commune"),
            )
            if ind.pop(key)
        ]
        ind["targets"] = targets.get(ind.pop("id"), [])
    return indicators


@extend_schema(
    summary="Indicators of the catalogue with their targets",
    parameters=[
        OpenApiParameter(
            "pillar", str, enum=["government", "economy", "society", "infrastructure"]
        ),
        OpenApiParameter("code", str, description="One or more indicator codes, comma-separated"),
    ],
    responses=IndicatorSchema(many=True),
)
class IndicatorList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = IndicatorSchema
    pagination_class = None
    queryset = Indicator.objects.none()

    def get(self, request):
        qs = Indicator.objects.filter(is_active=True).order_by("pillar", "position", "code")
        if pillar := params.choice(
            request, "pillar", {"government", "economy", "society", "infrastructure"}
        ):
            qs = qs.filter(pillar=pillar)
        if wanted := params.codes(request, "code"):
            qs = qs.filter(code__in=wanted)
            params.require_known("code", wanted, set(qs.values_list("code", flat=True)))
        return Response(_indicator_rows(qs))


@extend_schema(summary="One indicator with its targets", responses=IndicatorSchema)
class IndicatorDetail(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = IndicatorSchema
    pagination_class = None
    queryset = Indicator.objects.none()

    def get(self, request, code: str):
        rows = _indicator_rows(Indicator.objects.filter(is_active=True, code=code))
        if not rows:
            raise NotFound()
        return Response(rows[0])


@extend_schema(
    summary="Targets",
    parameters=[
        OpenApiParameter("indicator", str, description="Indicator codes, comma-separated"),
        OpenApiParameter(
            "deadline", int, enum=list(range(2020, 2036)), description="Deadline year"
        ),
        OpenApiParameter("scope_level", int, enum=[1, 2, 3]),
        OpenApiParameter("programme", str, description="Programme codes, comma-separated"),
    ],
    responses=TargetSchema(many=True),
)
class TargetList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = TargetSchema
    pagination_class = None
    queryset = Target.objects.none()

    def get(self, request):
        qs = Target.objects.filter(indicator__is_active=True).order_by(
            "deadline", "indicator__position", "scope_level"
        )
        if wanted := params.codes(request, "indicator"):
            found = set(Indicator.objects.filter(code__in=wanted).values_list("code", flat=True))
            params.require_known("indicator", wanted, found)
            qs = qs.filter(indicator__code__in=wanted)
        if (year := params.integer(request, "deadline", set(range(2020, 2036)))) is not None:
            qs = qs.filter(deadline__year=year)
        if (level := params.integer(request, "scope_level", set(ScopeLevel.values))) is not None:
            qs = qs.filter(scope_level=level)
        if wanted := params.codes(request, "programme"):
            found = set(Programme.objects.filter(code__in=wanted).values_list("code", flat=True))
            params.require_known("programme", wanted, found)
            qs = qs.filter(programme__code__in=wanted)
        return Response([_target_row(r) for r in qs.values(*TARGET_FIELDS)])


@extend_schema(
    summary="Programmes (resolutions, decisions, plans) with targets",
    responses=ProgrammeSchema(many=True),
)
class ProgrammeList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProgrammeSchema
    pagination_class = None
    queryset = Programme.objects.none()

    def get(self, request):
        return Response(list(Programme.objects.values(*PROGRAMME_FIELDS)))
