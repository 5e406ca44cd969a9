from __future__ import annotations

from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("", views.team_list, name="list"),
    path("new/", views.team_create, name="create"),
    path("pilot/", views.pilot_plan, name="pilot"),
    path("pilot/choose/", views.pilot_set, name="pilot_set"),
    path("members/template.xlsx", views.member_template, name="member_template"),
    path("<int:pk>/", views.team_detail, name="detail"),
    path("<int:pk>/edit/", views.team_edit, name="edit"),
    path("<int:pk>/dissolve/", views.team_dissolve, name="dissolve"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("<int:pk>/members/import/", views.member_import, name="member_import"),
    path("<int:pk>/members.xlsx", views.member_export, name="member_export"),
    path("<int:pk>/activities/new/", views.activity_add, name="activity_add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
]
