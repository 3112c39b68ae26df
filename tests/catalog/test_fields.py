"""One definition of a micro-credential's field groups (microcred/catalog/fields.py): the admin
page, the workspace form, the services' allow-list and the importer all show or accept the same
fields, in the definition's groups and order."""

from __future__ import annotations

import re

import pytest

from microcred.assessment.services import QUIZ_SETTINGS
from microcred.catalog.admin.offers import MicroCredentialAdmin
from microcred.catalog.fields import (
    ABOUT,
    CATALOG,
    EU_MANDATORY,
    EU_OPTIONAL,
    LESSON_FIELDS,
    MICROCREDENTIAL_FIELDS,
    MICROCREDENTIAL_GROUPS,
)
from microcred.catalog.forms import MicroCredentialForm
from microcred.catalog.models import MicroCredential
from microcred.catalog.services import EDITABLE_FIELDS
from microcred.exchange.services import LESSON_KEYS, MC_KEYS, QUIZ_KEYS
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

IN_ORDER = [name for group in MICROCREDENTIAL_GROUPS for name in group]
MODEL_FIELDS = {field.name for field in MicroCredential._meta.get_fields()}


def _posted_names(html: str) -> list[str]:
    """The model fields a page posts back, in page order."""
    names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)
    return [name for name in dict.fromkeys(names) if name in MODEL_FIELDS]


def test_the_definition_names_model_fields_once_and_the_eu_elements_in_the_recommendations_order():
    assert len(IN_ORDER) == len(set(IN_ORDER)) == 29
    assert set(IN_ORDER) <= MODEL_FIELDS
    assert [group.title for group in MICROCREDENTIAL_GROUPS] == [
        "About",
        "EU mandatory elements",
        "EU optional elements",
        "Catalog",
    ]
    assert EU_MANDATORY.fields[:3] == ("awarding_body", "country", "learning_outcomes")
    assert EU_OPTIONAL.fields == ("prerequisites", "supervision", "identity_verified", "stackable", "stackability")


def test_allow_lists_are_immutable_and_derive_from_the_definition():
    for allow_list in (MICROCREDENTIAL_FIELDS, EDITABLE_FIELDS, LESSON_FIELDS, QUIZ_SETTINGS, MC_KEYS, LESSON_KEYS):
        assert isinstance(allow_list, frozenset)
    assert EDITABLE_FIELDS == MICROCREDENTIAL_FIELDS == frozenset(IN_ORDER)
    assert MICROCREDENTIAL_FIELDS | {"status", "skills", "modules", "builds_on"} == MC_KEYS
    assert (LESSON_FIELDS - {"position"}) | {"quiz", "assignment"} == LESSON_KEYS
    assert QUIZ_SETTINGS | {"title", "questions"} == QUIZ_KEYS


def test_the_workspace_form_has_the_definitions_fields_in_its_order():
    assert list(MicroCredentialForm.base_fields) == IN_ORDER
    assert tuple((group.title, group.fields) for group in MICROCREDENTIAL_GROUPS) == MicroCredentialForm.SECTIONS


def test_the_admin_fieldsets_hold_every_field_in_the_definitions_groups():
    fieldsets = MicroCredentialAdmin.fieldsets
    shown = [name for _, options in fieldsets for name in options["fields"]]
    assert set(IN_ORDER) <= set(shown)
    assert fieldsets[0][1]["fields"] == (
        "provider",
        "slug",
        "title",
        "summary",
        "description",
        "status",
        "version",
        "family",
        "published_at",
    )
    assert [(title, tuple(options["fields"])) for title, options in fieldsets[1:]] == [
        (group.title, group.fields) for group in (EU_MANDATORY, EU_OPTIONAL, CATALOG)
    ]
    assert set(ABOUT) <= set(fieldsets[0][1]["fields"])


@pytest.mark.django_db
def test_the_workspace_page_and_the_admin_page_render_the_fields_in_the_definitions_order(client):
    provider = OrganisationFactory(slug="northbridge")
    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    client.force_login(instructor)
    page = client.get("/orgs/northbridge/catalog/new/")
    assert page.status_code == 200
    assert _posted_names(page.content.decode()) == IN_ORDER
    html = page.content.decode()
    legends = re.findall(r"<legend[^>]*>([^<]+)</legend>", html)
    assert legends == [group.title for group in MICROCREDENTIAL_GROUPS]

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/catalog/microcredential/add/")
    assert page.status_code == 200
    admin_order = ["provider", "slug", *(name for name in IN_ORDER if name != "slug")]
    assert _posted_names(page.content.decode()) == admin_order
