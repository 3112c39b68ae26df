"""The words of a plan: what each step closes, why it stands where it does, what was passed over."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .model import Gap, Level, Offer, Step
from .problem import EXCLUSION_TEXT, Problem, effective_cost, exclusion_of

SKIPPED_PER_STEP = 3


@dataclass(frozen=True)
class LevelChange:
    skill: str
    before: Level
    after: Level
    in_goal: bool  # False: climbed only because a later step needs it

    def __str__(self) -> str:
        return f"{self.skill}: {_name(self.before)} → {_name(self.after)}"


@dataclass(frozen=True)
class Skipped:
    offer_id: str
    title: str
    reason: str


def _name(level: int) -> str:
    return Level(level).name.lower()


def level_changes(ordered: Sequence[Offer], gap: Gap) -> list[tuple[LevelChange, ...]]:
    """For each offer in order, the skills it lifts from the level held at that point."""
    goal = {r.skill: r.level for r in gap.requirements}
    levels: dict[str, int] = dict(gap.held)
    changes = []
    for offer in ordered:
        lifted = []
        for skill, level in sorted(offer.teaches.items()):
            before = levels.get(skill, 0)
            if level > before:
                lifted.append(LevelChange(skill, Level(before), Level(level), skill in goal))
                levels[skill] = level
        changes.append(tuple(lifted))
    return changes


def dependencies(ordered: Sequence[Offer], gap: Gap, completed: frozenset[str]) -> list[tuple[list[str], list[str]]]:
    """For each offer: the earlier offers it waits for (ids), and the reasons in words."""
    raised_by: dict[tuple[str, int], int] = {}
    levels: dict[str, int] = dict(gap.held)
    position = {offer.id: n for n, offer in enumerate(ordered)}
    result = []
    for n, offer in enumerate(ordered):
        after: list[str] = []
        reasons: list[str] = []
        for skill, entry in sorted(offer.entry.items()):
            if gap.held_level(skill) >= entry:
                continue
            source = ordered[raised_by[(skill, entry)]]
            after.append(source.id)
            if skill in offer.teaches:
                reasons.append(
                    f"level order: {skill} at {_name(entry)} comes first (step {position[source.id] + 1}, "
                    f"{source.title}), then {_name(offer.teaches[skill])}"
                )
            else:
                reasons.append(
                    f"needs {skill} at {_name(entry)}, which step {position[source.id] + 1} ({source.title}) brings"
                )
        for prerequisite in offer.prerequisites:
            if prerequisite in completed:
                reasons.append(f"its prerequisite {prerequisite} is already completed")
            elif prerequisite in position:
                after.append(prerequisite)
                reasons.append(
                    f"requires {ordered[position[prerequisite]].title} (step {position[prerequisite] + 1}) first"
                )
        if not after:
            reasons.append("needs nothing you lack: it can start right away")
        result.append((sorted(set(after), key=position.__getitem__), reasons))
        for skill, level in offer.teaches.items():
            for k in range(levels.get(skill, 0) + 1, level + 1):
                raised_by[(skill, k)] = n
            levels[skill] = max(levels.get(skill, 0), level)
    return result


def skipped_alternatives(
    problem: Problem, offer: Offer, closed: Iterable[LevelChange], chosen: set[str]
) -> tuple[Skipped, ...]:
    """Offers that would close the same goal steps for less, and why the plan does without them."""
    steps = [Step(c.skill, Level(k)) for c in closed if c.in_goal for k in range(c.before + 1, c.after + 1)]
    own = problem.costs.get(offer.id, 0.0)
    found: dict[str, Skipped] = {}
    for step in steps:
        for other in problem.index.teaching(step.skill):
            if other.id in chosen or other.id in found or not other.crosses(step):
                continue
            cost = effective_cost(other, problem.objective, problem.constraints)
            if cost >= own:
                continue
            reason = problem.excluded.get(other.id) or exclusion_of(other, problem.constraints, problem.today)
            if reason is not None:
                text = f"cheaper, but {EXCLUSION_TEXT[reason]}"
            elif other.id in problem.costs:
                text = "cheaper on its own, but the plan as a whole does better without it"
            else:
                continue
            found[other.id] = Skipped(other.id, other.title, text)
            if len(found) >= SKIPPED_PER_STEP:
                return tuple(found.values())
    return tuple(found.values())


def offer_relevance(offer: Offer, gap: Gap) -> tuple[tuple[LevelChange, ...], str]:
    """What enrolling in ``offer`` does for the goal, and a kind word when it does nothing for it."""
    goal = {r.skill: r.level for r in gap.open}
    lifted = tuple(
        LevelChange(skill, gap.held_level(skill), Level(min(level, goal[skill])), True)
        for skill, level in sorted(offer.teaches.items())
        if skill in goal and gap.held_level(skill) < level and offer.entry_of(skill) < goal[skill]
    )
    if lifted:
        names = ", ".join(str(change) for change in lifted)
        return lifted, f"This closes {len(lifted)} of your {len(goal)} gaps ({names})."
    return lifted, (
        "This one does not move you towards your goal: it teaches nothing your goal still needs. "
        "It may still be worth it for its own sake, and your plan shows the steps that count."
    )


def text_of_levels(levels: Mapping[str, int]) -> str:
    return ", ".join(f"{skill} {_name(level)}" for skill, level in sorted(levels.items()))
