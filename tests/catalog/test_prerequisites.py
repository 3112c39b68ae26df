"""Structured prerequisites ("builds on", issue 9 §6): chosen in the workspace editor among the
published micro-credentials of any provider, kept by new versions, shown on the public page with
links, given by the API, and carried by the catalog file; a cycle or a draft is refused clearly."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.urls import reverse

from microcred.catalog.models import MicroCredential, MicroCredentialPrerequisite, Status
from microcred.catalog.services import microcredential_new_version, microcredential_publish, microcredential_update
from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.exchange.services import catalog_export, catalog_import
from tests.factories import MembershipFactory, OrganisationFactory, microcredential_fields
from tests.pages import build_microcredential

pytestmark = pytest.mark.django_db


@pytest.fixture
def forge(db):
    return OrganisationFactory(name="Forge Academy", slug="forge", country="DE")


@pytest.fixture
def north(db):
    return OrganisationFactory(name="Northbridge University", slug="northbridge")


def form_data(mc: MicroCredential, **overrides: Any) -> dict[str, Any]:
    """What the workspace form posts for ``mc`` unchanged, plus ``overrides``."""
    fields = microcredential_fields(slug=mc.slug, title=mc.title)
    data = {k: ("" if v is None else str(v)) for k, v in fields.items()}
    data.update(
        learning_outcomes="\n".join(fields["learning_outcomes"]),
        awarding_body=mc.awarding_body,
        country=mc.country,
        supervision="none",
        duration_weeks="4",
    )
    data.update(overrides)
    return data


def page(client, mc: MicroCredential) -> str:
    return client.get(reverse("catalog:microcredential", args=[mc.provider.slug, mc.slug])).content.decode()


def test_a_provider_chooses_what_its_course_builds_on_and_the_public_page_links_it(client, forge, north):
    basics = build_microcredential(provider=north, slug="python-basics", title="Python Basics")
    course = build_microcredential(provider=forge, slug="data-pipelines", title="Data Pipelines")
    draft_elsewhere = build_microcredential(provider=north, slug="sql-draft", title="SQL Draft", publish=False)
    owner = MembershipFactory(organisation=forge, role="owner").user
    client.force_login(owner)
    edit = reverse("catalog:workspace_mc_edit", args=["forge", course.pk])
    form = client.get(edit).content.decode()
    # Published offers of any provider, not this one itself, not another provider's draft.
    assert "Python Basics — Northbridge University" in form
    assert "Data Pipelines — Forge Academy" not in form and "SQL Draft" not in form

    response = client.post(edit, form_data(course, builds_on=[str(basics.pk)]))
    assert response.status_code == 302
    v2 = MicroCredential.objects.get(family=course.family, version=2)
    assert [link.required for link in v2.prerequisite_links.all()] == [basics]
    assert not course.prerequisite_links.exists()  # the published v1 does not change
    client.post(reverse("catalog:workspace_mc_publish", args=["forge", v2.pk]))

    html = page(client, v2)
    assert "Builds on" in html
    assert 'href="/providers/northbridge/python-basics/">Python Basics</a> (Northbridge University)' in html
    # The free-text EU element stays as it was.
    assert v2.prerequisites == course.prerequisites
    # A new version of the prerequisite keeps the link, shown as that version.
    renamed = microcredential_update(actor=SYSTEM, microcredential=basics, title="Python Basics 2027")
    microcredential_publish(actor=SYSTEM, microcredential=renamed)
    assert "Python Basics 2027</a>" in page(client, v2)
    # The editor shows the current choice, as the prerequisite's published version.
    v3_form = client.get(reverse("catalog:workspace_mc_edit", args=["forge", v2.pk])).content.decode()
    assert re.search(rf'<option value="{renamed.pk}"[^>]*selected', v3_form)
    assert draft_elsewhere.status == Status.DRAFT


def test_a_cycle_and_the_offer_itself_are_refused_with_a_message(client, forge):
    first = build_microcredential(provider=forge, slug="first", title="First Steps")
    second = build_microcredential(provider=forge, slug="second", title="Second Steps")
    second_v2 = microcredential_update(actor=SYSTEM, microcredential=second, builds_on=[first])
    owner = MembershipFactory(organisation=forge, role="owner").user
    client.force_login(owner)
    edit = reverse("catalog:workspace_mc_edit", args=["forge", first.pk])
    links_before = MicroCredentialPrerequisite.objects.count()
    response = client.post(edit, form_data(first, builds_on=[str(second_v2.pk)]))
    # Second Steps v2 is a draft, so it is not even a choice; its published v1 is, and the cycle is refused.
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(edit, form_data(first, builds_on=[str(second.pk)]))
    assert response.status_code == 200
    assert "Second Steps already builds on First Steps" in response.content.decode()
    assert MicroCredentialPrerequisite.objects.count() == links_before
    assert not MicroCredential.objects.filter(family=first.family, version=2).exists()
    with pytest.raises(ValidationFailed, match="cannot build on itself"):
        microcredential_update(actor=SYSTEM, microcredential=second_v2, builds_on=[second])


def test_new_versions_keep_their_prerequisites(forge):
    basics = build_microcredential(provider=forge, slug="basics", title="Basics")
    course = build_microcredential(provider=forge, slug="course", title="Course")
    v2 = microcredential_update(actor=SYSTEM, microcredential=course, builds_on=[basics])
    microcredential_publish(actor=SYSTEM, microcredential=v2)
    v3 = microcredential_new_version(actor=SYSTEM, microcredential=v2)
    assert [link.required for link in v3.prerequisite_links.all()] == [basics]


def test_the_api_gives_what_a_micro_credential_builds_on(client, forge, north):
    basics = build_microcredential(provider=north, slug="python-basics", title="Python Basics")
    course = build_microcredential(provider=forge, slug="pipelines", title="Pipelines")
    v2 = microcredential_publish(
        actor=SYSTEM, microcredential=microcredential_update(actor=SYSTEM, microcredential=course, builds_on=[basics])
    )
    body = client.get(f"/api/v1/microcredentials/{v2.pk}").json()
    (reference,) = body["builds_on"]
    assert reference["url"].endswith("/providers/northbridge/python-basics/")
    assert {k: v for k, v in reference.items() if k != "url"} == {
        "id": basics.pk,
        "slug": "python-basics",
        "title": "Python Basics",
        "provider": {"slug": "northbridge", "name": "Northbridge University"},
    }
    assert body["prerequisites"] == v2.prerequisites  # the free text, unchanged
    assert client.get(f"/api/v1/microcredentials/{basics.pk}").json()["builds_on"] == []


def test_the_catalog_file_carries_prerequisites_even_to_an_offer_further_down(forge, north):
    build_microcredential(provider=north, slug="python-basics", title="Python Basics")
    build_microcredential(provider=forge, slug="advanced", title="Advanced")
    build_microcredential(provider=forge, slug="basics", title="Basics")
    document = catalog_export(provider=forge)
    for entry in document["microcredentials"]:
        if entry["slug"] == "advanced":
            entry["builds_on"] = [{"slug": "basics"}, {"provider": "northbridge", "slug": "python-basics"}]
    report = catalog_import(actor=SYSTEM, data=copy.deepcopy(document))
    # Made through the services, not a file, so each gets a version with the file's fingerprint.
    assert "advanced" in report["new_version"]
    advanced = MicroCredential.objects.get(slug="advanced", status=Status.PUBLISHED)
    assert [(l.required.provider.slug, l.required.slug) for l in advanced.prerequisite_links.all()] == [
        ("forge", "basics"),
        ("northbridge", "python-basics"),
    ]
    exported = {e["slug"]: e for e in catalog_export(provider=forge)["microcredentials"]}
    assert exported["advanced"]["builds_on"] == [
        {"slug": "basics"},
        {"provider": "northbridge", "slug": "python-basics"},
    ]
    assert "builds_on" not in exported["basics"]
    # Importing the same file again changes nothing.
    assert catalog_import(actor=SYSTEM, data=copy.deepcopy(document))["unchanged"] == ["advanced", "basics"]


def test_an_unknown_prerequisite_in_a_file_is_a_clear_error_and_nothing_is_written(forge):
    build_microcredential(provider=forge, slug="basics", title="Basics")
    document = catalog_export(provider=forge)
    document["microcredentials"][0]["builds_on"] = [{"provider": "nowhere", "slug": "ghost"}]
    document["microcredentials"][0]["title"] = "Basics, renamed"
    versions = MicroCredential.objects.count()
    with pytest.raises(ValidationFailed, match="basics: builds on nowhere/ghost, which is not in this file"):
        catalog_import(actor=SYSTEM, data=document)
    assert MicroCredential.objects.count() == versions
    document["microcredentials"][0]["builds_on"] = [{"slug": "basics", "extra": 1}]
    with pytest.raises(ValidationFailed, match=r"builds_on\[0\]: unknown field"):
        catalog_import(actor=SYSTEM, data=document)
