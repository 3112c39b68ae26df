"""Step 5 (ADR 0025): every quiz assesses a lesson, and ``lesson.quiz`` reaches it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0005_link_quizzes_to_lessons"),
        ("catalog", "0006_remove_lesson_quiz"),
    ]

    operations = [
        migrations.AlterField(
            model_name="quiz",
            name="lesson",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="quiz",
                to="catalog.lesson",
            ),
        ),
    ]
