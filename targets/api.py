"""REST endpoints of the catalogue: programmes, indicators with their targets, targets. Public."""

from __future__ import annotations

from collections import defaultdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api import params
from core.api import schema as schema_params
from core.api.lean import paginated_rows
from core.api.pagination import paginate
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
    "numerator_label_en",
    "denominator_label_en",
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
    "id",
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
    numerator_label_en = serializers.CharField(
        help_text="English numerator label; empty when not translated."
    )
    denominator_label_en = serializers.CharField(
        help_text="English denominator label; empty when not translated."
    )
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


def _indicator_rows(indicators: list[dict]) -> list[dict]:
    """Indicators (rows of `INDICATOR_FIELDS`) with their targets: one query."""
    # Copies: the paginator still reads each page row's id for its links.
    indicators = [dict(row) for row in indicators]
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


# Targets' deadlines are dates; the filter takes the year (any year: none may match).
DEADLINE_YEARS = range(2000, 2101)
DEADLINE_PARAM = OpenApiParameter(
    "deadline",
    {"type": "integer", "minimum": DEADLINE_YEARS.start, "maximum": DEADLINE_YEARS.stop - 1},
    description="Year of the deadline",
)


@extend_schema(
    summary="Indicators of the catalogue with their targets",
    parameters=[
        OpenApiParameter(
            "pillar", str, enum=["government", "economy", "society", "infrastructure"]
        ),
        schema_params.codes_param("code", "One or more indicator codes, comma-separated"),
        *schema_params.PAGE_PARAMS,
    ],
    responses=IndicatorSchema(many=True),
)
class IndicatorList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = IndicatorSchema
    queryset = Indicator.objects.none()

    def get(self, request):
        qs = Indicator.objects.filter(is_active=True)
        if pillar := params.choice(
            request, "pillar", {"government", "economy", "society", "infrastructure"}
        ):
            qs = qs.filter(pillar=pillar)
        if wanted := params.codes(request, "code"):
            qs = qs.filter(code__in=wanted)
            params.require_known("code", wanted, set(qs.values_list("code", flat=True)))
        paginator, page = paginate(request, self, qs.values(*INDICATOR_FIELDS))
        return paginator.get_paginated_response(_indicator_rows(page))


@extend_schema(summary="One indicator with its targets", responses=IndicatorSchema)
class IndicatorDetail(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = IndicatorSchema
    pagination_class = None
    queryset = Indicator.objects.none()

    def get(self, request, code: str):
        rows = _indicator_rows(
            list(Indicator.objects.filter(is_active=True, code=code).values(*INDICATOR_FIELDS))
        )
        if not rows:
            raise NotFound()
        return Response(rows[0])


@extend_schema(
    summary="Targets",
    parameters=[
        schema_params.codes_param("indicator", "Indicator codes, comma-separated"),
        DEADLINE_PARAM,
        OpenApiParameter("scope_level", int, enum=[1, 2, 3]),
        schema_params.codes_param("programme", "Programme codes, comma-separated"),
        *schema_params.PAGE_PARAMS,
    ],
    responses=TargetSchema(many=True),
)
class TargetList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = TargetSchema
    queryset = Target.objects.none()

    def get(self, request):
        qs = Target.objects.filter(indicator__is_active=True)
        if wanted := params.codes(request, "indicator"):
            found = set(Indicator.objects.filter(code__in=wanted).values_list("code", flat=True))
            params.require_known("indicator", wanted, found)
            qs = qs.filter(indicator__code__in=wanted)
        if (year := params.integer(request, "deadline", set(DEADLINE_YEARS))) is not None:
            qs = qs.filter(deadline__year=year)
        if (level := params.integer(request, "scope_level", set(ScopeLevel.values))) is not None:
            qs = qs.filter(scope_level=level)
        if wanted := params.codes(request, "programme"):
            found = set(Programme.objects.filter(code__in=wanted).values_list("code", flat=True))
            params.require_known("programme", wanted, found)
            qs = qs.filter(programme__code__in=wanted)
        return paginated_rows(request, self, qs, TARGET_FIELDS, _target_row)


@extend_schema(
    summary="Programmes (resolutions, decisions, plans) with targets",
    parameters=schema_params.PAGE_PARAMS,
    responses=ProgrammeSchema(many=True),
)
class ProgrammeList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProgrammeSchema
    queryset = Programme.objects.none()

    def get(self, request):
        return paginated_rows(
            request, self, Programme.objects.all(), PROGRAMME_FIELDS, _programme_row
        )


def _programme_row(row: dict) -> dict:
    row = dict(row)
    row.pop("id")
    return row
