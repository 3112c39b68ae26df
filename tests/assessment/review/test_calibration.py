"""Reviewer quality: accuracy on calibration examples and agreement with peers, by the documented formula
``100 * (1 - mean(|points - reference| / criterion range)))``."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from microcred.assessment.review import ScoreError, calibration_accuracy, review_quality, score_rubric
from microcred.assessment.review.rubric import RubricScore, rubric_from_points

D = Decimal
RUBRIC = rubric_from_points(
    [
        ("Design", (("0", 0), ("1", 1), ("2", 2), ("3", 3))),  # range 3
        ("Tests", (("none", 0), ("some", 5), ("full", 10))),  # range 10
    ]
)


def mark(design: str, tests: str) -> RubricScore:
    return score_rubric(RUBRIC, {"Design": design, "Tests": tests})


def test_a_reviewer_who_matches_the_instructor_scores_100() -> None:
    references = {"ex1": mark("2", "some"), "ex2": mark("0", "full")}

    assert calibration_accuracy(RUBRIC, dict(references), references) == D("100.00")


def test_a_reviewer_at_the_opposite_ends_scores_0() -> None:
    references = {"ex1": mark("0", "none"), "ex2": mark("3", "full")}
    reviews = {"ex1": mark("3", "full"), "ex2": mark("0", "none")}

    assert calibration_accuracy(RUBRIC, reviews, references) == D("0.00")


def test_each_criterion_counts_relative_to_its_range() -> None:
    references = {"ex1": mark("2", "some"), "ex2": mark("1", "none")}
    # ex1: Design off by 1 of 3, Tests exact; ex2: Design exact, Tests off by 5 of 10.
    reviews = {"ex1": mark("3", "some"), "ex2": mark("1", "some")}

    # mean miss = (1/3 + 0 + 0 + 1/2) / 4 = 5/24; 100 * 19/24 = 79.1666...
    assert calibration_accuracy(RUBRIC, reviews, references) == D("79.17")


def test_examples_without_a_reference_are_refused_and_extra_references_ignored() -> None:
    references = {"ex1": mark("2", "some"), "ex2": mark("1", "none")}

    assert calibration_accuracy(RUBRIC, {"ex2": mark("1", "none")}, references) == D("100.00")
    with pytest.raises(ScoreError, match="no reference marking for calibration example 'ex3'"):
        calibration_accuracy(RUBRIC, {"ex3": mark("1", "none")}, references)
    with pytest.raises(ScoreError, match="nothing to compare"):
        calibration_accuracy(RUBRIC, {}, references)


def test_accuracy_matches_the_formula_on_random_markings() -> None:
    rng = random.Random(8)
    design, tests = RUBRIC.criteria
    for _ in range(200):
        examples = [f"ex{i}" for i in range(rng.randint(1, 6))]
        references = {e: mark(rng.choice(design.levels).name, rng.choice(tests.levels).name) for e in examples}
        reviews = {e: mark(rng.choice(design.levels).name, rng.choice(tests.levels).name) for e in examples}

        misses = [
            Fraction(abs(reviews[e].points()[c.name] - references[e].points()[c.name])) / Fraction(c.range)
            for e in examples
            for c in RUBRIC.criteria
        ]
        expected = 100 * (1 - sum(misses) / len(misses))
        accuracy = calibration_accuracy(RUBRIC, reviews, references)
        assert D(0) <= accuracy <= D(100)
        assert abs(Fraction(accuracy) - expected) <= Fraction(1, 200)


def test_review_quality_compares_with_the_other_reviewers() -> None:
    reviews = {
        "sub1": {"ann": mark("3", "full"), "bob": mark("1", "some"), "cy": mark("1", "some"), "di": mark("1", "some")},
        "sub2": {"ann": mark("2", "some"), "bob": mark("2", "some"), "cy": mark("2", "some")},
        "sub3": {"ann": mark("0", "none")},  # nobody else: not counted
        "sub4": {"bob": mark("3", "full"), "cy": mark("3", "full")},  # ann did not review it
    }

    # ann: sub1 vs the others' median (1, some): misses 2/3 and 5/10; sub2 exact. mean = (2/3 + 1/2) / 4 = 7/24.
    assert review_quality(RUBRIC, "ann", reviews) == D("70.83")
    # bob: sub1 vs median of ann, cy, di = (1, some): exact; sub2 exact; sub4 exact.
    assert review_quality(RUBRIC, "bob", reviews) == D("100.00")
    assert review_quality(RUBRIC, "nobody", reviews) is None
    assert review_quality(RUBRIC, "ann", {"sub3": reviews["sub3"]}) is None


def test_review_quality_can_include_the_reviewer_and_use_another_method() -> None:
    reviews = {"sub1": {"ann": mark("3", "full"), "bob": mark("0", "none")}}

    # Left out, ann is compared with bob alone: opposite ends.
    assert review_quality(RUBRIC, "ann", reviews, method="mean") == D("0.00")
    # Included, the mean is halfway: a miss of half the range on each criterion.
    assert review_quality(RUBRIC, "ann", reviews, method="mean", leave_out=False) == D("50.00")
