"""Engagement in Debian's Chromium (ADR 0047): a visitor's view and the holder's click on "Add to
LinkedIn profile" are counted, the click lands on LinkedIn's own URL, and the holder's chart and
the issuer's page fit a 390 px phone."""

from __future__ import annotations

import pytest

from microcred.credentials.models import Credential, CredentialEngagement
from microcred.credentials.selectors import linkedin_add_url
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, published_microcredential
from tests.web.browser import BROWSER_MARKS, PHONE, sign_in

from .conftest import complete

pytestmark = BROWSER_MARKS


@pytest.fixture
def credential(transactional_db) -> Credential:
    provider = OrganisationFactory(name="Northbridge University of Applied Sciences and Arts", slug="northbridge")
    mc = published_microcredential(provider=provider, title="Data Analysis with Spreadsheets for Public Health")
    learner = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    return Credential.objects.get(completion=complete(mc, learner))


def counted(credential: Credential) -> dict[str, int]:
    return dict(CredentialEngagement.objects.filter(credential=credential).values_list("kind", "count"))


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_visit_and_a_linkedin_add_are_counted_and_shown_to_the_holder_on_a_phone(phone, credential):
    context, base_url = phone
    page = context.new_page()
    page.goto(f"/credentials/{credential.uuid}")
    assert page.locator("[data-engagement]").count() == 0  # a visitor sees no figures
    assert counted(credential) == {"view": 1}

    sign_in(context, base_url, credential.user)
    page.goto(f"/credentials/{credential.uuid}")
    assert counted(credential) == {"view": 1}  # the holder's own visit is not counted
    # LinkedIn is not reachable from the test machine: answer for it, and record what was asked.
    asked: list[str] = []

    def linkedin(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>LinkedIn</title>")

    context.route("https://www.linkedin.com/**", linkedin)
    with context.expect_page() as opened:
        page.locator("[data-share='linkedin-add']").click()
    opened.value.wait_for_url("https://www.linkedin.com/**")
    assert opened.value.url == linkedin_add_url(credential)
    assert asked == [linkedin_add_url(credential)]
    assert counted(credential) == {"view": 1, "linkedin_add": 1}

    page.reload()
    panel = page.locator("[data-engagement]")
    assert panel.locator("[data-kind='view'] dd").inner_text() == "1"
    assert panel.locator("[data-kind='linkedin_add'] dd").inner_text() == "1"
    chart = panel.locator("svg.chart")
    assert chart.is_visible() and chart.bounding_box()["width"] <= PHONE["width"]
    panel.get_by_text("Weeks as a table").click()
    assert panel.locator("[data-engagement-weeks] tbody tr").count() == 12
    assert page_width(page) <= PHONE["width"]


def test_the_issuer_page_fits_a_phone(phone, credential):
    context, base_url = phone
    page = context.new_page()
    page.goto(f"/credentials/{credential.uuid}")  # one view to show
    owner = MembershipFactory(organisation=credential.issuer, role="owner").user
    sign_in(context, base_url, owner)
    page.goto("/issuers/northbridge/manage/")
    page.locator("[data-link='engagement']").click()
    page.wait_for_url("**/issuers/northbridge/manage/engagement/")
    assert page.locator("[data-engagement-totals] [data-kind='view'] dd").inner_text() == "1"
    assert page.locator("svg.chart").count() == 2
    assert page_width(page) <= PHONE["width"]
