"""The learning plan (issue 9 §6, ADR 0037): proposed from the goal, the verified skills and the
catalogue; accepted; re-proposed when the goal changes or a credential is earned; enrolled in one
click; told kindly when a micro-credential does nothing for the goal."""

from __future__ import annotations

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from microcred.careers.models import LearningPlan, PlanStatus
from microcred.careers.services import (
    career_goal_constraints_set,
    career_goal_set,
    plan_accept,
    plan_propose,
)
from microcred.core.clock import now
from microcred.core.errors import Conflict, PermissionDenied
from microcred.learning.models import Enrolment
from tests.careers.plan_world import PlanWorld, build_world
from tests.credentials.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(careers) -> PlanWorld:
    return build_world(careers)


def analyst(careers, **constraints):
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    if constraints:
        career_goal_constraints_set(actor=careers.learner, learner=careers.learner, **constraints)


def mc_page(mc) -> str:
    return reverse("catalog:microcredential", args=[mc.provider.slug, mc.slug])


def titles(plan):
    return [step["title"] for step in plan.steps]


def test_a_plan_climbs_the_levels_in_order_and_says_what_it_cannot_cover(careers, world):
    analyst(careers)
    plan = plan_propose(actor=careers.learner, today=now().date())
    assert titles(plan) == ["SQL Basics", "SQL in Practice"]  # least workload: 20 + 30 hours
    assert plan.quality == "optimal"
    assert plan.totals["hours"] == 50 and plan.totals["price"] == "300.00"
    first, second = plan.steps
    assert first["closes"] == [
        {"skill_id": careers.sql.pk, "skill": "SQL", "before": "none", "after": "beginner", "in_goal": True}
    ]
    assert first["start"] < second["start"] and first["finish"] < second["finish"]
    assert "level order: SQL at beginner comes first (step 1, SQL Basics), then intermediate" in second["why"]
    # Nobody teaches data cleaning at beginner, which Tidy Data (intermediate) asks for at entry.
    assert {(u["skill"], u["level"]) for u in plan.uncoverable} == {
        ("Data cleaning", "beginner"),
        ("Data cleaning", "intermediate"),
    }
    assert plan.goal_snapshot["target"] == "Data analyst"
    assert plan.status == PlanStatus.CURRENT and plan.accepted_at is None


def test_the_objective_and_the_constraints_change_the_plan(careers, world):
    analyst(careers, objective="least_cost")
    assert titles(plan_propose(actor=careers.learner, today=now().date())) == ["SQL Basics", "SQL auf Deutsch"]
    analyst(careers, objective="least_cost", languages=["en"])
    assert titles(plan_propose(actor=careers.learner, today=now().date())) == ["SQL Basics", "SQL in Practice"]


def test_proposing_again_supersedes_the_plan_and_says_what_changed(careers, world):
    analyst(careers)
    first = plan_propose(actor=careers.learner, today=now().date())
    second = plan_propose(actor=careers.learner, today=now().date(), objective="least_cost")
    first.refresh_from_db()
    assert (first.status, first.superseded_by) == (PlanStatus.SUPERSEDED, second)
    assert second.changes == [
        "Added: SQL auf Deutsch.",
        "Dropped: SQL in Practice.",
        "Total price: €300.00 → €190.00.",
        "Total workload: 50 h → 55 h.",
    ]


def test_without_a_goal_there_is_no_plan(careers, world):
    with pytest.raises(Conflict):
        plan_propose(actor=careers.learner, today=now().date())
    assert not LearningPlan.objects.exists()


def test_only_the_learner_accepts_their_current_plan_and_once(careers, world):
    analyst(careers)
    plan = plan_propose(actor=careers.learner, today=now().date())
    with pytest.raises(PermissionDenied):
        plan_accept(actor=careers.other, plan=plan)
    accepted = plan_accept(actor=careers.learner, plan=plan)
    again = plan_accept(actor=careers.learner, plan=plan)
    assert accepted.accepted_at is not None and again.accepted_at == accepted.accepted_at
    newer = plan_propose(actor=careers.learner, today=now().date(), objective="least_cost")
    with pytest.raises(Conflict):
        plan_accept(actor=careers.learner, plan=plan)
    assert newer.accepted_at is None


