"""``microcred quiz_stats QUIZ_ID [--attempts first|all] [--csv questions|attempts]``: a quiz's item
statistics (``itemstats``), as a table, or as the workspace's CSV downloads."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from microcred.assessment.itemstats import Which
from microcred.assessment.models import Quiz
from microcred.assessment.selectors import quiz_statistics
from microcred.assessment.stats_csv import write_attempts_csv, write_questions_csv


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


class Command(BaseCommand):
    help = "Show a quiz's item statistics (facility, discrimination) and score summary, or write them as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("quiz_id", type=int, metavar="QUIZ_ID")
        parser.add_argument(
            "--attempts",
            choices=[w.value for w in Which],
            default=Which.FIRST.value,
            help="Count each learner's first graded attempt (default) or all graded attempts.",
        )
        parser.add_argument(
            "--csv",
            dest="csv_table",
            choices=["questions", "attempts"],
            help="Write CSV to stdout: one row per question, or per counted attempt.",
        )

    def handle(self, *args: Any, quiz_id: int, attempts: str, csv_table: str | None = None, **options: Any) -> None:
        quiz = Quiz.objects.select_related("lesson__module__microcredential").filter(pk=quiz_id).first()
        if quiz is None:
            raise CommandError(f"No quiz with id {quiz_id}.")
        report = quiz_statistics(quiz=quiz, which=Which(attempts))
        if csv_table is not None:
            (write_questions_csv if csv_table == "questions" else write_attempts_csv)(_Writer(self), report)
            return
        stats = report.stats
        mc = quiz.lesson.module.microcredential
        self.stdout.write(f"{quiz.title} (quiz {quiz.pk}) · {mc.title} v{mc.version}")
        self.stdout.write(f"Attempts counted ({stats.which.value}): {stats.attempts}")
        if not stats.attempts:
            self.stdout.write("No graded attempts yet.")
            return
        self.stdout.write(
            f"Mean {_fmt(stats.mean, '.1f')} %  median {_fmt(stats.median, '.1f')} %  "
            f"SD {_fmt(stats.sd, '.1f')} %  Cronbach's alpha {_fmt(stats.alpha, '.2f')}"
        )
        self.stdout.write(f"{'#':>3}  {'id':>6}  {'n':>4}  {'facility':>8}  {'discr.':>6}  {'U-L':>5}  flags")
        for i, (item, question) in enumerate(report.rows, start=1):
            facility = None if item.facility is None else item.facility * 100
            self.stdout.write(
                f"{i:>3}  {question.pk:>6}  {item.attempts:>4}  {_fmt(facility, '7.1f')}%  "
                f"{_fmt(item.discrimination, '6.2f')}  {_fmt(item.upper_lower, '5.2f')}  {', '.join(item.flags)}"
            )


class _Writer:
    """A ``csv.writer`` onto the command's stdout (so tests capture it like any output)."""

    def __init__(self, command: BaseCommand) -> None:
        self._stdout = command.stdout
        self._writer = csv.writer(self, lineterminator="\n")

    def write(self, text: str) -> None:
        self._stdout.write(text, ending="")

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow(row)
