"""The project statistics in a real browser: a grader goes from the grading queue to the overview
and on to an assignment's statistics; the SVG charts draw, styled from the kit's stylesheet (the
CSP allows no inline style), with no Content-Security-Policy violation, and the CSV downloads."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from tests.assessment.stats.test_browser_statistics import RECORD_VIOLATIONS
from tests.web.browser import BROWSER_MARKS, CHROMIUM, LAUNCH_ARGS, sign_in

from .test_statistics import grading_round

pytestmark = BROWSER_MARKS


@pytest.fixture
def context(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_VIOLATIONS)
        yield context, live_server.url
        context.close()
        browser.close()


def test_a_grader_reads_the_overview_and_an_assignments_statistics(context, transactional_db, tmp_path):
    from playwright.sync_api import expect

    context, base_url = context
    course = grading_round()
    sign_in(context, base_url, course.grader)
    page = context.new_page()
    page.goto(reverse("projects:grading", args=[course.provider.slug]))
    page.get_by_role("link", name="Overview and statistics").click()
    expect(page.get_by_role("heading", level=2, name="Grading overview")).to_be_visible()
    expect(page.get_by_role("img", name="Submissions waiting for a grade, by assignment")).to_be_visible()
    expect(page.get_by_role("img", name="Grades given per week")).to_be_visible()
    bar = page.locator(".chart rect.chart-bar").first
    assert bar.evaluate("el => getComputedStyle(el).fill") == "rgb(79, 70, 229)"
    assert page.get_by_role("img", name="Grades given per week").bounding_box()["height"] > 100
    shots = os.environ.get("MICROCRED_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}-overview.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Grading by assignment (CSV)").click()
    assert download.value.suggested_filename == f"grading-{course.provider.slug}.csv"

    page.get_by_role("link", name="Statistics of Capstone").click()
    expect(page.get_by_role("heading", level=2, name="Assignment statistics: Capstone")).to_be_visible()
    expect(page.get_by_role("img", name="Score distribution of the graded submissions")).to_be_visible()
    expect(page.get_by_role("img", name="Levels given per rubric criterion")).to_be_visible()
    # The lowest level is drawn lightest and the highest darkest, from charts.css.
    lightest = page.locator(".chart .chart-series-0 rect.chart-part").first
    darkest = page.locator(".chart .chart-series-5 rect.chart-part").first
    assert lightest.evaluate("el => getComputedStyle(el).fill") == "rgb(165, 180, 252)"
    assert darkest.evaluate("el => getComputedStyle(el).fill") == "rgb(30, 27, 75)"
    if shots:
        page.screenshot(path=f"{shots}-assignment.png", full_page=True)
    page.screenshot(path=str(tmp_path / "assignment-statistics.png"), full_page=True)
    assert page.evaluate("window.__cspViolations") == []
