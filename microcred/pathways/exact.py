"""The exact planner: a mixed-integer programme solved by HiGHS (``highspy``).

Variables: ``x_o`` ∈ {0, 1} per candidate offer; ``y_p`` ∈ {0, 1} per stackable programme (1 only
when all its offers are taken); for the coverage objective ``c_s,k`` ∈ [0, 1] per goal step.

- **Coverage**, per goal step (skill ``s`` to level ``k``): Σ x_o over the offers that *cross* it
  (entry below ``k``, bringing ``s`` to ``k`` or more) ≥ 1 (or ≥ ``c_s,k`` when maximising coverage).
  In any valid order the offer that first lifts ``s`` to ``k`` crosses the step, so the rows are valid.
- **Level order and entry levels**: for a taken offer ``o`` needing ``s`` at ``e`` above what is held,
  for every step ``k`` up to ``e``: Σ x_o' (o' ≠ o crossing ``s``,``k``) ≥ x_o.
- **Prerequisites**: x_p ≥ x_o. **Programmes**: x_o ≥ y_p.
- **Budget** Σ price·x ≤ budget; **time** Σ hours·x ≤ hours per week × weeks to the deadline;
  **max items** Σ x ≤ n.

The rows cannot express an order, so a solution whose offers need each other in a cycle is cut
off (a lazy no-good on that cycle) and the model solved again. Objective: the effective costs
(``problem.effective_cost``) minus the programme bonuses; for coverage, the demand-weighted
steps climbed first, then, at that coverage, the cheapest plan found within a short second limit.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import highspy
import numpy as np

from .model import Level, Objective, Offer, Step
from .problem import Problem, levels_after, order_offers

#: Relative MIP gap at which HiGHS stops: tight, so "optimal" means optimal to the cent.
MIP_RELATIVE_GAP: Final = 1e-7
MAX_CYCLE_CUTS: Final = 20
#: The coverage objective's second stage (the least cost at the coverage found, warm-started from the
#: first stage's plan) gets this share of the time left, at most this many seconds: a nicety, whose
#: proof can cost more than the first stage's.
COVERAGE_STAGE_TWO_SHARE: Final = 0.25
COVERAGE_STAGE_TWO_LIMIT: Final = 0.03


@dataclass(frozen=True)
class Solution:
    """Chosen offer ids, the objective value, a proven bound, and whether optimality is proven."""

    chosen: tuple[str, ...]
    value: float
    bound: float
    optimal: bool
    method: str
    seconds: float
    coverage_value: float | None = None  # coverage objective: the weighted steps climbed; ``bound`` is its bound


_first_solver_lock = threading.Lock()
_first_solver_made = False


@contextmanager
def _process_stdout_silenced() -> Iterator[None]:
    """File descriptor 1 points at /dev/null inside the block, for C code that prints past Python."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def new_highs() -> Any:
    """A HiGHS solver, without the banner HiGHS prints to the process's stdout the first time one is made.

    ``highspy.Highs()`` logs its banner from inside the constructor (1.16: when it enables its
    callbacks), before ``output_flag`` can be set, and writes it with C stdio, which no Python
    redirection sees. The banner is printed once per process, so only the first construction
    runs with file descriptor 1 pointed at /dev/null; later ones cost nothing extra."""
    global _first_solver_made
    if not _first_solver_made:
        with _first_solver_lock:
            if not _first_solver_made:
                with _process_stdout_silenced():
                    solver = highspy.Highs()  # type: ignore[no-untyped-call]
                    solver.setOptionValue("output_flag", False)
                _first_solver_made = True
                return solver
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    return solver


