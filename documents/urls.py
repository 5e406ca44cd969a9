"""Periodic reports (included at /documents/ by camau_cds/urls.py)."""

from __future__ import annotations

from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("file/<int:pk>/", views.file, name="file"),
    path("file/<int:pk>/<str:kind>/", views.download, name="download"),
    path("<str:code>/", views.report, name="report"),
    path("<str:code>/<str:period>/generate/", views.generate, name="generate"),
]
