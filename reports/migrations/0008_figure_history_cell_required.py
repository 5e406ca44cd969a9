import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_delete_blank_manual_figures")]

    operations = [
        migrations.AlterField(
            model_name="datavaluechange",
            name="indicator",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="targets.indicator",
                verbose_name="chỉ tiêu",
            ),
        ),
        migrations.AlterField(
            model_name="datavaluechange",
            name="division",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="divisions.division",
                verbose_name="đơn vị",
            ),
        ),
        migrations.AlterField(
            model_name="datavaluechange",
            name="period",
            field=models.DateField(verbose_name="kỳ"),
        ),
        migrations.AlterField(
            model_name="datavaluechange",
            name="source",
            field=models.CharField(
                choices=[("manual", "Nhập báo cáo"), ("teams", "Từ hoạt động Tổ CNSCĐ")],
                max_length=10,
                verbose_name="nguồn",
            ),
        ),
        migrations.AddConstraint(
            model_name="datavalue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("source", "teams"),
                    ("value__isnull", False),
                    ("numerator__isnull", False),
                    ("denominator__isnull", False),
                    _connector="OR",
                ),
                name="datavalue_manual_has_number",
            ),
        ),
    ]
