"""Rubrics: criteria, each with levels worth points, and the score of one set of chosen levels.

Points are ``Decimal``; a rubric is checked when it is built, so a ``Rubric`` in hand is always
well formed: at least one criterion, unique criterion names, and in each criterion at least two
levels with unique names, in strictly increasing order of points, none negative.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import RubricError, ScoreError

#: Percentages are given to two decimal places, rounded half away from zero (68.125 -> 68.13).
PERCENT_PLACES = Decimal("0.01")

Points = Decimal | int | str


def to_decimal(value: object, what: str) -> Decimal:
    """A finite ``Decimal`` from a ``Decimal``, ``int``, ``float`` (through its shortest repr) or text.

    Floats go through ``repr`` so that ``0.1`` is ``Decimal("0.1")``, not the binary
    ``0.1000000000000000055511151231257827``.
    """
    if isinstance(value, bool):
        raise ScoreError(f"{what} must be a number, not {value!r}")
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise ScoreError(f"{what} must be a number, not {value!r}")
    except ArithmeticError:
        raise ScoreError(f"{what} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ScoreError(f"{what} must be a finite number, not {value!r}")
    return number


@dataclass(frozen=True)
class Level:
    """One level of a criterion ("Proficient", 3 points) with what it looks like."""

    name: str
    points: Decimal
    descriptor: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise RubricError(f"a level needs a name, not {self.name!r}")
        try:
            points = to_decimal(self.points, f"the points of level {self.name!r}")
        except ScoreError as error:
            raise RubricError(str(error)) from None
        if points < 0:
            raise RubricError(f"level {self.name!r} has negative points ({points})")
        object.__setattr__(self, "points", points)


@dataclass(frozen=True)
class Criterion:
    """One thing judged, with its levels from the lowest to the highest."""

    name: str
    levels: tuple[Level, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise RubricError(f"a criterion needs a name, not {self.name!r}")
        levels = tuple(self.levels)
        object.__setattr__(self, "levels", levels)
        if len(levels) < 2:
            raise RubricError(f"criterion {self.name!r} needs at least 2 levels, it has {len(levels)}")
        names = [level.name for level in levels]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise RubricError(f"criterion {self.name!r} has levels with the same name: {', '.join(duplicates)}")
        for lower, higher in itertools.pairwise(levels):
            if higher.points <= lower.points:
                raise RubricError(
                    f"criterion {self.name!r}: levels must go up in points, but {higher.name!r} ({higher.points}) "
                    f"follows {lower.name!r} ({lower.points})"
                )

    @property
    def min_points(self) -> Decimal:
        return self.levels[0].points

    @property
    def max_points(self) -> Decimal:
        return self.levels[-1].points

    @property
    def range(self) -> Decimal:
        """Max minus min points: never 0, since levels strictly go up."""
        return self.max_points - self.min_points

    def level(self, name: str) -> Level:
        for level in self.levels:
            if level.name == name:
                return level
        known = ", ".join(repr(level.name) for level in self.levels)
        raise RubricError(f"criterion {self.name!r} has no level {name!r} (its levels: {known})")


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    name: str = ""

    def __post_init__(self) -> None:
        criteria = tuple(self.criteria)
        object.__setattr__(self, "criteria", criteria)
        if not criteria:
            raise RubricError("a rubric needs at least one criterion")
        names = [criterion.name for criterion in criteria]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise RubricError(f"the rubric has criteria with the same name: {', '.join(duplicates)}")

    @property
    def max_points(self) -> Decimal:
        return sum((criterion.max_points for criterion in self.criteria), Decimal(0))

    @property
    def min_points(self) -> Decimal:
        return sum((criterion.min_points for criterion in self.criteria), Decimal(0))

    def criterion(self, name: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.name == name:
                return criterion
        raise RubricError(f"the rubric has no criterion {name!r}")


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    level: str
    points: Decimal


@dataclass(frozen=True)
class RubricScore:
    """One reviewer's marking: the level and points per criterion (in the rubric's order), the total
    and the percent of the rubric's maximum."""

    criteria: tuple[CriterionScore, ...]
    total: Decimal
    max_total: Decimal
    percent: Decimal

    def points(self) -> dict[str, Decimal]:
        return {score.criterion: score.points for score in self.criteria}


def score_rubric(rubric: Rubric, chosen_levels: Mapping[str, str]) -> RubricScore:
    """Score one marking: ``chosen_levels`` maps every criterion name to the name of its chosen level.

    ``percent`` is ``total / max_total * 100``, to two places, rounded half up. (Moodle's rubric
    grading instead stretches ``min..max`` onto ``0..100``; we keep plain points-of-maximum, which
    is what a learner reading "12 of 16" expects.)
    """
    unknown = sorted(set(chosen_levels) - {criterion.name for criterion in rubric.criteria})
    if unknown:
        raise RubricError(f"the rubric has no criterion {', '.join(map(repr, unknown))}")
    missing = [criterion.name for criterion in rubric.criteria if criterion.name not in chosen_levels]
    if missing:
        raise RubricError(f"no level chosen for {', '.join(map(repr, missing))}")
    scores = tuple(
        CriterionScore(
            criterion.name, chosen_levels[criterion.name], criterion.level(chosen_levels[criterion.name]).points
        )
        for criterion in rubric.criteria
    )
    total = sum((score.points for score in scores), Decimal(0))
    return RubricScore(scores, total, rubric.max_points, percent_of(total, rubric.max_points))


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole * 100`` to two places, rounded half up."""
    return (part * 100 / whole).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def rubric_from_points(criteria: Sequence[tuple[str, Sequence[tuple[str, Points]]]]) -> Rubric:
    """A rubric from plain data: ``[("Clarity", [("Poor", 0), ("Good", 2)]), ...]``."""
    return Rubric(
        tuple(
            Criterion(name, tuple(Level(level, to_decimal(points, f"points of {level!r}")) for level, points in levels))
            for name, levels in criteria
        )
    )
