"""Profile editing and personal API tokens."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from microcred.accounts.models import ApiToken, LearnerProfile
from microcred.accounts.services import api_token_authenticate, api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_update_goes_through_the_service(learner_client, learner):
    page = learner_client.get(reverse("accounts:profile"))
    assert page.status_code == 200 and 'value="Lena Learner"' in page.content.decode()
    response = learner_client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Lena L. Learner",
            "headline": "Analyst",
            "location": "Cork",
            "languages": "en, DE, en",
            "bio": "Hi",
            "visibility": "employers",
        },
    )
    assert response.status_code == 302
    profile = LearnerProfile.objects.get(user=learner)
    learner.refresh_from_db()
    assert learner.full_name == "Lena L. Learner"
    assert (profile.headline, profile.location, profile.languages, profile.visibility) == (
        "Analyst",
        "Cork",
        ["en", "de"],
        "employers",
    )


def test_profile_bad_input_shows_message_and_writes_nothing(learner_client, learner):
    response = learner_client.post(
        reverse("accounts:profile"),
        {"full_name": "Changed", "languages": "en, klingon", "visibility": "everyone-ever"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown language code(s): klingon." in html and "Select a valid choice." in html
    learner.refresh_from_db()
    assert learner.full_name == "Lena Learner"
    assert LearnerProfile.objects.get(user=learner).languages == []


def test_token_secret_is_shown_once_and_works(learner_client, learner):
    response = learner_client.post(reverse("accounts:tokens"), {"name": "CI export"}, follow=True)
    html = response.content.decode()
    secret = re.search(r'<code id="new-token-secret">([^<]+)</code>', html).group(1)
    assert api_token_authenticate(secret=secret) == learner
    token = ApiToken.objects.get(user=learner)
    assert token.name == "CI export" and token.token_hash != secret
    again = learner_client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in again and "CI export" in again and token.prefix in again


def test_token_blank_name_writes_nothing(learner_client):
    response = learner_client.post(reverse("accounts:tokens"), {"name": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_revoke_own_only(learner_client, learner):
    token, secret = api_token_create(actor=learner, name="old")
    other_token, other_secret = api_token_create(actor=UserFactory(), name="theirs")
    assert learner_client.post(reverse("accounts:token_revoke", args=[other_token.pk])).status_code == 404
    assert api_token_authenticate(secret=other_secret) is not None
    response = learner_client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    assert api_token_authenticate(secret=secret) is None
    assert learner_client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
