"""The planner's inputs: levels, a learner's gap, the offers (micro-credentials) and the constraints.

Plain frozen dataclasses, checked on construction so the solvers can trust them. Prices are
``Decimal`` in one currency (the caller converts); hours are floats; dates are ``datetime.date``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .errors import InvalidInput


class Level(enum.IntEnum):
    """A skill level, in the order a learner climbs it: nobody skips one (unless an offer's entry says so)."""

    NONE = 0
    BEGINNER = 1
    INTERMEDIATE = 2
    EXPERT = 3


class Form(enum.StrEnum):
    ONLINE = "online"
    BLENDED = "blended"
    ONSITE = "onsite"


class Objective(enum.StrEnum):
    LEAST_WORKLOAD = "least_workload"
    LEAST_COST = "least_cost"
    MOST_COVERAGE = "most_coverage"  # demand-weighted share of the gap closed within budget and deadline


def _level(value: int, what: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise InvalidInput(f"{what}: level {value} is not one of 0 (none) to 3 (expert)") from None


@dataclass(frozen=True)
class SkillRequirement:
    """What a goal asks of one skill, and how much it matters (``importance`` × ``demand`` weighs it)."""

    skill: str
    level: Level
    importance: float = 1.0
    demand: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", _level(self.level, f"requirement {self.skill}"))
        if self.level == Level.NONE:
            raise InvalidInput(f"requirement {self.skill}: a required level is at least beginner")
        if self.importance < 0 or self.demand < 0:
            raise InvalidInput(f"requirement {self.skill}: importance and demand are not negative")

    @property
    def weight(self) -> float:
        return self.importance * self.demand


@dataclass(frozen=True)
class Step:
    """One level of one skill to climb: ``level`` is the level reached by the step."""

    skill: str
    level: Level


@dataclass(frozen=True)
class Gap:
    """A goal's requirements beside the levels the learner holds (verified ones, as the caller decides)."""

    requirements: tuple[SkillRequirement, ...]
    held: Mapping[str, Level] = field(default_factory=dict)

    def __post_init__(self) -> None:
        skills = [requirement.skill for requirement in self.requirements]
        if len(set(skills)) != len(skills):
            raise InvalidInput("a gap names each skill once")
        object.__setattr__(self, "held", {s: _level(v, f"held {s}") for s, v in self.held.items() if v})

    def held_level(self, skill: str) -> Level:
        return self.held.get(skill, Level.NONE)

    @property
    def open(self) -> tuple[SkillRequirement, ...]:
        """The requirements the learner does not meet yet."""
        return tuple(r for r in self.requirements if self.held_level(r.skill) < r.level)

    def steps(self) -> tuple[Step, ...]:
        """Every level step between held and required, e.g. beginner → expert is two steps."""
        return tuple(
            Step(r.skill, Level(k)) for r in self.open for k in range(self.held_level(r.skill) + 1, r.level + 1)
        )

    def step_weight(self, step: Step) -> float:
        """A skill's weight shared equally between its open steps (coverage counts climbed steps)."""
        requirement = next(r for r in self.requirements if r.skill == step.skill)
        return requirement.weight / (requirement.level - self.held_level(step.skill))


def gap_between(required: Mapping[str, SkillRequirement], held: Mapping[str, Level]) -> Gap:
    """The gap analysis: what the goal needs beside what the learner has (met requirements stay, closed)."""
    return Gap(requirements=tuple(required.values()), held=dict(held))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: an id names one offer
class Offer:
    """A micro-credential on offer.

    ``teaches`` maps a skill to the level the offer brings a learner to. ``entry`` maps a skill to the
    level the learner must hold before starting: for a taught skill it defaults to one level below
    (an expert course needs intermediate), and it may name skills the offer does not teach
    (a prerequisite skill). ``prerequisites`` are offers to complete first. No ``start_dates``
    means it starts any time (self-paced).
    """

    id: str
    title: str
    provider: str
    teaches: Mapping[str, Level]
    workload_hours: float
    duration_weeks: int
    price: Decimal
    languages: frozenset[str]
    form: Form = Form.ONLINE
    accredited: bool = False
    entry: Mapping[str, Level] = field(default_factory=dict)
    prerequisites: tuple[str, ...] = ()
    start_dates: tuple[date, ...] = ()
    programmes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.teaches:
            raise InvalidInput(f"offer {self.id}: it teaches at least one skill")
        teaches = {s: _level(v, f"offer {self.id} teaches {s}") for s, v in self.teaches.items()}
        if any(v == Level.NONE for v in teaches.values()):
            raise InvalidInput(f"offer {self.id}: a taught skill reaches at least beginner")
        entry = {s: _level(v, f"offer {self.id} entry {s}") for s, v in self.entry.items()}
        for skill, level in teaches.items():
            entry.setdefault(skill, Level(level - 1))
            if entry[skill] >= level:
                raise InvalidInput(f"offer {self.id}: entry level of {skill} is below the level it teaches")
        if self.workload_hours <= 0 or self.duration_weeks < 1 or self.price < 0:
            raise InvalidInput(f"offer {self.id}: workload and duration are positive, price not negative")
        if self.id in self.prerequisites:
            raise InvalidInput(f"offer {self.id}: an offer is not its own prerequisite")
        object.__setattr__(self, "teaches", teaches)
        object.__setattr__(self, "entry", {s: v for s, v in entry.items() if v})
        object.__setattr__(self, "start_dates", tuple(sorted(self.start_dates)))

    def level_of(self, skill: str) -> Level:
        return self.teaches.get(skill, Level.NONE)

    def entry_of(self, skill: str) -> Level:
        return self.entry.get(skill, Level.NONE)

    def crosses(self, step: Step) -> bool:
        """Whether taking the offer lifts a learner across this step (from below it to at least it)."""
        return self.entry_of(step.skill) < step.level <= self.level_of(step.skill)

    @property
    def weekly_hours(self) -> float:
        """The pace the provider designed: its workload spread over its duration."""
        return self.workload_hours / self.duration_weeks


@dataclass(frozen=True)
class Programme:
    """Offers that stack into a bigger credential when all are earned."""

    id: str
    title: str
    offer_ids: tuple[str, ...]


@dataclass(frozen=True)
class Constraints:
    """The learner's constraints. Empty sets mean "any"; preferred providers earn a bonus, never filter."""

    hours_per_week: float = 5.0
    budget: Decimal | None = None
    deadline: date | None = None
    languages: frozenset[str] = frozenset()
    forms: frozenset[Form] = frozenset()
    accredited_only: bool = False
    preferred_providers: frozenset[str] = frozenset()
    max_items: int | None = None
    completed_offers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.hours_per_week <= 0:
            raise InvalidInput("hours per week are positive")
        if self.budget is not None and self.budget < 0:
            raise InvalidInput("a budget is not negative")
        if self.max_items is not None and self.max_items < 1:
            raise InvalidInput("at most one item or more")
