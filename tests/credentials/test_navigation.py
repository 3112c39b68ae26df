"""Where people find credentials: the header, the user menu and the dashboard's organisations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AccreditorFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

MINE = reverse("credentials:mine")
VERIFY = reverse("verification:verify")


def nav(html: str) -> str:
    return html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]


def test_everyone_can_reach_verify_and_only_signed_in_people_their_credentials(client):
    anonymous = client.get("/").content.decode()
    assert f'href="{VERIFY}"' in nav(anonymous)
    assert MINE not in anonymous

    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert f'href="{VERIFY}"' in nav(page) and f'href="{MINE}"' in nav(page)
    menu = page.split('class="menu-panel"', 1)[1].split("</div>\n        </details>", 1)[0]
    assert f'href="{MINE}"' in menu


def test_current_page_is_marked_in_the_header(client):
    client.force_login(UserFactory())
    assert f'href="{MINE}" aria-current="page"' in nav(client.get(MINE).content.decode())
    assert f'href="{VERIFY}" aria-current="page"' in nav(client.get(VERIFY).content.decode())


def test_dashboard_links_provider_staff_to_credential_management(client):
    user = UserFactory()
    owned = MembershipFactory(user=user, role="owner", organisation=OrganisationFactory(slug="owned")).organisation
    taught = MembershipFactory(user=user, role="instructor", organisation=OrganisationFactory(slug="taught"))
    graded = MembershipFactory(user=user, role="grader", organisation=OrganisationFactory(slug="graded"))
    accreditor = MembershipFactory(user=user, role="owner", organisation=AccreditorFactory(slug="council"))
    client.force_login(user)
    page = client.get(reverse("learning:dashboard")).content.decode()
    assert reverse("credentials:manage", args=[owned.slug]) in page
    assert reverse("credentials:manage", args=[taught.organisation.slug]) in page
    # Graders cannot change credentials, and an accreditor issues none.
    assert reverse("credentials:manage", args=[graded.organisation.slug]) not in page
    assert reverse("credentials:manage", args=[accreditor.organisation.slug]) not in page
    # Each link opens the page (owners and instructors are let in).
    for slug in (owned.slug, taught.organisation.slug):
        assert client.get(reverse("credentials:manage", args=[slug])).status_code == 200
