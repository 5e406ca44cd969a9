"""REST endpoints of the periodic reports: the generated files the client may read, and each
file's .docx or PDF.

Generation itself happens on the portal (the report page, or the worker for a long report):
a file is the document an official saw, numbered and dated, so the API hands out those files
rather than composing new ones on every call. Scoped like the pages: the province's files to
every client with a scope, a unit's files within the scope; none without a scope.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated

from core.api import schema as schema_params
from core.api.pagination import StableCursorPagination
from divisions.access import scope_filter
from divisions.levels import Level
from documents.models import FileStatus, ReportFile
from documents.views import CONTENT_TYPES


class ReportFileSchema(serializers.Serializer):
    id = serializers.IntegerField()
    division = serializers.CharField(help_text="GSO code of the unit")
    period = serializers.CharField(help_text="2026-01 (month), 2026-Q1, 2026-H1 or 2026 (year)")
    document_number = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    docx = serializers.CharField(help_text="Download address of the .docx")
    pdf = serializers.CharField(help_text="Download address of the PDF")


def readable_files(user):
    """Done files of reports the user may read (deny by default)."""
    condition = scope_filter(user, "report__division__path")
    if condition is None:
        return ReportFile.objects.none()
    return ReportFile.objects.filter(
        condition | Q(report__division__level=Level.PROVINCE), status=FileStatus.DONE
    )


@extend_schema(
    summary="Generated periodic reports (báo cáo định kỳ)",
    parameters=schema_params.PAGE_PARAMS,
    responses=ReportFileSchema(many=True),
)
class ReportFileList(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReportFileSchema
    queryset = ReportFile.objects.none()

    def get(self, request):
        qs = readable_files(request.user).select_related("report__division").defer("docx", "pdf")
        paginator = StableCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = [
            {
                "id": f.pk,
                "division": f.report.division.code,
                "period": f.report.period.text,
                "document_number": f.report.document_number,
                "issued_on": f.report.issued_on,
                "created_at": f.created_at,
                **{
                    kind: request.build_absolute_uri(f"{request.path}{f.pk}/{kind}/")
                    for kind in CONTENT_TYPES
                },
            }
            for f in page
        ]
        return paginator.get_paginated_response(rows)


@extend_schema(
    summary="One periodic report file (.docx or PDF)",
    parameters=[
        OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(CONTENT_TYPES)),
    ],
    responses={
        (200, media): OpenApiResponse(OpenApiTypes.BINARY) for media in CONTENT_TYPES.values()
    },
)
class ReportFileDownload(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    queryset = ReportFile.objects.none()
    pagination_class = None

    def get(self, request, pk: int, kind: str):
        found = readable_files(request.user).filter(pk=pk).select_related("report__division")
        item = found.first() if kind in CONTENT_TYPES else None
        if item is None:
            raise NotFound()
        name = f"bao-cao-{item.report.division.code}-{item.report.period.text}.{kind}"
        response = HttpResponse(bytes(getattr(item, kind)), content_type=CONTENT_TYPES[kind])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# Included at /api/v1/documents/ by camau_cds/api/urls.py (names in the "api" namespace).
urlpatterns = [
    path("", ReportFileList.as_view(), name="documents"),
    path("<int:pk>/<str:kind>/", ReportFileDownload.as_view(), name="document_file"),
]
