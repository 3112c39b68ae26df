"""How well a reviewer reviews: accuracy on calibration examples, and agreement with their peers.

Both grades use one measure, *agreement*, from 0 to 100. For each pair of markings compared
(the reviewer's and a reference) and each criterion ``c`` of the rubric::

    d(c) = |reviewer points(c) - reference points(c)| / (max points(c) - min points(c))

is the miss as a fraction of the criterion's range (0 = the same, 1 = opposite ends), so that a
criterion worth 10 points weighs no more than one worth 2. Then::

    agreement = 100 * (1 - mean of d over every criterion of every pair)

rounded to two places, half up. Missing the reference by a whole level on a four-level
criterion (levels 0..3) costs a third of it: ``d = 1/3``.

- **Calibration accuracy:** the references are the instructor's markings of the example
  submissions.
- **Review quality:** the references are the combined peer scores of the same submissions. By
  default the reviewer's own review is left out of that combination, so nobody agrees with
  themselves; a submission nobody else reviewed is not counted.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .aggregation import DEFAULT_TRIM, AggregatedRubric, Method, aggregate_rubric
from .errors import ScoreError
from .rubric import PERCENT_PLACES, Rubric, RubricScore


def agreement(
    rubric: Rubric,
    pairs: Sequence[tuple[RubricScore | AggregatedRubric, RubricScore | AggregatedRubric]],
) -> Decimal:
    """Agreement (0..100) of each ``(reviewer marking, reference marking)`` pair, by the formula above."""
    if not pairs:
        raise ScoreError("nothing to compare: no markings with a reference")
    misses: list[Decimal] = []
    with localcontext() as context:
        context.prec = 40
        for index, (marking, reference) in enumerate(pairs):
            given, expected = marking.points(), reference.points()
            for criterion in rubric.criteria:
                if criterion.name not in given or criterion.name not in expected:
                    raise ScoreError(f"pair {index + 1} has no points for criterion {criterion.name!r}")
                misses.append(abs(given[criterion.name] - expected[criterion.name]) / criterion.range)
        value = 100 * (1 - sum(misses, Decimal(0)) / len(misses))
        # Points outside a criterion's range (not from this rubric) could push it below 0.
        return max(Decimal(0), value).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def calibration_accuracy(
    rubric: Rubric,
    reviews: Mapping[Hashable, RubricScore],
    references: Mapping[Hashable, RubricScore],
) -> Decimal:
    """Accuracy (0..100) of a reviewer's markings of calibration examples (example id -> marking)
    against the instructor's ``references`` (example id -> marking). Every example the reviewer
    marked needs a reference; references the reviewer has not marked are ignored."""
    unmatched = [example for example in reviews if example not in references]
    if unmatched:
        raise ScoreError(f"no reference marking for calibration example {', '.join(map(repr, unmatched))}")
    return agreement(rubric, [(reviews[example], references[example]) for example in reviews])


def review_quality(
    rubric: Rubric,
    reviewer: Hashable,
    reviews: Mapping[Hashable, Mapping[Hashable, RubricScore]],
    *,
    method: Method | str = Method.MEDIAN,
    trim: object = DEFAULT_TRIM,
    leave_out: bool = True,
) -> Decimal | None:
    """Quality (0..100) of ``reviewer``'s reviews: agreement with the combined peer score of each
    submission they reviewed. ``reviews`` maps submission id -> reviewer id -> marking.

    ``None`` when there is nothing to compare with (no review by the reviewer of a submission
    that someone else also reviewed).
    """
    pairs: list[tuple[RubricScore | AggregatedRubric, RubricScore | AggregatedRubric]] = []
    for markings in reviews.values():
        if reviewer not in markings:
            continue
        peers = [marking for who, marking in markings.items() if not (leave_out and who == reviewer)]
        if peers:
            # Ten places, not the two a learner sees: the reference should not carry a rounding.
            pairs.append((markings[reviewer], aggregate_rubric(rubric, peers, method, trim=trim, places=10)))
    return agreement(rubric, pairs) if pairs else None
