"""The Content-Security-Policy in a real browser (Debian Chromium, Playwright, the live server): the main
pages, admin and the API docs work with no violation, htmx still swaps, and author Markdown cannot make
a reader's browser fetch a remote image."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from microcred.assessment.models import Attempt
from microcred.catalog.models import Lesson, LessonKind
from microcred.credentials.models import Credential
from microcred.learning.services import enrolment_create, lesson_complete
from tests.core.test_markdown import TRACKER, course_with_remote_images
from tests.credentials.conftest import complete
from tests.factories import OrganisationFactory, UserFactory, correct_answers
from tests.web.browser import BROWSER_MARKS, CHROMIUM, LAUNCH_ARGS

pytestmark = BROWSER_MARKS

PASSWORD = "correct horse battery staple"  # the factories' password

# Runs before any page script (through DevTools, so the CSP does not apply to it) and records every
# violation the page reports, including ones from scripts htmx or Swagger UI run later.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def live_site_url(live_server, settings):
    # Credential ids, status lists and issuer profiles are built from SITE_URL: point it at the live server.
    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    return live_server.url


@pytest.fixture
def site(transactional_db, live_site_url):
    provider = OrganisationFactory(name="Northbridge University", slug="northbridge")
    course = course_with_remote_images(provider=provider)
    other = course_with_remote_images(provider=provider, slug="messy-data", title="Messy Data")
    learner = UserFactory(email="lena@example.org", full_name="Lena Learner")
    enrolment = enrolment_create(actor=learner, microcredential=course)
    reading = Lesson.objects.get(module__microcredential=course, kind=LessonKind.READING)
    lesson_complete(actor=learner, enrolment=enrolment, lesson=reading)
    quiz_lesson = Lesson.objects.get(module__microcredential=course, kind=LessonKind.QUIZ)
    credential = Credential.objects.get(completion=complete(other, learner))
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    return {
        "course": course,
        "learner": learner,
        "enrolment": enrolment,
        "reading": reading,
        "quiz_lesson": quiz_lesson,
        "credential": credential,
        "admin": admin,
    }


class Visit:
    """One browser context: records CSP violations, console errors and requests leaving the site."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.remote_requests: list[str] = []
        own_host = urlsplit(base_url).netloc
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on(
            "request",
            lambda request: (
                urlsplit(request.url).scheme in {"http", "https"}
                and urlsplit(request.url).netloc != own_host
                and self.remote_requests.append(request.url)
            ),
        )
        # Nothing outside the live server exists in the test; answer anything else with an empty 204.
        self.context.route(
            re.compile(r"^https?://(?!" + re.escape(own_host) + r"/)"), lambda route: route.fulfill(status=204)
        )

    def open(self, path: str) -> Any:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, f"{path}: {policy!r}"
        self.page.wait_for_load_state("networkidle")
        return response

    def assert_no_violations(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations")
        csp_console = [text for text in self.console_errors if "Content Security Policy" in text]
        assert violations == [] and csp_console == [], f"{where}: {violations} {csp_console}"

    def log_in(self, email: str) -> None:
        from playwright.sync_api import expect

        self.open("/login/")
        self.assert_no_violations("login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page.locator("details.user-menu")).to_be_visible()


@pytest.fixture
def visit(live_site_url):
    from playwright.sync_api import sync_playwright

    visits: list[Visit] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)

        def new_visit() -> Visit:
            visits.append(Visit(browser, live_site_url))
            return visits[-1]

        yield new_visit
        for each in visits:
            each.context.close()
        browser.close()


def test_public_pages_and_htmx_work_without_violations(site, visit):
    from playwright.sync_api import expect

    anonymous = visit()
    page = anonymous.page
    anonymous.open("/")
    anonymous.assert_no_violations("home")

    anonymous.open("/catalog/?q=data")
    results = page.locator("#results")
    expect(results.locator("h3")).to_have_count(2)
    # Filtering swaps the results in place through htmx; its indicator styles come from our stylesheet.
    page.get_by_label("Level").select_option("expert")
    expect(results).to_contain_text("No micro-credentials match")
    expect(page).to_have_url(re.compile(r"level=expert"))
    page.get_by_label("Level").select_option("")
    expect(results.locator("h3")).to_have_count(2)
    assert page.evaluate("document.querySelectorAll('head style').length") == 0
    # The compare toggle posts through htmx and swaps the tray out of band.
    for count, title in enumerate(("Tidy Data", "Messy Data"), start=1):
        page.get_by_role("checkbox", name=f"Compare {title}").check()
        expect(page.locator("#compare-tray .badge")).to_have_text(str(count))
    anonymous.assert_no_violations("catalog")

    anonymous.open("/compare/")
    expect(page.locator("body")).to_contain_text("Messy Data")
    anonymous.assert_no_violations("compare")

    course = site["course"]
    anonymous.open(reverse("catalog:microcredential", args=[course.provider.slug, course.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tidy Data")
    expect(page.get_by_role("link", name="image: pixel (external)")).to_have_attribute("href", re.compile("tracker"))
    expect(page.locator(".price-tag")).to_have_css("font-weight", "800")
    anonymous.assert_no_violations("micro-credential")

    anonymous.open(reverse("credentials:credential", args=[site["credential"].uuid]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Messy Data")
    anonymous.assert_no_violations("credential")

    anonymous.open("/verify/")
    page.get_by_label("Paste a credential").fill(json.dumps(site["credential"].document))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "valid")
    # The checklist's layout comes from verify.css, not from an inline <style>.
    expect(page.locator(".checklist")).to_have_css("display", "grid")
    anonymous.assert_no_violations("verify")

    anonymous.open("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Microcred")
    expect(page.locator(".opblock").first).to_be_visible()
    anonymous.assert_no_violations("API docs")

    assert not [url for url in anonymous.remote_requests if "tracker" in url], anonymous.remote_requests


def test_learner_pages_and_admin_work_without_violations(site, visit):
    from playwright.sync_api import expect

    learner = visit()
    page = learner.page
    learner.log_in(site["learner"].email)
    enrolment = site["enrolment"]

    learner.open("/dashboard/")
    bar = page.locator(".progress-bar").first
    expect(bar).to_have_class(re.compile(r"\bpct-50\b"))
    # The bar's width comes from the pct-50 class: half of its track.
    width = page.evaluate(
        "(bar) => bar.getBoundingClientRect().width / bar.parentElement.clientWidth", bar.element_handle()
    )
    assert 0.45 < width < 0.55, width
    learner.assert_no_violations("dashboard")

    learner.open(reverse("learning:lesson", args=[enrolment.pk, site["reading"].pk]))
    body = page.locator(".lesson-body")
    expect(body.get_by_role("heading", name="Tidy")).to_be_visible()
    expect(body.locator("img")).to_have_count(0)
    expect(body.get_by_role("link", name="image: chart of tidy data (external)")).to_have_attribute(
        "href", f"{TRACKER}?from=lesson"
    )
    expect(body.get_by_role("link", name="image: raw (external)")).to_be_visible()
    learner.assert_no_violations("lesson")

    video = Lesson.objects.get(module__microcredential=site["course"], kind=LessonKind.VIDEO)
    learner.open(reverse("learning:lesson", args=[enrolment.pk, video.pk]))
    expect(page.locator("video")).to_have_attribute("src", "https://videos.example.org/talk.mp4")
    learner.assert_no_violations("video lesson")

    learner.open(reverse("learning:lesson", args=[enrolment.pk, site["quiz_lesson"].pk]))
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator("fieldset.question")).to_have_count(2)
    learner.assert_no_violations("quiz")
    attempt = Attempt.objects.get(enrolment=enrolment, submitted_at__isnull=True)
    for question_id, choice_ids in correct_answers(attempt, served=True).items():
        for choice_id in choice_ids:
            page.locator(f'input[name="q{question_id}"][value="{choice_id}"]').check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Well done — you passed!")
    page.wait_for_load_state("load")  # the stylesheet too, before reading computed styles
    ring = page.locator(".score-ring")
    expect(ring).to_have_class(re.compile(r"\bpct-100\b.*\bis-passed\b"))
    assert (
        page.evaluate("(ring) => getComputedStyle(ring).getPropertyValue('--pct').trim()", ring.element_handle())
        == "100"
    )
    learner.assert_no_violations("quiz result")
    assert not [url for url in learner.remote_requests if "tracker" in url], learner.remote_requests

    staff = visit()
    staff.log_in(site["admin"].email)
    for path in (
        "/admin/",
        "/admin/catalog/microcredential/",
        f"/admin/catalog/microcredential/{site['course'].pk}/change/",
    ):
        staff.open(path)
        expect(staff.page.locator("#content")).to_be_visible()
        staff.assert_no_violations(path)
