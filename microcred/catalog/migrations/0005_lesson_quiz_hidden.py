"""Step 1 of moving the link between a lesson and its quiz to the quiz (ADR 0025): hide the reverse
accessor of ``Lesson.quiz`` so that ``Quiz.lesson`` can take its name. No change in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_rerender_lesson_html"),
        ("assessment", "0003_attempt_number_and_limits"),
        # Its backfill reads Lesson.quiz.
        ("learning", "0003_backfill_lesson_outcomes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lesson",
            name="quiz",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="assessment.quiz",
            ),
        ),
    ]
