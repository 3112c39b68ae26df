"""A provider's certificate design on its profile page: a brand colour and up to three
signatories (name, title), checked by the form and again by the model."""

from __future__ import annotations

import pytest
from django.urls import reverse

from microcred.accounts.services import organisation_update
from microcred.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def profile_url(world) -> str:
    return reverse("accounts:workspace_profile", args=[world.provider.slug])


def form(world, **changes: str) -> dict[str, str]:
    provider = world.provider
    data = {"name": provider.name, "country": provider.country, "brand_colour": "", "certificate_signatories": ""}
    return {**data, **changes}


def test_an_owner_sets_the_brand_colour_and_signatories_and_sees_them_again(world, client):
    client.force_login(world.owner)
    response = client.post(
        profile_url(world),
        form(
            world,
            brand_colour=" #0F766E ",
            certificate_signatories="Dr. Ana Pérez, Dean of Studies\n\n  Jonas Müller ,Programme director \nPat Lee",
        ),
        follow=True,
    )
    assert "profile is saved" in response.content.decode()
    world.provider.refresh_from_db()
    assert world.provider.brand_colour == "#0f766e"
    assert world.provider.certificate_signatories == [
        {"name": "Dr. Ana Pérez", "title": "Dean of Studies"},
        {"name": "Jonas Müller", "title": "Programme director"},
        {"name": "Pat Lee", "title": ""},
    ]
    page = client.get(profile_url(world)).content.decode()
    assert 'value="#0f766e"' in page
    assert "Dr. Ana Pérez, Dean of Studies\nJonas Müller, Programme director\nPat Lee</textarea>" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"brand_colour": "teal"}, "A colour is # and six hexadecimal digits"),
        ({"brand_colour": "#12345g"}, "A colour is # and six hexadecimal digits"),
        ({"certificate_signatories": "A, a\nB, b\nC, c\nD, d"}, "At most 3 signatories"),
        ({"certificate_signatories": ", Dean"}, "has no name before its comma"),
        ({"certificate_signatories": "N" * 101 + ", Dean"}, "is too long"),
    ],
)
def test_a_bad_colour_or_signatory_list_is_refused_with_a_reason(world, client, changes, message):
    client.force_login(world.owner)
    response = client.post(profile_url(world), form(world, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    world.provider.refresh_from_db()
    assert world.provider.brand_colour == "" and world.provider.certificate_signatories == []


@pytest.mark.parametrize(
    "fields",
    [
        {"brand_colour": "red"},
        {"certificate_signatories": [{"name": "A", "title": ""}] * 4},
        {"certificate_signatories": [{"name": "", "title": "Dean"}]},
        {"certificate_signatories": [{"name": "A"}]},
        {"certificate_signatories": "A, Dean"},
    ],
)
def test_the_service_refuses_what_the_form_would_have(world, fields):
    with pytest.raises(ValidationFailed):
        organisation_update(actor=world.owner, organisation=world.provider, **fields)
