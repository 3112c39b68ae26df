"""Credentials in a real browser (Debian Chromium, Playwright, the live server): a learner earns,
shares and verifies one, the issuer revokes it, and an employer checks a pasted credential."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from microcred.accounts.models import Organisation, User
from microcred.assessment.models import Attempt
from microcred.catalog.models import Lesson, LessonKind, MicroCredential
from microcred.credentials.models import Credential
from microcred.learning.models import Enrolment
from microcred.learning.services import enrolment_create, lesson_complete
from tests.credentials.conftest import complete
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    correct_answers,
    published_microcredential,
)
from tests.web.browser import BROWSER_MARKS, CHROMIUM, LAUNCH_ARGS

PASSWORD = "correct horse battery staple"  # the factories' password

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(live_server, settings):
    from playwright.sync_api import sync_playwright

    # Credential ids, status lists and verify links are built from SITE_URL: point it at the live server.
    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """A new page in its own browser context (its own cookies): one per person."""
    contexts = []

    def new_page() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


@dataclass
class Academy:
    provider: Organisation
    owner: User
    mc: MicroCredential
    learner: User
    enrolment: Enrolment
    quiz_lesson: Lesson


@pytest.fixture
def academy(transactional_db) -> Academy:
    """A learner who has done every lesson but the final quiz, through the services."""
    provider = OrganisationFactory(name="Northbridge University", slug="northbridge")
    owner = MembershipFactory(
        organisation=provider, role="owner", user=UserFactory(email="owner@example.org", full_name="Niamh Owner")
    ).user
    mc = published_microcredential(provider=provider, title="Data Analysis with Python")
    learner = UserFactory(email="aoife@example.org", full_name="Aoife Byrne")
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    for lesson in Lesson.objects.filter(module__microcredential=mc, required=True).exclude(kind=LessonKind.QUIZ):
        lesson_complete(actor=learner, enrolment=enrolment, lesson=lesson)
    quiz_lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    return Academy(provider, owner, mc, learner, enrolment, quiz_lesson)


def log_in(page: Any, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("details.user-menu")).to_be_visible()


def shoot(page: Any, directory: Path, name: str) -> None:
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, name


def test_learner_earns_shares_and_verifies_then_the_issuer_revokes(academy, open_page, tmp_path):
    from playwright.sync_api import expect

    # The learner passes the final quiz in the browser.
    learner = open_page()
    log_in(learner, academy.learner.email)
    learner.goto(f"/learn/{academy.enrolment.pk}/lessons/{academy.quiz_lesson.pk}/")
    learner.get_by_role("button", name="Start the quiz").click()
    attempt = Attempt.objects.get(enrolment=academy.enrolment, submitted_at__isnull=True)
    for question_id, choice_ids in correct_answers(attempt, served=True).items():
        for choice_id in choice_ids:
            learner.locator(f'input[name="q{question_id}"][value="{choice_id}"]').check()
    learner.get_by_role("button", name="Submit answers").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Well done — you passed!")
    learner.get_by_role("link", name="See your completion").click()

    # The completion page shows the credential, issued after the completion committed.
    slot = learner.locator("#credential")
    expect(slot).to_contain_text("issued your signed Open Badge")
    credential = Credential.objects.get(user=academy.learner)
    expect(slot.get_by_role("link", name="Verify this credential")).to_have_attribute(
        "href", re.compile(rf"^/verify/\?url=.*{credential.uuid}$")
    )
    shoot(learner, tmp_path, "1-completion")

    # My credentials, reached from the header, lists it as valid.
    learner.get_by_role("navigation", name="Main").get_by_role("link", name="My credentials").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("My credentials")
    row = learner.locator("tbody tr", has_text=academy.mc.title)
    expect(row.locator(".badge")).to_have_text("Valid")
    shoot(learner, tmp_path, "2-my-credentials")

    # Its public page; the JSON download is the signed credential.
    row.get_by_role("link", name=academy.mc.title, exact=True).click()
    expect(learner.get_by_role("heading", level=1)).to_have_text(academy.mc.title)
    expect(learner.locator("#status-title")).to_contain_text("Valid")
    download = learner.get_by_role("link", name="Download JSON")
    response = learner.request.get(download.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert "OpenBadgeCredential" in document["type"] and document["id"].endswith(str(credential.uuid))
    assert document["proof"]
    shoot(learner, tmp_path, "3-public-page")

    learner.get_by_role("link", name="Verify this credential").click()
    verdict = learner.locator("[data-outcome]")
    expect(verdict).to_have_attribute("data-outcome", "valid")
    expect(verdict.get_by_role("heading", level=2)).to_contain_text("Valid")
    expect(verdict.locator('.checklist li[data-status="failed"]')).to_have_count(0)
    shoot(learner, tmp_path, "4-verify-valid")

    # The issuer's owner revokes it from the management page reached from the dashboard.
    owner = open_page()
    log_in(owner, academy.owner.email)
    owner.goto("/dashboard/")
    owner.get_by_role("link", name="Manage credentials of Northbridge University").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Issued credentials")
    issued = owner.locator("tbody tr", has_text=academy.learner.email)
    issued.locator("summary").click()
    issued.get_by_placeholder("Reason for revoking (final)").fill("The final quiz was taken by someone else.")
    shoot(owner, tmp_path, "5-manage")
    issued.get_by_role("button", name="Revoke").click()
    expect(owner.locator(".messages")).to_contain_text("is revoked")
    expect(owner.locator("tbody tr", has_text=academy.learner.email).locator(".badge")).to_have_text("Revoked")

    # Anyone verifying now sees it revoked, with the status step failing.
    learner.reload()
    expect(verdict).to_have_attribute("data-outcome", "revoked")
    expect(verdict).to_contain_text("The issuer has revoked this credential.")
    shoot(learner, tmp_path, "6-verify-revoked")

    # The learner sees it too, with the reason.
    learner.goto("/me/credentials/")
    row = learner.locator("tbody tr", has_text=academy.mc.title)
    expect(row.locator(".badge")).to_have_text("Revoked")
    expect(row).to_contain_text("The final quiz was taken by someone else.")
    shoot(learner, tmp_path, "7-my-credentials-revoked")


def test_employer_pastes_a_credential_and_sees_the_checklist(academy, open_page, tmp_path):
    from playwright.sync_api import expect

    # The learner completed through the services; they sent the employer the JSON file.
    credential = Credential.objects.get(completion=complete(academy.mc, academy.learner))
    employer = open_page()
    employer.goto("/")
    employer.get_by_role("navigation", name="Main").get_by_role("link", name="Verify").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Verify a credential")
    employer.get_by_label("Paste a credential").fill(json.dumps(credential.document, indent=2))
    employer.get_by_label("Recipient e-mail").fill("AOIFE@example.org")
    employer.get_by_role("button", name="Verify").click()

    verdict = employer.locator("[data-outcome]")
    expect(verdict).to_have_attribute("data-outcome", "valid")
    steps = verdict.locator(".checklist li")
    assert steps.count() >= 5
    expect(verdict.locator('.checklist li[data-status="failed"]')).to_have_count(0)
    expect(verdict).to_contain_text(academy.mc.title)
    expect(verdict).to_contain_text("Northbridge University")
    shoot(employer, tmp_path, "8-verify-pasted")

    # A tampered copy fails, and the checklist says which check.
    tampered = json.loads(json.dumps(credential.document))
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    employer.get_by_label("Paste a credential").fill(json.dumps(tampered))
    employer.get_by_label("Recipient e-mail").fill("")
    employer.get_by_role("button", name="Verify").click()
    expect(verdict).not_to_have_attribute("data-outcome", "valid")
    expect(verdict.locator('.checklist li[data-status="failed"]').first).to_be_visible()
    shoot(employer, tmp_path, "9-verify-tampered")
