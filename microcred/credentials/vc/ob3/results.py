"""The results a credential carries besides its final score (ADR 0029).

Each assessed part of a micro-credential (a quiz, a project graded with a rubric) is described
once on the Achievement: a ``Percent`` ``ResultDescription`` for its score and, for a rubric, one
``RubricCriterionLevel`` description per criterion listing the criterion's levels. A learner's
``PartOutcome`` becomes ``Result`` entries naming those descriptions (and the level achieved) by
id, and a project becomes an ``Evidence`` entry: its links and how it was reviewed, never the
reviewers' names or their feedback. An overall weighted score has a description of its own, with
the overall pass mark as its required value when there is one.

Plain values in, OB 3.0 dataclasses out: nothing here reads a database or the clock. Ids hang
under the achievement's id (``{achievement}/results/{key}/criteria/{n}/levels/{m}``), so one
version's descriptions keep their ids in every credential of that version.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .model import Evidence, Result, ResultDescription, RubricCriterionLevel

WEIGHTED_SCORE_KEY = "weighted-score"
# How peer reviews were combined, in words (projects' ``Aggregation`` values).
AGGREGATIONS = {"median": "their median", "trimmed_mean": "a trimmed mean", "mean": "their mean"}


@dataclass(frozen=True)
class RubricLevelSpec:
    name: str
    points: str
    descriptor: str = ""


@dataclass(frozen=True)
class RubricCriterionSpec:
    name: str
    levels: tuple[RubricLevelSpec, ...]  # from the lowest to the highest
    description: str = ""


@dataclass(frozen=True)
class AssessedPart:
    """An assessed part as the achievement describes it."""

    key: str  # unique in the achievement and safe in a URL path, e.g. "lesson-12"
    name: str
    genre: str  # "Quiz" or "Project"
    required_value: str | None = None  # the pass mark (or the part's minimum), in percent
    criteria: tuple[RubricCriterionSpec, ...] = ()

    def score_id(self, achievement_id: str) -> str:
        return f"{achievement_id}/results/{self.key}"

    def criterion_id(self, achievement_id: str, n: int) -> str:
        return f"{self.score_id(achievement_id)}/criteria/{n}"

    def level_id(self, achievement_id: str, n: int, m: int) -> str:
        return f"{self.criterion_id(achievement_id, n)}/levels/{m}"

    def descriptions(self, achievement_id: str) -> tuple[ResultDescription, ...]:
        score = ResultDescription(
            id=self.score_id(achievement_id),
            name=f"{self.name}: score",
            result_type="Percent",
            value_min="0",
            value_max="100",
            required_value=self.required_value,
        )
        criteria = tuple(
            ResultDescription(
                id=self.criterion_id(achievement_id, n),
                name=f"{self.name}: {criterion.name}",
                result_type="RubricCriterionLevel",
                rubric_criterion_levels=tuple(
                    RubricCriterionLevel(
                        id=self.level_id(achievement_id, n, m),
                        name=level.name,
                        description=level.descriptor.strip() or None,
                        level=f"{m} of {len(criterion.levels)}",
                        points=level.points,
                    )
                    for m, level in enumerate(criterion.levels, start=1)
                ),
            )
            for n, criterion in enumerate(self.criteria, start=1)
        )
        return (score, *criteria)


@dataclass(frozen=True)
class PartOutcome:
    """How one learner did on an assessed part, as their completion recorded it."""

    key: str
    score: str | None = None  # percent, as text ("85", "72.5")
    # (criterion name, level name); peers' combined grade names the points instead ("2.00").
    levels: tuple[tuple[str, str], ...] = ()
    links: tuple[str, ...] = ()
    graded_by: str | None = None  # "instructor", "peer", "mentor"
    reviews: int | None = None  # peer reviews that made the grade
    aggregation: str | None = None  # how they were combined


def weighted_score_description(achievement_id: str, *, required_value: str | None = None) -> ResultDescription:
    """``required_value``: the overall pass mark, when the completion rules set one (ADR 0033)."""
    return ResultDescription(
        id=f"{achievement_id}/results/{WEIGHTED_SCORE_KEY}",
        name="Overall weighted score",
        result_type="Percent",
        value_min="0",
        value_max="100",
        required_value=required_value,
    )


def weighted_score_result(achievement_id: str, value: str) -> Result:
    return Result(result_description=weighted_score_description(achievement_id).id, value=value, status="Completed")


def _level_number(criterion: RubricCriterionSpec, chosen: str | None) -> int | None:
    """The place of the level ``chosen`` names: by its name, else by its points (peers' median of
    2, 2 and 4 points is the level worth 2). None when no level matches (a mean between levels)."""
    if chosen is None:
        return None
    for m, level in enumerate(criterion.levels, start=1):
        if level.name == chosen:
            return m
    try:
        points = Decimal(chosen)
    except InvalidOperation:
        return None
    if not points.is_finite():
        return None
    return next((m for m, level in enumerate(criterion.levels, start=1) if Decimal(level.points) == points), None)


def part_results(part: AssessedPart, outcome: PartOutcome, *, achievement_id: str) -> tuple[Result, ...]:
    """The part's score and the level achieved on each rubric criterion; a level the rubric does
    not list (renamed since, or peers' mean between two levels) is left out rather than pointed at
    a description that does not list it."""
    results = []
    if outcome.score is not None:
        results.append(
            Result(result_description=part.score_id(achievement_id), value=outcome.score, status="Completed")
        )
    chosen = dict(outcome.levels)
    for n, criterion in enumerate(part.criteria, start=1):
        m = _level_number(criterion, chosen.get(criterion.name))
        if m is not None:
            results.append(
                Result(
                    result_description=part.criterion_id(achievement_id, n),
                    achieved_level=part.level_id(achievement_id, n, m),
                )
            )
    return tuple(results)


def _is_web_link(link: str) -> bool:
    return link.startswith(("https://", "http://")) and not any(c.isspace() for c in link)


def part_evidence(part: AssessedPart, outcome: PartOutcome) -> Evidence | None:
    """A project's evidence: its first web link as the id (what a verifier can follow), every link
    in the narrative, and how the work was assessed. A quiz has none of its own."""
    if part.genre != "Project":
        return None
    sentences = []
    if outcome.score is not None:
        mark = f" (pass mark {part.required_value} %)" if part.required_value is not None else ""
        sentences.append(f"Project graded {outcome.score} % against its rubric{mark}.")
    if outcome.graded_by == "peer":
        count = outcome.reviews or 0
        reviews = "1 peer review" if count == 1 else f"{count} peer reviews"
        combined = AGGREGATIONS.get(outcome.aggregation or "", "their aggregate")
        sentences.append(f"Peer reviewed: {reviews}, combined by {combined}.")
    elif outcome.graded_by == "mentor":
        sentences.append("Signed off by a workplace mentor.")
    elif outcome.graded_by == "instructor":
        sentences.append("Graded by the provider's graders.")
    links = [link for link in outcome.links if _is_web_link(link)]
    narrative = None
    if links:
        narrative = "Submitted work:\n" + "\n".join(f"- <{link}>" for link in links)
    return Evidence(
        id=links[0] if links else None,
        name=part.name,
        description=" ".join(sentences) or None,
        narrative=narrative,
        genre="Project",
    )
