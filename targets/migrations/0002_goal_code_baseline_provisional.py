"""Programme goals get a stable code (the catalogue loader upserts by it); targets can mark a
baseline as provisional (placeholder until the steering committee confirms it)."""

import django.db.models.deletion
from django.db import migrations, models


def number_existing_goals(apps, schema_editor):
    ProgrammeGoal = apps.get_model("targets", "ProgrammeGoal")
    for goal in ProgrammeGoal.objects.filter(code__isnull=True):
        goal.code = f"goal-{goal.pk}"
        goal.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_catalogue"),
    ]

    operations = [
        # No index yet: the AlterField below adds the unique one (and PostgreSQL's LIKE index);
        # creating both here would create the LIKE index twice.
        migrations.AddField(
            model_name="programmegoal",
            name="code",
            field=models.SlugField(max_length=40, null=True, db_index=False, verbose_name="mã"),
        ),
        migrations.AddField(
            model_name="historicalprogrammegoal",
            name="code",
            field=models.SlugField(max_length=40, null=True, verbose_name="mã"),
        ),
        migrations.RunPython(number_existing_goals, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="programmegoal",
            name="code",
            field=models.SlugField(max_length=40, unique=True, verbose_name="mã"),
        ),
        migrations.AlterField(
            model_name="historicalprogrammegoal",
            name="code",
            field=models.SlugField(db_index=True, max_length=40, verbose_name="mã"),
        ),
        migrations.AddField(
            model_name="target",
            name="baseline_provisional",
            field=models.BooleanField(
                default=False,
                help_text="Đánh dấu khi giá trị gốc chưa được Ban Chỉ đạo xác nhận.",
                verbose_name="giá trị gốc tạm tính",
            ),
        ),
        migrations.AddField(
            model_name="historicaltarget",
            name="baseline_provisional",
            field=models.BooleanField(
                default=False,
                help_text="Đánh dấu khi giá trị gốc chưa được Ban Chỉ đạo xác nhận.",
                verbose_name="giá trị gốc tạm tính",
            ),
        ),
        migrations.AlterField(
            model_name="historicaltarget",
            name="indicator",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="targets.indicator",
                verbose_name="chỉ tiêu",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="indicator",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="targets",
                to="targets.indicator",
                verbose_name="chỉ tiêu",
            ),
        ),
    ]
