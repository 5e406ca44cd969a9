"""REST endpoints of the divisions app (lean: rows straight from `.values()`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from core.api import params as api_params
from core.api import schema as schema_params
from core.api.errors import Unprocessable
from core.api.pagination import paginate
from divisions.models import Division, DivisionSuccession, Level


class LinkSchema(serializers.Serializer):
    """A predecessor or successor in the 2025 reorganisation; share < 1 when a unit was split."""

    code = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    share = serializers.RegexField(
        r"^[01]\.[0-9]{4}$",
        help_text="Share of the predecessor passed on, as an exact decimal string, e.g. 0.3333",
    )
    share_basis = serializers.ChoiceField(
        choices=["whole", "equal", "population", "area"],
        help_text="How the share was set: the whole unit, equal parts, or by population or area.",
    )
    source = serializers.CharField(help_text="The legal text (and clause) the link comes from.")
    effective_on = serializers.DateField()


class DivisionSchema(serializers.Serializer):
    """Documents the row shape; rows are built from `.values()` without a serializer."""

    id = serializers.IntegerField(help_text="The unit's own id: codes were reused in 07/2025")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.IntegerField()
    parent_code = serializers.CharField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    predecessors = LinkSchema(many=True)
    successors = LinkSchema(many=True)


def division_by_code(code: str, param: str, on=None) -> Division:
    """The unit with this code in force on `on` (default today): codes are unique per period."""
    division = Division.objects.by_code(code, on=on)
    if division is None:
        raise Unprocessable(
            {param: [_("Không có đơn vị hành chính mã %(code)s.") % {"code": code}]}
        )
    return division


@extend_schema(
    summary="Administrative divisions",
    description="Cà Mau's divisions with GSO codes. Public. Filters combine with AND.",
    parameters=[
        OpenApiParameter("level", int, enum=[1, 2, 3, 4], description="1 province … 4 hamlet"),
        schema_params.code_param(
            "parent",
            "Code of the parent unit, e.g. 967 (the unit in force on valid_on, default today)",
        ),
        schema_params.code_param(
            "within", "Code of a unit: its whole subtree (resolved like parent)"
        ),
        OpenApiParameter(
            "valid_on",
            OpenApiTypes.DATE,
            description="Units in force on this day; since 01/07/2025 codes of old units are "
            "reused by new ones, so parent/within codes are resolved on this day",
        ),
        *schema_params.PAGE_PARAMS,
    ],
    responses=DivisionSchema(many=True),
)
class DivisionList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = DivisionSchema
    queryset = Division.objects.all()

    def get(self, request):
        params = request.query_params
        qs = Division.objects.order_by("path")
        day = None
        if (raw_day := params.get("valid_on")) is not None:
            field = serializers.DateField()
            try:
                # Django's date parser reads any script's digits; the schema's date is ASCII.
                if not raw_day.isascii():
                    field.fail("invalid", format="YYYY-MM-DD")
                day = field.to_internal_value(raw_day)
            except serializers.ValidationError as exc:
                raise ValidationError({"valid_on": exc.detail}) from exc
            qs = qs.valid_on(day)
        if (level := params.get("level")) is not None:
            if level not in {str(v) for v in Level.values}:
                raise ValidationError({"level": [_("Cấp phải là 1, 2, 3 hoặc 4.")]})
            qs = qs.filter(level=int(level))
        if parent := _one_code(request, "parent"):
            qs = qs.filter(parent=division_by_code(parent, "parent", day))
        if within := _one_code(request, "within"):
            qs = qs.within(division_by_code(within, "within", day))
        fields = ("id", "code", "name", "kind", "level", "parent__code", "valid_from", "valid_to")
        paginator, page = paginate(request, self, qs.values(*fields))
        links = _links({row["id"] for row in page})
        rows = [
            {
                **{k: v for k, v in row.items() if k != "parent__code"},
                "parent_code": row["parent__code"],
                "predecessors": links["in"].get(row["id"], []),
                "successors": links["out"].get(row["id"], []),
            }
            for row in page
        ]
        return paginator.get_paginated_response(rows)


def _one_code(request, name: str) -> str | None:
    wanted = api_params.codes(request, name)
    if len(wanted) > 1:
        raise ValidationError({name: [_("Chỉ một mã đơn vị.")]})
    return wanted[0] if wanted else None


def _links(ids: set[int]) -> dict[str, dict[int, list[dict]]]:
    """Predecessors ("in") and successors ("out") of the units, in two queries."""
    out: dict[str, dict[int, list[dict]]] = {"in": {}, "out": {}}
    if not ids:
        return out
    fields = ("code", "name", "valid_from", "valid_to")
    for direction, own, other in (
        ("in", "successor", "predecessor"),
        ("out", "predecessor", "successor"),
    ):
        for link in (
            DivisionSuccession.objects.filter(**{f"{own}_id__in": ids})
            .values(
                f"{own}_id",
                "share",
                "share_basis",
                "source",
                "effective_on",
                *(f"{other}__{f}" for f in fields),
            )
            .order_by(f"{other}__code")
        ):
            item = {f: link[f"{other}__{f}"] for f in fields}
            item.update(
                share=str(link["share"]),
                share_basis=link["share_basis"],
                source=link["source"],
                effective_on=link["effective_on"],
            )
            out[direction].setdefault(link[f"{own}_id"], []).append(item)
    return out
