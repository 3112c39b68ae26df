"""How a quiz performs: item statistics and the score distribution, as Moodle's quiz statistics
report computes them. Pure Python (no Django, nothing else of Microcred), held to ``mypy --strict``.

The input is one ``AttemptScores`` per graded attempt: the points each served question earned out of
its points. Which attempts count is ``Which.FIRST`` (each learner's first graded attempt, Moodle's
default: later attempts are shaped by what the first one taught) or ``Which.ALL``.

Notation: for a question *i*, ``x`` is an attempt's score on it as a fraction of its points (0..1)
and ``X`` the attempt's total points; sums run over the *n* counted attempts that were served *i*.

- **Facility index** ``F = mean(x)``: the share of the points learners earned (0 = nobody, 1 =
  everybody). Below 0.1 or above 0.9 the question barely tells learners apart.
- **Standard deviation** of ``x``, the sample one (``n - 1``), as Moodle's.
- **Discrimination index** (Moodle's): the Pearson correlation between the question's points and
  the points of the *rest* of the attempt, ``r(x_i, X - x_i)`` (the corrected item-total
  correlation; correcting keeps the question from correlating with itself). From -1 to 1; below
  0.2 the question does not separate stronger learners from weaker ones. Undefined (``None``)
  when either side does not vary, or with fewer than two attempts.
- **Upper-lower index** (the classic ``D``): attempts ranked by total percent (then by id, so ties are
  split the same way every time); with ``g = max(1, round(0.27 n))``, ``D = mean(x over the top g)
  - mean(x over the bottom g)``. ``None`` under two attempts.

For the quiz, over the counted attempts' totals in percent (``100 * earned / possible``): mean,
median, sample standard deviation, a histogram, and **Cronbach's alpha**
``alpha = k / (k - 1) * (1 - sum(var(points_i)) / var(X))`` for *k* questions, which needs every
counted attempt to have been served the same questions (``None`` otherwise, or when ``k < 2``,
``n < 2`` or the totals do not vary).
"""

from __future__ import annotations

import enum
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

#: Below this discrimination, or outside these facility bounds, a question is flagged for review.
DISCRIMINATION_FLAG: Final[float] = 0.2
FACILITY_LOW: Final[float] = 0.1
FACILITY_HIGH: Final[float] = 0.9
#: The share of attempts in each of the upper and lower groups of the classic index.
UPPER_LOWER_SHARE: Final[float] = 0.27


class Which(enum.StrEnum):
    FIRST = "first"
    ALL = "all"


@dataclass(frozen=True)
class ItemScore:
    earned: float
    possible: float

    @property
    def fraction(self) -> float:
        return self.earned / self.possible if self.possible else 0.0


@dataclass(frozen=True)
class AttemptScores:
    """One graded attempt. ``learner`` groups a person's attempts; ``order`` ranks them (the
    attempt number, or anything that sorts the first attempt first); ``items`` maps each served
    question's id to its score."""

    attempt_id: int
    learner: str
    order: int
    items: Mapping[int, ItemScore]

    # Computed once: every question's statistics read them.
    @cached_property
    def earned(self) -> float:
        return math.fsum(s.earned for s in self.items.values())

    @cached_property
    def possible(self) -> float:
        return math.fsum(s.possible for s in self.items.values())

    @cached_property
    def percent(self) -> float:
        return 100.0 * self.earned / self.possible if self.possible else 0.0


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    attempts: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    upper_lower: float | None

    @property
    def flags(self) -> tuple[str, ...]:
        """Why the question deserves a look, in words an instructor reads."""
        out = []
        if self.facility is not None and self.facility > FACILITY_HIGH:
            out.append("too easy")
        if self.facility is not None and self.facility < FACILITY_LOW:
            out.append("too hard")
        if self.discrimination is not None and self.discrimination < DISCRIMINATION_FLAG:
            out.append("low discrimination")
        return tuple(out)


@dataclass(frozen=True)
class Bin:
    """Totals in ``[lower, upper)`` percent; the last bin also holds ``upper`` (100 %)."""

    lower: float
    upper: float
    count: int


@dataclass(frozen=True)
class QuizStats:
    which: Which
    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None
    histogram: tuple[Bin, ...]
    items: tuple[ItemStats, ...]
    counted: tuple[AttemptScores, ...]


