"""Step 3 (ADR 0025): each quiz learns its lesson, copied from ``Lesson.quiz``.

A migration of its own, apart from the schema changes around it: PostgreSQL refuses to alter a table
with constraint checks still pending from rows written in the same transaction.

A quiz no lesson holds was left behind by a draft's content being replaced (a re-import deleted
modules without discarding their quizzes); nobody could take it, so it goes, with its question bank
when no other quiz draws on it. One with attempts cannot exist, because attempts are started through
a lesson; should one exist, this stops rather than delete a learner's evidence."""

from django.db import migrations


def link_quizzes_to_lessons(apps, schema_editor):
    Quiz = apps.get_model("assessment", "Quiz")
    Lesson = apps.get_model("catalog", "Lesson")
    for lesson_id, quiz_id in Lesson.objects.filter(quiz_id__isnull=False).values_list("id", "quiz_id").iterator():
        Quiz.objects.filter(pk=quiz_id).update(lesson_id=lesson_id)
    orphans = Quiz.objects.filter(lesson_id__isnull=True)
    attempted = list(orphans.filter(attempts__isnull=False).values_list("pk", flat=True).distinct())
    if attempted:
        raise RuntimeError(
            f"Quizzes {attempted} belong to no lesson but have attempts; attach each to its lesson "
            "(catalog_lesson.quiz_id) before migrating."
        )
    bank_ids = set(orphans.values_list("bank_id", flat=True))
    orphans.delete()
    QuestionBank = apps.get_model("assessment", "QuestionBank")
    QuestionBank.objects.filter(pk__in=bank_ids, quizzes__isnull=True).delete()


def link_lessons_to_quizzes(apps, schema_editor):
    """Backwards: the lesson holds its quiz again."""
    Quiz = apps.get_model("assessment", "Quiz")
    Lesson = apps.get_model("catalog", "Lesson")
    for quiz_id, lesson_id in Quiz.objects.filter(lesson_id__isnull=False).values_list("id", "lesson_id").iterator():
        Lesson.objects.filter(pk=lesson_id).update(quiz_id=quiz_id)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0004_quiz_lesson"),
    ]

    operations = [
        migrations.RunPython(link_quizzes_to_lessons, link_lessons_to_quizzes),
    ]
