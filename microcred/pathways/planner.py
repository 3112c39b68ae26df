"""``plan_path``: from a gap, a catalogue and the learner's constraints to an explained, dated plan.

``method="exact"`` solves the MIP (``exact.py``) and states HiGHS' bound when the time limit
stops it; ``"heuristic"`` runs the greedy with local improvement (``heuristic.py``) and states the
LP relaxation's bound; ``"auto"`` (the default) solves exactly and, should the time limit stop the
solver, keeps the better of its incumbent and the heuristic's plan. When the whole gap cannot be
closed within the budget, the hours before the deadline or the item count, the plan says so and
maximises the demand-weighted coverage instead.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal

from . import calendar
from .explain import LevelChange, Skipped, dependencies, level_changes, skipped_alternatives
from .heuristic import solve_heuristic
from .model import Constraints, Gap, Objective, Offer
from .problem import OfferIndex, Problem, Uncoverable, build_problem, levels_after, order_offers

Method = Literal["auto", "exact", "heuristic"]
#: HiGHS' time limit for one plan; past it the plan says how close to optimal it is.
DEFAULT_TIME_LIMIT: Final = 1.0


@dataclass(frozen=True)
class PlanStep:
    position: int
    offer: Offer
    closes: tuple[LevelChange, ...]
    after: tuple[str, ...]
    why_here: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    start: date
    finish: date

    @property
    def price(self) -> Decimal:
        return self.offer.price

    @property
    def hours(self) -> float:
        return self.offer.workload_hours


@dataclass(frozen=True)
class ProgrammeNote:
    programme_id: str
    title: str
    in_plan: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing

    def __str__(self) -> str:
        if self.complete:
            return f"completes the stackable programme {self.title}: its credentials stack into the bigger one"
        return f"takes {len(self.in_plan)} of {len(self.in_plan) + len(self.missing)} offers of {self.title}"


@dataclass(frozen=True)
class Plan:
    objective: Objective
    method: str
    steps: tuple[PlanStep, ...]
    objective_value: float
    bound: float
    coverage: float
    closes_gap: bool
    uncoverable: tuple[Uncoverable, ...]
    programmes: tuple[ProgrammeNote, ...]
    schedule: calendar.Schedule
    meets_deadline: bool
    notes: tuple[str, ...]
    seconds: float

    @property
    def total_price(self) -> Decimal:
        return sum((step.price for step in self.steps), Decimal(0))

    @property
    def total_hours(self) -> float:
        return sum(step.hours for step in self.steps)

    @property
    def optimality_gap(self) -> float:
        """How far from optimal the plan may be, as a fraction (0 when proven optimal)."""
        if self.objective == Objective.MOST_COVERAGE:
            # objective_value and bound are demand-weighted steps climbed (the bound: at most this many)
            return max(0.0, self.bound - self.objective_value) / self.bound if self.bound > 0 else 0.0
        if self.objective_value <= 1e-9:
            return 0.0
        return max(0.0, self.objective_value - self.bound) / self.objective_value

    @property
    def quality(self) -> str:
        gap = self.optimality_gap
        return "optimal" if gap < 1e-6 else f"within {100 * gap:.1f}% of optimal"

    def ics(self, *, now: datetime) -> str:
        return calendar.to_ics(self.schedule.sessions, now=now)


def plan_path(
    gap: Gap,
    index: OfferIndex,
    constraints: Constraints,
    objective: Objective = Objective.LEAST_COST,
    *,
    today: date,
    method: Method = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Plan:
    started = time.perf_counter()
    problem = build_problem(gap, index, constraints, objective, today=today)
    notes: list[str] = []
    chosen, value, bound, method_used = _solve(problem, method, time_limit)
    if chosen is None:  # the whole gap does not fit the budget, the hours or the item count
        problem = build_problem(gap, index, constraints, Objective.MOST_COVERAGE, today=today)
        notes.append(
            "The whole gap cannot be closed within your budget, hours before the deadline or number of items: "
            "this plan closes as much of it as fits, weighted by what the market asks for."
        )
        chosen, value, bound, method_used = _solve(problem, method, time_limit)
    return _assemble(problem, chosen or (), value, bound, method_used, notes, started)


def _solve(problem: Problem, method: Method, time_limit: float) -> tuple[tuple[str, ...] | None, float, float, str]:
    # HiGHS and numpy (~26 MB) load with the first plan, not with the package: careers' event
    # subscribers import it into every process, a cohort's writer and its forked signers included.
    from .exact import relaxation_bound, solve_exact

    coverage = problem.objective == Objective.MOST_COVERAGE
    if method in ("auto", "exact"):
        solution = solve_exact(problem, time_limit=time_limit)
        if solution is None:
            return None, 0.0, 0.0, "exact"
        value = solution.coverage_value if coverage and solution.coverage_value is not None else solution.value
        bound = solution.bound
        found = math.isfinite(solution.value)
        if solution.optimal or (method == "exact" and found):
            return solution.chosen, value, bound, "exact"
        # The time limit stopped HiGHS: keep the better of its incumbent (if any) and the heuristic's plan.
        fallback = solve_heuristic(problem, time_budget=time_limit)
        if _fits(problem, fallback):
            other = _climbed(problem, fallback) if coverage else problem.objective_value(fallback)
            if not found or ((other > value + 1e-9) if coverage else (other < value - 1e-9)):
                bound = bound if math.isfinite(bound) else relaxation_bound(problem)
                return fallback, other, bound, "heuristic"
        if not found:
            return None, 0.0, 0.0, "exact"
        return solution.chosen, value, bound, "exact"
    chosen = solve_heuristic(problem, time_budget=time_limit)
    if coverage:
        return chosen, _climbed(problem, chosen), relaxation_bound(problem), "heuristic"
    if not _fits(problem, chosen):
        return None, 0.0, 0.0, "heuristic"
    return chosen, problem.objective_value(chosen), relaxation_bound(problem), "heuristic"


def _climbed(problem: Problem, chosen: Iterable[str]) -> float:
    ordered, _ = order_offers(
        [problem.index.offers[i] for i in chosen], problem.gap.held, problem.completed, problem.today
    )
    levels = levels_after(ordered, problem.gap.held)
    return sum(problem.gap.step_weight(s) for s in problem.steps if levels.get(s.skill, 0) >= s.level)


def _fits(problem: Problem, chosen: Iterable[str]) -> bool:
    offers = [problem.index.offers[i] for i in chosen]
    constraints = problem.constraints
    if constraints.budget is not None and sum(o.price for o in offers) > constraints.budget:
        return False
    if problem.capacity is not None and sum(o.workload_hours for o in offers) > problem.capacity + 1e-9:
        return False
    return constraints.max_items is None or len(offers) <= constraints.max_items


def _assemble(
    problem: Problem,
    chosen: Iterable[str],
    value: float,
    bound: float,
    method: str,
    notes: list[str],
    started: float,
) -> Plan:
    gap, constraints = problem.gap, problem.constraints
    offers = [problem.index.offers[i] for i in chosen]
    ordered, stuck = order_offers(offers, gap.held, problem.completed, problem.today)
    assert not stuck, "the solvers return orderable plans"
    changes = level_changes(ordered, gap)
    waits = dependencies(ordered, gap, problem.completed)
    planned = calendar.schedule(
        ordered,
        {o.id: after for o, (after, _) in zip(ordered, waits, strict=True)},
        hours_per_week=constraints.hours_per_week,
        today=problem.today,
    )
    chosen_ids = {o.id for o in ordered}
    steps = tuple(
        PlanStep(
            position=n + 1,
            offer=offer,
            closes=changes[n],
            after=tuple(waits[n][0]),
            why_here=tuple(waits[n][1]),
            skipped=skipped_alternatives(problem, offer, changes[n], chosen_ids),
            start=planned.starts[offer.id],
            finish=planned.finishes[offer.id],
        )
        for n, offer in enumerate(ordered)
    )
    levels = levels_after(ordered, gap.held)
    closes_gap = all(levels.get(r.skill, 0) >= r.level for r in gap.requirements)
    meets_deadline = constraints.deadline is None or (planned.finish or problem.today) <= constraints.deadline
    if not meets_deadline:
        notes.append(
            f"At {constraints.hours_per_week:g} hours a week the plan ends on {planned.finish}, after your deadline: "
            "fixed start dates leave weeks without study."
        )
    if planned.overbooked:
        notes.append(
            f"{len(planned.overbooked)} step(s) run on fixed dates in weeks your other steps already fill "
            f"({', '.join(planned.overbooked)}): those weeks need more than {constraints.hours_per_week:g} hours."
        )
    if problem.uncoverable:
        notes.append(f"{len(problem.uncoverable)} step(s) of your gap cannot be closed with the offers you can take.")
    return Plan(
        objective=problem.objective,
        method=method,
        steps=steps,
        objective_value=value,
        bound=bound,
        coverage=problem.coverage(levels),
        closes_gap=closes_gap,
        uncoverable=tuple(problem.uncoverable),
        programmes=_programme_notes(problem, chosen_ids),
        schedule=planned,
        meets_deadline=meets_deadline,
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
    )


def _programme_notes(problem: Problem, chosen: set[str]) -> tuple[ProgrammeNote, ...]:
    notes = []
    taken = chosen | problem.completed
    started = sorted({p for i in chosen for p in problem.index.offers[i].programmes if p in problem.index.programmes})
    for programme_id in started:
        programme = problem.index.programmes[programme_id]
        in_plan = tuple(i for i in programme.offer_ids if i in taken)
        missing = tuple(i for i in programme.offer_ids if i not in taken)
        notes.append(ProgrammeNote(programme.id, programme.title, in_plan, missing))
    return tuple(notes)
