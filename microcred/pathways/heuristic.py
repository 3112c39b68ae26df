"""The fast planner: a level- and prerequisite-aware greedy, then local improvement.

Greedy: at each round, every candidate that lifts an open goal step is priced as a *bundle*: the
offer plus the cheapest ladder of offers that brings each of its entry skills up to its entry level
(and its missing prerequisites). The bundle with the lowest cost per step closed (weighted steps
per share of the budget, hours and items for the coverage objective) is taken, in a valid order.
Local improvement: drop offers the plan no longer needs (dearest first); then, offer by offer,
take one out, repair greedily without it, and keep the result when it is cheaper; then try
completing a stackable programme the plan has started. Its quality is stated by the planner with
a bound (the LP relaxation's value), not assumed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .model import Objective, Offer, Step
from .problem import Problem, closes, levels_after, order_offers

_Bundle = tuple[float, dict[str, Offer]]


@dataclass
class _State:
    chosen: list[Offer]
    levels: dict[str, int]


class _Greedy:
    def __init__(self, problem: Problem, forbidden: frozenset[str] = frozenset()) -> None:
        self.problem = problem
        self.forbidden = forbidden
        # The offers crossing each (skill, level) step: the suppliers of an entry level.
        self.crossers: dict[tuple[str, int], list[Offer]] = {}
        for offer in problem.candidates:
            if offer.id not in forbidden:
                for skill, level in offer.teaches.items():
                    for k in range(offer.entry_of(skill) + 1, level + 1):
                        self.crossers.setdefault((skill, k), []).append(offer)

    def bundles(self, levels: Mapping[str, int], taken: set[str]) -> Callable[[Offer], _Bundle | None]:
        """The offer with what it needs first (suppliers of its entry levels, prerequisites), priced.

        A supplier is searched among offers found reachable before the offer (``problem.rank``),
        which keeps the search free of cycles and always finds one when no offer is forbidden.
        """
        memo: dict[str, _Bundle | None] = {}
        problem = self.problem

        def bundle(offer: Offer) -> _Bundle | None:
            if offer.id in memo:
                return memo[offer.id]
            memo[offer.id] = None
            parts: dict[str, Offer] = {}
            for prerequisite in offer.prerequisites:
                if prerequisite in taken or prerequisite in problem.completed:
                    continue
                if prerequisite in self.forbidden or prerequisite not in problem.costs:
                    return None
                inner = bundle(problem.index.offers[prerequisite])
                if inner is None:
                    return None
                parts.update(inner[1])
            rank = problem.rank[offer.id]
            for skill, entry in offer.entry.items():
                if levels.get(skill, 0) >= entry:
                    continue
                best: _Bundle | None = None
                for supplier in self.crossers.get((skill, entry), ()):
                    if problem.rank[supplier.id] < rank:
                        inner = bundle(supplier)
                        if inner is not None and (best is None or inner[0] < best[0]):
                            best = inner
                if best is None:
                    return None
                parts.update(best[1])
            parts[offer.id] = offer
            priced = (sum(problem.costs[i] for i in parts), parts)
            memo[offer.id] = priced
            return priced

        return bundle

    def run(self, state: _State, open_steps: list[Step], weights: Mapping[Step, float], budget: _Budget | None) -> None:
        """Add bundles to ``state`` until no open step is left or nothing helps (within ``budget``).

        A bundle is built in a valid order (prerequisites, then ladders, then the offer), so its gain
        is read by lifting the levels part by part, with no search for an order.
        """
        crossing = {
            offer.id: [s for s in open_steps if offer.crosses(s)]
            for offer in self.problem.candidates
            if offer.id not in self.forbidden
        }
        while open_steps:
            taken = {o.id for o in state.chosen}
            bundle = self.bundles(state.levels, taken)
            best: tuple[float, float, list[Offer]] | None = None
            for offer in self.problem.candidates:
                crossed = crossing.get(offer.id)
                if not crossed or offer.id in taken:
                    continue
                if all(state.levels.get(s.skill, 0) >= s.level for s in crossed):
                    continue
                priced = bundle(offer)
                if priced is None:
                    continue
                cost, parts = priced[0], list(priced[1].values())
                lifted: dict[str, int] = {}
                for part in parts:
                    for skill, level in part.teaches.items():
                        if level > lifted.get(skill, state.levels.get(skill, 0)):
                            lifted[skill] = level
                gain = sum(weights[s] for s in open_steps if lifted.get(s.skill, 0) >= s.level)
                if gain <= 0:
                    continue
                spend = cost if budget is None else budget.share(parts)
                if spend is None:
                    continue
                ratio = spend / gain
                if best is None or (ratio, cost) < (best[0], best[1]):
                    best = (ratio, cost, parts)
            if best is None:
                return
            for offer in best[2]:
                state.chosen.append(offer)
                for skill, level in offer.teaches.items():
                    state.levels[skill] = max(state.levels.get(skill, 0), level)
                if budget is not None:
                    budget.take(offer)
            open_steps[:] = [s for s in open_steps if state.levels.get(s.skill, 0) < s.level]


class _Budget:
    """What is left of the budget, the hours before the deadline and the item count (coverage objective)."""

    def __init__(self, problem: Problem) -> None:
        constraints = problem.constraints
        self.money = float(constraints.budget) if constraints.budget is not None else None
        self.hours = problem.capacity
        self.items = constraints.max_items
        self.initial = (self.money, self.hours, self.items)

    def share(self, parts: list[Offer]) -> float | None:
        money = sum(float(o.price) for o in parts)
        hours = sum(o.workload_hours for o in parts)
        if (
            (self.money is not None and money > self.money + 1e-9)
            or (self.hours is not None and hours > self.hours + 1e-9)
            or (self.items is not None and len(parts) > self.items)
        ):
            return None
        share = 1e-6 * money  # without any limit, coverage per unit of price
        initial_money, initial_hours, initial_items = self.initial
        if initial_money:
            share += money / initial_money
        if initial_hours:
            share += hours / initial_hours
        if initial_items:
            share += len(parts) / initial_items
        return share + 1e-9

    def take(self, offer: Offer) -> None:
        if self.money is not None:
            self.money -= float(offer.price)
        if self.hours is not None:
            self.hours -= offer.workload_hours
        if self.items is not None:
            self.items -= 1


def _prune(problem: Problem, chosen: list[Offer], keeps: Callable[[list[Offer]], bool]) -> list[Offer]:
    """Drop offers (dearest first) whose removal still ``keeps`` the plan good."""
    for offer in sorted(chosen, key=lambda o: -problem.costs[o.id]):
        trial = [o for o in chosen if o is not offer]
        if keeps(trial):
            chosen = trial
    return chosen


def solve_heuristic(problem: Problem, *, time_budget: float = 0.2) -> tuple[str, ...]:
    """The heuristic plan's offer ids (it closes every closable step, or maximises coverage)."""
    started = time.perf_counter()
    if problem.objective == Objective.MOST_COVERAGE:
        return _coverage(problem)
    weights = dict.fromkeys(problem.steps, 1.0)

    def complete(forbidden: frozenset[str], start: list[Offer]) -> list[Offer] | None:
        greedy = _Greedy(problem, forbidden)
        ordered, _ = order_offers(start, problem.gap.held, problem.completed, problem.today)
        state = _State(list(ordered), dict(levels_after(ordered, problem.gap.held)))
        open_steps = [s for s in problem.steps if state.levels.get(s.skill, 0) < s.level]
        greedy.run(state, open_steps, weights, None)
        if open_steps:
            return None
        return _prune(problem, state.chosen, lambda trial: closes(problem, trial))

    best = complete(frozenset(), [])
    if best is None:  # cross-skill chains the ladders do not see: every candidate, then prune
        best = _prune(problem, list(problem.candidates), lambda trial: closes(problem, trial))
    best_value = problem.objective_value(o.id for o in best)
    improved = True
    while improved and time.perf_counter() - started < time_budget:
        improved = False
        for offer in sorted(best, key=lambda o: -problem.costs[o.id]):
            kept = [o for o in best if o is not offer]
            ordered, _ = order_offers(kept, problem.gap.held, problem.completed, problem.today)
            trial = complete(frozenset({offer.id}), ordered)
            if trial is not None and problem.objective_value(o.id for o in trial) < best_value - 1e-9:
                best, best_value, improved = trial, problem.objective_value(o.id for o in trial), True
                break
    best = _complete_programmes(problem, best)
    return tuple(sorted(o.id for o in best))


