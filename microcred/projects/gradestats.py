"""How an assignment performs and how a provider's grading stands: the figures behind the projects'
statistics pages, their CSV and the API. Pure Python (no Django; of Microcred only the pure rubric and
item-statistics cores), held to ``mypy --strict``, and given ``now``: ``selectors`` reads the rows.

For an assignment, over its graded submissions (one per learner: the graded version):

- **Score**: the grade's percent of the rubric's maximum, as it stands (after a regrade changed it).
  Mean, median, and ten bands of ten percent (``itemstats.histogram``: 100 % goes in the last).
  **Pass rate** = passed / graded.
- **Levels per criterion**: a grade given with the rubric (by a grader, or an instructor's regrade or
  override) counts its level. A peer grade holds the peers' combined points per criterion (a median
  need not be a level): it counts as the level with exactly those points, else as *between levels*.
  A mentor's confirmation carries no levels and is not counted. The criterion's mean points are over
  every counted grade.
- **Peer review**: reviews given out (not withdrawn), done, open, and overdue (open after the review
  deadline). The **spread between reviewers** of a submission with two or more finished reviews is
  the highest reviewer's score minus the lowest, in percentage points; the mean and the largest are
  given. Review quality and calibration accuracy (``assessment.review.calibration``) are averaged
  over the reviewers who have one.
- **Regrades**: requests, open, upheld, changed; **share upheld** = upheld / decided.

For a provider's grading:

- **Waiting** work is a submission awaiting its grade; its **age** is ``now - submitted_at`` in
  bands: under 1 day, 1 to 3 days, 3 to 7 days, 7 days and more (each band holds its lower bound).
- **Graded per week**: grades by the calendar week (Monday first, in ``now``'s time zone) of
  ``graded_at``, over the last ``weeks`` weeks, this one included.
- **Time to grade** = ``graded_at - submitted_at``, in hours; the median over the grades of those
  weeks. A grade changed on regrade is left out: it carries the time of the change.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final

from microcred.assessment.itemstats import Bin, histogram
from microcred.assessment.review.rubric import Rubric

#: Lower bounds of the age bands of waiting work, in days, and their names.
AGE_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "under 1 day"),
    (1, "1–3 days"),
    (3, "3–7 days"),
    (7, "over 7 days"),
)
#: Weeks shown of grading activity.
WEEKS: Final[int] = 8
BETWEEN_LEVELS: Final[str] = "between levels"
PEER: Final[str] = "peer"
MENTOR: Final[str] = "mentor"


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


# -- An assignment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradedWork:
    """A graded submission: its score in percent, whether it passed, its grade's ``levels`` and the
    grade's ``source`` (``instructor``, ``peer`` or ``mentor``)."""

    score: float
    passed: bool
    levels: Mapping[str, str]
    source: str


@dataclass(frozen=True)
class ScoreSummary:
    graded: int
    passed: int
    pass_rate: float | None
    mean: float | None
    median: float | None
    histogram: tuple[Bin, ...]


def score_summary(works: Sequence[GradedWork]) -> ScoreSummary:
    scores = [w.score for w in works]
    passed = sum(1 for w in works if w.passed)
    return ScoreSummary(
        graded=len(works),
        passed=passed,
        pass_rate=100.0 * passed / len(works) if works else None,
        mean=_mean(scores),
        median=_median(scores),
        histogram=histogram(scores),
    )


@dataclass(frozen=True)
class CriterionLevels:
    criterion: str
    max_points: float
    counts: tuple[tuple[str, int], ...]  # (level, how many), lowest level first
    between: int  # peer grades whose combined points fall between two levels
    mean_points: float | None

    @property
    def counted(self) -> int:
        return sum(n for _level, n in self.counts) + self.between


