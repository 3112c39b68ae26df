"""The completion page celebrates only a credential that holds: revoked, suspended and expired
ones are shown as what they are, with no "Congratulations" and nothing to share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from microcred.credentials.models import Credential
from microcred.credentials.services import credential_revoke, credential_suspend

from .conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(world, client):
    completion = complete(world.mc, world.learner)
    client.force_login(world.learner)
    return completion, Credential.objects.get(completion=completion)


def page(client, completion) -> str:
    response = client.get(f"/learn/{completion.enrolment_id}/completion/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_credential_that_holds_is_celebrated_and_shared(finished, client):
    completion, _credential = finished
    html = page(client, completion)
    assert "Congratulations" in html and 'class="celebrate"' in html and "View and share" in html


@pytest.mark.parametrize("state", ["revoked", "suspended", "expired"])
def test_a_credential_that_does_not_hold_is_never_celebrated(world, finished, client, state):
    completion, credential = finished
    if state == "revoked":
        credential_revoke(actor=world.owner, credential=credential, reason="Issued in error")
    elif state == "suspended":
        credential_suspend(actor=world.owner, credential=credential, reason="Under review")
    else:
        Credential.objects.filter(pk=credential.pk).update(valid_until=timezone.now() - timedelta(days=1))

    html = page(client, completion)

    assert "Congratulations" not in html and 'class="celebrate"' not in html and "View and share" not in html
    assert f'data-state="{state}"' in html
    assert f"the credential it earned is <strong>{state}</strong>" in html
    assert "View its status" in html
