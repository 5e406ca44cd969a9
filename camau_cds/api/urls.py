"""/api/v1/ routes, the OpenAPI schema and the offline Swagger UI."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from divisions import api as divisions_api

app_name = "api"
urlpatterns = [
    path("v1/divisions/", divisions_api.DivisionList.as_view(), name="divisions"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
