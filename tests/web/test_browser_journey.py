"""A learner's whole journey in a real browser: Debian Chromium driven by Playwright against the live server."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from microcred.assessment.models import Attempt
from microcred.learning.models import Completion
from tests.factories import correct_answers
from tests.web.browser import BROWSER_MARKS, CHROMIUM, LAUNCH_ARGS

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_learner_finds_enrols_learns_passes_and_completes(page, catalog, transactional_db, tmp_path):
    from playwright.sync_api import expect

    mc = catalog.mcs["python"]

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Short courses that count")
    page.get_by_label("Search micro-credentials").fill("pandas")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/catalog/\?q=pandas"))
    results = page.locator("#results")
    expect(results.locator("h3")).to_have_count(1)
    expect(results.locator("h3")).to_have_text(mc.title)
    # Filtering by level swaps the results in place through htmx and updates the address bar.
    page.get_by_label("Level").select_option("expert")
    expect(results).to_contain_text("No micro-credentials match")
    expect(page).to_have_url(re.compile(r"level=expert"))
    page.get_by_label("Level").select_option("")
    expect(results.locator("h3")).to_have_count(1)

    results.get_by_role("link", name=mc.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mc.title)
    page.get_by_role("button", name=re.compile("^Enrol")).click()

    # Not signed in: the login page, carrying us back afterwards; we have no account, so sign up.
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Full name").fill("Browser Learner")
    page.get_by_label("Email").fill("browser@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox to continue")
    # The live server runs in this process, so its (in-memory) mail is ours to read.
    [message] = mail.outbox
    link = urlsplit(re.search(r"https?://\S+/signup/confirm/\S+", message.body).group(0))
    page.goto(f"{link.path}?{link.query}")
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mc.title)
    page.get_by_role("button", name=re.compile("^Enrol")).click()

    expect(page.locator(".lesson-head")).to_be_visible()
    for _ in range(10):
        if page.get_by_role("button", name="Start the quiz").count():
            break
        mark = page.get_by_role("button", name="Mark as complete")
        if mark.count():
            mark.click()
            expect(page.locator("#lesson-progress")).to_contain_text("Completed")
        page.locator(".pager a.next").click()
    page.get_by_role("button", name="Start the quiz").click()

    expect(page.locator("fieldset.question")).to_have_count(2)
    attempt = Attempt.objects.get(user__email="browser@example.org", submitted_at__isnull=True)
    for question_id, choice_ids in correct_answers(attempt, served=True).items():
        for choice_id in choice_ids:
            page.locator(f'input[name="q{question_id}"][value="{choice_id}"]').check()
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Well done — you passed!")
    page.get_by_role("link", name="See your completion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Congratulations, Browser Learner!")
    expect(page.locator("#credential")).to_be_visible()
    assert Completion.objects.filter(enrolment__user__email="browser@example.org").exists()

    page.screenshot(path=str(tmp_path / "completion.png"), full_page=True)
    assert (tmp_path / "completion.png").stat().st_size > 10_000
