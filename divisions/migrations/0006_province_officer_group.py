from __future__ import annotations

from django.db import migrations

GROUP = "province_officer"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    """The role of officers of provincial agencies (Sở, ban, ngành): the province's figures."""

    dependencies = [("divisions", "0005_codes_unique_per_period")]

    operations = [migrations.RunPython(create_group, delete_group)]