def _complete_programmes(problem: Problem, chosen: list[Offer]) -> list[Offer]:
    """Add a started programme's missing offers when its bonus outweighs their cost."""
    for programme in problem.programmes:
        ids = {o.id for o in chosen}
        if not ids & set(programme.offer_ids) or ids.issuperset(programme.offer_ids):
            continue
        trial = chosen + [problem.index.offers[i] for i in programme.offer_ids if i not in ids]
        if _fits(problem, trial) and problem.objective_value(o.id for o in trial) < problem.objective_value(ids):
            _, stuck = order_offers(trial, problem.gap.held, problem.completed, problem.today)
            if not stuck:
                chosen = trial
    return chosen


def _fits(problem: Problem, chosen: Iterable[Offer]) -> bool:
    chosen = list(chosen)
    constraints = problem.constraints
    if constraints.budget is not None and sum(o.price for o in chosen) > constraints.budget:
        return False
    if problem.capacity is not None and sum(o.workload_hours for o in chosen) > problem.capacity + 1e-9:
        return False
    return constraints.max_items is None or len(chosen) <= constraints.max_items


def _coverage(problem: Problem) -> tuple[str, ...]:
    weights = {step: problem.gap.step_weight(step) for step in problem.steps}
    greedy = _Greedy(problem)
    state = _State([], dict(problem.gap.held))
    open_steps = list(problem.steps)
    greedy.run(state, open_steps, weights, _Budget(problem))

    def climbed(chosen: list[Offer]) -> float:
        ordered, stuck = order_offers(chosen, problem.gap.held, problem.completed, problem.today)
        if stuck:
            return -1.0
        levels = levels_after(ordered, problem.gap.held)
        return sum(w for s, w in weights.items() if levels.get(s.skill, 0) >= s.level)

    reached = climbed(state.chosen)
    chosen = _prune(problem, state.chosen, lambda trial: climbed(trial) >= reached - 1e-9)
    return tuple(sorted(o.id for o in chosen))
