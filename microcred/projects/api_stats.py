"""Project statistics for a provider's graders, instructors and owners: the figures of the grading
overview and assignment statistics pages (``views_stats``), as JSON. A router of its own, mounted
beside ``api.router`` in ``config/api.py`` (as assessment's ``api_stats``). The definitions are in
``gradestats``' docstring."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.accounts.selectors import access_organisation
from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH
from microcred.core.clock import now

from . import gradestats
from .api import GRADERS
from .selectors import AssignmentStatistics, GradingOverview, assignment_statistics, grading_overview, staff_assignment

router = Router(tags=["projects"])

ReviewModeOut = Literal["instructor", "peer", "mentor"]


class BandOut(Schema):
    lower: float = Field(description="Lower bound of the score band, in percent (included).")
    upper: float = Field(description="Upper bound, in percent (excluded, but for the last band's 100).")
    count: int = Field(description="Graded submissions whose score falls in the band.")


class LevelCountOut(Schema):
    level: str
    count: int


class CriterionStatsOut(Schema):
    criterion: str
    max_points: float
    levels: list[LevelCountOut] = Field(description="How many grades gave each level, from the lowest level.")
    between_levels: int = Field(
        description="Peer grades whose combined points fall between two levels (a median need not be a level)."
    )
    mean_points: float | None = Field(description="Mean points on the criterion over the grades counted.")


class PeerReviewStatsOut(Schema):
    given: int = Field(description="Reviews given out and not withdrawn.")
    done: int
    open: int
    overdue: int = Field(description="Open reviews after the review deadline.")
    dropped: int = Field(description="Reviews withdrawn (the reviewer left or was taken out).")
    spread_submissions: int = Field(description="Submissions with two or more finished reviews.")
    spread_mean: float | None = Field(
        description="Mean over those submissions of the highest reviewer's score minus the lowest, "
        "in percentage points."
    )
    spread_max: float | None = Field(description="The largest such spread, in percentage points.")
    review_quality_mean: float | None = Field(
        description="Mean review quality (0-100): each reviewer's agreement with the other reviewers' combined marking."
    )
    calibration_accuracy_mean: float | None = Field(
        description="Mean calibration accuracy (0-100) against the reference marking of the calibration examples."
    )


class RegradeStatsOut(Schema):
    requested: int
    open: int
    upheld: int
    changed: int
    upheld_share: float | None = Field(description="Percent of the decided requests whose grade was upheld.")


class AssignmentStatisticsOut(Schema):
    assignment_id: int
    lesson_id: int
    title: str
    microcredential_id: int
    review_mode: ReviewModeOut
    passing_score: int = Field(description="Percent of the rubric's maximum needed to pass.")
    submitted: int = Field(description="Learners with work submitted (their latest version), graded or not.")
    waiting: int = Field(description="Of those, the ones waiting for a grade (not counted in the figures).")
    graded: int
    passed: int
    pass_rate: float | None = Field(description="Percent of the graded submissions that passed.")
    mean: float | None = Field(description="Mean score, in percent of the rubric's maximum.")
    median: float | None = Field(description="Median score, in percent.")
    histogram: list[BandOut] = Field(description="Ten bands of ten percent.")
    criteria: list[CriterionStatsOut] = Field(
        description="Levels given per rubric criterion; a mentor's confirmation has no levels and is not counted."
    )
    peer_review: PeerReviewStatsOut | None = Field(description="Peer-reviewed assignments only.")
    regrades: RegradeStatsOut


class AgeBandOut(Schema):
    band: str = Field(description="'under 1 day', '1–3 days', '3–7 days' or 'over 7 days' (lower bound included).")
    count: int


class WeekOut(Schema):
    week_starting: date = Field(description="The week's Monday, in the server's time zone.")
    graded: int


class AssignmentQueueOut(Schema):
    assignment_id: int
    lesson_id: int
    title: str
    microcredential_id: int
    microcredential_title: str
    review_mode: ReviewModeOut
    waiting: int = Field(description="Submissions waiting for a grade.")
    ages: list[AgeBandOut]
    oldest_waiting_since: datetime | None
    graded: int = Field(description="Graded submissions, ever.")
    graded_recently: int = Field(description="Grades given over the weeks of the overview.")
    median_hours_to_grade: float | None
    regrades_open: int


class GradingOverviewOut(Schema):
    waiting: int = Field(description="Submissions waiting for a grade, whoever grades them.")
    in_queue: int = Field(description="Of those, the ones in the graders' queue (instructor-graded assignments).")
    regrades_open: int
    ages: list[AgeBandOut]
    weeks: list[WeekOut] = Field(description="Grades given per week, the oldest week first, this week last.")
    median_hours_to_grade: float | None = Field(
        description="Median time from submission to grade over the grades of those weeks; a grade changed on "
        "regrade is left out (it carries the time of the change)."
    )
    assignments: list[AssignmentQueueOut] = Field(description="The provider's assignments with submissions.")


def _provider(request: HttpRequest, slug: str) -> Organisation:
    return access_organisation(actor=actor_of(request), slug=slug, roles=GRADERS, kind=OrganisationKind.PROVIDER)


def _ages(counts: tuple[int, ...]) -> list[AgeBandOut]:
    return [AgeBandOut(band=name, count=n) for (_lower, name), n in zip(gradestats.AGE_BANDS, counts, strict=True)]


def assignment_statistics_out(report: AssignmentStatistics) -> AssignmentStatisticsOut:
    assignment, scores, reviews, regrades = report.assignment, report.scores, report.reviews, report.regrades
    return AssignmentStatisticsOut(
        assignment_id=assignment.pk,
        lesson_id=assignment.lesson_id,
        title=assignment.lesson.title,
        microcredential_id=assignment.lesson.module.microcredential_id,
        review_mode=assignment.review_mode,  # type: ignore[arg-type]
        passing_score=assignment.passing_score,
        submitted=len(report.submissions),
        waiting=report.waiting,
        graded=scores.graded,
        passed=scores.passed,
        pass_rate=scores.pass_rate,
        mean=scores.mean,
        median=scores.median,
        histogram=[BandOut(lower=b.lower, upper=b.upper, count=b.count) for b in scores.histogram],
        criteria=[
            CriterionStatsOut(
                criterion=c.criterion,
                max_points=c.max_points,
                levels=[LevelCountOut(level=level, count=n) for level, n in c.counts],
                between_levels=c.between,
                mean_points=c.mean_points,
            )
            for c in report.criteria
        ],
        peer_review=None
        if reviews is None
        else PeerReviewStatsOut(
            given=reviews.given,
            done=reviews.done,
            open=reviews.open,
            overdue=reviews.overdue,
            dropped=reviews.dropped,
            spread_submissions=reviews.spread_submissions,
            spread_mean=reviews.spread_mean,
            spread_max=reviews.spread_max,
            review_quality_mean=reviews.quality_mean,
            calibration_accuracy_mean=reviews.accuracy_mean,
        ),
        regrades=RegradeStatsOut(
            requested=regrades.requested,
            open=regrades.open,
            upheld=regrades.upheld,
            changed=regrades.changed,
            upheld_share=regrades.upheld_share,
        ),
    )


def grading_overview_out(overview: GradingOverview) -> GradingOverviewOut:
    return GradingOverviewOut(
        waiting=overview.waiting,
        in_queue=overview.in_queue,
        regrades_open=overview.regrades_open,
        ages=_ages(overview.ages),
        weeks=[WeekOut(week_starting=monday, graded=n) for monday, n in overview.pace.weeks],
        median_hours_to_grade=overview.pace.median_hours,
        assignments=[
            AssignmentQueueOut(
                assignment_id=row.assignment.pk,
                lesson_id=row.assignment.lesson_id,
                title=row.assignment.lesson.title,
                microcredential_id=row.assignment.lesson.module.microcredential_id,
                microcredential_title=row.assignment.lesson.module.microcredential.title,
                review_mode=row.assignment.review_mode,  # type: ignore[arg-type]
                waiting=row.waiting,
                ages=_ages(row.ages),
                oldest_waiting_since=row.oldest,
                graded=row.graded,
                graded_recently=sum(n for _week, n in row.pace.weeks),
                median_hours_to_grade=row.pace.median_hours,
                regrades_open=row.regrades_open,
            )
            for row in overview.rows
        ],
    )


@router.get(
    "/orgs/{slug}/grading/overview",
    response={200: GradingOverviewOut, **PROBLEMS_AUTH},
    summary="How a provider's grading stands (its graders, instructors and owners)",
)
def get_grading_overview(request: HttpRequest, slug: str) -> GradingOverviewOut:
    """Work waiting for a grade by assignment and by age, grades given per week over the last eight
    weeks and the median time to grade, and the regrade requests pending. An organisation you are
    not staff of answers 404."""
    organisation = _provider(request, slug)
    return grading_overview_out(grading_overview(organisation=organisation, now=timezone.localtime(now())))


@router.get(
    "/orgs/{slug}/assignments/{assignment_id}/statistics",
    response={200: AssignmentStatisticsOut, **PROBLEMS_AUTH},
    summary="How an assignment performs (the provider's graders, instructors and owners)",
)
def get_assignment_statistics(request: HttpRequest, slug: str, assignment_id: int) -> AssignmentStatisticsOut:
    """The graded submissions' score distribution, mean, median and pass rate, the levels given per
    rubric criterion, peer-review figures for a peer-reviewed assignment and the regrade requests.
    Another provider's assignment answers 404."""
    organisation = _provider(request, slug)
    assignment = staff_assignment(organisation=organisation, assignment_id=assignment_id)
    return assignment_statistics_out(assignment_statistics(assignment=assignment, now=now()))
