"""The careers world (a provider, a micro-credential aligned with skills, learners who earn it the
real way), and a portfolio on top of it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.careers.conftest import SITE, Careers, _site, careers, signed_in  # noqa: F401 - fixtures

__all__ = ["SITE", "Careers"]


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF like a browser-facing server does."""

    def make(user) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    return make
