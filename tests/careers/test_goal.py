"""The career goal: an occupation, a pasted posting or chosen skills, and the learner's limits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from microcred.careers.models import CareerGoal, GoalSkill
from microcred.careers.selectors import career_goal_of, goal_requirements
from microcred.careers.services import (
    POSTING_SKILL_LEVEL,
    career_goal_constraints_set,
    career_goal_set,
    career_goal_skill_add,
    career_goal_skill_remove,
    career_goal_update,
)
from microcred.core.clock import now
from microcred.core.errors import PermissionDenied, ValidationFailed
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def requirements(user):
    return [(r.skill.label, r.level, r.essential, r.source) for r in goal_requirements(career_goal_of(user))]


@pytest.mark.parametrize("reference", ["uri", "code", "id"])
def test_an_occupation_goal_needs_what_the_taxonomy_lists(careers, reference):
    value = {"uri": careers.analyst.uri, "code": careers.analyst.code, "id": str(careers.analyst.pk)}[reference]
    goal = career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=value)
    assert goal.occupation == careers.analyst
    assert requirements(careers.learner) == [
        ("SQL", "intermediate", True, "Essential"),
        ("Data cleaning", None, False, "Optional"),
    ]


def test_an_unknown_occupation_is_refused(careers):
    with pytest.raises(ValidationFailed) as refused:
        career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation="http://nope")
    assert refused.value.errors == {"occupation": ["No occupation “http://nope”."]}
    assert not CareerGoal.objects.exists()


def test_a_posting_goal_keeps_the_skills_the_matcher_finds_in_it(careers):
    posting = (
        "Junior analyst wanted. You will build reports with pivot tables, write SQL against our warehouse "
        "and do data cleaning before every release. More SQL later. Friendly team, hybrid work."
    )
    goal = career_goal_set(
        actor=careers.learner, learner=careers.learner, kind="posting", posting_text=posting, posting_title="Analyst"
    )
    links = {link.skill.label: link for link in goal.skill_links.select_related("skill")}
    assert set(links) == {"SQL", "Use spreadsheets software", "Data cleaning"}
    assert links["SQL"].mentions == 2
    assert links["Use spreadsheets software"].matched_text == "pivot tables"
    assert {link.level for link in links.values()} == {POSTING_SKILL_LEVEL}
    assert goal.posting_title == "Analyst"


def test_an_empty_or_overlong_posting_is_refused(careers):
    for text, field in (("  ", "posting_text"), ("x" * 20_001, "posting_text")):
        with pytest.raises(ValidationFailed) as refused:
            career_goal_set(actor=careers.learner, learner=careers.learner, kind="posting", posting_text=text)
        assert field in refused.value.errors


def test_chosen_skills_by_id_or_uri_and_one_bad_one_changes_nothing(careers):
    career_goal_set(
        actor=careers.learner,
        learner=careers.learner,
        kind="skills",
        skills=[(careers.sql.uri, "expert"), (str(careers.python.pk), "beginner")],
    )
    assert requirements(careers.learner) == [
        ("Python programming", "beginner", None, "Chosen"),
        ("SQL", "expert", None, "Chosen"),
    ]
    with pytest.raises(ValidationFailed) as refused:
        career_goal_set(
            actor=careers.learner,
            learner=careers.learner,
            kind="skills",
            skills=[(careers.sql.uri, "guru"), ("x", "expert")],
        )
    assert set(refused.value.errors) == {"skills.0.level", "skills.1.skill"}
    assert GoalSkill.objects.count() == 2


def test_skills_are_added_and_removed_one_at_a_time_and_the_latest_target_wins(careers):
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    career_goal_skill_add(actor=careers.learner, learner=careers.learner, skill=careers.sql, level="beginner")
    career_goal_skill_add(actor=careers.learner, learner=careers.learner, skill=careers.sql, level="expert")
    goal = career_goal_skill_add(actor=careers.learner, learner=careers.learner, skill=careers.python, level="beginner")
    assert goal.kind == "skills" and goal.occupation is None
    assert requirements(careers.learner) == [
        ("Python programming", "beginner", None, "Chosen"),
        ("SQL", "expert", None, "Chosen"),
    ]
    career_goal_skill_remove(actor=careers.learner, learner=careers.learner, skill=careers.sql)
    goal = career_goal_skill_remove(actor=careers.learner, learner=careers.learner, skill=careers.python)
    assert goal.kind == "" and requirements(careers.learner) == []
    assert CareerGoal.objects.count() == 1


def test_constraints_are_checked_together_and_kept_across_target_changes(careers):
    provider = careers.provider
    deadline = now().date() + timedelta(days=90)
    career_goal_constraints_set(
        actor=careers.learner,
        learner=careers.learner,
        hours_per_week=6,
        budget_eur="250.50",
        deadline=deadline,
        languages=["EN", "de", "en"],
        participation_forms=["online", "blended"],
        accredited_only=True,
        preferred_providers=[provider],
        objective="least_cost",
    )
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    goal = career_goal_of(careers.learner)
    assert (goal.hours_per_week, goal.budget_eur, goal.deadline) == (6, Decimal("250.50"), deadline)
    assert (goal.languages, goal.participation_forms, goal.accredited_only) == (
        ["en", "de"],
        ["online", "blended"],
        True,
    )
    assert (list(goal.preferred_providers.all()), goal.objective) == ([provider], "least_cost")
    with pytest.raises(ValidationFailed) as refused:
        career_goal_constraints_set(
            actor=careers.learner,
            learner=careers.learner,
            hours_per_week=0,
            budget_eur="-1",
            deadline=now().date(),
            languages=["english!"],
            participation_forms=["by post"],
            preferred_providers=[OrganisationFactory(kind="accreditor")],
            objective="fastest",
        )
    assert set(refused.value.errors) == {
        "hours_per_week",
        "budget_eur",
        "deadline",
        "languages",
        "participation_forms",
        "preferred_providers",
        "objective",
    }
    assert career_goal_of(careers.learner).hours_per_week == 6


def test_target_and_constraints_change_together_or_not_at_all(careers):
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    with pytest.raises(ValidationFailed) as refused:
        career_goal_update(
            actor=careers.learner,
            learner=careers.learner,
            kind="skills",
            skills=[(careers.sql.uri, "expert")],
            constraints={"hours_per_week": 500},
        )
    assert set(refused.value.errors) == {"constraints.hours_per_week"}
    goal = career_goal_of(careers.learner)
    assert (goal.kind, goal.occupation) == ("occupation", careers.analyst)


def test_nobody_sets_another_learners_goal(careers):
    with pytest.raises(PermissionDenied):
        career_goal_set(actor=careers.other, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    with pytest.raises(PermissionDenied):
        career_goal_constraints_set(actor=careers.other, learner=careers.learner, hours_per_week=5)
