"""Fill the cell of every history row, then delete hand-typed figures whose numbers are all
empty (left by clearing a cell before clearing deleted figures): they hid the teams' figure of
the same cell. Each deletion gets a history row, and the months of counted reports are queued
for recompute, in the same transaction."""

import datetime as dt

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.utils import timezone

NOTE = "Ô nhập tay để trống được xoá khi nâng cấp: ô trống không còn che số liệu từ Tổ CNSCĐ."


def fill_cells(apps, schema_editor):
    Change = apps.get_model("reports", "DataValueChange")
    DataValue = apps.get_model("reports", "DataValue")
    figure = DataValue.objects.filter(pk=OuterRef("data_value_id"))
    Change.objects.filter(indicator__isnull=True).update(
        **{
            name: Subquery(figure.values(name)[:1])
            for name in ("indicator_id", "division_id", "period", "source", "report_id")
        }
    )


def delete_blank_manual_figures(apps, schema_editor):
    Change = apps.get_model("reports", "DataValueChange")
    DataValue = apps.get_model("reports", "DataValue")
    RecomputeRequest = apps.get_model("reports", "RecomputeRequest")
    blank = DataValue.objects.filter(
        source="manual", value__isnull=True, numerator__isnull=True, denominator__isnull=True
    ).select_related("report__division")
    figures = list(blank)
    if not figures:
        return
    now = timezone.now()
    Change.objects.bulk_create(
        [
            Change(
                data_value=None,
                indicator_id=f.indicator_id,
                division_id=f.division_id,
                period=f.period,
                source=f.source,
                report_id=f.report_id,
                changed_by=None,
                changed_at=now,
                version=f.version + 1,
                note=NOTE,
                channel="system",
            )
            for f in figures
        ],
        batch_size=1000,
    )
    today = dt.date.today().replace(day=1)
    counted = {
        f.report_id: f.report
        for f in figures
        if f.report is not None and f.report.status in ("approved", "submitted")
    }
    RecomputeRequest.objects.bulk_create(
        [
            RecomputeRequest(
                indicator_ids=None,
                division_path=r.division.path,
                period_from=r.period,
                period_to=max(r.period, today),
                reason=f"blank figures deleted from report {r.pk}",
            )
            for r in counted.values()
        ]
    )
    blank.delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_figure_history_names_its_cell")]

    operations = [
        migrations.RunPython(fill_cells, migrations.RunPython.noop),
        migrations.RunPython(delete_blank_manual_figures, migrations.RunPython.noop),
    ]
