"""Dashboards (included at /dashboard/ by camau_cds/urls.py)."""

from __future__ import annotations

from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.province, name="province"),
    path("districts/", views.districts, name="districts"),
    path("division/<str:code>/", views.division, name="division"),
    path("indicator/<slug:code>/", views.indicator, name="indicator"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data.csv", views.open_data_csv, name="open_data_csv"),
]
