"""The item statistics core against examples worked out by hand (the sums are in the comments)."""

from __future__ import annotations

import math

import pytest

from microcred.assessment.itemstats import (
    AttemptScores,
    ItemScore,
    ItemStats,
    Which,
    cronbach_alpha,
    histogram,
    pearson,
    quiz_stats,
    select_attempts,
    upper_lower_index,
)


def attempt(attempt_id: int, learner: str, scores: dict[int, float], *, order: int = 1, points: float = 1):
    return AttemptScores(
        attempt_id=attempt_id,
        learner=learner,
        order=order,
        items={qid: ItemScore(earned=s * points, possible=points) for qid, s in scores.items()},
    )


# Four learners, three one-point questions:
#        q1 q2 q3  total
#   a     1  1  1    3
#   b     1  1  0    2
#   c     1  0  0    1
#   d     0  0  1    1
FOUR = [
    attempt(1, "a", {1: 1, 2: 1, 3: 1}),
    attempt(2, "b", {1: 1, 2: 1, 3: 0}),
    attempt(3, "c", {1: 1, 2: 0, 3: 0}),
    attempt(4, "d", {1: 0, 2: 0, 3: 1}),
]


def test_facility_sd_and_discrimination_by_hand():
    stats = quiz_stats(FOUR)
    q1, q2, q3 = stats.items
    # q1: mean (1+1+1+0)/4; deviations .25 .25 .25 -.75 -> squares sum .75, /3 = .25, sd .5.
    assert q1.facility == pytest.approx(0.75) and q1.sd == pytest.approx(0.5) and q1.attempts == 4
    # q1 against the rest (totals minus q1 = 2 1 0 1): deviations (.25 .25 .25 -.75)(1 0 -1 0), sum 0.
    assert q1.discrimination == pytest.approx(0.0)
    # q2 = 1 1 0 0 against rest 2 1 1 1: sxy .5, sxx 1, syy .75 -> .5 / sqrt(.75) = 1/sqrt(3).
    assert q2.facility == pytest.approx(0.5)
    assert q2.discrimination == pytest.approx(1 / math.sqrt(3))
    # q3 = 1 0 0 1 against rest 2 2 1 0: sxy -.5, sxx 1, syy 2.75.
    assert q3.discrimination == pytest.approx(-0.5 / math.sqrt(2.75))
    # Upper-lower, g = round(.27 * 4) = 1: top is a (100 %), bottom is c (33 %, lower id than d).
    assert (q1.upper_lower, q2.upper_lower, q3.upper_lower) == (0.0, 1.0, 1.0)


def test_quiz_summary_by_hand():
    stats = quiz_stats(FOUR)
    assert stats.attempts == 4 and stats.which == Which.FIRST
    # Totals 3 2 1 1 of 3 points: 100, 66.7, 33.3, 33.3 %.
    assert stats.mean == pytest.approx(175 / 3)
    assert stats.median == pytest.approx(50.0)
    # Points: mean 1.75, squares 1.5625 .0625 .5625 .5625 = 2.75, /3; in percent of 3 points.
    assert stats.sd == pytest.approx(math.sqrt(2.75 / 3) * 100 / 3)
    # Item variances .25 + 1/3 + 1/3 = 11/12 = the total's variance: alpha = 3/2 * (1 - 1) = 0.
    assert stats.alpha == pytest.approx(0.0)
    counts = [b.count for b in stats.histogram]
    assert counts == [0, 0, 0, 2, 0, 0, 1, 0, 0, 1]
    assert (stats.histogram[-1].lower, stats.histogram[-1].upper) == (90.0, 100.0)


def test_cronbach_alpha_by_hand():
    # Items 1 1 0 and 1 0 0 (variances 1/3 each), totals 2 1 0 (variance 1): 2 * (1 - 2/3).
    attempts = [attempt(1, "a", {1: 1, 2: 1}), attempt(2, "b", {1: 1, 2: 0}), attempt(3, "c", {1: 0, 2: 0})]
    assert cronbach_alpha(attempts) == pytest.approx(2 / 3)
    # Points scale the variances alike: the same with two-point questions.
    doubled = [
        attempt(a.attempt_id, a.learner, {q: s.fraction for q, s in a.items.items()}, points=2) for a in attempts
    ]
    assert cronbach_alpha(doubled) == pytest.approx(2 / 3)


