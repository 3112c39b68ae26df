"""Project statistics as CSV, for the statistics pages' downloads: one row per submission of an
assignment (``write_assignment_csv``: each learner's latest version) and one row per assignment of a
provider's grading (``write_overview_csv``). Numbers are written plainly; a text cell a spreadsheet
would run as a formula is quoted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import gradestats
from .models import ReviewMode
from .selectors import AssignmentStatistics, GradingOverview


def _safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is quoted; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _moment(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def write_assignment_csv(writer: Any, report: AssignmentStatistics) -> None:
    """A peer grade's criterion cells hold the peers' combined points (ADR 0030), a rubric grade's
    the level; a mentor's confirmation has none."""
    criteria = [c.name for c in report.rubric.criteria]
    writer.writerow(
        [
            "submission_id",
            "learner_email",
            "learner_name",
            "version",
            "submitted_at",
            "late",
            "status",
            "graded_at",
            "graded_by",
            "points",
            "max_points",
            "score",
            "passed",
        ]
        + [_safe(name) for name in criteria]
        + ["peer_reviews_done", "regrade"]
    )
    for submission in report.submissions:
        grade = getattr(submission, "grade", None) if submission.status == "graded" else None
        regrade = getattr(submission, "regrade", None)
        user = submission.user
        writer.writerow(
            [
                submission.pk,
                _safe(user.email),
                _safe(user.full_name or user.display_name),
                submission.version,
                _moment(submission.submitted_at),
                "yes" if submission.is_late else "no",
                submission.status,
                _moment(grade.graded_at) if grade else "",
                grade.source if grade else "",
                grade.points if grade else "",
                grade.max_points if grade else "",
                grade.score if grade else "",
                ("yes" if grade.passed else "no") if grade else "",
            ]
            + [_safe(grade.levels.get(name, "")) if grade else "" for name in criteria]
            + [
                report.reviews_done.get(submission.pk, 0) if report.assignment.review_mode == ReviewMode.PEER else "",
                regrade.status if regrade else "",
            ]
        )


def write_overview_csv(writer: Any, overview: GradingOverview) -> None:
    ages = [f"waiting_{name.replace('–', '_to_').replace(' ', '_')}" for _lower, name in gradestats.AGE_BANDS]
    writer.writerow(
        [
            "assignment_id",
            "microcredential",
            "version",
            "assignment",
            "review_mode",
            "waiting",
            *ages,
            "oldest_waiting_since",
            "graded",
            f"graded_last_{gradestats.WEEKS}_weeks",
            "median_hours_to_grade",
            "regrades_open",
        ]
    )
    for row in overview.rows:
        assignment = row.assignment
        mc = assignment.lesson.module.microcredential
        writer.writerow(
            [
                assignment.pk,
                _safe(mc.title),
                mc.version,
                _safe(assignment.lesson.title),
                assignment.review_mode,
                row.waiting,
                *row.ages,
                _moment(row.oldest),
                row.graded,
                sum(n for _week, n in row.pace.weeks),
                _number(row.pace.median_hours),
                row.regrades_open,
            ]
        )
