"""A provider's project statistics, beside its grading queue: how each assignment performs (scores,
rubric levels, peer review, regrades) and how the grading stands (work waiting by assignment and
age, grades per week, time to grade), as server-drawn SVG charts with their figures in tables (no
script: the Content-Security-Policy allows none inline) and as CSV.

The provider's graders, instructors and owners, as for the queue; anyone else, and another
provider's assignment, gets the same 404 as an id that does not exist. The figures come from
``selectors.assignment_statistics`` and ``selectors.grading_overview`` (definitions: ``gradestats``).
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.models import OrganisationKind
from microcred.accounts.permissions import STAFF_ROLES, has_org_role
from microcred.accounts.selectors import access_organisation
from microcred.accounts.workspace import workspace_context
from microcred.core.clock import now
from microcred.web.charts import bar_chart, column_chart, histogram_chart, stacked_bar_chart
from microcred.web.views.common import app_errors

from . import gradestats
from .models import Assignment
from .selectors import AssignmentStatistics, GradingOverview, assignment_statistics, grading_overview, staff_assignment
from .stats_csv import write_assignment_csv, write_overview_csv
from .views import GRADERS


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def points(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def percentage_points(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} points"


def hours(value: float | None) -> str:
    """A duration in hours as people say it: minutes under an hour, hours under two days, then days."""
    if value is None:
        return "–"
    if value < 1:
        return f"{round(value * 60)} min"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} days"


def _provider(request: AuthenticatedRequest, slug: str) -> Any:
    return access_organisation(actor=request.user, slug=slug, roles=GRADERS, kind=OrganisationKind.PROVIDER)


def _assignment(request: AuthenticatedRequest, slug: str, assignment_id: int) -> tuple[Any, Assignment]:
    provider = _provider(request, slug)
    return provider, staff_assignment(organisation=provider, assignment_id=assignment_id)


def _csv_response(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def criteria_chart(report: AssignmentStatistics) -> Any:
    """Each criterion's grades split by level, lowest level lightest; peers' combined points that
    fall between two levels in grey."""
    rows = []
    for criterion in report.criteria:
        parts = list(criterion.counts)
        if criterion.between:
            parts.append((gradestats.BETWEEN_LEVELS, criterion.between))
        rows.append((criterion.criterion, parts))
    return stacked_bar_chart(rows, ordinal=True, other=gradestats.BETWEEN_LEVELS)


@require_GET
@login_required
@app_errors
def assignment_statistics_page(request: AuthenticatedRequest, slug: str, assignment_id: int) -> HttpResponse:
    provider, assignment = _assignment(request, slug, assignment_id)
    report = assignment_statistics(assignment=assignment, now=now())
    scores, reviews, regrades = report.scores, report.reviews, report.regrades
    context = workspace_context(request, provider, "grading")
    context.update(
        assignment=assignment,
        lesson=assignment.lesson,
        mc=assignment.lesson.module.microcredential,
        report=report,
        # The peer round page names reviewers: Owners and Instructors only (ADR 0030).
        can_see_round=has_org_role(request.user, provider, STAFF_ROLES),
        summary={
            "mean": percent(scores.mean),
            "median": percent(scores.median),
            "pass_rate": percent(scores.pass_rate),
        },
        histogram=histogram_chart(scores.histogram),
        criteria_chart=criteria_chart(report),
        criteria=[
            {
                "row": c,
                "mean": points(c.mean_points),
                "max": points(c.max_points),
            }
            for c in report.criteria
        ],
        has_between=any(c.between for c in report.criteria),
        reviews=reviews,
        review_figures=None
        if reviews is None
        else {
            "spread_mean": percentage_points(reviews.spread_mean),
            "spread_max": percentage_points(reviews.spread_max),
            "quality": percent(reviews.quality_mean),
            "accuracy": percent(reviews.accuracy_mean),
        },
        regrades=regrades,
        upheld_share=percent(regrades.upheld_share),
    )
    return render(request, "projects/assignment_statistics.html", context)


@require_GET
@login_required
@app_errors
def assignment_statistics_csv(request: AuthenticatedRequest, slug: str, assignment_id: int) -> HttpResponse:
    _provider_org, assignment = _assignment(request, slug, assignment_id)
    report = assignment_statistics(assignment=assignment, now=now())
    response, writer = _csv_response(f"assignment-{assignment.pk}-submissions.csv")
    write_assignment_csv(writer, report)
    return response


def _overview(request: AuthenticatedRequest, slug: str) -> tuple[Any, GradingOverview]:
    provider = _provider(request, slug)
    return provider, grading_overview(organisation=provider, now=timezone.localtime(now()))


@require_GET
@login_required
@app_errors
def grading_overview_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider, overview = _overview(request, slug)
    waiting_rows = [row for row in overview.rows if row.waiting]
    context = workspace_context(request, provider, "grading")
    context.update(
        overview=overview,
        rows=[
            {"row": row, "median": hours(row.pace.median_hours), "recent": sum(n for _w, n in row.pace.weeks)}
            for row in overview.rows
        ],
        graded_recently=sum(n for _week, n in overview.pace.weeks),
        median=hours(overview.pace.median_hours),
        weeks=gradestats.WEEKS,
        by_assignment=bar_chart([(row.assignment.lesson.title, row.waiting) for row in waiting_rows]),
        ages=column_chart([(name, n) for (_lower, name), n in zip(gradestats.AGE_BANDS, overview.ages, strict=True)]),
        age_rows=[(name, n) for (_lower, name), n in zip(gradestats.AGE_BANDS, overview.ages, strict=True)],
        per_week=column_chart([(monday.strftime("%d %b"), n) for monday, n in overview.pace.weeks]),
    )
    return render(request, "projects/grading_overview.html", context)


@require_GET
@login_required
@app_errors
def grading_overview_csv(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider, overview = _overview(request, slug)
    response, writer = _csv_response(f"grading-{provider.slug}.csv")
    write_overview_csv(writer, overview)
    return response
