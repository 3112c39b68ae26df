"""Issue 9's "done when", in a real browser: a new learner picks a target job, sees their gap,
accepts a plan and enrols in its first step; the gap chart draws with no CSP violation."""

from __future__ import annotations

import os

from microcred.learning.models import Enrolment
from tests.assessment.stats.test_browser_statistics import RECORD_VIOLATIONS
from tests.careers.plan_world import build_world
from tests.web.browser import BROWSER_MARKS, sign_in
from tests.web.browser import browser_context as browser_context  # a fixture

pytestmark = BROWSER_MARKS


def test_a_new_learner_sets_a_goal_sees_the_gap_accepts_a_plan_and_enrols(
    browser_context,
    transactional_db,
    careers,
):
    from playwright.sync_api import expect

    world = build_world(careers)
    context, base_url = browser_context
    context.add_init_script(RECORD_VIOLATIONS)
    sign_in(context, base_url, careers.learner)
    page = context.new_page()

    page.goto("/me/goal/")
    page.get_by_label("Find an occupation").fill("analyst")
    page.get_by_label("Find an occupation").press("Enter")
    page.get_by_role("button", name="Choose Data analyst").click()
    expect(page.get_by_text("Your goal is now: Data analyst.")).to_be_visible()

    page.get_by_role("link", name="My gap").first.click()
    expect(page.get_by_role("heading", name="Towards Data analyst")).to_be_visible()
    chart = page.get_by_role("img", name="Required against held level per skill")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 60
    expect(page.get_by_test_id("gap-table").get_by_text("Essential for Data analyst")).to_be_visible()
    shots = os.environ.get("MICROCRED_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}-gap.png", full_page=True)

    page.get_by_role("button", name="Plan my path").click()
    expect(page.get_by_role("heading", name="Your path to Data analyst")).to_be_visible()
    steps = page.get_by_test_id("plan-steps")
    expect(steps.get_by_role("link", name="SQL Basics")).to_be_visible()
    expect(page.get_by_test_id("plan-quality")).to_have_text("Optimal")

    if shots:
        page.screenshot(path=f"{shots}-plan.png", full_page=True)
    page.get_by_role("button", name="Accept this plan").click()
    expect(page.get_by_text("You accepted this plan.")).to_be_visible()
    page.get_by_role("button", name="Enrol in step 1: SQL Basics").click()
    expect(page.get_by_text("You are enrolled in SQL Basics, step 1 of your plan.")).to_be_visible()
    assert list(Enrolment.objects.filter(user=careers.learner).values_list("microcredential", flat=True)) == [
        world.sql_basics.pk
    ]
    assert page.evaluate("window.__cspViolations") == []
