"""Quiz statistics for a provider's owners and instructors: the same figures as the workspace's
statistics page (``views_stats``), as JSON. A router of its own, mounted beside ``api.router`` in
``config/api.py``, so the attempt endpoints and these stay apart. The formulas are documented in
``itemstats``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from microcred.accounts.workspace import provider_for_staff
from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH
from microcred.api.schemas import Page, PageParams, page_of

from .itemstats import Which
from .selectors import QuizStatistics, access_provider_quiz, quiz_statistics

router = Router(tags=["assessment"])

WHICH_DESCRIPTION = "Which attempts count: each learner's first graded attempt (the default, as Moodle's) or all."


class StatisticsParams(Schema):
    attempts: Literal["first", "all"] = Field("first", description=WHICH_DESCRIPTION)


class AttemptsParams(PageParams):
    attempts: Literal["first", "all"] = Field("first", description=WHICH_DESCRIPTION)


class BinOut(Schema):
    lower: float = Field(description="Lower bound of the score band, in percent (included).")
    upper: float = Field(description="Upper bound, in percent (excluded, but for the last band's 100).")
    count: int = Field(description="Attempts whose score falls in the band.")


class QuestionStatsOut(Schema):
    position: int = Field(description="1 for the first question of the quiz's bank, then 2, 3, …")
    question_id: int
    kind: str
    points: int
    text: str = Field(description="The question as learners read it (a cloze's gaps shown as blanks).")
    attempts: int = Field(description="Counted attempts that were served the question.")
    facility: float | None = Field(description="Mean score on the question as a fraction of its points, 0–1.")
    sd: float | None = Field(description="Sample standard deviation of that fraction.")
    discrimination: float | None = Field(
        description="Correlation of the question's score with the rest of the attempt (Moodle's index), −1 to 1; "
        "null when either does not vary or under two attempts."
    )
    upper_lower: float | None = Field(
        description="Mean fraction in the top 27 % of attempts minus the bottom 27 %, −1 to 1."
    )
    flags: list[str] = Field(
        description="Why to review the question: 'too easy' (facility > 0.9), 'too hard' (< 0.1), "
        "'low discrimination' (< 0.2)."
    )


class QuizStatisticsOut(Schema):
    quiz_id: int
    title: str
    microcredential_id: int
    lesson_id: int
    which: Literal["first", "all"] = Field(description=WHICH_DESCRIPTION)
    attempts: int = Field(description="Attempts counted.")
    waiting: int = Field(
        description="Submitted attempts not counted yet: an answer (an essay) waits for a person's grade."
    )
    mean: float | None = Field(description="Mean score, in percent.")
    median: float | None = Field(description="Median score, in percent.")
    sd: float | None = Field(description="Sample standard deviation of the scores, in percent.")
    alpha: float | None = Field(
        description="Cronbach's alpha; null unless every counted attempt was served the same two or more questions."
    )
    histogram: list[BinOut] = Field(description="Ten bands of ten percent.")
    questions: list[QuestionStatsOut]


class AttemptScoreOut(Schema):
    attempt_id: int
    learner_id: int
    number: int = Field(description="The learner's attempt number at this quiz.")
    submitted_at: datetime | None
    earned: float
    possible: float
    percent: float
    points: dict[str, float] = Field(description="Question id -> points earned, for each question served.")


def _quiz(request: HttpRequest, slug: str, quiz_id: int) -> Any:
    provider = provider_for_staff(actor_of(request), slug)
    return access_provider_quiz(provider=provider, quiz_id=quiz_id)


def statistics_out(report: QuizStatistics) -> QuizStatisticsOut:
    stats, quiz = report.stats, report.quiz
    return QuizStatisticsOut(
        quiz_id=quiz.pk,
        title=quiz.title,
        microcredential_id=quiz.lesson.module.microcredential_id,
        lesson_id=quiz.lesson_id,
        which=stats.which.value,
        attempts=stats.attempts,
        waiting=report.waiting,
        mean=stats.mean,
        median=stats.median,
        sd=stats.sd,
        alpha=stats.alpha,
        histogram=[BinOut(lower=b.lower, upper=b.upper, count=b.count) for b in stats.histogram],
        # Built field by field: nothing of a question's answers (choices, correctness) goes out.
        questions=[
            QuestionStatsOut(
                position=i,
                question_id=question.pk,
                kind=question.kind,
                points=question.points,
                text=report.text_of(question),
                attempts=item.attempts,
                facility=item.facility,
                sd=item.sd,
                discrimination=item.discrimination,
                upper_lower=item.upper_lower,
                flags=list(item.flags),
            )
            for i, (item, question) in enumerate(report.rows, start=1)
        ],
    )


@router.get(
    "/orgs/{slug}/quizzes/{quiz_id}/statistics",
    response={200: QuizStatisticsOut, **PROBLEMS_AUTH},
    summary="A quiz's item statistics and score distribution (provider owners and instructors)",
)
def get_quiz_statistics(
    request: HttpRequest, slug: str, quiz_id: int, params: Query[StatisticsParams]
) -> QuizStatisticsOut:
    """Facility, discrimination and the upper-lower index of each question, and the quiz's mean,
    median, standard deviation, Cronbach's alpha and score histogram, over its graded attempts.
    Another organisation's quiz, or one of an organisation you are not staff of, answers 404."""
    quiz = _quiz(request, slug, quiz_id)
    return statistics_out(quiz_statistics(quiz=quiz, which=Which(params.attempts)))


@router.get(
    "/orgs/{slug}/quizzes/{quiz_id}/statistics/attempts",
    response={200: Page[AttemptScoreOut], **PROBLEMS_AUTH},
    summary="The scores behind a quiz's statistics, per attempt (provider owners and instructors)",
)
def list_quiz_attempt_scores(
    request: HttpRequest, response: HttpResponse, slug: str, quiz_id: int, params: Query[AttemptsParams]
) -> dict[str, Any]:
    """Each counted attempt's total and points per question, re-graded from its stored answers,
    in the order submitted."""
    quiz = _quiz(request, slug, quiz_id)
    report = quiz_statistics(quiz=quiz, which=Which(params.attempts))
    rows, count = page_of(request, response, list(report.stats.counted), params)
    items = []
    for scores in rows:
        attempt = report.attempts[scores.attempt_id]
        items.append(
            AttemptScoreOut(
                attempt_id=attempt.pk,
                learner_id=attempt.user_id,
                number=attempt.number,
                submitted_at=attempt.submitted_at,
                earned=scores.earned,
                possible=scores.possible,
                percent=round(scores.percent, 2),
                points={str(qid): s.earned for qid, s in scores.items.items()},
            )
        )
    return {"items": items, "count": count, "limit": params.limit, "offset": params.offset}
