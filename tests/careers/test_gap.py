"""The gap analysis (issue 9 §5): level-aware, weighed by importance and market demand, explained;
the learner's own word shows but never closes a gap. Through the page and the selector."""

from __future__ import annotations

import json

import pytest

from microcred.careers.planning import goal_gap
from microcred.careers.services import career_goal_set, declared_skill_set
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.market.postings_format import read_postings
from microcred.market.services import postings_import

pytestmark = pytest.mark.django_db


def analyst_goal(careers, learner=None):
    learner = learner or careers.learner
    career_goal_set(actor=learner, learner=learner, kind="occupation", occupation=careers.analyst)


def test_without_a_goal_the_gap_page_sends_the_learner_to_choose_one(careers, signed_in):
    page = signed_in(careers.learner).get("/me/gap/")
    assert page.status_code == 200
    assert "No goal yet" in page.content.decode()
    assert 'href="/me/goal/"' in page.content.decode()


def test_the_gap_lists_each_required_skill_with_its_level_importance_and_why(careers):
    analyst_goal(careers)
    gap = goal_gap(user=careers.learner, today=now().date())
    assert gap.target == "Data analyst"
    assert [(i.skill.label, i.required_level, i.status, i.weight) for i in gap.items] == [
        ("SQL", "intermediate", "missing", 0.9),  # essential, importance 0.9
        ("Data cleaning", "intermediate", "missing", 0.4),  # optional, no level stated: intermediate
    ]
    assert gap.items[0].explanation == (
        "Essential for Data analyst, required at intermediate; you hold no verified level; "
        "no job postings to weigh market demand."
    )
    assert "no level stated" in gap.items[1].explanation


def test_a_declared_skill_shows_but_does_not_close_the_gap(careers, signed_in):
    analyst_goal(careers)
    declared_skill_set(actor=careers.learner, learner=careers.learner, skill=careers.sql, level="expert")
    sql = goal_gap(user=careers.learner, today=now().date()).items[0]
    assert (sql.status, sql.verified_level, sql.unverified_level) == ("missing", None, "expert")
    assert "you say expert, which is not verified yet, so it does not close the gap" in sql.explanation
    page = signed_in(careers.learner).get("/me/gap/").content.decode()
    assert "Expert, unverified" in page
    assert 'class="gap-unverified"' in page  # the hatched bar in the chart
    assert "<strong>2</strong> of 2 skills still to close" in page


def test_a_credential_verifies_a_level_and_a_lower_one_leaves_the_gap_partly_met(careers):
    analyst_goal(careers)
    careers.complete()  # Tidy Data: data cleaning at intermediate, verified by our credential
    cleaning = next(i for i in goal_gap(user=careers.learner, today=now().date()).items if i.skill == careers.cleaning)
    assert (cleaning.status, cleaning.verified_level, cleaning.verified_by) == ("met", "intermediate", "Tidy Data")
    assert "you hold intermediate, verified by Tidy Data" in cleaning.explanation
    # An expert requirement on the same evidence is only partly met.
    career_goal_set(
        actor=careers.learner, learner=careers.learner, kind="skills", skills=[(careers.cleaning, "expert")]
    )
    (item,) = goal_gap(user=careers.learner, today=now().date()).items
    assert (item.status, item.required_level, item.verified_level) == ("partly", "expert", "intermediate")


def test_market_demand_weighs_the_gap(careers):
    today = now().date()
    lines = [
        json.dumps(
            {"title": f"Analyst {n}", "text": text, "location": "Berlin", "industry": "Data", "date": str(today)}
        )
        + "\n"
        for n, text in enumerate(["We need SQL.", "SQL and more SQL.", "SQL, data cleaning.", "SQL daily."])
    ]
    postings_import(actor=SYSTEM, records=read_postings(lines, format="jsonl", file="p.jsonl"), source="test")
    analyst_goal(careers)
    items = {i.skill.label: i for i in goal_gap(user=careers.learner, today=today).items}
    assert items["SQL"].demand == 1.0
    assert items["Data cleaning"].demand == pytest.approx(0.25)
    # importance × (0.2 + 0.8 × demand): a little-asked skill keeps part of its weight
    assert items["Data cleaning"].weight == pytest.approx(0.4 * (0.2 + 0.8 * 0.25))
    assert "market demand 25 % of the most asked-for skill" in items["Data cleaning"].explanation
