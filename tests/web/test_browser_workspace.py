"""A provider owner's journey in a real browser: log in, author a draft in the workspace, publish
it, and find it in the public catalog."""

from __future__ import annotations

import re

import pytest

from microcred.catalog.models import MicroCredential
from tests.factories import IndustryFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.pages import PASSWORD
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


def test_provider_owner_authors_publishes_and_finds_a_micro_credential(page, transactional_db, tmp_path):
    from playwright.sync_api import expect

    provider = OrganisationFactory(name="Helix Energy Systems", slug="helix", country="NL")
    owner = UserFactory(email="owner@helix.example", full_name="Hana Helix")
    MembershipFactory(user=owner, organisation=provider, role="owner")
    IndustryFactory(name="Energy")

    page.goto("/login/")
    page.get_by_label("Email").fill("owner@helix.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Your organisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisations")
    page.get_by_role("link", name="Catalog of Helix Energy Systems").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalog")

    page.get_by_role("link", name="New micro-credential").first.click()
    page.get_by_label("Title", exact=True).fill("Heat Pump Commissioning")
    page.get_by_label("Slug").fill("heat-pumps")
    page.get_by_label("Summary").fill("Commission and hand over a domestic heat pump safely.")
    expect(page.get_by_label("Awarding body")).to_have_value("Helix Energy Systems")
    page.get_by_label("Learning outcomes").fill("Check refrigerant pressures\nHand over to the householder")
    page.get_by_label("Notional workload (hours)").fill("30")
    page.get_by_label("EQF level").select_option("4")
    page.get_by_label("Type of assessment").select_option("practical")
    page.get_by_label("Form of participation").select_option("blended")
    page.get_by_label("Quality assurance").fill("Reviewed by the Helix training board")
    page.get_by_label("Level", exact=True).select_option("intermediate")
    page.get_by_label("Industry").fill("Energy")
    page.screenshot(path=str(tmp_path / "workspace-form.png"), full_page=True)
    page.get_by_role("button", name="Create draft").click()

    expect(page.locator(".messages")).to_contain_text("Draft “Heat Pump Commissioning” created")
    page.get_by_label("Module title").fill("On site")
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_role("heading", name="1. On site")).to_be_visible()
    page.get_by_role("link", name="Reading to On site").click()
    page.get_by_label("Title", exact=True).fill("Before you start")
    page.get_by_label(re.compile(r"^Text")).fill("## Safety first\n\nIsolate the supply **before** opening the unit.")
    page.get_by_role("button", name="Add reading").click()
    expect(page.locator(".ws-lessons")).to_contain_text("Before you start")

    page.get_by_role("button", name="Publish v1").click()
    expect(page.locator(".messages")).to_contain_text("is published")
    page.screenshot(path=str(tmp_path / "workspace-editor.png"), full_page=True)
    assert MicroCredential.objects.get(provider=provider, slug="heat-pumps").status == "published"

    page.goto("/catalog/?q=heat")
    expect(page.locator("#results h3")).to_have_text(["Heat Pump Commissioning"])
    page.locator("#results").get_by_role("link", name="Heat Pump Commissioning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Heat Pump Commissioning")
    expect(page.locator("main")).to_contain_text("Before you start")
    assert (tmp_path / "workspace-editor.png").stat().st_size > 10_000
