from __future__ import annotations

from django.urls import path

from reports.views import entry, excel, review

app_name = "reports"
# Fixed words first: a district code is digits, never "board", "figure" or "import".
urlpatterns = [
    path("", entry.index, name="index"),
    path("board/", review.board, name="board"),
    path("board/approve/", review.bulk_approve, name="bulk_approve"),
    path("figure/<int:pk>/history/", review.figure_history, name="figure_history"),
    path("import/", excel.scope_import, name="scope_import"),
    path("import/confirm/", excel.scope_import_confirm, name="scope_import_confirm"),
    path("import/template/", excel.scope_template, name="scope_template"),
    path("<str:district_code>/<str:period>/", entry.entry, name="entry"),
    path("<str:district_code>/<str:period>/save/", entry.save_all, name="save_all"),
    path(
        "<str:district_code>/<str:period>/row/<str:division_code>/",
        entry.save_row,
        name="save_row",
    ),
    path("<str:district_code>/<str:period>/submit/", review.submit, name="submit"),
    path("<str:district_code>/<str:period>/return/", review.return_report, name="return"),
    path("<str:district_code>/<str:period>/approve/", review.approve, name="approve"),
    path("<str:district_code>/<str:period>/reopen/", review.reopen, name="reopen"),
    path("<str:district_code>/<str:period>/history/", review.history, name="history"),
    path("<str:district_code>/<str:period>/template.xlsx", excel.template, name="template"),
    path("<str:district_code>/<str:period>/import/", excel.import_upload, name="import"),
    path(
        "<str:district_code>/<str:period>/import/confirm/",
        excel.import_confirm,
        name="import_confirm",
    ),
]
