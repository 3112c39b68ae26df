"""The planner on the demo: its 20 occupations and 13 aligned micro-credentials, for a new learner."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from microcred.careers.planning import goal_gap, learner_plan
from microcred.careers.services import career_goal_set
from microcred.catalog.models import MicroCredential, Status
from microcred.core.clock import now
from microcred.skills.models import Occupation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_demo_occupation_gets_an_explained_plan_from_the_demo_catalogue():
    call_command("demo", "--quiet", stdout=io.StringIO())
    learner = UserFactory(email="new.learner@example.org")
    today = now().date()
    published = set(MicroCredential.objects.filter(status=Status.PUBLISHED).values_list("title", flat=True))
    unplanned = []
    occupations = list(Occupation.objects.order_by("label"))
    assert len(occupations) >= 20
    for occupation in occupations:
        career_goal_set(actor=learner, learner=learner, kind="occupation", occupation=occupation)
        gap = goal_gap(user=learner, today=today)
        assert gap.items and all(item.explanation.startswith(("Essential", "Optional", "Needed")) for item in gap.items)
        planned = learner_plan(user=learner, today=today)
        assert planned is not None
        plan = planned.plan
        assert {step.offer.title for step in plan.steps} <= published
        assert all(step.why_here for step in plan.steps)
        assert plan.quality == "optimal" or plan.quality.startswith("within")
        if not plan.steps:
            unplanned.append(occupation.label)
    # The demo has a beginner step under each intermediate course, so every occupation has a path.
    assert not unplanned, unplanned
    data_analyst = Occupation.objects.get(label="data analyst")
    out = io.StringIO()
    call_command("plan", "--learner", learner.email, "--occupation", data_analyst.uri, stdout=out)
    assert "Gap of new.learner@example.org to data analyst" in out.getvalue()
    assert "Data Analysis with Python" in out.getvalue()
