"""The exact planner against brute force on tiny random catalogues: every subset of offers tried.

Brute force knows nothing of the MIP, the pruning or the dominance rule: it takes every offer the
constraints allow, keeps the subsets that can be taken in some valid order and fit the budget, the
hours and the item count, and picks the least objective among those that close every step the
whole catalogue could close (else the most weighted coverage, then the least cost).
"""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from decimal import Decimal

import pytest

from microcred.pathways import (
    Constraints,
    Gap,
    Level,
    Objective,
    OfferIndex,
    Programme,
    SkillRequirement,
    build_problem,
    plan_path,
)
from microcred.pathways.problem import PROGRAMME_BONUS, effective_cost, exclusion_of, levels_after, order_offers

from .builders import TODAY, offer

SKILLS = ("a", "b", "c")


def random_instance(rng: random.Random):
    offers = []
    for n in range(rng.randint(4, 8)):
        taught = {s: rng.randint(1, 3) for s in rng.sample(SKILLS, rng.randint(1, 2))}
        fields: dict[str, object] = {}
        if rng.random() < 0.2:
            fields["entry"] = dict.fromkeys(taught, 0)  # a bootcamp
        elif rng.random() < 0.2:
            other = rng.choice([s for s in SKILLS if s not in taught])
            fields["entry"] = {other: rng.randint(1, 2)}
        if offers and rng.random() < 0.2:
            fields["prerequisites"] = (rng.choice(offers).id,)
        offers.append(
            offer(
                f"o{n}",
                taught,
                rng.choice((0, 50, 100, 120, 200, 300)),
                hours=rng.choice((5, 10, 20, 40)),
                languages=rng.choice((("en",), ("de",), ("en", "de"))),
                provider=rng.choice(("p", "q")),
                **fields,
            )
        )
    programmes = []
    if rng.random() < 0.3 and len(offers) >= 2:
        members = rng.sample(range(len(offers)), 2)
        for m in members:
            offers[m] = offer(
                offers[m].id,
                dict(offers[m].teaches),
                offers[m].price,
                offers[m].workload_hours,
                languages=tuple(offers[m].languages),
                provider=offers[m].provider,
                entry=dict(offers[m].entry),
                prerequisites=offers[m].prerequisites,
                programmes=("prog",),
            )
        programmes.append(Programme("prog", "Programme", tuple(offers[m].id for m in members)))
    requirements = tuple(
        SkillRequirement(s, Level(rng.randint(1, 3)), demand=rng.choice((1, 2, 5)))
        for s in rng.sample(SKILLS, rng.randint(1, 3))
    )
    held = {s: Level(rng.randint(0, 1)) for s in SKILLS if rng.random() < 0.3}
    constraints = Constraints(
        hours_per_week=10,
        budget=Decimal(rng.choice((150, 300, 600))) if rng.random() < 0.4 else None,
        deadline=TODAY + timedelta(weeks=rng.choice((4, 8))) if rng.random() < 0.3 else None,
        languages=frozenset({"en"}) if rng.random() < 0.5 else frozenset(),
        preferred_providers=frozenset({"q"}) if rng.random() < 0.3 else frozenset(),
        max_items=rng.choice((2, 3)) if rng.random() < 0.2 else None,
    )
    objective = rng.choice(list(Objective))
    return OfferIndex(offers, programmes), Gap(requirements, held), constraints, objective


def brute_force(index: OfferIndex, gap: Gap, constraints: Constraints, objective: Objective):
    problem = build_problem(gap, index, constraints, objective, today=TODAY)  # for capacity only
    allowed = [o for o in index.offers.values() if exclusion_of(o, constraints, TODAY) is None]
    everything, _ = order_offers(allowed, gap.held, constraints.completed_offers, TODAY)
    reach = levels_after(everything, gap.held)
    closable = [s for s in gap.steps() if reach.get(s.skill, 0) >= s.level]

    def cost_of(subset, goal: Objective) -> float:
        """The objective's cost less the bonus of every programme the subset completes."""
        ids = {o.id for o in subset}
        value = sum(effective_cost(o, goal, constraints) for o in subset)
        for programme in index.programmes.values():
            if ids.issuperset(programme.offer_ids):
                members = (index.offers[i] for i in programme.offer_ids)
                value -= PROGRAMME_BONUS * sum(effective_cost(o, goal, constraints) for o in members)
        return value

    best_closing, best_coverage = None, None
    for size in range(len(allowed) + 1):
        for subset in itertools.combinations(allowed, size):
            if constraints.budget is not None and sum(o.price for o in subset) > constraints.budget:
                continue
            if problem.capacity is not None and sum(o.workload_hours for o in subset) > problem.capacity:
                continue
            if constraints.max_items is not None and size > constraints.max_items:
                continue
            ordered, stuck = order_offers(subset, gap.held, constraints.completed_offers, TODAY)
            if stuck:
                continue
            levels = levels_after(ordered, gap.held)
            climbed = sum(gap.step_weight(s) for s in closable if levels.get(s.skill, 0) >= s.level)
            if all(levels.get(s.skill, 0) >= s.level for s in closable) and objective != Objective.MOST_COVERAGE:
                value = cost_of(subset, objective)
                best_closing = value if best_closing is None else min(best_closing, value)
            cost_for_coverage = cost_of(subset, Objective.MOST_COVERAGE)
            key = (-climbed, cost_for_coverage)
            if best_coverage is None or key < best_coverage:
                best_coverage = key
    return best_closing, best_coverage


@pytest.mark.parametrize("seed", range(120))
def test_exact_matches_brute_force_and_the_heuristic_is_valid_and_no_better(seed: int) -> None:
    rng = random.Random(seed)
    index, gap, constraints, objective = random_instance(rng)
    best_closing, best_coverage = brute_force(index, gap, constraints, objective)
    plan = plan_path(gap, index, constraints, objective, today=TODAY, method="exact")
    if best_closing is not None:
        assert plan.objective == objective
        assert plan.objective_value == pytest.approx(best_closing, rel=1e-6, abs=1e-6)
    else:
        assert plan.objective == Objective.MOST_COVERAGE
        assert plan.objective_value == pytest.approx(-best_coverage[0], rel=1e-6, abs=1e-9)
    heuristic = plan_path(gap, index, constraints, objective, today=TODAY, method="heuristic")
    if heuristic.objective == objective == plan.objective and objective != Objective.MOST_COVERAGE:
        assert heuristic.objective_value >= plan.objective_value - 1e-6
        assert heuristic.bound <= plan.objective_value + 1e-6  # the stated bound is a true lower bound
    if heuristic.objective == Objective.MOST_COVERAGE == plan.objective:
        assert heuristic.objective_value <= plan.objective_value + 1e-6
        assert heuristic.bound >= plan.objective_value - 1e-6  # an upper bound on coverage


def test_the_random_instances_are_not_trivial() -> None:
    """Enough of them need several offers, or fall back to coverage, for the comparison to mean something."""
    multi = fallback = 0
    for seed in range(120):
        index, gap, constraints, objective = random_instance(random.Random(seed))
        plan = plan_path(gap, index, constraints, objective, today=TODAY, method="exact")
        multi += len(plan.steps) >= 2
        fallback += plan.objective != objective
    assert multi >= 30 and fallback >= 5  # 35 and 8 with these seeds
