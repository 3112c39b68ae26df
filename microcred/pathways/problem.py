"""From a catalogue of offers to the small problem a solver sees, and the rules every plan obeys.

Pruning is what keeps planning fast at catalogue scale (50,000 offers): only offers that lift a
needed skill across a needed step are looked at, then the offers those need (their entry skills,
their prerequisites), to a fixpoint. Offers the learner's constraints rule out are set aside with
the reason, for the explanations; offers whose entry can never be met are dropped; goal steps no
remaining offer can reach are reported as uncoverable, each with why.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from .errors import InvalidInput
from .model import Constraints, Gap, Level, Objective, Offer, Programme, Step

#: A preferred provider's offer counts this much cheaper in the objective (a bonus, never a filter).
PREFERRED_PROVIDER_BONUS: Final = 0.05
#: Completing a whole stackable programme takes this share of its offers' cost off the objective.
PROGRAMME_BONUS: Final = 0.05
#: Ties on the objective go to the plan with less of the other resource (price for workload, and back).
TIE_BREAK_PER_HOUR: Final = 1e-4
TIE_BREAK_PER_PRICE_UNIT: Final = 1e-5


class Exclusion(enum.StrEnum):
    """Why the learner's constraints rule an offer out."""

    LANGUAGE = "language"
    FORM = "form"
    NOT_ACCREDITED = "not_accredited"
    OVER_BUDGET = "over_budget"
    TOO_MUCH_WORK = "too_much_work"
    TOO_LATE = "too_late"
    PACE = "pace"
    PREREQUISITE = "prerequisite"
    UNREACHABLE = "unreachable"


EXCLUSION_TEXT: Final[Mapping[Exclusion, str]] = {
    Exclusion.LANGUAGE: "not in your languages",
    Exclusion.FORM: "not in a form of participation you chose",
    Exclusion.NOT_ACCREDITED: "not from an accredited provider",
    Exclusion.OVER_BUDGET: "over your budget on its own",
    Exclusion.TOO_MUCH_WORK: "more work than your hours allow before your deadline",
    Exclusion.TOO_LATE: "no start date lets you finish it by your deadline",
    Exclusion.PACE: "its fixed schedule needs more hours a week than you have",
    Exclusion.PREREQUISITE: "it requires an offer you cannot take",
    Exclusion.UNREACHABLE: "its entry level cannot be reached with the offers you can take",
}


class OfferIndex:
    """A catalogue indexed by taught skill: built once, shared by every planning call."""

    def __init__(self, offers: Iterable[Offer], programmes: Iterable[Programme] = ()) -> None:
        self.offers: dict[str, Offer] = {}
        self.by_skill: dict[str, list[Offer]] = {}
        for offer in offers:
            self.offers[offer.id] = offer
            for skill in offer.teaches:
                self.by_skill.setdefault(skill, []).append(offer)
        self.programmes: dict[str, Programme] = {p.id: p for p in programmes}
        # Membership is said twice (the offer's ``programmes``, the programme's ``offer_ids``): both must agree.
        for programme in self.programmes.values():
            for offer_id in programme.offer_ids:
                member = self.offers.get(offer_id)
                if member is None or programme.id not in member.programmes:
                    raise InvalidInput(f"programme {programme.id} lists {offer_id}, which does not name it")
        for offer in self.offers.values():
            for programme_id in offer.programmes:
                if programme_id in self.programmes and offer.id not in self.programmes[programme_id].offer_ids:
                    raise InvalidInput(f"offer {offer.id} names programme {programme_id}, which does not list it")

    def teaching(self, skill: str) -> Sequence[Offer]:
        return self.by_skill.get(skill, ())


def capacity_hours(constraints: Constraints, today: date) -> float | None:
    """The study hours the learner has between ``today`` and the deadline (None: no deadline)."""
    if constraints.deadline is None:
        return None
    return constraints.hours_per_week * max(0, (constraints.deadline - today).days + 1) / 7


def upcoming_start(offer: Offer, today: date, deadline: date | None) -> date | None:
    """The first date the offer can start (today when self-paced) that still ends by the deadline."""
    if not offer.start_dates:
        return today
    for start in offer.start_dates:
        if start >= today and (deadline is None or start + timedelta(weeks=offer.duration_weeks) <= deadline):
            return start
    return None


