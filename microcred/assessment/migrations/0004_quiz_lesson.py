"""Step 2 (ADR 0025): each quiz gets a key to its lesson, empty until the next step fills it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_attempt_number_and_limits"),
        ("catalog", "0005_lesson_quiz_hidden"),
    ]

    operations = [
        migrations.AddField(
            model_name="quiz",
            name="lesson",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="catalog.lesson",
            ),
        ),
    ]
