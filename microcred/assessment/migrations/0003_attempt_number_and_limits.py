"""Number attempts per enrolment and quiz, so the database can refuse a duplicate that a race
would otherwise insert (issue 6: concurrent starts exceeded ``max_attempts``)."""

from django.db import migrations, models


def number_existing_attempts(apps, schema_editor):
    """Number each learner's attempts in the order they were started. Where the race left
    several open attempts, keep the newest (the one ``attempt_start`` resumed) and delete the
    others: nothing was answered or graded in them."""
    Attempt = apps.get_model("assessment", "Attempt")
    seen_open: set[tuple] = set()
    for attempt in Attempt.objects.filter(submitted_at__isnull=True).order_by("-started_at", "-id"):
        key = (attempt.enrolment_id, attempt.user_id, attempt.quiz_id)
        if key in seen_open:
            attempt.delete()
        seen_open.add(key)
    counters: dict[tuple, int] = {}
    for attempt in Attempt.objects.order_by("started_at", "id"):
        key = (attempt.enrolment_id, attempt.user_id, attempt.quiz_id)
        counters[key] = counters.get(key, 0) + 1
        if attempt.number != counters[key]:
            attempt.number = counters[key]
            attempt.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_initial"),
        ("learning", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="number",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="1 for the learner's first attempt at this quiz in this enrolment, then 2, 3, …"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(number_existing_attempts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="attempt",
            constraint=models.UniqueConstraint(fields=("enrolment", "quiz", "number"), name="unique_attempt_number"),
        ),
        migrations.AddConstraint(
            model_name="attempt",
            constraint=models.UniqueConstraint(
                condition=models.Q(("submitted_at__isnull", True)),
                fields=("enrolment", "quiz"),
                name="one_open_attempt",
            ),
        ),
        migrations.AddConstraint(
            model_name="attempt",
            constraint=models.CheckConstraint(condition=models.Q(("number__gte", 1)), name="attempt_number_positive"),
        ),
    ]