def exclusion_of(offer: Offer, constraints: Constraints, today: date) -> Exclusion | None:
    """Why the constraints rule the offer out on its own (prerequisites are checked by the caller)."""
    if constraints.languages and not (offer.languages & constraints.languages):
        return Exclusion.LANGUAGE
    if constraints.forms and offer.form not in constraints.forms:
        return Exclusion.FORM
    if constraints.accredited_only and not offer.accredited:
        return Exclusion.NOT_ACCREDITED
    if constraints.budget is not None and offer.price > constraints.budget:
        return Exclusion.OVER_BUDGET
    if offer.start_dates and offer.weekly_hours > constraints.hours_per_week:
        return Exclusion.PACE
    if upcoming_start(offer, today, constraints.deadline) is None:
        return Exclusion.TOO_LATE
    capacity = capacity_hours(constraints, today)
    if capacity is not None and offer.workload_hours > capacity:
        return Exclusion.TOO_MUCH_WORK
    return None


@dataclass(frozen=True)
class Uncoverable:
    """A goal step no plan can close, and why, in words and as counts of the reasons."""

    step: Step
    reason: str
    offers_considered: int
    reasons: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Problem:
    """The pruned instance: candidate offers, the goal steps they can close, and effective costs."""

    gap: Gap
    constraints: Constraints
    objective: Objective
    today: date
    candidates: list[Offer]
    steps: list[Step]
    uncoverable: list[Uncoverable]
    costs: dict[str, float]
    programmes: list[Programme]
    capacity: float | None
    excluded: dict[str, Exclusion]
    index: OfferIndex
    rank: dict[str, int]  # the order in which offers were found reachable: suppliers come earlier

    @property
    def completed(self) -> frozenset[str]:
        return self.constraints.completed_offers

    def programme_bonus(self, programme: Programme) -> float:
        return PROGRAMME_BONUS * sum(self.costs[offer_id] for offer_id in programme.offer_ids)

    def objective_value(self, chosen: Iterable[str]) -> float:
        """The objective a cost-minimising solver sees: effective costs minus completed programmes' bonuses."""
        chosen = set(chosen)
        value = sum(self.costs[offer_id] for offer_id in chosen)
        return value - sum(self.programme_bonus(p) for p in self.programmes if chosen.issuperset(p.offer_ids))

    def coverage(self, levels: Mapping[str, int]) -> float:
        """The demand-weighted share of the gap's steps (closable or not) that these levels climb."""
        steps = self.gap.steps()
        total = sum(self.gap.step_weight(step) for step in steps)
        if total <= 0:
            return 1.0 if all(levels.get(s.skill, 0) >= s.level for s in steps) else 0.0
        return sum(self.gap.step_weight(s) for s in steps if levels.get(s.skill, 0) >= s.level) / total


def effective_cost(offer: Offer, objective: Objective, constraints: Constraints) -> float:
    price = float(offer.price)
    if objective == Objective.LEAST_WORKLOAD:
        cost = offer.workload_hours + TIE_BREAK_PER_PRICE_UNIT * price
    else:  # least cost, and the coverage objective's second stage (the cheapest plan of that coverage)
        cost = price + TIE_BREAK_PER_HOUR * offer.workload_hours
    if offer.provider in constraints.preferred_providers:
        cost *= 1 - PREFERRED_PROVIDER_BONUS
    return cost