def _points(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def criterion_levels(rubric: Rubric, works: Iterable[GradedWork]) -> tuple[CriterionLevels, ...]:
    works = [w for w in works if w.source != MENTOR]
    out = []
    for criterion in rubric.criteria:
        counts = dict.fromkeys((level.name for level in criterion.levels), 0)
        points_of = {level.name: level.points for level in criterion.levels}
        between = 0
        earned: list[float] = []
        for work in works:
            given = work.levels.get(criterion.name)
            if given is None:
                continue
            if work.source == PEER:
                points = _points(given)
                if points is None:
                    continue
                level = next((lvl.name for lvl in criterion.levels if lvl.points == points), None)
            else:
                level = given if given in counts else None
                if level is None:
                    continue  # a level renamed since: nothing to count it as
                points = points_of[level]
            earned.append(float(points))
            if level is None:
                between += 1
            else:
                counts[level] += 1
        out.append(
            CriterionLevels(
                criterion=criterion.name,
                max_points=float(criterion.max_points),
                counts=tuple(counts.items()),
                between=between,
                mean_points=_mean(earned),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class ReviewFigures:
    given: int
    done: int
    open: int
    overdue: int
    dropped: int
    spread_submissions: int
    spread_mean: float | None
    spread_max: float | None
    quality_mean: float | None
    accuracy_mean: float | None


def review_figures(
    *,
    statuses: Iterable[tuple[str, bool]],
    scores_by_submission: Mapping[Hashable, Sequence[float]],
    quality: Iterable[float | None],
    accuracy: Iterable[float | None],
) -> ReviewFigures:
    """``statuses``: each review's status (``assigned``, ``done``, ``dropped``) and whether the
    review deadline has passed for it; ``scores_by_submission``: the finished reviews' scores."""
    counts = {"assigned": 0, "done": 0, "dropped": 0}
    overdue = 0
    for status, late in statuses:
        counts[status] = counts.get(status, 0) + 1
        overdue += status == "assigned" and late
    spreads = [max(s) - min(s) for s in scores_by_submission.values() if len(s) >= 2]
    return ReviewFigures(
        given=counts["assigned"] + counts["done"],
        done=counts["done"],
        open=counts["assigned"],
        overdue=overdue,
        dropped=counts["dropped"],
        spread_submissions=len(spreads),
        spread_mean=_mean(spreads),
        spread_max=max(spreads) if spreads else None,
        quality_mean=_mean([q for q in quality if q is not None]),
        accuracy_mean=_mean([a for a in accuracy if a is not None]),
    )


@dataclass(frozen=True)
class RegradeFigures:
    requested: int
    open: int
    upheld: int
    changed: int

    @property
    def decided(self) -> int:
        return self.upheld + self.changed

    @property
    def upheld_share(self) -> float | None:
        return 100.0 * self.upheld / self.decided if self.decided else None


def regrade_figures(statuses: Iterable[str]) -> RegradeFigures:
    statuses = list(statuses)
    return RegradeFigures(
        requested=len(statuses),
        open=statuses.count("open"),
        upheld=statuses.count("upheld"),
        changed=statuses.count("changed"),
    )


# -- A provider's grading -------------------------------------------------------------------------


def age_band(now: datetime, submitted_at: datetime) -> int:
    """The index in ``AGE_BANDS`` of work submitted at ``submitted_at``."""
    days = (now - submitted_at) / timedelta(days=1)
    return max(i for i, (lower, _name) in enumerate(AGE_BANDS) if days >= lower or i == 0)


def age_counts(now: datetime, submitted: Iterable[datetime]) -> tuple[int, ...]:
    counts = [0] * len(AGE_BANDS)
    for moment in submitted:
        counts[age_band(now, moment)] += 1
    return tuple(counts)


def week_starts(now: datetime, weeks: int = WEEKS) -> tuple[date, ...]:
    """The Mondays of the last ``weeks`` weeks, the oldest first, in ``now``'s time zone."""
    this_monday = now.date() - timedelta(days=now.weekday())
    return tuple(this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))


def window_start(now: datetime, weeks: int = WEEKS) -> datetime:
    """The first moment counted in the last ``weeks`` weeks: that Monday's midnight in ``now``'s zone."""
    first = week_starts(now, weeks)[0]
    return datetime(first.year, first.month, first.day, tzinfo=now.tzinfo)


@dataclass(frozen=True)
class GradingEvent:
    """A grade: when the work was submitted, when it was graded, and whether a regrade changed it."""

    submitted_at: datetime
    graded_at: datetime
    changed_on_regrade: bool = False


@dataclass(frozen=True)
class GradingPace:
    weeks: tuple[tuple[date, int], ...]  # (Monday, grades that week), the oldest first
    median_hours: float | None
    timed: int  # grades the median is over


def grading_pace(now: datetime, events: Iterable[GradingEvent], weeks: int = WEEKS) -> GradingPace:
    mondays = week_starts(now, weeks)
    start = window_start(now, weeks)
    counts = dict.fromkeys(mondays, 0)
    hours = []
    for event in events:
        if not start <= event.graded_at <= now:
            continue
        local = event.graded_at.astimezone(now.tzinfo).date()
        counts[local - timedelta(days=local.weekday())] += 1
        if not event.changed_on_regrade:
            hours.append((event.graded_at - event.submitted_at) / timedelta(hours=1))
    return GradingPace(weeks=tuple(counts.items()), median_hours=_median(hours), timed=len(hours))
