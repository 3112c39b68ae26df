"""A random public id per micro-credential version, for the achievement URLs signed into new
credentials. Added in three steps (nullable, filled row by row, then unique) because a column
default is evaluated once and every existing row would share it."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    MicroCredential = apps.get_model("catalog", "MicroCredential")
    for pk in MicroCredential.objects.filter(public_id__isnull=True).values_list("pk", flat=True).iterator():
        MicroCredential.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="microcredential",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="microcredential",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
