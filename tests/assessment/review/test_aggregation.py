"""Peer scores combined: median, trimmed mean and mean in Decimal, rounded half up; rubrics per criterion."""

from __future__ import annotations

import random
import statistics
from decimal import Decimal
from fractions import Fraction

import pytest

from microcred.assessment.review import (
    Method,
    ScoreError,
    aggregate,
    aggregate_rubric,
    mean,
    median,
    score_rubric,
    trimmed_mean,
)
from microcred.assessment.review.rubric import rubric_from_points

D = Decimal


def test_median() -> None:
    assert median([3, 1, 2]) == D("2.00")
    assert median([4, 1, 3, 2]) == D("2.50")
    assert median([D("7.5")]) == D("7.50")
    assert median(["1.005", "1.005"], places=2) == D("1.01")  # half up, where round() gives 1.0


def test_mean_is_exact_decimal_rounded_half_up() -> None:
    assert mean([D("0.1")] * 3) == D("0.10")
    assert mean([1, 2]) == D("1.50")
    assert mean([1, 1, 2], places=3) == D("1.333")
    assert mean([2, 2, 1], places=0) == D("2")  # 1.67 -> 2
    assert mean([D("0.125"), D("0.125")], places=2) == D("0.13")  # half up, not half even (0.12)
    assert mean([-1, -2]) == D("-1.50")
    assert mean([D("-0.125")], places=2) == D("-0.13")  # half away from zero
    assert mean([0.1, 0.2]) == D("0.15")  # floats through their repr


def test_trimmed_mean_drops_from_each_end_when_there_are_enough() -> None:
    assert trimmed_mean([1, 2, 3, 4, 100]) == D("3.00")  # 5 * 0.2 = 1 from each end
    assert trimmed_mean([1, 2, 3, 100]) == D("26.50")  # 4 * 0.2 = 0.8: nothing dropped
    assert trimmed_mean([*range(10), 1000], trim=D("0.2")) == D("5.00")  # 11 * 0.2 = 2.2: two each end
    assert trimmed_mean([5, 0, 10], trim="0.4") == D("5.00")  # 3 * 0.4 = 1.2: one each end
    assert trimmed_mean([1, 2, 9], trim=0) == D("4.00")
    assert trimmed_mean([7], trim="0.49") == D("7.00")  # one always remains


def test_properties_on_random_scores() -> None:
    rng = random.Random(5)
    for _ in range(500):
        scores = [D(rng.randint(0, 400)) / 4 for _ in range(rng.randint(1, 15))]
        exact_mean = Fraction(sum(scores)) / len(scores)
        assert abs(Fraction(mean(scores, places=4)) - exact_mean) <= Fraction(1, 20000)
        assert median(scores, places=4) == D(statistics.median(scores)).quantize(D("0.0001"))
        low, high = min(scores), max(scores)
        for method in Method:
            combined = aggregate(scores, method, places=4)
            assert low <= combined <= high
            # Order does not matter.
            assert aggregate(list(reversed(scores)), method.value, places=4) == combined
        trimmed = trimmed_mean(scores, trim=D("0.2"), places=6)
        cut = len(scores) // 5
        kept = sorted(scores)[cut : len(scores) - cut]
        assert abs(Fraction(trimmed) - Fraction(sum(kept)) / len(kept)) <= Fraction(1, 2_000_000)


def test_one_outlier_moves_the_mean_but_not_the_median_or_trimmed_mean() -> None:
    fair = [7, 8, 8, 7, 8]
    assert median([*fair, 0]) == D("7.50") and median(fair) == D("8.00")
    assert trimmed_mean([0, 7, 8, 8, 7, 8, 7, 8, 8, 10]) == D("7.67")
    assert mean([0, 7, 8, 8, 7, 8, 7, 8, 8, 10]) == D("7.10")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mean([]), "no scores to combine"),
        (lambda: median(["x"]), "score 1 must be a number, not 'x'"),
        (lambda: median([1, True]), "score 2 must be a number, not True"),
        (lambda: mean([1, float("nan")]), "score 2 must be a finite number, not nan"),
        (lambda: mean([D("1e20")]), "score 1 is too large to be a mark (1E+20)"),
        (lambda: trimmed_mean([1], trim="0.5"), "the trim fraction must be at least 0 and below 0.5, not 0.5"),
        (lambda: trimmed_mean([1], trim=-0.1), "the trim fraction must be at least 0 and below 0.5, not -0.1"),
        (lambda: aggregate([1], "mode"), "unknown aggregation method 'mode' (known: median, trimmed_mean, mean)"),
        (lambda: mean([1], places=11), "places must be a whole number from 0 to 10, not 11"),
    ],
)
def test_bad_scores_are_refused(call: object, message: str) -> None:
    with pytest.raises(ScoreError) as raised:
        call()  # type: ignore[operator]
    assert str(raised.value) == message


def test_rubric_is_combined_per_criterion_and_the_total_adds_up() -> None:
    rubric = rubric_from_points(
        [
            ("Method", (("weak", 0), ("fair", 1), ("good", 2), ("strong", 4))),
            ("Result", (("wrong", 0), ("close", 3), ("right", 6))),
        ]
    )
    reviews = [
        score_rubric(rubric, {"Method": "good", "Result": "right"}),
        score_rubric(rubric, {"Method": "strong", "Result": "close"}),
        score_rubric(rubric, {"Method": "fair", "Result": "right"}),
        score_rubric(rubric, {"Method": "good", "Result": "wrong"}),
    ]

    by_median = aggregate_rubric(rubric, reviews, Method.MEDIAN)
    by_mean = aggregate_rubric(rubric, reviews, "mean")

    assert by_median.points() == {"Method": D("2.00"), "Result": D("4.50")}
    assert by_median.total == D("6.50")  # the median of the totals (8, 7, 7, 2) would be 7
    assert by_median.percent == D("65.00")
    assert by_median.reviews == 4 and by_median.method is Method.MEDIAN
    assert by_mean.points() == {"Method": D("2.25"), "Result": D("3.75")}
    assert (by_mean.total, by_mean.max_total, by_mean.percent) == (D("6.00"), D(10), D("60.00"))
    trimmed = aggregate_rubric(rubric, reviews * 2 + reviews[:1], Method.TRIMMED_MEAN, trim="0.2")
    # 9 reviews, floor(9 * 0.2) = 1 off each end: Method 1,[1,2,2,2,2,2,4],4 -> 15/7; Result 0,[0,3,3,6,6,6,6],6 -> 30/7.
    assert trimmed.points() == {"Method": D("2.14"), "Result": D("4.29")}
    assert trimmed.total == D("6.43")


def test_rubric_reviews_must_use_the_rubric() -> None:
    rubric = rubric_from_points([("A", (("no", 0), ("yes", 1)))])
    other = rubric_from_points([("B", (("no", 0), ("yes", 1)))])

    with pytest.raises(ScoreError, match="review 2 was not marked with this rubric"):
        aggregate_rubric(rubric, [score_rubric(rubric, {"A": "yes"}), score_rubric(other, {"B": "no"})], "median")
    with pytest.raises(ScoreError, match="no reviews to combine"):
        aggregate_rubric(rubric, [], "median")
