"""Structured prerequisites and stackable programmes reach the planner (issue 9 §6): a plan takes a
prerequisite first, rules out an offer whose prerequisite nobody can take, skips a completed one,
and says how much of a programme it covers, on the plan page too."""

from __future__ import annotations

import pytest

from microcred.careers.planning import learner_plan
from microcred.careers.services import career_goal_constraints_set, career_goal_set, plan_propose
from microcred.catalog.services import (
    microcredential_create,
    microcredential_publish,
    microcredential_update,
    programme_create,
    programme_update,
)
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from tests.careers.plan_world import PlanWorld, build_world
from tests.credentials.conftest import complete
from tests.factories import microcredential_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(careers) -> PlanWorld:
    return build_world(careers)


def analyst_plan(careers, **constraints):
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    if constraints:
        career_goal_constraints_set(actor=careers.learner, learner=careers.learner, **constraints)
    return plan_propose(actor=careers.learner, today=now().date())


def titles(plan):
    return [step["title"] for step in plan.steps]


def builds_on(mc, *required):
    """A published offer's new version that builds on ``required``, published."""
    draft = microcredential_update(actor=SYSTEM, microcredential=mc, builds_on=list(required))
    return microcredential_publish(actor=SYSTEM, microcredential=draft)


def test_a_plan_takes_a_prerequisite_first_and_says_why(careers, world):
    assert titles(analyst_plan(careers)) == ["SQL Basics", "SQL in Practice"]
    builds_on(world.sql_practice, world.python_intro)
    # In English only (the German course would now be the lighter path).
    plan = analyst_plan(careers, languages=["en"])
    # Python Intro teaches nothing the analyst needs: it is in the plan only as the prerequisite.
    assert set(titles(plan)) == {"Python Intro", "SQL Basics", "SQL in Practice"}
    assert titles(plan).index("Python Intro") < titles(plan).index("SQL in Practice")
    practice = next(step for step in plan.steps if step["title"] == "SQL in Practice")
    assert any(reason.startswith("requires Python Intro (step") for reason in practice["why"])


def test_an_offer_whose_prerequisite_is_not_published_is_ruled_out(careers, world):
    unpublished = microcredential_create(
        actor=SYSTEM, provider=careers.provider, **microcredential_fields(slug="sql-theory", title="SQL Theory")
    )
    builds_on(world.sql_practice, unpublished)
    # The dearer German course, whose prerequisites can be met, takes its place.
    assert titles(analyst_plan(careers)) == ["SQL Basics", "SQL auf Deutsch"]


def test_a_completed_prerequisite_is_not_planned_again(careers, world):
    builds_on(world.sql_practice, world.python_intro)
    complete(world.python_intro, careers.learner)
    assert titles(analyst_plan(careers, languages=["en"])) == ["SQL Basics", "SQL in Practice"]


def test_a_plan_says_how_much_of_a_stackable_programme_it_covers(careers, world, signed_in):
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    today = now().date()
    assert learner_plan(user=careers.learner, today=today).plan.programmes == ()
    programme = programme_create(
        actor=SYSTEM,
        provider=careers.provider,
        slug="sql-track",
        title="SQL Track",
        leads_to="Certificate in Data Querying",
        microcredentials=[world.sql_basics, world.sql_practice, careers.mc],
    )
    # The cached catalogue notices the new programme.
    notes = learner_plan(user=careers.learner, today=today).plan.programmes
    assert [(n.title, len(n.in_plan), len(n.missing)) for n in notes] == [("SQL Track", 2, 1)]
    client = signed_in(careers.learner)
    client.post("/me/plan/propose/")
    assert "This plan takes 2 of 3 offers of SQL Track." in client.get("/me/plan/").content.decode()
    # Without Tidy Data, the plan completes the programme.
    programme_update(actor=SYSTEM, programme=programme, microcredentials=[world.sql_basics, world.sql_practice])
    (note,) = learner_plan(user=careers.learner, today=today).plan.programmes
    assert note.complete and "completes the stackable programme SQL Track" in str(note)