class _Model:
    """A row-wise model under construction: columns, rows as sparse lists, then HiGHS."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def column(self, cost: float, *, integer: bool = True, upper: float = 1.0) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, terms: dict[int, float], lower: float, upper: float) -> None:
        self.rows.append((terms, lower, upper))

    def highs(self, *, relax: bool, time_limit: float) -> Any:
        solver: Any = new_highs()
        solver.setOptionValue("time_limit", float(time_limit))
        solver.setOptionValue("mip_rel_gap", MIP_RELATIVE_GAP)
        solver.setOptionValue("threads", 1)  # small models: threads cost more than they bring, and runs repeat
        # Presolve leaves a few dozen columns; restarting the search on them costs more than it saves
        # (measured: half the time of the hardest coverage plans).
        solver.setOptionValue("mip_allow_restart", False)
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.rows)
        lp.col_cost_ = np.array(self.cost, dtype=np.float64)
        lp.col_lower_ = np.zeros(len(self.cost))
        lp.col_upper_ = np.array(self.upper, dtype=np.float64)
        lp.row_lower_ = np.array([r[1] for r in self.rows], dtype=np.float64)
        lp.row_upper_ = np.array([r[2] for r in self.rows], dtype=np.float64)
        starts: list[int] = [0]
        indexes: list[int] = []
        values: list[float] = []
        for terms, _, _ in self.rows:
            indexes.extend(terms.keys())
            values.extend(terms.values())
            starts.append(len(indexes))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indexes, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=np.float64)
        if not relax:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
                for integer in self.integer
            ]
        solver.passModel(lp)
        return solver


INFINITY: Final = highspy.kHighsInf
#: The value of "no plan found before the time limit" (the solver proved nothing either way).
NO_PLAN: Final = float("inf")


def _build(problem: Problem, *, maximise_coverage: bool) -> tuple[_Model, dict[str, int], dict[int, float]]:
    """The model's rows; returns it, the offer → column map and the coverage columns' weights."""
    model = _Model()
    column = {offer.id: model.column(problem.costs[offer.id]) for offer in problem.candidates}
    crossing: dict[tuple[str, int], list[int]] = {}
    for offer in problem.candidates:
        for skill, level in offer.teaches.items():
            for k in range(offer.entry_of(skill) + 1, level + 1):
                crossing.setdefault((skill, k), []).append(column[offer.id])
    weights: dict[int, float] = {}
    climbed: dict[tuple[str, int], int] = {}
    for step in sorted(problem.steps, key=lambda s: (s.skill, s.level)):
        crossers = crossing.get((step.skill, step.level), [])
        if maximise_coverage:
            covered = model.column(0.0, integer=False)
            weights[covered] = problem.gap.step_weight(step)
            climbed[(step.skill, step.level)] = covered
            model.row({covered: 1.0, **dict.fromkeys(crossers, -1.0)}, -INFINITY, 0.0)
            below = climbed.get((step.skill, step.level - 1))
            if below is not None:  # a step is climbed only above the one below it: tightens the relaxation
                model.row({covered: 1.0, below: -1.0}, -INFINITY, 0.0)
        else:
            model.row(dict.fromkeys(crossers, 1.0), 1.0, INFINITY)
    held = problem.gap.held
    for offer in problem.candidates:
        own = column[offer.id]
        for skill, entry in offer.entry.items():
            for k in range(held.get(skill, 0) + 1, entry + 1):
                terms = {c: 1.0 for c in crossing.get((skill, k), []) if c != own}
                terms[own] = -1.0
                model.row(terms, 0.0, INFINITY)
        for prerequisite in offer.prerequisites:
            if prerequisite not in problem.completed:
                model.row({column[prerequisite]: 1.0, own: -1.0}, 0.0, INFINITY)
    for programme in problem.programmes:
        bonus = model.column(-problem.programme_bonus(programme))
        for offer_id in programme.offer_ids:
            model.row({column[offer_id]: 1.0, bonus: -1.0}, 0.0, INFINITY)
    _resource_rows(problem, model, column)
    return model, column, weights


def _resource_rows(problem: Problem, model: _Model, column: dict[str, int]) -> None:
    constraints = problem.constraints
    if constraints.budget is not None:
        model.row({column[o.id]: float(o.price) for o in problem.candidates}, -INFINITY, float(constraints.budget))
    if problem.capacity is not None:
        model.row({column[o.id]: o.workload_hours for o in problem.candidates}, -INFINITY, problem.capacity)
    if constraints.max_items is not None:
        model.row(dict.fromkeys(column.values(), 1.0), -INFINITY, float(constraints.max_items))


def _cycle_cut(
    problem: Problem, chosen: list[Offer], ordered: list[Offer], stuck: list[Offer], column: dict[str, int]
) -> dict[int, float]:
    """A no-good: not all of the stuck offers again, unless an offer that can unlock one of them is added.

    In any valid plan holding them all, the first of them to be taken had its entry levels met by
    earlier offers. Where the offers taken in order here left skill ``t`` at ``r`` below an entry
    level, some offer of that plan lifts ``t`` across ``r + 1``, and none of those taken here does
    (or ``t`` would stand higher): that offer is among the unlockers. So is a missing prerequisite.
    """
    chosen_ids = {o.id for o in chosen}
    reached = levels_after(ordered, problem.gap.held)
    unlockers: set[str] = set()
    for offer in stuck:
        unlockers.update(p for p in offer.prerequisites if p not in problem.completed)
        for skill, entry in offer.entry.items():
            level = reached.get(skill, 0)
            if level < entry:
                unlockers.update(o.id for o in problem.candidates if o.crosses(Step(skill, Level(level + 1))))
    terms = {column[o.id]: 1.0 for o in stuck}
    terms.update({column[u]: -1.0 for u in unlockers - chosen_ids if u in column})
    return terms


def solve_exact(problem: Problem, *, time_limit: float = 10.0, start: Iterable[str] | None = None) -> Solution | None:
    """The optimal plan (or the best found within ``time_limit``, with HiGHS' bound); None if infeasible."""
    started = time.perf_counter()
    if not problem.steps:
        return Solution((), 0.0, 0.0, True, "exact", 0.0, 0.0)
    coverage = problem.objective == Objective.MOST_COVERAGE
    model, column, weights = _build(problem, maximise_coverage=coverage)
    if not coverage:
        result = _run(problem, model, column, time_limit, start)
        if result is None:
            return None
        chosen, value, bound, optimal = result
        return Solution(chosen, value, bound, optimal, "exact", time.perf_counter() - started)
    # Stage 1 maximises the weighted steps climbed (the objective: its optimality is the plan's);
    # stage 2, warm-started from it, looks for the least cost at that coverage in what time is left.
    stage_one = [0.0] * len(model.cost)
    for index, weight in weights.items():
        stage_one[index] = -weight
    costs, model.cost = model.cost, stage_one
    first = _run(problem, model, column, time_limit, start)
    if first is None or (not first[0] and first[1] == NO_PLAN):
        return None
    climbed, coverage_bound, optimal = -first[1], -first[2], first[3]
    model.cost = costs
    model.row(dict(weights), climbed - 1e-7 * max(1.0, climbed), INFINITY)
    left = time_limit - (time.perf_counter() - started)
    remaining = min(COVERAGE_STAGE_TWO_LIMIT, max(0.01, COVERAGE_STAGE_TWO_SHARE * left))
    second = _run(problem, model, column, remaining, first[0])
    chosen, value = (second[0], second[1]) if second is not None else (first[0], problem.objective_value(first[0]))
    return Solution(
        chosen=chosen,
        value=value,
        bound=coverage_bound,
        optimal=optimal,
        method="exact",
        seconds=time.perf_counter() - started,
        coverage_value=climbed,
    )


def _run(
    problem: Problem, model: _Model, column: dict[str, int], time_limit: float, start: Iterable[str] | None
) -> tuple[tuple[str, ...], float, float, bool] | None:
    by_column = {index: problem.index.offers[offer_id] for offer_id, index in column.items()}
    deadline = time.perf_counter() + time_limit
    for _ in range(MAX_CYCLE_CUTS):
        solver = model.highs(relax=False, time_limit=max(0.01, deadline - time.perf_counter()))
        if start is not None:
            values = np.zeros(len(model.cost))
            for offer_id in start:
                if offer_id in column:
                    values[column[offer_id]] = 1.0
            solution = highspy.HighsSolution()
            solution.col_value = list(values)
            solution.value_valid = True
            solver.setSolution(solution)
        solver.run()
        status = solver.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit):
            return None
        info = solver.getInfo()
        if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            # Stopped before any plan was found: not proven infeasible, so no plan and no claim.
            return None if status != highspy.HighsModelStatus.kTimeLimit else ((), NO_PLAN, -INFINITY, False)
        values = solver.getSolution().col_value
        chosen = [by_column[i] for i in by_column if values[i] > 0.5]
        ordered, stuck = order_offers(chosen, problem.gap.held, problem.completed, problem.today)
        if not stuck:
            optimal = status == highspy.HighsModelStatus.kOptimal
            value = float(info.objective_function_value)
            bound = value if optimal else float(info.mip_dual_bound)
            return tuple(sorted(o.id for o in chosen)), value, bound, optimal
        model.row(_cycle_cut(problem, chosen, ordered, stuck, column), -INFINITY, len(stuck) - 1.0)
    return None


def relaxation_bound(problem: Problem, *, time_limit: float = 2.0) -> float:
    """The LP relaxation's optimum: no plan costs less (for coverage: none climbs more weighted steps)."""
    if not problem.steps:
        return 0.0
    coverage = problem.objective == Objective.MOST_COVERAGE
    model, _, weights = _build(problem, maximise_coverage=coverage)
    if coverage:
        model.cost = [0.0] * len(model.cost)
        for index, weight in weights.items():
            model.cost[index] = -weight
    solver = model.highs(relax=True, time_limit=time_limit)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float("inf") if not coverage else 0.0
    value = float(solver.getInfo().objective_function_value)
    return -value if coverage else value
