"""REST endpoints of the divisions app (lean: rows straight from `.values()`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from divisions.models import Division, Level


class DivisionSchema(serializers.Serializer):
    """Documents the row shape; rows are built from `.values()` without a serializer."""

    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.IntegerField()
    parent_code = serializers.CharField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


def division_by_code(code: str, param: str) -> Division:
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise ValidationError(
            {param: [_("Không có đơn vị hành chính mã %(code)s.") % {"code": code}]}
        )
    return division


@extend_schema(
    summary="Administrative divisions",
    description="Cà Mau's divisions with GSO codes. Public. Filters combine with AND.",
    parameters=[
        OpenApiParameter("level", int, enum=[1, 2, 3, 4], description="1 province … 4 hamlet"),
        OpenApiParameter("parent", str, description="Code of the parent unit, e.g. 967"),
        OpenApiParameter("within", str, description="Code of a unit: its whole subtree"),
        OpenApiParameter("valid_on", OpenApiTypes.DATE, description="Units in force on this day"),
    ],
    responses=DivisionSchema(many=True),
)
class DivisionList(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = DivisionSchema
    pagination_class = None
    queryset = Division.objects.all()

    def get(self, request):
        params = request.query_params
        qs = Division.objects.order_by("path")
        if (level := params.get("level")) is not None:
            if level not in {str(v) for v in Level.values}:
                raise ValidationError({"level": [_("Cấp phải là 1, 2, 3 hoặc 4.")]})
            qs = qs.filter(level=int(level))
        if code := params.get("parent"):
            qs = qs.filter(parent=division_by_code(code, "parent"))
        if code := params.get("within"):
            qs = qs.within(division_by_code(code, "within"))
        if (day := params.get("valid_on")) is not None:
            field = serializers.DateField()
            try:
                qs = qs.valid_on(field.to_internal_value(day))
            except serializers.ValidationError as exc:
                raise ValidationError({"valid_on": exc.detail}) from exc
        rows = list(
            qs.values("code", "name", "kind", "level", "parent__code", "valid_from", "valid_to")
        )
        for row in rows:
            row["parent_code"] = row.pop("parent__code")
        return Response(rows)