def test_a_goal_change_re_proposes_the_current_plan(careers, world):
    analyst(careers)
    plan = plan_propose(actor=careers.learner, today=now().date())
    with TestCase.captureOnCommitCallbacks(execute=True):
        career_goal_set(
            actor=careers.learner, learner=careers.learner, kind="skills", skills=[(careers.python, "beginner")]
        )
    plan.refresh_from_db()
    current = LearningPlan.objects.get(user=careers.learner, status=PlanStatus.CURRENT)
    assert plan.status == PlanStatus.SUPERSEDED and current != plan
    assert titles(current) == ["Python Intro"]
    assert current.trigger == "Your goal changed."
    assert "Your goal now needs Python programming." in current.changes
    assert "Your goal no longer needs SQL, Data cleaning." in current.changes


def test_an_unchanged_goal_keeps_the_plan(careers, world):
    analyst(careers)
    plan = plan_propose(actor=careers.learner, today=now().date())
    with TestCase.captureOnCommitCallbacks(execute=True):
        analyst(careers)  # the same occupation again
    assert list(LearningPlan.objects.values_list("pk", flat=True)) == [plan.pk]


def test_a_learner_without_a_plan_gets_none_from_a_goal_change(careers, world):
    with TestCase.captureOnCommitCallbacks(execute=True):
        analyst(careers)
    assert not LearningPlan.objects.exists()


def test_an_earned_credential_re_proposes_the_plan(careers, world):
    analyst(careers)
    plan_accept(actor=careers.learner, plan=plan_propose(actor=careers.learner, today=now().date()))
    complete(world.sql_basics, careers.learner)  # awarded after commit: CredentialIssued re-plans
    current = LearningPlan.objects.get(user=careers.learner, status=PlanStatus.CURRENT)
    assert titles(current) == ["SQL in Practice"]
    assert current.accepted_at is None
    assert current.changes[-1] == "You had accepted the previous plan: review this one and accept it."
    assert current.trigger == "You earned “SQL Basics”."
    assert "Dropped: SQL Basics." in current.changes
    assert LearningPlan.objects.filter(status=PlanStatus.SUPERSEDED).count() == 1


def test_a_revoked_credential_re_proposes_the_plan(careers, world):
    from microcred.credentials.models import Credential
    from microcred.credentials.services import credential_revoke

    analyst(careers)
    complete(world.sql_basics, careers.learner)
    plan_propose(actor=careers.learner, today=now().date())
    assert titles(LearningPlan.objects.get(status=PlanStatus.CURRENT)) == ["SQL in Practice"]
    credential = Credential.objects.get(user=careers.learner, microcredential=world.sql_basics)
    with TestCase.captureOnCommitCallbacks(execute=True):
        credential_revoke(actor=careers.owner, credential=credential, reason="Issued in error.")
    current = LearningPlan.objects.get(status=PlanStatus.CURRENT)
    # Completed once, the course is not planned again; its SQL beginner no longer counts as verified.
    assert current.trigger == "Your credential “SQL Basics” is now revoked."
    assert current.goal_snapshot["gap"][0]["verified"] is None


# -- pages ----------------------------------------------------------------------------------------


def test_the_plan_page_proposes_accepts_and_enrols_in_the_first_step(careers, world, signed_in):
    analyst(careers)
    client = signed_in(careers.learner)
    empty = client.get("/me/plan/").content.decode()
    assert "No plan yet" in empty and "Plan my path" in empty
    response = client.post("/me/plan/propose/")
    assert response.status_code == 302 and response["Location"] == "/me/plan/"
    plan = LearningPlan.objects.get(user=careers.learner)
    page = client.get("/me/plan/").content.decode()
    assert "Your path to Data analyst" in page
    assert page.index("SQL Basics") < page.index("SQL in Practice")
    assert "Optimal" in page and "What this plan cannot cover" in page
    assert "Accept this plan" in page and "Enrol in step 1: SQL Basics" in page
    client.post(f"/me/plan/{plan.pk}/accept/")
    plan.refresh_from_db()
    assert plan.accepted_at is not None
    assert "Accept this plan" not in client.get("/me/plan/").content.decode()
    enrolled = client.post(f"/me/plan/{plan.pk}/enrol/")
    enrolment = Enrolment.objects.get(user=careers.learner)
    assert enrolment.microcredential == world.sql_basics
    assert enrolled["Location"] == reverse("learning:resume", kwargs={"enrolment_id": enrolment.pk})
    assert "Enrol in step 2: SQL in Practice" in client.get("/me/plan/").content.decode()


