"""Our own issued credentials (through the real learning and issuing services), for the
Django-side verification tests."""

from __future__ import annotations

import pytest

from microcred.credentials.models import Credential
from tests.credentials.conftest import complete
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, published_microcredential
from tests.verification.builders import World, https_issuer

SITE = "https://academy.example"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    return SITE


@pytest.fixture
def issued(db, site) -> Credential:
    provider = OrganisationFactory(name="Example Academy", slug="example-academy", email="badges@academy.example")
    MembershipFactory(organisation=provider, role="owner")
    mc = published_microcredential(provider=provider)
    learner = UserFactory(email="Ada.Lovelace@Example.org", full_name="Ada Lovelace")
    completion = complete(mc, learner)
    return Credential.objects.get(completion=completion)


@pytest.fixture
def world() -> World:
    """Documents the Django-free engine may fetch (test_verifier, test_memo)."""
    return World()


@pytest.fixture
def academy(world: World):
    issuer = https_issuer()
    world.publish_issuer(issuer)
    return issuer
