from __future__ import annotations

from django.urls import path

from divisions import views

app_name = "divisions"
urlpatterns = [
    path("", views.division_tree, name="tree"),
]
