"""Stackable programmes (issue 9 §6): a provider's staff build them from their own micro-credentials
in the workspace, the platform's administrators build shared ones in the admin, the public page
lists their micro-credentials and each micro-credential's page names its programme; the API and
the catalog file carry them."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from microcred.catalog.models import Programme
from microcred.catalog.services import programme_create
from microcred.core.actors import SYSTEM
from microcred.core.errors import PermissionDenied, ValidationFailed
from microcred.exchange.services import catalog_export, catalog_import
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.pages import build_microcredential

pytestmark = pytest.mark.django_db


@pytest.fixture
def forge(db):
    return OrganisationFactory(name="Forge Academy", slug="forge", country="DE")


@pytest.fixture
def north(db):
    return OrganisationFactory(name="Northbridge University", slug="northbridge")


def programme_form(*mcs, **overrides):
    data = {
        "title": "Platform Engineering Track",
        "slug": "platform-track",
        "leads_to": "Certificate in Platform Engineering",
        "description": "Cloud, then pipelines.",
        "microcredentials": [str(mc.pk) for mc in mcs],
    }
    data.update(overrides)
    return data


def test_a_providers_staff_build_a_programme_that_the_public_pages_show(client, forge, north):
    cloud = build_microcredential(provider=forge, slug="cloud", title="Cloud Foundations")
    pipelines = build_microcredential(provider=forge, slug="pipelines", title="CI/CD Pipelines")
    foreign = build_microcredential(provider=north, slug="python", title="Python at Northbridge")
    client.force_login(MembershipFactory(organisation=forge, role="instructor").user)
    listing = reverse("catalog:workspace_programmes", args=["forge"])
    assert "Stackable programmes" in client.get(reverse("catalog:workspace_catalog", args=["forge"])).content.decode()
    page = client.get(listing).content.decode()
    assert "No programme yet" in page and "Cloud Foundations" in page and "Python at Northbridge" not in page

    # Another provider's micro-credential is not a choice; one alone is not a programme.
    refused = client.post(listing, programme_form(cloud, foreign))
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    refused = client.post(listing, programme_form(cloud))
    assert "A programme stacks at least 2 micro-credentials." in refused.content.decode()
    assert not Programme.objects.exists()

    response = client.post(listing, programme_form(cloud, pipelines), follow=True)
    assert "The programme “Platform Engineering Track” is listed in the catalog." in response.content.decode()
    programme = Programme.objects.get()
    assert [m.microcredential for m in programme.members.all()] == [pipelines, cloud]  # the catalog's order

    public = client.get(reverse("catalog:programme", args=["forge", "platform-track"])).content.decode()
    assert "Platform Engineering Track" in public and "Leads to Certificate in Platform Engineering" in public
    assert "Cloud Foundations" in public and "CI/CD Pipelines" in public
    mc_page = client.get(reverse("catalog:microcredential", args=["forge", "cloud"])).content.decode()
    assert 'href="/programmes/forge/platform-track/">Platform Engineering Track</a>' in mc_page
    assert "leads to Certificate in Platform Engineering" in mc_page
    api = client.get(f"/api/v1/microcredentials/{cloud.pk}").json()
    (listed,) = api["programmes"]
    assert listed["title"] == "Platform Engineering Track" and listed["provider"]["slug"] == "forge"
    assert [m["slug"] for m in listed["microcredentials"]] == ["pipelines", "cloud"]

    edit = reverse("catalog:workspace_programme_edit", args=["forge", programme.pk])
    client.post(edit, programme_form(cloud, pipelines, title="Platform Track", slug="ignored"))
    programme.refresh_from_db()
    assert (programme.title, programme.slug) == ("Platform Track", "platform-track")
    client.post(reverse("catalog:workspace_programme_delete", args=["forge", programme.pk]))
    assert not Programme.objects.exists() and cloud.pk  # the micro-credentials stay
    missing = client.get(reverse("catalog:programme", args=["forge", "platform-track"]))
    assert missing.status_code == 404


def test_another_providers_programme_is_not_found_and_learners_cannot_manage_one(client, forge, north):
    cloud = build_microcredential(provider=forge, slug="cloud", title="Cloud Foundations")
    pipelines = build_microcredential(provider=forge, slug="pipelines", title="CI/CD Pipelines")
    programme = programme_create(
        actor=SYSTEM, provider=forge, microcredentials=[cloud, pipelines], slug="track", title="Track", leads_to="A"
    )
    client.force_login(MembershipFactory(organisation=north, role="owner").user)
    assert (
        client.get(reverse("catalog:workspace_programme_edit", args=["northbridge", programme.pk])).status_code == 404
    )
    assert (
        client.post(reverse("catalog:workspace_programme_delete", args=["northbridge", programme.pk])).status_code
        == 404
    )
    assert client.get(reverse("catalog:workspace_programmes", args=["forge"])).status_code in (403, 404)
    assert Programme.objects.filter(pk=programme.pk).exists()
    with pytest.raises(PermissionDenied):
        programme_create(
            actor=UserFactory(), provider=None, microcredentials=[cloud, pipelines], slug="s", title="S", leads_to="A"
        )


def test_an_administrator_builds_a_shared_programme_across_providers_in_the_admin(client, forge, north):
    cloud = build_microcredential(provider=forge, slug="cloud", title="Cloud Foundations")
    python = build_microcredential(provider=north, slug="python", title="Python at Northbridge")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:catalog_programme_add"),
        {
            "provider": "",
            "slug": "cloud-data",
            "title": "Cloud Data Engineering",
            "description": "",
            "leads_to": "European Cloud Data Badge",
            "member_choices": [str(cloud.pk), str(python.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    shared = Programme.objects.get(slug="cloud-data")
    assert shared.provider is None and shared.members.count() == 2
    public = client.get(reverse("catalog:programme", args=["shared", "cloud-data"])).content.decode()
    assert "Cloud Foundations" in public and "Python at Northbridge" in public
    # A provider's programme may not stack another provider's offer, even in the admin.
    with pytest.raises(ValidationFailed, match="stacks its own micro-credentials"):
        programme_create(
            actor=admin, provider=forge, microcredentials=[cloud, python], slug="x", title="X", leads_to="Y"
        )


def test_the_catalog_file_carries_programmes_and_reimporting_changes_nothing(forge):
    build_microcredential(provider=forge, slug="cloud", title="Cloud Foundations")
    build_microcredential(provider=forge, slug="pipelines", title="CI/CD Pipelines")
    document = catalog_export(provider=forge)
    assert "programmes" not in document
    document["programmes"] = [
        {
            "slug": "track",
            "title": "Platform Track",
            "description": "Cloud, then pipelines.",
            "leads_to": "Certificate in Platform Engineering",
            "microcredentials": ["cloud", "pipelines"],
        }
    ]
    catalog_import(actor=SYSTEM, data=copy.deepcopy(document))
    programme = Programme.objects.get(provider=forge, slug="track")
    assert [m.microcredential.slug for m in programme.members.all()] == ["cloud", "pipelines"]
    assert catalog_export(provider=forge)["programmes"] == document["programmes"]
    updated_at = programme.updated_at
    catalog_import(actor=SYSTEM, data=copy.deepcopy(document))
    programme.refresh_from_db()
    assert programme.updated_at == updated_at and Programme.objects.count() == 1

    document["programmes"][0]["microcredentials"] = ["cloud", "ghost"]
    with pytest.raises(ValidationFailed, match="programme track: stacks ghost, which is not one of Forge Academy's"):
        catalog_import(actor=SYSTEM, data=copy.deepcopy(document))
    document["programmes"][0]["microcredentials"] = "cloud"
    with pytest.raises(ValidationFailed, match="expected a list of micro-credential slugs"):
        catalog_import(actor=SYSTEM, data=document)
