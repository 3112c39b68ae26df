"""The planner on small catalogues whose best plans are worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from microcred.pathways import (
    Constraints,
    Exclusion,
    Gap,
    InvalidInput,
    Level,
    Objective,
    OfferIndex,
    Programme,
    SkillRequirement,
    build_problem,
    naive_set_cover,
    offer_relevance,
    plan_path,
)

from .builders import TODAY, offer

PYTHON_LADDER = [
    offer("py-1", {"python": 1}, 100),
    offer("py-2", {"python": 2}, 100),
    offer("py-3", {"python": 3}, 200),
    offer("py-bootcamp", {"python": 3}, 500, entry={"python": 0}),
]


def gap(*requirements: tuple[str, int], held: dict[str, int] | None = None) -> Gap:
    return Gap(
        tuple(SkillRequirement(skill, Level(level)) for skill, level in requirements),
        {skill: Level(level) for skill, level in (held or {}).items()},
    )


def ids(plan) -> list[str]:
    return [step.offer.id for step in plan.steps]


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_levels_are_climbed_in_order_from_what_is_held(method: str) -> None:
    index = OfferIndex(PYTHON_LADDER)
    plan = plan_path(gap(("python", 3)), index, Constraints(), today=TODAY, method=method)
    assert ids(plan) == ["py-1", "py-2", "py-3"]  # 400, cheaper than the 500 bootcamp
    assert plan.total_price == Decimal(400) and plan.closes_gap and plan.quality == "optimal"
    assert [str(c) for step in plan.steps for c in step.closes] == [
        "python: none → beginner",
        "python: beginner → intermediate",
        "python: intermediate → expert",
    ]
    assert plan.steps[2].after == ("py-2",)
    assert plan.steps[2].why_here[0].startswith("level order: python at intermediate comes first (step 2")
    held = plan_path(gap(("python", 3), held={"python": 2}), index, Constraints(), today=TODAY, method=method)
    assert ids(held) == ["py-3"]
    assert held.steps[0].why_here == ("needs nothing you lack: it can start right away",)


def test_an_expert_course_alone_cannot_be_taken_from_nothing() -> None:
    index = OfferIndex([offer("py-3", {"python": 3}, 200)])
    plan = plan_path(gap(("python", 3)), index, Constraints(), today=TODAY)
    assert plan.steps == () and not plan.closes_gap
    assert [u.step.level for u in plan.uncoverable] == [1, 2, 3]
    assert plan.uncoverable[-1].reasons == {"unreachable": 1}
    assert "entry level cannot be reached" in plan.uncoverable[-1].reason


def test_prerequisite_offers_come_first_and_say_so() -> None:
    index = OfferIndex(
        [
            offer("stats", {"statistics": 1}, 50),
            offer("ml", {"ml": 2}, 300, entry={"ml": 0}, prerequisites=("stats",)),
            offer("ml-pricey", {"ml": 2}, 400, entry={"ml": 0}),
        ]
    )
    plan = plan_path(gap(("ml", 2)), index, Constraints(), today=TODAY)
    assert ids(plan) == ["stats", "ml"]  # 350 beats 400, prerequisite included
    assert plan.steps[0].closes[0].in_goal is False
    assert "requires Stats (step 1) first" in plan.steps[1].why_here
    done = plan_path(gap(("ml", 2)), index, Constraints(completed_offers=frozenset({"stats"})), today=TODAY)
    assert ids(done) == ["ml"]


def test_prerequisite_skills_at_a_level_pull_in_their_courses() -> None:
    index = OfferIndex(
        [
            offer("maths-1", {"maths": 1}, 40),
            offer("maths-2", {"maths": 2}, 40),
            offer("physics", {"physics": 1}, 100, entry={"maths": 2}),
        ]
    )
    plan = plan_path(gap(("physics", 1)), index, Constraints(), today=TODAY)
    assert ids(plan) == ["maths-1", "maths-2", "physics"]
    assert "needs maths at intermediate, which step 2 (Maths 2) brings" in plan.steps[2].why_here


def test_language_filter_and_the_cheaper_course_it_skips() -> None:
    index = OfferIndex([*PYTHON_LADDER[:2], offer("py-de", {"python": 2}, 20, languages=("de",))])
    english = plan_path(gap(("python", 2)), index, Constraints(languages=frozenset({"en"})), today=TODAY)
    assert ids(english) == ["py-1", "py-2"]
    skipped = english.steps[1].skipped
    assert [(s.offer_id, s.reason) for s in skipped] == [("py-de", "cheaper, but not in your languages")]
    both = plan_path(gap(("python", 2)), index, Constraints(languages=frozenset({"en", "de"})), today=TODAY)
    assert ids(both) == ["py-1", "py-de"]


def test_budget_too_small_maximises_weighted_coverage_instead() -> None:
    index = OfferIndex(
        [
            offer("sql", {"sql": 1}, 100),
            offer("excel", {"excel": 1}, 100),
            offer("python", {"python": 1}, 150),
        ]
    )
    goal = Gap(
        (
            SkillRequirement("sql", Level(1), demand=5),
            SkillRequirement("excel", Level(1), demand=1),
            SkillRequirement("python", Level(1), demand=4),
        )
    )
    plan = plan_path(goal, index, Constraints(budget=Decimal(250)), Objective.LEAST_COST, today=TODAY)
    # 250 buys sql + python (weight 9) or sql + excel (6): coverage picks the former.
    assert plan.objective == Objective.MOST_COVERAGE and not plan.closes_gap
    assert ids(plan) == ["python", "sql"]
    assert plan.coverage == pytest.approx(0.9)
    assert "cannot be closed within your budget" in plan.notes[0]


def test_deadline_rules_out_long_and_late_courses() -> None:
    deadline = TODAY + timedelta(weeks=4)  # 4 weeks and a day at 5 h a week: about 20.7 hours
    index = OfferIndex(
        [
            offer("long", {"sql": 1}, 10, hours=40),
            offer("late", {"sql": 1}, 20, hours=10, start_dates=(TODAY + timedelta(weeks=3),), weeks=2),
            offer("fits", {"sql": 1}, 90, hours=15),
        ]
    )
    constraints = Constraints(hours_per_week=5, deadline=deadline)
    problem = build_problem(gap(("sql", 1)), index, constraints, Objective.LEAST_COST, today=TODAY)
    assert problem.excluded == {"long": Exclusion.TOO_MUCH_WORK, "late": Exclusion.TOO_LATE}
    plan = plan_path(gap(("sql", 1)), index, constraints, today=TODAY)
    assert ids(plan) == ["fits"] and plan.meets_deadline
    assert plan.steps[0].finish == TODAY + timedelta(weeks=3) - timedelta(days=1)  # 15 h at 5 h a week


def test_an_uncoverable_skill_says_why() -> None:
    index = OfferIndex(
        [
            offer("rust-de", {"rust": 1}, 100, languages=("de",)),
            offer("rust-fr", {"rust": 1}, 100, languages=("fr",)),
            offer("rust-dear", {"rust": 1}, 900),
        ]
    )
    constraints = Constraints(languages=frozenset({"en"}), budget=Decimal(500))
    plan = plan_path(gap(("rust", 1), ("go", 1)), index, constraints, today=TODAY)
    reasons = {u.step.skill: u for u in plan.uncoverable}
    assert reasons["go"].reason == "no offer teaches go at level beginner"
    assert reasons["rust"].reasons == {"language": 2, "over_budget": 1}
    assert reasons["rust"].reason.endswith("none fits: 2 not in your languages, 1 over your budget on its own")


def test_objectives_choose_differently() -> None:
    index = OfferIndex([offer("cheap-slow", {"sql": 1}, 50, hours=60), offer("dear-fast", {"sql": 1}, 400, hours=8)])
    goal = gap(("sql", 1))
    assert ids(plan_path(goal, index, Constraints(), Objective.LEAST_COST, today=TODAY)) == ["cheap-slow"]
    assert ids(plan_path(goal, index, Constraints(), Objective.LEAST_WORKLOAD, today=TODAY)) == ["dear-fast"]
    capped = Constraints(budget=Decimal(100))
    assert ids(plan_path(goal, index, capped, Objective.MOST_COVERAGE, today=TODAY)) == ["cheap-slow"]


def test_preferred_providers_win_close_calls_but_never_filter() -> None:
    index = OfferIndex([offer("theirs", {"sql": 1}, 100), offer("ours", {"sql": 1}, 104, provider="favourite")])
    preferred = Constraints(preferred_providers=frozenset({"favourite"}))
    assert ids(plan_path(gap(("sql", 1)), index, preferred, today=TODAY)) == ["ours"]  # 104 * 0.95 < 100
    far = OfferIndex([offer("theirs", {"sql": 1}, 100), offer("ours", {"sql": 1}, 200, provider="favourite")])
    assert ids(plan_path(gap(("sql", 1)), far, preferred, today=TODAY)) == ["theirs"]


def test_a_completed_stackable_programme_is_noted() -> None:
    index = OfferIndex(
        [
            offer("data-1", {"sql": 1}, 100, programmes=("data",)),
            offer("data-2", {"sql": 2}, 100, programmes=("data",)),
            offer("other-2", {"sql": 2}, 95),
        ],
        [Programme("data", "Data analyst programme", ("data-1", "data-2"))],
    )
    plan = plan_path(gap(("sql", 2)), index, Constraints(), today=TODAY)
    # 200 less the 5% programme bonus (190) beats 100 + 95: the programme is completed.
    assert ids(plan) == ["data-1", "data-2"]
    assert [str(note) for note in plan.programmes] == [
        "completes the stackable programme Data analyst programme: its credentials stack into the bigger one"
    ]
    with pytest.raises(InvalidInput, match="does not name it"):
        OfferIndex([offer("x", {"sql": 1}, 1)], [Programme("data", "Data", ("x",))])


def test_max_items_and_the_heuristic_states_its_bound() -> None:
    index = OfferIndex([*PYTHON_LADDER, offer("sql", {"sql": 1}, 10)])
    goal = gap(("python", 3), ("sql", 1))
    plan = plan_path(goal, index, Constraints(max_items=2), today=TODAY)
    # Three python steps plus sql do not fit in two items: the dearer bootcamp does python alone.
    assert plan.objective == Objective.LEAST_COST and ids(plan) == ["sql", "py-bootcamp"]  # lower level first
    assert plan.closes_gap and plan.total_price == Decimal(510)
    heuristic = plan_path(goal, index, Constraints(), today=TODAY, method="heuristic")
    assert heuristic.method == "heuristic" and heuristic.bound <= heuristic.objective_value + 1e-9
    assert heuristic.quality == "optimal"


def test_enrolling_in_something_useless_is_told_kindly() -> None:
    goal = gap(("python", 2), held={"python": 1})
    changes, message = offer_relevance(offer("py-2", {"python": 2}, 1), goal)
    assert [str(c) for c in changes] == ["python: beginner → intermediate"]
    assert message.startswith("This closes 1 of your 1 gaps")
    changes, message = offer_relevance(offer("knitting", {"knitting": 2}, 1), goal)
    assert changes == () and "does not move you towards your goal" in message
    changes, _ = offer_relevance(offer("py-1", {"python": 1}, 1), goal)
    assert changes == ()  # held already


def test_the_naive_baseline_ignores_levels() -> None:
    index = OfferIndex(PYTHON_LADDER)
    chosen = naive_set_cover(gap(("python", 3)), index, Constraints(), Objective.LEAST_COST, today=TODAY)
    assert chosen == ("py-1",)  # the cheapest course naming python: a beginner course for an expert goal


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: offer("x", {"s": 4}, 1), "level 4 is not one of"),
        (lambda: offer("x", {"s": 2}, 1, entry={"s": 2}), "entry level of s is below"),
        (lambda: offer("x", {"s": 1}, -1), "price not negative"),
        (lambda: offer("x", {"s": 1}, 1, prerequisites=("x",)), "not its own prerequisite"),
        (lambda: Gap((SkillRequirement("s", Level(1)), SkillRequirement("s", Level(2)))), "each skill once"),
        (lambda: Constraints(hours_per_week=0), "hours per week"),
    ],
)
def test_incoherent_input_is_refused_with_a_reason(build, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        build()
