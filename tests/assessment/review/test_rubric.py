"""Rubrics: well formed when built, and a marking scored per criterion, in total and in percent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microcred.assessment.review import Criterion, CriterionScore, Level, Rubric, RubricError, score_rubric
from microcred.assessment.review.rubric import rubric_from_points

LEVELS = (("Missing", 0), ("Partial", 1), ("Good", 2), ("Excellent", 3))


def essay_rubric() -> Rubric:
    return rubric_from_points(
        [
            ("Argument", LEVELS),
            ("Evidence", (("None", 0), ("Some", "2.5"), ("Strong", 5))),
            ("Style", (("Poor", 1), ("Clear", 2))),
        ]
    )


def test_scores_a_marking() -> None:
    score = score_rubric(essay_rubric(), {"Argument": "Good", "Evidence": "Some", "Style": "Clear"})

    assert score.criteria == (
        CriterionScore("Argument", "Good", Decimal(2)),
        CriterionScore("Evidence", "Some", Decimal("2.5")),
        CriterionScore("Style", "Clear", Decimal(2)),
    )
    assert score.total == Decimal("6.5")
    assert score.max_total == Decimal(10)
    assert score.percent == Decimal("65.00")
    assert score.points() == {"Argument": Decimal(2), "Evidence": Decimal("2.5"), "Style": Decimal(2)}


def test_percent_rounds_half_up_to_two_places() -> None:
    def percent(max_b: int) -> Decimal:
        rubric = rubric_from_points([("A", (("no", 0), ("yes", 1))), ("B", (("no", 0), ("yes", max_b)))])
        return score_rubric(rubric, {"A": "yes", "B": "no"}).percent

    assert percent(7) == Decimal("12.50")  # 1/8
    assert percent(2) == Decimal("33.33")  # 1/3
    assert percent(159) == Decimal("0.63")  # 0.625: half up, where half-even would give 0.62
    assert percent(1599) == Decimal("0.06")  # 0.0625


def test_rubric_totals() -> None:
    rubric = essay_rubric()

    assert (rubric.min_points, rubric.max_points) == (Decimal(1), Decimal(10))
    assert rubric.criterion("Evidence").range == Decimal(5)
    assert rubric.criterion("Style").level("Clear").points == Decimal(2)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ({"Argument": "Good", "Evidence": "Some"}, "no level chosen for 'Style'"),
        (
            {"Argument": "Good", "Evidence": "Some", "Style": "Clear", "Length": "x"},
            "the rubric has no criterion 'Length'",
        ),
        (
            {"Argument": "Superb", "Evidence": "Some", "Style": "Clear"},
            "criterion 'Argument' has no level 'Superb' (its levels: 'Missing', 'Partial', 'Good', 'Excellent')",
        ),
    ],
)
def test_a_marking_that_does_not_fit_is_refused(chosen: dict[str, str], message: str) -> None:
    with pytest.raises(RubricError) as raised:
        score_rubric(essay_rubric(), chosen)
    assert str(raised.value) == message


def level(name: str, points: int | str) -> Level:
    return Level(name, Decimal(points))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Rubric(()), "a rubric needs at least one criterion"),
        (lambda: Criterion("A", (level("x", 0),)), "criterion 'A' needs at least 2 levels, it has 1"),
        (
            lambda: Criterion("A", (level("x", 0), level("x", 1))),
            "criterion 'A' has levels with the same name: x",
        ),
        (
            lambda: Criterion("A", (level("hi", 2), level("lo", 1))),
            "criterion 'A': levels must go up in points, but 'lo' (1) follows 'hi' (2)",
        ),
        (
            lambda: Criterion("A", (level("a", 1), level("b", 1))),
            "criterion 'A': levels must go up in points, but 'b' (1) follows 'a' (1)",
        ),
        (lambda: Level("x", Decimal(-1)), "level 'x' has negative points (-1)"),
        (lambda: Level("x", Decimal("NaN")), "the points of level 'x' must be a finite number, not Decimal('NaN')"),
        (lambda: Level(" ", Decimal(1)), "a level needs a name, not ' '"),
        (lambda: Criterion("", (level("a", 0), level("b", 1))), "a criterion needs a name, not ''"),
        (
            lambda: Rubric((Criterion("A", (level("a", 0), level("b", 1))),) * 2),
            "the rubric has criteria with the same name: A",
        ),
    ],
)
def test_a_malformed_rubric_is_refused(build: object, message: str) -> None:
    with pytest.raises(RubricError) as raised:
        build()  # type: ignore[operator]
    assert str(raised.value) == message
    assert raised.value.code == "rubric_invalid"


def test_levels_take_plain_numbers_as_decimals() -> None:
    assert Level("a", 0.1).points == Decimal("0.1")  # type: ignore[arg-type]
    assert Level("a", "2.50").points == Decimal("2.50")  # type: ignore[arg-type]
