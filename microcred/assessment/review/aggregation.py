"""Peer scores combined into one: median, trimmed mean or mean, in ``Decimal`` arithmetic.

Rounding, everywhere: the combined score is rounded once, at the end, to ``places`` decimal
places (2 unless told), **half away from zero** (``ROUND_HALF_UP``: 2.345 -> 2.35), as people
round by hand, not half to even as Python's ``round`` does. Intermediate sums and quotients are
exact to 40 significant digits.

For rubrics each criterion is combined on its own, and the total is the sum of the combined
(rounded) criteria, so the breakdown a learner sees always adds up to the total. (The median of
the totals can differ from the sum of the criteria's medians; we report the latter.)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from .errors import ScoreError
from .rubric import Rubric, RubricScore, percent_of, to_decimal

#: Default fraction trimmed from each end by ``trimmed_mean``.
DEFAULT_TRIM = Decimal("0.2")
_PRECISION = 40
MAX_SCORE = Decimal("1e15")


class Method(enum.StrEnum):
    MEDIAN = "median"
    TRIMMED_MEAN = "trimmed_mean"
    MEAN = "mean"


def mean(scores: Iterable[object], *, places: int = 2) -> Decimal:
    """The arithmetic mean."""
    values = _numbers(scores)
    with localcontext() as context:
        context.prec = _PRECISION
        return _round(sum(values, Decimal(0)) / len(values), places)


def median(scores: Iterable[object], *, places: int = 2) -> Decimal:
    """The middle score, or the mean of the two middle scores when there is an even number."""
    values = sorted(_numbers(scores))
    middle = len(values) // 2
    with localcontext() as context:
        context.prec = _PRECISION
        value = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        return _round(value, places)


def trimmed_mean(scores: Iterable[object], *, trim: object = DEFAULT_TRIM, places: int = 2) -> Decimal:
    """The mean after dropping ``floor(n * trim)`` scores from each end.

    ``trim`` is a fraction in ``[0, 0.5)``: with 0.2, five scores lose their highest and lowest,
    ten lose two at each end, and four or fewer lose none (a plain mean), since
    ``floor(4 * 0.2) == 0``. At least one score always remains.
    """
    fraction = to_decimal(trim, "the trim fraction")
    if not Decimal(0) <= fraction < Decimal("0.5"):
        raise ScoreError(f"the trim fraction must be at least 0 and below 0.5, not {fraction}")
    values = sorted(_numbers(scores))
    with localcontext() as context:
        context.prec = _PRECISION
        cut = int((len(values) * fraction).to_integral_value(rounding=ROUND_FLOOR))
        kept = values[cut : len(values) - cut]
        return _round(sum(kept, Decimal(0)) / len(kept), places)


def aggregate(
    scores: Iterable[object], method: Method | str, *, trim: object = DEFAULT_TRIM, places: int = 2
) -> Decimal:
    """Combine ``scores`` by ``method`` ("median", "trimmed_mean" or "mean")."""
    chosen = _method(method)
    if chosen is Method.MEDIAN:
        return median(scores, places=places)
    if chosen is Method.TRIMMED_MEAN:
        return trimmed_mean(scores, trim=trim, places=places)
    return mean(scores, places=places)


@dataclass(frozen=True)
class AggregatedRubric:
    """Several reviewers' rubric scores combined: points per criterion (rubric order), total, percent."""

    method: Method
    reviews: int
    criteria: tuple[tuple[str, Decimal], ...]
    total: Decimal
    max_total: Decimal
    percent: Decimal

    def points(self) -> dict[str, Decimal]:
        return dict(self.criteria)


def aggregate_rubric(
    rubric: Rubric,
    scores: Sequence[RubricScore],
    method: Method | str,
    *,
    trim: object = DEFAULT_TRIM,
    places: int = 2,
) -> AggregatedRubric:
    """Combine reviewers' ``RubricScore``s of one submission, criterion by criterion.

    Each criterion's points are combined by ``method`` and rounded; the total is their sum and
    the percent is ``total / max_total * 100`` (two places, half up).
    """
    chosen = _method(method)
    if not scores:
        raise ScoreError("no reviews to combine")
    names = [criterion.name for criterion in rubric.criteria]
    for index, score in enumerate(scores):
        if [item.criterion for item in score.criteria] != names:
            raise ScoreError(f"review {index + 1} was not marked with this rubric (its criteria differ)")
    combined = tuple(
        (name, aggregate([score.criteria[position].points for score in scores], chosen, trim=trim, places=places))
        for position, name in enumerate(names)
    )
    total = sum((points for _, points in combined), Decimal(0))
    return AggregatedRubric(
        chosen, len(scores), combined, total, rubric.max_points, percent_of(total, rubric.max_points)
    )


def _method(method: Method | str) -> Method:
    try:
        return Method(method)
    except ValueError:
        known = ", ".join(item.value for item in Method)
        raise ScoreError(f"unknown aggregation method {method!r} (known: {known})") from None


def _numbers(scores: Iterable[object]) -> list[Decimal]:
    values = [to_decimal(score, f"score {index + 1}") for index, score in enumerate(scores)]
    if not values:
        raise ScoreError("no scores to combine")
    for index, value in enumerate(values):
        # Far beyond any mark, and it keeps every sum and rounding exact within the 40 digits.
        if abs(value) > MAX_SCORE:
            raise ScoreError(f"score {index + 1} is too large to be a mark ({value})")
    return values


def _round(value: Decimal, places: int) -> Decimal:
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 10:
        raise ScoreError(f"places must be a whole number from 0 to 10, not {places!r}")
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
