"""``microcred plan``: the gap and the plan as tables, a what-if towards an occupation, an ICS file."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from microcred.careers.models import CareerGoal, LearningPlan
from microcred.careers.services import career_goal_set
from tests.careers.plan_world import build_world

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_the_plan_towards_an_occupation_prints_the_gap_and_the_steps(careers, tmp_path):
    build_world(careers)
    ics = tmp_path / "plan.ics"
    out = run("--learner", "ada.lovelace@example.org", "--occupation", careers.analyst.uri, "--ics", str(ics))
    assert "Gap of" in out and "Data analyst" in out
    assert out.index("SQL Basics") < out.index("SQL in Practice")
    assert "least_workload, optimal" in out
    assert "Cannot cover Data cleaning at beginner." in out
    assert ics.read_text().startswith("BEGIN:VCALENDAR")
    # A what-if: nothing stored.
    assert not CareerGoal.objects.exists() and not LearningPlan.objects.exists()


def test_the_learners_own_goal_and_another_objective(careers):
    build_world(careers)
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    out = run("--learner", careers.learner.email, "--objective", "least_cost")
    assert "SQL auf Deutsch" in out and "least_cost" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--learner", "nobody@example.org"], "No learner with e-mail 'nobody@example.org'."),
        (["--learner", "grace@example.org", "--occupation", "http://nope"], "No occupation 'http://nope'"),
        (["--learner", "grace@example.org"], "grace@example.org has no goal that names skills"),
    ],
)
def test_one_line_errors(careers, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert str(error.value).startswith(message)
