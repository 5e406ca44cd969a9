"""The project's URLs plus the bare baselines the benchmark compares the API against.

Used only by `run_benchmark` (through override_settings(ROOT_URLCONF=...)), so the API and its
baseline go through the same middleware and the same in-process client.
"""

from __future__ import annotations

import csv

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.urls import path

from camau_cds import urls as project_urls
from divisions.models import Division
from reports.api import VALUE_FIELDS
from reports.models import DataValue, ReportStatus, Source

PAGE = 5000


def same_query(user):
    """The rows `/api/v1/values/?page_size=5000` returns for this user: approved, by id."""
    qs = DataValue.objects.filter(division__in=Division.objects.for_user(user))
    qs = qs.filter(source=Source.TEAMS) | qs.filter(report__status=ReportStatus.APPROVED)
    return qs.order_by("id").values(*VALUE_FIELDS)[:PAGE]


def bare_json(request):
    return JsonResponse({"results": list(same_query(request.user))}, encoder=DjangoJSONEncoder)


def bare_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(VALUE_FIELDS)
    for row in same_query(request.user):
        writer.writerow(row.values())
    return response


urlpatterns = [
    path("__bench__/values.json", bare_json),
    path("__bench__/values.csv", bare_csv),
    *project_urls.urlpatterns,
]
