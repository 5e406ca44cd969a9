"""/api/v1/ routes, the OpenAPI schema and the offline Swagger UI."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from attainment import api as attainment_api
from divisions import api as divisions_api
from reports import api as reports_api
from targets import api as targets_api
from teams import api as teams_api

from .root import api_root

app_name = "api"
urlpatterns = [
    path("v1/", api_root, name="root"),
    path("v1/divisions/", divisions_api.DivisionList.as_view(), name="divisions"),
    path("v1/indicators/", targets_api.IndicatorList.as_view(), name="indicators"),
    path("v1/indicators/<str:code>/", targets_api.IndicatorDetail.as_view(), name="indicator"),
    path("v1/targets/", targets_api.TargetList.as_view(), name="targets"),
    path("v1/programmes/", targets_api.ProgrammeList.as_view(), name="programmes"),
    path("v1/values/", reports_api.ValueList.as_view(), name="values"),
    path("v1/attainment/", attainment_api.AttainmentList.as_view(), name="attainment"),
    path("v1/reports/", reports_api.ReportList.as_view(), name="reports"),
    path("v1/teams/", teams_api.TeamList.as_view(), name="teams"),
    path("v1/activities/", teams_api.ActivityList.as_view(), name="activities"),
    path("v1/documents/", include("documents.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