def build_problem(
    gap: Gap, index: OfferIndex, constraints: Constraints, objective: Objective, *, today: date
) -> Problem:
    held = gap.held
    needed: dict[str, int] = {r.skill: r.level for r in gap.open}
    verdicts: dict[str, Exclusion | None] = {}
    candidates: dict[str, Offer] = {}

    def verdict(offer_id: str, seen: frozenset[str] = frozenset()) -> Exclusion | None:
        if offer_id in verdicts:
            return verdicts[offer_id]
        offer = index.offers.get(offer_id)
        reason = Exclusion.PREREQUISITE if offer is None else exclusion_of(offer, constraints, today)
        if reason is None and offer is not None:
            for prerequisite in offer.prerequisites:
                if prerequisite in constraints.completed_offers:
                    continue
                if prerequisite in seen or verdict(prerequisite, seen | {offer_id}) is not None:
                    reason = Exclusion.PREREQUISITE
                    break
        verdicts[offer_id] = reason
        return reason

    pending_skills = list(needed)
    pending_offers: list[Offer] = []

    def need(skill: str, level: int) -> None:
        if level > held.get(skill, 0) and level > needed.get(skill, 0):
            needed[skill] = level
            pending_skills.append(skill)

    while pending_skills or pending_offers:
        if pending_skills:
            skill = pending_skills.pop()
            target, floor = needed[skill], held.get(skill, 0)
            for offer in index.teaching(skill):
                # Useful only if it crosses a needed step: above what is held, up to what is needed.
                if max(floor, offer.entry_of(skill)) < min(offer.level_of(skill), target):
                    pending_offers.append(offer)
            continue
        offer = pending_offers.pop()
        if offer.id in candidates or offer.id in constraints.completed_offers or verdict(offer.id) is not None:
            continue
        candidates[offer.id] = offer
        for skill, level in offer.entry.items():
            need(skill, level)
        pending_offers.extend(index.offers[p] for p in offer.prerequisites if p not in constraints.completed_offers)

    reachable, reach = _reachable(candidates.values(), held, constraints.completed_offers)
    excluded: dict[str, Exclusion] = {k: v for k, v in verdicts.items() if v is not None}
    for offer_id in candidates.keys() - reachable.keys():
        excluded[offer_id] = Exclusion.UNREACHABLE
    costs = {offer_id: effective_cost(o, objective, constraints) for offer_id, o in reachable.items()}
    kept = _undominated(
        list(reachable.values()),
        costs,
        index,
        constraints.completed_offers,
        by_price=constraints.budget is not None,
        by_hours=constraints.deadline is not None,
    )
    if len(kept) < len(reachable):  # the ranks are found again, on the offers kept
        reachable, _ = _reachable(kept, held, constraints.completed_offers)
    steps, uncoverable = [], []
    for step in gap.steps():
        if reach.get(step.skill, 0) >= step.level:
            steps.append(step)
        else:
            uncoverable.append(_why_uncoverable(step, index, excluded, constraints, today))
    ordered = sorted(reachable.values(), key=lambda o: o.id)
    return Problem(
        gap=gap,
        constraints=constraints,
        objective=objective,
        today=today,
        candidates=ordered,
        steps=steps,
        uncoverable=uncoverable,
        costs={o.id: costs[o.id] for o in ordered},
        programmes=[
            index.programmes[p]
            for p in sorted({p for o in ordered for p in o.programmes if p in index.programmes})
            if all(i in reachable for i in index.programmes[p].offer_ids)
        ],
        capacity=capacity_hours(constraints, today),
        excluded=excluded,
        index=index,
        rank={offer_id: n for n, offer_id in enumerate(reachable)},
    )


def _undominated(
    offers: list[Offer],
    costs: Mapping[str, float],
    index: OfferIndex,
    completed: AbstractSet[str],
    *,
    by_price: bool,
    by_hours: bool,
) -> list[Offer]:
    """The offers no other offer dominates.

    ``b`` dominates ``a`` when it lifts every skill ``a`` lifts at least as high from no higher an
    entry, asks for nothing more (entry levels, prerequisites), and costs no more in the objective,
    in price (under a budget) and in hours (under a deadline); ties go to the smaller id. Swapping
    ``a`` for ``b`` in any plan keeps it valid and no worse, so dropping ``a`` keeps the optimum.
    Prerequisites of other offers and programme members are kept: they count for more than their skills.
    """
    special = {p for o in offers for p in o.prerequisites} | {o.id for o in offers if o.programmes}
    by_skill: dict[str, list[Offer]] = {}
    for offer in offers:
        for skill in offer.teaches:
            by_skill.setdefault(skill, []).append(offer)

    def key(offer: Offer) -> tuple[float, Decimal, float, str]:
        return (costs[offer.id], offer.price, offer.workload_hours, offer.id)

    def dominates(b: Offer, a: Offer) -> bool:
        if key(b) >= key(a) or costs[b.id] > costs[a.id]:
            return False
        if (by_price and b.price > a.price) or (by_hours and b.workload_hours > a.workload_hours):
            return False
        if any(b.level_of(s) < level or b.entry_of(s) > a.entry_of(s) for s, level in a.teaches.items()):
            return False
        if any(level > a.entry_of(s) for s, level in b.entry.items()):
            return False
        return all(p in completed or p in a.prerequisites for p in b.prerequisites)

    kept = []
    for offer in offers:
        if offer.id in special:
            kept.append(offer)
            continue
        rivals = min((by_skill[s] for s in offer.teaches), key=len)
        if not any(dominates(rival, offer) for rival in rivals if rival is not offer):
            kept.append(offer)
    return kept