def test_alpha_needs_the_same_questions_in_every_attempt_and_some_spread():
    assert cronbach_alpha([attempt(1, "a", {1: 1, 2: 0}), attempt(2, "b", {1: 1, 3: 0})]) is None
    assert cronbach_alpha([attempt(1, "a", {1: 1, 2: 0}), attempt(2, "b", {1: 1, 2: 0})]) is None  # no variance
    assert cronbach_alpha([attempt(1, "a", {1: 1})]) is None
    assert cronbach_alpha([attempt(1, "a", {1: 1}), attempt(2, "b", {1: 0})]) is None  # one question


def test_first_attempts_by_default_or_all():
    retake = attempt(5, "c", {1: 1, 2: 1, 3: 1}, order=2)
    early_retake_id = attempt(0, "d", {1: 1, 2: 1, 3: 1}, order=2)  # a lower id, but a later attempt
    everything = [*FOUR, retake, early_retake_id]
    assert [a.attempt_id for a in select_attempts(everything)] == [1, 2, 3, 4]
    assert quiz_stats(everything).attempts == 4
    all_stats = quiz_stats(everything, which=Which.ALL)
    assert all_stats.attempts == 6
    # q1 over all six: 1 1 1 0 1 1.
    assert all_stats.items[0].facility == pytest.approx(5 / 6)


def test_undefined_values_stay_undefined():
    stats = quiz_stats([])
    assert stats.attempts == 0 and stats.mean is None and stats.median is None and stats.sd is None
    assert stats.alpha is None and stats.items == () and sum(b.count for b in stats.histogram) == 0
    one = quiz_stats([attempt(1, "a", {1: 1, 2: 0})], question_ids=[1, 2, 9])
    q1, _q2, unseen = one.items
    assert q1.facility == 1.0 and q1.sd is None and q1.discrimination is None and q1.upper_lower is None
    assert unseen == ItemStats(9, 0, None, None, None, None)
    # Everybody right: the question does not vary, so nothing correlates with it.
    same = quiz_stats([attempt(1, "a", {1: 1, 2: 1}), attempt(2, "b", {1: 1, 2: 0})])
    assert same.items[0].discrimination is None and same.items[0].sd == 0.0


def test_partial_credit_counts_as_a_fraction_of_the_points():
    attempts = [
        AttemptScores(1, "a", 1, {1: ItemScore(1, 2), 2: ItemScore(3, 3)}),
        AttemptScores(2, "b", 1, {1: ItemScore(2, 2), 2: ItemScore(0, 3)}),
    ]
    stats = quiz_stats(attempts)
    assert stats.items[0].facility == pytest.approx(0.75)
    assert [a.percent for a in stats.counted] == pytest.approx([80.0, 40.0])


def test_flags():
    assert ItemStats(1, 10, 0.95, 0.1, 0.5, 0.2).flags == ("too easy",)
    assert ItemStats(1, 10, 0.05, 0.1, 0.1, 0.0).flags == ("too hard", "low discrimination")
    assert ItemStats(1, 10, 0.5, 0.5, 0.2, 0.4).flags == ()
    assert ItemStats(1, 0, None, None, None, None).flags == ()


def test_helpers():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1], [1, 2]) is None
    with pytest.raises(ValueError):
        pearson([1], [1, 2])
    # Ten attempts: g = round(2.7) = 3. Totals 0..90 %; the question is right in the top three only.
    pairs = [(10.0 * i, i, 1.0 if i >= 7 else 0.0) for i in range(10)]
    assert upper_lower_index(pairs) == pytest.approx(1.0)
    assert upper_lower_index([(50.0, 1, 1.0)]) is None
    assert [b.count for b in histogram([0, 9.99, 10, 100, 55], bins=5)] == [3, 0, 1, 0, 1]
    with pytest.raises(ValueError):
        histogram([], bins=0)
