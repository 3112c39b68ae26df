"""Lesson outcomes for the attempts graded before learning kept its own record of them: one row
per enrolment and quiz lesson, passed when any attempt passed, with the best passing score."""

from django.db import migrations


def backfill(apps, schema_editor):
    Attempt = apps.get_model("assessment", "Attempt")
    Lesson = apps.get_model("catalog", "Lesson")
    LessonOutcome = apps.get_model("learning", "LessonOutcome")
    lesson_of_quiz = dict(
        Lesson.objects.filter(quiz_id__isnull=False).values_list("quiz_id", "id")
    )
    outcomes = {}
    graded = Attempt.objects.filter(enrolment_id__isnull=False, submitted_at__isnull=False, passed__isnull=False)
    for enrolment_id, quiz_id, passed, score, submitted_at in graded.values_list(
        "enrolment_id", "quiz_id", "passed", "score", "submitted_at"
    ).order_by("submitted_at", "id").iterator():
        lesson_id = lesson_of_quiz.get(quiz_id)
        if lesson_id is None:
            continue
        outcome = outcomes.setdefault(
            (enrolment_id, lesson_id),
            LessonOutcome(enrolment_id=enrolment_id, lesson_id=lesson_id, passed=False, recorded_at=submitted_at),
        )
        outcome.recorded_at = submitted_at
        if passed:
            outcome.passed = True
            if score is not None and (outcome.score is None or score > outcome.score):
                outcome.score = score
    LessonOutcome.objects.bulk_create(outcomes.values(), batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_lesson_outcome"),
        # The attempts it reads, and each lesson's quiz.
        ("assessment", "0003_attempt_number_and_limits"),
        ("catalog", "0004_rerender_lesson_html"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
