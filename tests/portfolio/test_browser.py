"""At 390 px wide (a common phone), every action of the portfolio's editor, its public page and the
learner record is on screen, for the owner and for a visitor, in Debian's Chromium."""

from __future__ import annotations

import pytest

from microcred.credentials.models import Credential
from microcred.portfolio.services import portfolio_choices_set, portfolio_save
from tests.credentials.conftest import complete
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, published_microcredential
from tests.web.browser import BROWSER_MARKS, sign_in
from tests.web.test_browser_mobile import PHONE, off_screen, page_width

pytestmark = BROWSER_MARKS
ACTIONS = "main a.btn, main button, main input:not([type=hidden]), main textarea"


@pytest.fixture
def portfolio(transactional_db):
    provider = OrganisationFactory(name="Northbridge University of Applied Sciences and Arts", slug="northbridge")
    MembershipFactory(organisation=provider, role="owner")
    mc = published_microcredential(provider=provider, title="Data Analysis with Spreadsheets for Public Health")
    learner = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    credential = Credential.objects.get(completion=complete(mc, learner))
    portfolio = portfolio_save(
        actor=learner,
        owner=learner,
        handle="ada-lovelace-public-health-data-analyst",
        headline="Data analyst in public health, spreadsheets and reproducible reports",
        published=True,
    )
    portfolio_choices_set(actor=learner, owner=learner, credentials=[credential.uuid])
    return portfolio


def test_the_portfolio_editor_page_and_record_fit_a_phone(phone, portfolio):
    context, base_url = phone
    sign_in(context, base_url, portfolio.user)
    page = context.new_page()
    page.goto("/me/portfolio/")
    assert page.locator("input[name=credentials]").count() == 1
    assert off_screen(page, ACTIONS) == []
    assert page_width(page) <= PHONE["width"]

    page.get_by_role("link", name="See it as others do").click()
    page.wait_for_url(f"**/p/{portfolio.handle}")
    assert page.locator("[data-owner-note]").count() == 1
    assert off_screen(page, ACTIONS) == []
    assert page_width(page) <= PHONE["width"]

    context.clear_cookies()  # a visitor
    page.goto(f"/p/{portfolio.handle}")
    assert page.locator("[data-owner-note]").count() == 0
    assert page.locator("[data-entry=ours]").count() == 1
    assert off_screen(page, ACTIONS) == []
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("link", name="Learner record").click()
    page.wait_for_url(f"**/p/{portfolio.handle}/record")
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    assert off_screen(page, ACTIONS + ", main [data-record] td") == []
    assert page_width(page) <= PHONE["width"]
