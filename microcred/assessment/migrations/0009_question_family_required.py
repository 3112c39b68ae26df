"""Issue 8: every question belongs to a family, and a family has each version once."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0008_quiz_rules_and_question_families_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="question",
            name="family",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(fields=("family", "version"), name="unique_question_version"),
        ),
    ]
