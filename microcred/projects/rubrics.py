"""A rubric as stored (plain JSON) and as graded (``assessment.review.rubric``, the Django-free core):
the one check the services, the workspace form, the API and the catalog importer share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from microcred.assessment.review.errors import ReviewError
from microcred.assessment.review.rubric import Criterion, Level, Rubric, to_decimal
from microcred.core.errors import ValidationFailed

CRITERION_KEYS = frozenset({"name", "description", "levels"})
LEVEL_KEYS = frozenset({"name", "points", "descriptor"})
MAX_CRITERIA = 30
MAX_LEVELS = 10


def rubric_from_spec(spec: Any) -> Rubric:
    """``{"criteria": [{"name", "description"?, "levels": [{"name", "points", "descriptor"?}]}]}``
    as a ``Rubric``, or ``ValidationFailed`` saying what is wrong (``errors["rubric"]``)."""

    def fail(message: str) -> ValidationFailed:
        return ValidationFailed(f"Rubric: {message}", errors={"rubric": [message]})

    if not isinstance(spec, dict) or not isinstance(spec.get("criteria"), list) or set(spec) - {"criteria"}:
        raise fail('expected an object with a "criteria" list.')
    criteria_specs = spec["criteria"]
    if len(criteria_specs) > MAX_CRITERIA:
        raise fail(f"at most {MAX_CRITERIA} criteria.")
    criteria = []
    for n, criterion in enumerate(criteria_specs, start=1):
        if not isinstance(criterion, dict) or set(criterion) - CRITERION_KEYS or "name" not in criterion:
            raise fail(f'criterion {n}: expected {{"name", "description", "levels"}}.')
        levels_specs = criterion.get("levels")
        if not isinstance(levels_specs, list) or len(levels_specs) > MAX_LEVELS:
            raise fail(f'criterion {n}: "levels" must be a list of at most {MAX_LEVELS} levels.')
        levels = []
        for m, level in enumerate(levels_specs, start=1):
            if not isinstance(level, dict) or set(level) - LEVEL_KEYS or not {"name", "points"} <= set(level):
                raise fail(f'criterion {n}, level {m}: expected {{"name", "points", "descriptor"}}.')
            if isinstance(level["points"], bool) or not isinstance(level["points"], int | float | str):
                raise fail(f"criterion {n}, level {m}: points must be a number.")
            try:
                points = to_decimal(level["points"], f"the points of level {m}")
                levels.append(Level(str(level["name"]).strip(), points, str(level.get("descriptor", ""))))
            except ReviewError as error:
                raise fail(str(error)) from None
        try:
            criteria.append(
                Criterion(str(criterion["name"]).strip(), tuple(levels), str(criterion.get("description", "")))
            )
        except ReviewError as error:
            raise fail(str(error)) from None
    try:
        rubric = Rubric(tuple(criteria))
    except ReviewError as error:
        raise fail(str(error)) from None
    if rubric.max_points <= 0:
        raise fail("the highest levels must be worth some points.")
    if rubric.max_points >= Decimal("1e6"):
        raise fail("the rubric is worth too many points (at most 999,999).")
    return rubric


def rubric_to_spec(rubric: Rubric) -> dict[str, Any]:
    """The stored form: points as numbers (whole points as ints), so the JSON reads as written."""

    def number(points: Decimal) -> int | float:
        return int(points) if points == points.to_integral_value() else float(points)

    return {
        "criteria": [
            {
                "name": criterion.name,
                "description": criterion.description,
                "levels": [
                    {"name": level.name, "points": number(level.points), "descriptor": level.descriptor}
                    for level in criterion.levels
                ],
            }
            for criterion in rubric.criteria
        ]
    }
