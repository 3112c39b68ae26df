"""The verify page shows a credential's dates readably, keeping the exact value."""

from __future__ import annotations

import json

import pytest

from microcred.verification.templatetags.verification_tags import credential_time
from tests.credentials.conftest import complete
from tests.factories import UserFactory, published_microcredential

pytestmark = pytest.mark.django_db


def test_dates_are_readable_and_keep_the_exact_value(client):
    credential = complete(published_microcredential(), UserFactory()).credential
    response = client.post("/verify/", {"credential": json.dumps(credential.document)})
    assert response.status_code == 200
    html = response.content.decode()
    valid_from = credential.document["validFrom"]
    readable = f"{credential.valid_from:%-d %b %Y, %H:%M} UTC"
    assert f'<time datetime="{valid_from}" title="{valid_from}">{readable}</time>' in html


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (
            "2026-03-01T09:30:00Z",
            '<time datetime="2026-03-01T09:30:00Z" title="2026-03-01T09:30:00Z">1 Mar 2026, 09:30 UTC</time>',
        ),
        ("2026-03-01T10:30:00+01:00", ">1 Mar 2026, 09:30 UTC</time>"),
        ("2026-03-01", ">1 Mar 2026, 00:00</time>"),
        ("next Tuesday <b>", "next Tuesday <b>"),
        ("", ""),
        (None, ""),
    ],
)
def test_credential_time(value, shown):
    assert shown in str(credential_time(value))
