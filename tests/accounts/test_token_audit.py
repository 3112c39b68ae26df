"""API tokens leave audit rows when they are made and revoked (issue 7, item 6): who, which token
(id, name, prefix), and never the secret or its hash."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from microcred.accounts.models import ApiToken
from microcred.core.models import AuditLog
from tests.api.conftest import API

pytestmark = pytest.mark.django_db


def token_rows(token: ApiToken) -> list[tuple[str, int | None, dict]]:
    rows = AuditLog.objects.filter(target_type="accounts.apitoken", target_id=str(token.pk)).order_by("pk")
    return [(row.action, row.actor_id, row.data) for row in rows]


def assert_no_secret(secret: str, token: ApiToken) -> None:
    logged = json.dumps(list(AuditLog.objects.values_list("data", flat=True)))
    assert secret not in logged and token.token_hash not in logged


def test_a_token_made_and_revoked_on_the_page_is_audited(learner_client, learner):
    response = learner_client.post(reverse("accounts:tokens"), {"name": "CI export"}, follow=True)
    secret = re.search(r'<code id="new-token-secret">([^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=learner)
    assert token_rows(token) == [("api_token.create", learner.pk, {"name": "CI export", "prefix": token.prefix})]

    learner_client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    learner_client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)  # already revoked: no new row
    assert token_rows(token)[1:] == [("api_token.revoke", learner.pk, {"user": learner.pk, "prefix": token.prefix})]
    assert_no_secret(secret, token)


def test_a_token_made_and_revoked_through_the_api_is_audited(learner_client, learner):
    client = learner_client
    body = client.post(f"{API}/me/tokens", {"name": "nightly"}, content_type="application/json").json()
    token = ApiToken.objects.get(pk=body["id"])
    assert client.delete(f"{API}/me/tokens/{token.pk}").status_code == 204
    assert [action for action, _, _ in token_rows(token)] == ["api_token.create", "api_token.revoke"]
    assert {actor for _, actor, _ in token_rows(token)} == {learner.pk}
    assert_no_secret(body["token"], token)


def test_a_refused_token_leaves_no_row(learner_client):
    learner_client.post(reverse("accounts:tokens"), {"name": "   "})
    assert not AuditLog.objects.filter(action__startswith="api_token.").exists()