def test_another_learners_plan_is_not_found(careers, world, signed_in):
    analyst(careers)
    plan = plan_propose(actor=careers.learner, today=now().date())
    client = signed_in(careers.other)
    assert client.post(f"/me/plan/{plan.pk}/accept/").status_code == 404
    assert client.post(f"/me/plan/{plan.pk}/enrol/").status_code == 404
    assert client.get(f"/me/plan/{plan.pk}.ics").status_code == 404
    assert not Enrolment.objects.exists()


def test_the_plan_downloads_as_a_calendar(careers, world, signed_in):
    analyst(careers)
    plan_propose(actor=careers.learner, today=now().date())
    response = signed_in(careers.learner).get("/me/plan.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "SQL Basics: 5 h of study" in body
    assert body.count("BEGIN:VEVENT") == 10  # 50 hours at 5 hours a week


def test_the_plan_page_without_a_goal_links_to_the_goal(careers, signed_in):
    page = signed_in(careers.learner).get("/me/plan/").content.decode()
    assert "Choose a goal first" in page and 'href="/me/goal/"' in page
    response = signed_in(careers.learner).post("/me/plan/propose/")
    assert response["Location"] == "/me/goal/"


def test_the_micro_credential_page_says_what_it_does_for_the_goal(careers, world, signed_in):
    analyst(careers)
    client = signed_in(careers.learner)
    page = client.get(mc_page(world.sql_basics)).content.decode()
    assert "This closes 1 of your 2 gaps towards Data analyst: SQL to beginner." in page
    page = client.get(mc_page(world.python_intro)).content.decode()
    assert "This one does not move you towards your goal of Data analyst" in page
    anonymous = Client().get(mc_page(world.python_intro)).content.decode()
    assert "For your goal" not in anonymous


def test_the_catalogs_results_mark_the_cards_that_close_gaps_of_the_goal(careers, world, signed_in):
    client = signed_in(careers.learner)
    catalog = reverse("catalog:catalog")
    assert "gaps towards" not in client.get(catalog).content.decode()  # no goal yet: no notes
    analyst(careers)
    page = client.get(catalog).content.decode()
    assert page.count("Closes 1 of your 2 gaps towards Data analyst") >= 2  # SQL Basics and SQL in Practice
    card = page[page.index(">SQL Basics<") :]
    assert card.index("Closes 1 of your 2 gaps") < card.index("</article>")
    intro = page[page.index(">Python Intro<") :]
    assert "gaps towards" not in intro[: intro.index("</article>")]  # teaches nothing the goal needs
    # The htmx partial carries the same notes; anonymous visitors see none.
    partial = client.get(catalog, headers={"HX-Request": "true"}).content.decode()
    assert "Closes 1 of your 2 gaps towards Data analyst" in partial
    assert "gaps towards" not in Client().get(catalog).content.decode()


def test_the_catalogue_is_indexed_once_and_again_after_a_publication(careers, world):
    from microcred.careers.planning import offer_catalogue
    from tests.careers.conftest import aligned_microcredential

    today = now().date()
    first = offer_catalogue(today=today)
    assert offer_catalogue(today=today) is first  # nothing changed: the same index
    analyst(careers, objective="least_cost", languages=["en"])
    assert titles(plan_propose(actor=careers.learner, today=today)) == ["SQL Basics", "SQL in Practice"]
    aligned_microcredential(
        provider=careers.provider,
        skills=[(careers.sql, "intermediate")],
        question_skill=careers.sql,
        slug="sql-cheap",
        title="SQL for Less",
        price=10,
    )
    assert offer_catalogue(today=today) is not first
    assert titles(plan_propose(actor=careers.learner, today=today)) == ["SQL Basics", "SQL for Less"]


def test_enrolling_from_a_plan_takes_only_its_steps(careers, world):
    from microcred.careers.services import plan_step_enrol
    from microcred.core.errors import ValidationFailed

    analyst(careers)
    plan = plan_propose(actor=careers.learner, today=now().date())
    with pytest.raises(ValidationFailed):
        plan_step_enrol(actor=careers.learner, plan=plan, microcredential_id=world.python_intro.pk)
    with pytest.raises(PermissionDenied):
        plan_step_enrol(actor=careers.other, plan=plan, microcredential_id=world.sql_basics.pk)
    assert not Enrolment.objects.exists()
    enrolment = plan_step_enrol(actor=careers.learner, plan=plan, microcredential_id=world.sql_basics.pk)
    assert (enrolment.user, enrolment.microcredential) == (careers.learner, world.sql_basics)
