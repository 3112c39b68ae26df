"""Quiz statistics as CSV, for the workspace's downloads and ``microcred quiz_stats --csv``: one
row per question (``write_questions_csv``) or per counted attempt (``write_attempts_csv``). Numbers
are written plainly (four places); a text cell a spreadsheet would run as a formula is quoted."""

from __future__ import annotations

from typing import Any

from .selectors import QuizStatistics


def _safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is quoted; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


QUESTION_COLUMNS = [
    "position",
    "question_id",
    "kind",
    "points",
    "text",
    "attempts",
    "facility",
    "sd",
    "discrimination",
    "upper_lower",
    "flags",
]


def write_questions_csv(writer: Any, report: QuizStatistics) -> None:
    writer.writerow(QUESTION_COLUMNS)
    for i, (item, question) in enumerate(report.rows, start=1):
        writer.writerow(
            [
                i,
                question.pk,
                question.kind,
                question.points,
                _safe(report.text_of(question)),
                item.attempts,
                _number(item.facility),
                _number(item.sd),
                _number(item.discrimination),
                _number(item.upper_lower),
                "; ".join(item.flags),
            ]
        )


def write_attempts_csv(writer: Any, report: QuizStatistics) -> None:
    """One row per counted attempt: its total and, per question, the points earned (empty when
    the question was not served in that attempt)."""
    question_ids = [item.question_id for item in report.stats.items]
    writer.writerow(
        ["attempt_id", "learner_email", "learner_name", "number", "submitted_at", "earned", "possible", "percent"]
        + [f"q{qid}" for qid in question_ids]
    )
    for scores in report.stats.counted:
        attempt = report.attempts[scores.attempt_id]
        user = attempt.user
        writer.writerow(
            [
                attempt.pk,
                _safe(user.email),
                _safe(user.full_name or user.display_name),
                attempt.number,
                attempt.submitted_at.isoformat() if attempt.submitted_at else "",
                f"{scores.earned:g}",
                f"{scores.possible:g}",
                f"{scores.percent:.2f}",
            ]
            + [f"{scores.items[qid].earned:g}" if qid in scores.items else "" for qid in question_ids]
        )