def select_attempts(attempts: Iterable[AttemptScores], which: Which = Which.FIRST) -> list[AttemptScores]:
    """The attempts that count, in the order given: all, or each learner's first (lowest ``order``,
    then lowest id)."""
    attempts = list(attempts)
    if which == Which.ALL:
        return attempts
    first: dict[str, AttemptScores] = {}
    for attempt in attempts:
        kept = first.get(attempt.learner)
        if kept is None or (attempt.order, attempt.attempt_id) < (kept.order, kept.attempt_id):
            first[attempt.learner] = attempt
    chosen = {a.attempt_id for a in first.values()}
    return [a for a in attempts if a.attempt_id in chosen]


def mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def sample_variance(values: Sequence[float]) -> float:
    """With ``n - 1``, in floats (``statistics.variance`` is exact but far slower on many attempts)."""
    m = statistics.fmean(values)
    return math.fsum((v - m) ** 2 for v in values) / (len(values) - 1)


def sample_sd(values: Sequence[float]) -> float | None:
    return math.sqrt(sample_variance(values)) if len(values) >= 2 else None


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The correlation of two equally long series; ``None`` when either does not vary."""
    if len(xs) != len(ys):
        raise ValueError("pearson needs two series of the same length.")
    n = len(xs)
    if n < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def upper_lower_index(pairs: Sequence[tuple[float, int, float]]) -> float | None:
    """``pairs``: (total, attempt id, question fraction) for each attempt served the question."""
    n = len(pairs)
    if n < 2:
        return None
    g = min(n // 2, max(1, round(UPPER_LOWER_SHARE * n)))
    ranked = sorted(pairs, key=lambda p: (p[0], p[1]))
    lower = [p[2] for p in ranked[:g]]
    upper = [p[2] for p in ranked[-g:]]
    return statistics.fmean(upper) - statistics.fmean(lower)


def item_stats(question_id: int, attempts: Sequence[AttemptScores]) -> ItemStats:
    served = [a for a in attempts if question_id in a.items]
    fractions = [a.items[question_id].fraction for a in served]
    points = [a.items[question_id].earned for a in served]
    rest = [a.earned - a.items[question_id].earned for a in served]
    return ItemStats(
        question_id=question_id,
        attempts=len(served),
        facility=mean(fractions),
        sd=sample_sd(fractions),
        discrimination=pearson(points, rest),
        upper_lower=upper_lower_index([(a.percent, a.attempt_id, f) for a, f in zip(served, fractions, strict=True)]),
    )


def cronbach_alpha(attempts: Sequence[AttemptScores]) -> float | None:
    if len(attempts) < 2:
        return None
    questions = set(attempts[0].items)
    if len(questions) < 2 or any(set(a.items) != questions for a in attempts):
        return None
    k = len(questions)
    total_var = sample_variance([a.earned for a in attempts])
    if total_var <= 1e-12:
        return None
    item_var = math.fsum(sample_variance([a.items[q].earned for a in attempts]) for q in questions)
    return k / (k - 1) * (1 - item_var / total_var)


def histogram(percents: Iterable[float], bins: int = 10) -> tuple[Bin, ...]:
    """``bins`` equal bins over 0..100 %; a total of exactly 100 % goes in the last."""
    if bins < 1:
        raise ValueError("A histogram needs at least one bin.")
    width = 100.0 / bins
    counts = [0] * bins
    for value in percents:
        index = min(bins - 1, max(0, int(value // width)))
        counts[index] += 1
    return tuple(Bin(lower=i * width, upper=(i + 1) * width, count=c) for i, c in enumerate(counts))


def quiz_stats(
    attempts: Iterable[AttemptScores],
    *,
    which: Which = Which.FIRST,
    question_ids: Sequence[int] | None = None,
    bins: int = 10,
) -> QuizStats:
    """Everything the statistics report shows. ``question_ids`` orders the items (and lists
    questions nobody was served yet); by default, in the order first served."""
    counted = select_attempts(attempts, which)
    if question_ids is None:
        seen: dict[int, None] = {}
        for attempt in counted:
            seen.update(dict.fromkeys(attempt.items))
        question_ids = list(seen)
    percents = [a.percent for a in counted]
    # Ranked once, so each question's upper-lower sort meets an ordered list (linear for Timsort).
    ranked = sorted(counted, key=lambda a: (a.percent, a.attempt_id))
    return QuizStats(
        which=which,
        attempts=len(counted),
        mean=mean(percents),
        median=statistics.median(percents) if percents else None,
        sd=sample_sd(percents),
        alpha=cronbach_alpha(counted),
        histogram=histogram(percents, bins),
        items=tuple(item_stats(qid, ranked) for qid in question_ids),
        counted=tuple(counted),
    )
