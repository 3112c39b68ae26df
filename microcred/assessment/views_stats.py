"""A provider's quiz statistics, in its workspace: the summary, the score distribution and each
question's facility and discrimination, as server-drawn SVG charts (no script: the
Content-Security-Policy allows none inline, and the numbers are in tables beside them), and as CSV.
Owners and instructors of the provider only; anyone else gets the same 404 as a quiz that does
not exist. The figures come from ``selectors.quiz_statistics`` (the formulas: ``itemstats``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.workspace import provider_for_staff, workspace_context
from microcred.web.charts import histogram_chart
from microcred.web.views.common import app_errors

from .itemstats import DISCRIMINATION_FLAG, FACILITY_HIGH, FACILITY_LOW, ItemStats, Which
from .models import Question, Quiz
from .selectors import QuizStatistics, access_provider_quiz, quiz_statistics
from .stats_csv import write_attempts_csv, write_questions_csv

WHICH_LABELS = {Which.FIRST: "First attempts", Which.ALL: "All graded attempts"}


def which_of(value: str | None) -> Which | None:
    """The ``attempts`` query parameter: ``first`` (the default) or ``all``; ``None`` if neither."""
    if not value:
        return Which.FIRST
    try:
        return Which(value)
    except ValueError:
        return None


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def decimal(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


# --- Charts: the geometry is computed here (the histogram's by the kit, ``web.charts``), the
# template only writes it out.


@dataclass(frozen=True)
class QuestionBar:
    label: str
    y: float
    text_y: float
    facility_width: float
    facility_text: str
    discrimination_x: float
    discrimination_width: float
    discrimination_text: str
    flagged: bool


@dataclass(frozen=True)
class QuestionChart:
    width: int
    height: int
    facility_x: int
    facility_width: int
    discrimination_x: int
    discrimination_width: int
    zero_x: float
    flag_x: float
    high_x: float
    low_x: float
    bars: list[QuestionBar]


def question_chart(rows: list[QuestionRow]) -> QuestionChart:
    """Facility (0..100 %) and discrimination (-1..1, zero in the middle) side by side, a row per
    question; the dashed lines mark the flag thresholds."""
    label_width, gap, panel, row_height, top = 48, 40, 256, 28, 28
    facility_x = label_width
    discrimination_x = facility_x + panel + gap
    zero_x = discrimination_x + panel / 2
    bars = []
    for i, row in enumerate(rows):
        y = top + i * row_height
        item = row.item
        d = item.discrimination
        d_width = 0.0 if d is None else abs(d) * panel / 2
        bars.append(
            QuestionBar(
                label=row.label,
                y=y + 6,
                text_y=y + 18,
                facility_width=round(0 if item.facility is None else item.facility * panel, 1),
                facility_text=percent(None if item.facility is None else item.facility * 100),
                discrimination_x=round(zero_x if d is None or d >= 0 else zero_x - d_width, 1),
                discrimination_width=round(d_width, 1),
                discrimination_text=decimal(d),
                flagged=bool(item.flags),
            )
        )
    return QuestionChart(
        width=discrimination_x + panel + 8,
        height=top + row_height * len(rows) + 8,
        facility_x=facility_x,
        facility_width=panel,
        discrimination_x=discrimination_x,
        discrimination_width=panel,
        zero_x=zero_x,
        flag_x=round(zero_x + DISCRIMINATION_FLAG * panel / 2, 1),
        high_x=round(facility_x + FACILITY_HIGH * panel, 1),
        low_x=round(facility_x + FACILITY_LOW * panel, 1),
        bars=bars,
    )


@dataclass(frozen=True)
class QuestionRow:
    label: str
    question: Question
    item: ItemStats

    @property
    def text(self) -> str:
        return QuizStatistics.text_of(self.question)

    @property
    def facility(self) -> str:
        return percent(None if self.item.facility is None else self.item.facility * 100)

    @property
    def sd(self) -> str:
        return decimal(self.item.sd)

    @property
    def discrimination(self) -> str:
        return decimal(self.item.discrimination)

    @property
    def upper_lower(self) -> str:
        return decimal(self.item.upper_lower)


def question_rows(report: QuizStatistics) -> list[QuestionRow]:
    return [QuestionRow(label=f"Q{i}", question=q, item=item) for i, (item, q) in enumerate(report.rows, start=1)]


def _quiz(request: AuthenticatedRequest, slug: str, pk: int, lesson_id: int) -> tuple[Any, Quiz]:
    provider = provider_for_staff(request.user, slug)
    return provider, access_provider_quiz(provider=provider, microcredential_id=pk, lesson_id=lesson_id)


@require_GET
@login_required
@app_errors
def quiz_statistics_page(request: AuthenticatedRequest, slug: str, pk: int, lesson_id: int) -> HttpResponse:
    provider, quiz = _quiz(request, slug, pk, lesson_id)
    which = which_of(request.GET.get("attempts"))
    if which is None:
        messages.warning(request, "Attempts can be “first” or “all”; showing each learner's first attempt.")
        which = Which.FIRST
    report = quiz_statistics(quiz=quiz, which=which)
    stats = report.stats
    rows = question_rows(report)
    context = workspace_context(request, provider, "catalog")
    context.update(
        quiz=quiz,
        mc=quiz.lesson.module.microcredential,
        lesson=quiz.lesson,
        which=which.value,
        which_label=WHICH_LABELS[which],
        which_choices=[(w.value, label) for w, label in WHICH_LABELS.items()],
        stats=stats,
        waiting=report.waiting,
        summary={
            "mean": percent(stats.mean),
            "median": percent(stats.median),
            "sd": percent(stats.sd),
            "alpha": decimal(stats.alpha),
        },
        histogram=histogram_chart(stats.histogram),
        rows=rows,
        flagged=[row for row in rows if row.item.flags],
        chart=question_chart(rows),
        thresholds={"discrimination": DISCRIMINATION_FLAG, "high": FACILITY_HIGH, "low": FACILITY_LOW},
    )
    return render(request, "assessment/workspace/quiz_statistics.html", context)


def _csv_response(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


@require_GET
@login_required
@app_errors
def quiz_statistics_csv(request: AuthenticatedRequest, slug: str, pk: int, lesson_id: int, table: str) -> HttpResponse:
    _provider, quiz = _quiz(request, slug, pk, lesson_id)
    which = which_of(request.GET.get("attempts"))
    if which is None:
        return HttpResponse(
            "attempts must be 'first' or 'all'.\n", status=400, content_type="text/plain; charset=utf-8"
        )
    report = quiz_statistics(quiz=quiz, which=which)
    response, writer = _csv_response(f"quiz-{quiz.pk}-{table}-{which.value}.csv")
    (write_questions_csv if table == "questions" else write_attempts_csv)(writer, report)
    return response
