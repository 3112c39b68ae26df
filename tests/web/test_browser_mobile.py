"""At 390 px wide (a common phone), every action on My credentials and on a credential's page is
on screen: nothing needs sideways scrolling, in Debian's Chromium."""

from __future__ import annotations

import pytest

from microcred.credentials.models import Credential
from tests.credentials.conftest import complete
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, published_microcredential
from tests.web.browser import BROWSER_MARKS, PHONE, sign_in

pytestmark = BROWSER_MARKS


@pytest.fixture
def credential(transactional_db) -> Credential:
    provider = OrganisationFactory(name="Northbridge University of Applied Sciences and Arts", slug="northbridge")
    MembershipFactory(organisation=provider, role="owner")
    mc = published_microcredential(provider=provider, title="Data Analysis with Spreadsheets for Public Health")
    learner = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    return Credential.objects.get(completion=complete(mc, learner))


def off_screen(page, selector: str) -> list[str]:
    """The accessible text of every element matching ``selector`` that is not wholly inside the
    viewport's width (after scrolling it into view vertically, as a thumb would)."""
    outside = []
    for element in page.locator(selector).all():
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        assert box is not None, element.inner_text()
        if box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 0.5:
            outside.append(element.inner_text().strip())
    return outside


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_every_action_on_my_credentials_is_on_screen_at_390px(phone, credential):
    context, base_url = phone
    sign_in(context, base_url, credential.user)
    page = context.new_page()
    page.goto("/me/credentials/")

    actions = page.locator("[data-actions] a")
    assert actions.count() >= 5
    assert off_screen(page, "[data-actions] a") == []
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("link", name="Public page").click()
    page.wait_for_url(f"**/credentials/{credential.uuid}")


def test_the_credential_page_fits_a_phone_for_its_holder_and_for_visitors(phone, credential):
    context, base_url = phone
    page = context.new_page()
    page.goto(f"/credentials/{credential.uuid}")
    assert off_screen(page, "main a.btn, main button") == []
    assert page_width(page) <= PHONE["width"]

    sign_in(context, base_url, credential.user)
    page.goto(f"/credentials/{credential.uuid}")
    assert page.locator("[data-share='linkedin-add']").count() == 1
    assert off_screen(page, "main a.btn, main button, main input[type=radio]") == []
    assert page_width(page) <= PHONE["width"]
