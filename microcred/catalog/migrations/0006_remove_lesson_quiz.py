"""Step 4 (ADR 0025): the lesson no longer holds its quiz; ``Quiz.lesson`` says which lesson it assesses."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_lesson_quiz_hidden"),
        ("assessment", "0005_link_quizzes_to_lessons"),
        ("learning", "0003_backfill_lesson_outcomes"),
    ]

    operations = [
        migrations.RemoveField(model_name="lesson", name="quiz"),
    ]
