from __future__ import annotations

from django.urls import path

from targets import views

app_name = "targets"
# Fixed words first: an indicator code can never be "methodology", "import" or "programmes" (see
# targets.models.RESERVED_CODES). "methodology/" (dashboards.methodology) is added in front of
# these by camau_cds.urls, in this namespace.
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("import/", views.import_targets, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("programmes/<slug:code>/", views.programme_detail, name="programme"),
    path("<slug:code>/", views.indicator_detail, name="indicator"),
]
