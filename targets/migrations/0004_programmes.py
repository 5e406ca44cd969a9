"""Programmes as data: every existing target and programme goal belongs to Resolution 05-NQ/TU."""

import datetime

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import targets.models

RESOLUTION_05 = {
    "kind": "resolution",
    "number": "05-NQ/TU",
    "issuer": "Tỉnh ủy Cà Mau",
    "title_vi": "Nghị quyết về chuyển đổi số tỉnh Cà Mau đến năm 2025, định hướng đến năm 2030",
    "title_en": "Resolution on the digital transformation of Cà Mau province to 2025, "
    "with orientations to 2030",
    "first_year": 2022,
    "last_year": 2030,
    "source": "Nghị quyết 05-NQ/TU ngày 14/7/2022 của Tỉnh ủy Cà Mau",
    "position": 10,
}


def assign_resolution_05(apps, schema_editor):
    """Before programmes were data every target and goal was one of Resolution 05-NQ/TU's."""
    Programme = apps.get_model("targets", "Programme")
    Target = apps.get_model("targets", "Target")
    ProgrammeGoal = apps.get_model("targets", "ProgrammeGoal")
    if not (Target.objects.exists() or ProgrammeGoal.objects.exists()):
        return
    programme, _ = Programme.objects.get_or_create(
        code="05-nq-tu",
        defaults={**RESOLUTION_05, "issued_on": datetime.date(2022, 7, 14)},
    )
    Target.objects.filter(programme__isnull=True).update(programme=programme)
    ProgrammeGoal.objects.filter(programme__isnull=True).update(programme=programme)


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0003_indicator_counting_window_authoritative_level"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalProgramme",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=40, verbose_name="mã chương trình")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("resolution", "Nghị quyết"),
                            ("plan", "Kế hoạch"),
                            ("scheme", "Đề án"),
                            ("decision", "Quyết định"),
                            ("programme", "Chương trình"),
                        ],
                        max_length=12,
                        verbose_name="loại văn bản",
                    ),
                ),
                (
                    "number",
                    models.CharField(
                        help_text="Ví dụ: 05-NQ/TU.", max_length=40, verbose_name="số hiệu"
                    ),
                ),
                ("issuer", models.CharField(max_length=200, verbose_name="cơ quan ban hành")),
                (
                    "issued_on",
                    models.DateField(blank=True, null=True, verbose_name="ngày ban hành"),
                ),
                ("title_vi", models.CharField(max_length=500, verbose_name="tên (tiếng Việt)")),
                (
                    "title_en",
                    models.CharField(blank=True, max_length=500, verbose_name="tên (tiếng Anh)"),
                ),
                ("first_year", models.PositiveSmallIntegerField(verbose_name="năm bắt đầu")),
                ("last_year", models.PositiveSmallIntegerField(verbose_name="năm kết thúc")),
                (
                    "source",
                    models.TextField(
                        blank=True,
                        help_text="Địa chỉ hoặc trích dẫn văn bản đã công bố.",
                        verbose_name="nguồn",
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="thứ tự")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical chương trình",
                "verbose_name_plural": "historical chương trình",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Programme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.SlugField(max_length=40, unique=True, verbose_name="mã chương trình"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("resolution", "Nghị quyết"),
                            ("plan", "Kế hoạch"),
                            ("scheme", "Đề án"),
                            ("decision", "Quyết định"),
                            ("programme", "Chương trình"),
                        ],
                        max_length=12,
                        verbose_name="loại văn bản",
                    ),
                ),
                (
                    "number",
                    models.CharField(
                        help_text="Ví dụ: 05-NQ/TU.", max_length=40, verbose_name="số hiệu"
                    ),
                ),
                ("issuer", models.CharField(max_length=200, verbose_name="cơ quan ban hành")),
                (
                    "issued_on",
                    models.DateField(blank=True, null=True, verbose_name="ngày ban hành"),
                ),
                ("title_vi", models.CharField(max_length=500, verbose_name="tên (tiếng Việt)")),
                (
                    "title_en",
                    models.CharField(blank=True, max_length=500, verbose_name="tên (tiếng Anh)"),
                ),
                ("first_year", models.PositiveSmallIntegerField(verbose_name="năm bắt đầu")),
                ("last_year", models.PositiveSmallIntegerField(verbose_name="năm kết thúc")),
                (
                    "source",
                    models.TextField(
                        blank=True,
                        help_text="Địa chỉ hoặc trích dẫn văn bản đã công bố.",
                        verbose_name="nguồn",
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="thứ tự")),
            ],
            options={
                "verbose_name": "chương trình",
                "verbose_name_plural": "chương trình",
                "ordering": ["position", "issued_on", "code"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="target",
            name="target_unique_scope",
        ),
        migrations.AddField(
            model_name="historicalprogramme",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(("last_year__gte", models.F("first_year"))),
                name="programme_period_order",
            ),
        ),
        migrations.AddField(
            model_name="historicalprogrammegoal",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="targets.programme",
                verbose_name="chương trình",
            ),
        ),
        migrations.AddField(
            model_name="historicaltarget",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="targets.programme",
                verbose_name="chương trình",
            ),
        ),
        migrations.AddField(
            model_name="programmegoal",
            name="programme",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="goals",
                to="targets.programme",
                verbose_name="chương trình",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="programme",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="targets",
                to="targets.programme",
                verbose_name="chương trình",
            ),
        ),
        migrations.RunPython(assign_resolution_05, migrations.RunPython.noop),
        # The database column needs no default (every row has its programme by now); the state
        # carries the model's default so that evaluating it never runs inside the migration.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="programmegoal",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="goals",
                        to="targets.programme",
                        verbose_name="chương trình",
                    ),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="programmegoal",
                    name="programme",
                    field=models.ForeignKey(
                        default=targets.models.default_programme_id,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="goals",
                        to="targets.programme",
                        verbose_name="chương trình",
                    ),
                ),
            ],
        ),
        # The database column needs no default (every row has its programme by now); the state
        # carries the model's default so that evaluating it never runs inside the migration.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="target",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="targets",
                        to="targets.programme",
                        verbose_name="chương trình",
                    ),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="target",
                    name="programme",
                    field=models.ForeignKey(
                        default=targets.models.default_programme_id,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="targets",
                        to="targets.programme",
                        verbose_name="chương trình",
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="historicalprogrammegoal",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                default=targets.models.default_programme_id,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="targets.programme",
                verbose_name="chương trình",
            ),
        ),
        migrations.AlterField(
            model_name="historicaltarget",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                default=targets.models.default_programme_id,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="targets.programme",
                verbose_name="chương trình",
            ),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(
                fields=("programme", "indicator", "deadline", "scope_level"),
                name="target_unique_programme_scope",
            ),
        ),
    ]
