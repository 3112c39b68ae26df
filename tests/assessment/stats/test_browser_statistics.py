"""The quiz statistics page in a real browser: an instructor goes from the workspace catalog to a
quiz's statistics; the SVG charts draw (styled from our stylesheet: the CSP allows no inline style)
with no Content-Security-Policy violation, and the CSV downloads."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from microcred.learning.services import enrolment_create
from tests.assessment.stats.test_statistics_pages import published_microcredential, take
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.pages import PASSWORD
from tests.web.browser import BROWSER_MARKS, CHROMIUM, LAUNCH_ARGS

pytestmark = BROWSER_MARKS

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_VIOLATIONS)
        yield context.new_page()
        context.close()
        browser.close()


def test_an_instructor_reads_a_quiz_statistics_page(page, transactional_db, tmp_path):
    from playwright.sync_api import expect

    from microcred.assessment.models import Quiz

    provider = OrganisationFactory(name="Northbridge University", slug="northbridge")
    mc = published_microcredential(provider=provider)
    quiz = Quiz.objects.get(lesson__module__microcredential=mc)
    for right in [{1, 2}, {1}, set(), {1, 2}, {2}]:
        learner = UserFactory()
        take(quiz, enrolment_create(actor=learner, microcredential=mc), learner, right)
    MembershipFactory(user=UserFactory(email="ines@northbridge.example"), organisation=provider, role="instructor")

    page.goto("/login/")
    page.get_by_label("Email").fill("ines@northbridge.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(reverse("catalog:workspace_mc", args=[provider.slug, mc.pk]))
    page.get_by_role("link", name="Statistics of Final quiz").click()
    expect(page.get_by_role("heading", level=2, name="Quiz statistics: Final quiz")).to_be_visible()
    expect(page.get_by_role("img", name="Score distribution of 5 attempts")).to_be_visible()
    expect(page.get_by_role("img", name="Facility and discrimination per question")).to_be_visible()
    # The bars take their colour from statistics.css (the class), and have a size.
    bar = page.locator(".qs-chart rect.qs-bar").first
    assert bar.evaluate("el => getComputedStyle(el).fill") == "rgb(79, 70, 229)"
    assert page.locator(".qs-chart").first.bounding_box()["height"] > 100
    page.get_by_label("Attempts", exact=True).select_option("all")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("all graded attempts (5 counted)")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Question statistics (CSV)").click()
    assert download.value.suggested_filename == f"quiz-{quiz.pk}-questions-all.csv"
    if os.environ.get("MICROCRED_SCREENSHOTS"):
        page.screenshot(path=os.environ["MICROCRED_SCREENSHOTS"], full_page=True)
    page.screenshot(path=str(tmp_path / "quiz-statistics.png"), full_page=True)
    assert page.evaluate("window.__cspViolations") == []
