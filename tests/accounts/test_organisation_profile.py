"""Owners edit what their organisation says about itself, the LinkedIn organisation id included;
nobody else can open the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from microcred.accounts.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    organisation = OrganisationFactory(name="Northbridge University", slug="northbridge", country="GB")
    owner = UserFactory(email="owner@example.org")
    MembershipFactory(user=owner, organisation=organisation, role="owner")
    return organisation, owner


def profile_url() -> str:
    return reverse("accounts:workspace_profile", args=["northbridge"])


def form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Northbridge University",
        "description": "A university by the river.",
        "website": "https://northbridge.example",
        "email": "badges@northbridge.example",
        "country": "gb",
        "city": "Leeds",
        "logo_url": "https://northbridge.example/logo.png",
        "linkedin_organization_id": "",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    "entered",
    [
        "1337",
        " 1337 ",
        "https://www.linkedin.com/company/1337/admin/",
        "linkedin.com/company/1337",
        "https://de.linkedin.com/company/1337/?x=1",
    ],
)
def test_an_owner_saves_the_profile_with_the_linkedin_id_as_a_number_or_the_admin_address(client, org, entered):
    organisation, owner = org
    client.force_login(owner)
    page = client.get(profile_url())
    assert page.status_code == 200 and 'aria-current="page"' in page.content.decode()

    response = client.post(profile_url(), form(linkedin_organization_id=entered), follow=True)

    assert "profile is saved" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.linkedin_organization_id == "1337"
    assert organisation.country == "GB" and organisation.city == "Leeds"


def test_a_vanity_address_is_refused_with_what_to_paste_instead(client, org):
    organisation, owner = org
    client.force_login(owner)

    response = client.post(
        profile_url(), form(linkedin_organization_id="https://www.linkedin.com/company/northbridge/")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "organisation id is a number" in html and "copy the number from the address" in html
    organisation.refresh_from_db()
    assert organisation.linkedin_organization_id == "" and organisation.city == ""


def test_a_bad_website_keeps_everything_as_it_was(client, org):
    organisation, owner = org
    client.force_login(owner)

    response = client.post(profile_url(), form(website="not a web address", linkedin_organization_id="1337"))

    assert response.status_code == 200 and "Enter a valid URL" in response.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).linkedin_organization_id == ""


@pytest.mark.parametrize("role", ["instructor", "grader", None])
def test_only_owners_open_the_profile(client, org, role):
    organisation, _owner = org
    person = UserFactory()
    if role:
        MembershipFactory(user=person, organisation=organisation, role=role)
    client.force_login(person)

    assert client.get(profile_url()).status_code in (403, 404)
    assert client.post(profile_url(), form(name="Hijacked")).status_code in (403, 404)
    assert Organisation.objects.get(pk=organisation.pk).name == "Northbridge University"


def test_the_owners_workspace_links_to_the_profile(client, org):
    _organisation, owner = org
    client.force_login(owner)
    html = client.get(reverse("accounts:workspace_members", args=["northbridge"])).content.decode()
    assert f'href="{profile_url()}"' in html
