"""Issue 8, data (a migration of its own, so PostgreSQL alters no table with checks pending):

- each existing question starts its own family at version 1 (a column default would give every
  row the same id);
- a quiz that had no attempt limit keeps it, now as the explicit ``unlimited_attempts`` choice;
- an open attempt at a timed quiz gets the deadline its time limit always meant.
Attempts made before keep no seed: they were served in the authored order."""

import uuid
from datetime import timedelta

from django.db import migrations


def forwards(apps, schema_editor):
    Question = apps.get_model("assessment", "Question")
    Quiz = apps.get_model("assessment", "Quiz")
    Attempt = apps.get_model("assessment", "Attempt")
    for pk in Question.objects.filter(family__isnull=True).values_list("pk", flat=True).iterator():
        Question.objects.filter(pk=pk).update(family=uuid.uuid4())
    Quiz.objects.filter(max_attempts__isnull=True).update(unlimited_attempts=True)
    open_timed = Attempt.objects.filter(
        submitted_at__isnull=True, deadline__isnull=True, quiz__time_limit_minutes__isnull=False
    ).select_related("quiz")
    for attempt in open_timed.iterator():
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline=attempt.started_at + timedelta(minutes=attempt.quiz.time_limit_minutes)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_quiz_rules_question_kinds_and_versions"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