def _reachable(
    offers: Iterable[Offer], held: Mapping[str, Level], completed: frozenset[str]
) -> tuple[dict[str, Offer], dict[str, int]]:
    """The offers some valid order can take, and the highest level each skill can reach."""
    reach: dict[str, int] = dict(held)
    waiting = list(offers)
    reachable: dict[str, Offer] = {}
    progress = True
    while progress:
        progress = False
        still = []
        for offer in waiting:
            if all(reach.get(s, 0) >= e for s, e in offer.entry.items()) and all(
                p in completed or p in reachable for p in offer.prerequisites
            ):
                reachable[offer.id] = offer
                for skill, level in offer.teaches.items():
                    reach[skill] = max(reach.get(skill, 0), level)
                progress = True
            else:
                still.append(offer)
        waiting = still
    return reachable, reach


def _why_uncoverable(
    step: Step, index: OfferIndex, excluded: Mapping[str, Exclusion], constraints: Constraints, today: date
) -> Uncoverable:
    teaching = [o for o in index.teaching(step.skill) if o.level_of(step.skill) >= step.level]
    if not teaching:
        return Uncoverable(step, f"no offer teaches {step.skill} at level {step.level.name.lower()}", 0)
    reasons: Counter[str] = Counter()
    for offer in teaching:
        reason = excluded.get(offer.id) or exclusion_of(offer, constraints, today) or Exclusion.UNREACHABLE
        reasons[reason.value] += 1
    words = ", ".join(f"{count} {EXCLUSION_TEXT[Exclusion(reason)]}" for reason, count in reasons.most_common())
    text = f"{len(teaching)} offer(s) teach {step.skill} at level {step.level.name.lower()}, none fits: {words}"
    return Uncoverable(step, text, len(teaching), dict(reasons))


def order_offers(
    chosen: Iterable[Offer], held: Mapping[str, int], completed: AbstractSet[str], today: date
) -> tuple[list[Offer], list[Offer]]:
    """A valid order (entry levels met, prerequisites first), and the offers left stuck in a cycle.

    Among the offers ready at a point, the one that can start first goes first (fixed start dates),
    then the lower level, then the id: the order is deterministic.
    """
    levels: dict[str, int] = dict(held)
    remaining = list(chosen)
    done: set[str] = set(completed)
    ordered: list[Offer] = []
    while remaining:
        ready = [
            o
            for o in remaining
            if all(levels.get(s, 0) >= e for s, e in o.entry.items()) and all(p in done for p in o.prerequisites)
        ]
        if not ready:
            return ordered, remaining
        first = min(ready, key=lambda o: (upcoming_start(o, today, None) or date.max, max(o.teaches.values()), o.id))
        ordered.append(first)
        remaining.remove(first)
        done.add(first.id)
        for skill, level in first.teaches.items():
            levels[skill] = max(levels.get(skill, 0), level)
    return ordered, []


def levels_after(ordered: Sequence[Offer], held: Mapping[str, int]) -> dict[str, int]:
    levels = dict(held)
    for offer in ordered:
        for skill, level in offer.teaches.items():
            levels[skill] = max(levels.get(skill, 0), level)
    return levels


def closes(problem: Problem, chosen: Iterable[Offer]) -> bool:
    """Whether the offers form a valid plan (an order exists) that closes every closable step."""
    ordered, stuck = order_offers(chosen, problem.gap.held, problem.completed, problem.today)
    if stuck:
        return False
    levels = levels_after(ordered, problem.gap.held)
    return all(levels.get(step.skill, 0) >= step.level for step in problem.steps)
