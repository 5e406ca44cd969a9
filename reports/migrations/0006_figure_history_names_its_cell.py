import django.db.models.deletion
from django.db import migrations, models

CHOICES_SOURCE = [("manual", "Nhập báo cáo"), ("teams", "Từ hoạt động Tổ CNSCĐ")]


class Migration(migrations.Migration):
    """History rows name their cell, so that deleting a figure (a cleared cell) keeps its
    history. The columns are filled by 0007 and made required by 0008."""

    dependencies = [
        ("divisions", "0005_codes_unique_per_period"),
        ("reports", "0005_figure_write_indexes"),
        ("targets", "0002_goal_code_baseline_provisional"),
    ]

    operations = [
        migrations.AddField(
            model_name="datavaluechange",
            name="indicator",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="targets.indicator",
                verbose_name="chỉ tiêu",
            ),
        ),
        migrations.AddField(
            model_name="datavaluechange",
            name="division",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="divisions.division",
                verbose_name="đơn vị",
            ),
        ),
        migrations.AddField(
            model_name="datavaluechange",
            name="period",
            field=models.DateField(null=True, verbose_name="kỳ"),
        ),
        migrations.AddField(
            model_name="datavaluechange",
            name="source",
            field=models.CharField(
                choices=CHOICES_SOURCE, max_length=10, null=True, verbose_name="nguồn"
            ),
        ),
        migrations.AddField(
            model_name="datavaluechange",
            name="report",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="figure_changes",
                to="reports.report",
                verbose_name="báo cáo",
            ),
        ),
        migrations.AlterField(
            model_name="datavaluechange",
            name="data_value",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="changes",
                to="reports.datavalue",
                verbose_name="số liệu",
            ),
        ),
        migrations.AlterField(
            model_name="datavaluechange",
            name="channel",
            field=models.CharField(
                choices=[
                    ("form", "Biểu nhập liệu"),
                    ("import", "Nhập từ Excel"),
                    ("api", "API"),
                    ("teams", "Hoạt động Tổ CNSCĐ"),
                    ("admin", "Trang quản trị"),
                    ("demo", "Dữ liệu minh hoạ"),
                    ("system", "Hệ thống (nâng cấp dữ liệu)"),
                ],
                max_length=10,
                verbose_name="cách nhập",
            ),
        ),
    ]
