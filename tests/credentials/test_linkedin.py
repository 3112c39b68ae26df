"""LinkedIn "Add to profile" and share links carry the fields LinkedIn reads, and only for a
credential that holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from microcred.accounts.services import organisation_update
from microcred.core.actors import SYSTEM
from microcred.credentials.models import Credential
from microcred.credentials.selectors import linkedin_add_url, linkedin_share_url
from microcred.credentials.services import credential_revoke

from .conftest import SITE, complete
from .test_hosting import BROWSER

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def fields(url: str) -> dict[str, str]:
    parts = urlsplit(url.replace("&amp;", "&"))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    params = parse_qs(parts.query, keep_blank_values=True)
    assert all(len(values) == 1 for values in params.values()), params
    return {name: values[0] for name, values in params.items()}


def test_without_an_organisation_id_linkedin_gets_the_name(world, issued):
    got = fields(linkedin_add_url(issued))
    assert got["startTask"] == "CERTIFICATION_NAME"
    assert got["name"] == world.mc.title
    assert got["organizationName"] == "Example Academy" and "organizationId" not in got
    assert got["certUrl"] == f"{SITE}/credentials/{issued.uuid}"
    assert got["certId"] == str(issued.uuid)
    assert (int(got["issueYear"]), int(got["issueMonth"])) == (issued.valid_from.year, issued.valid_from.month)


def test_with_an_organisation_id_linkedin_gets_the_id_and_not_the_name(world, issued):
    organisation_update(actor=SYSTEM, organisation=world.provider, linkedin_organization_id="1337")
    issued.refresh_from_db()
    got = fields(linkedin_add_url(issued))
    assert got["organizationId"] == "1337" and "organizationName" not in got


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "issue", "expiry"),
    [
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), datetime(2027, 1, 1, 0, 30, tzinfo=UTC), (2026, 12), (2027, 1)),
        (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), datetime(2029, 12, 31, 23, 59, tzinfo=UTC), (2027, 1), (2029, 12)),
        (datetime(2026, 6, 15, 12, 0, tzinfo=UTC), None, (2026, 6), None),
    ],
)
def test_months_run_from_1_to_12_around_year_ends(world, issued, valid_from, valid_until, issue, expiry):
    issued.valid_from, issued.valid_until = valid_from, valid_until
    got = fields(linkedin_add_url(issued))
    assert (int(got["issueYear"]), int(got["issueMonth"])) == issue
    if expiry is None:
        assert "expirationYear" not in got and "expirationMonth" not in got
    else:
        assert (int(got["expirationYear"]), int(got["expirationMonth"])) == expiry
    assert all(1 <= int(got[key]) <= 12 for key in ("issueMonth", "expirationMonth") if key in got)


def test_a_page_served_on_a_non_default_port_keeps_it_in_the_certificate_url(settings, world, issued):
    settings.SITE_URL = "http://127.0.0.1:8765"
    got = fields(linkedin_add_url(issued))
    assert got["certUrl"] == f"http://127.0.0.1:8765/credentials/{issued.uuid}"
    share = parse_qs(urlsplit(linkedin_share_url(issued)).query)
    assert share == {"url": [f"http://127.0.0.1:8765/credentials/{issued.uuid}"]}


def test_the_holders_page_and_the_api_offer_both_links_while_it_holds_and_neither_once_revoked(world, issued, client):
    organisation_update(actor=SYSTEM, organisation=world.provider, linkedin_organization_id="1337")
    client.force_login(world.learner)
    html = client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    (via,) = re.findall(r'href="([^"]+)"[^>]*data-share="linkedin-add"', html)
    add = client.get(via)["Location"]  # through the counting redirect (ADR 0047), to the same URL
    assert add == linkedin_add_url(Credential.objects.get(pk=issued.pk)) and fields(add)["organizationId"] == "1337"
    (share,) = re.findall(r'href="([^"]+)"[^>]*data-share="linkedin-post"', html)
    assert share.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    item = client.get("/api/v1/me/credentials").json()["items"][0]
    assert fields(item["linkedin_url"])["organizationId"] == "1337" and item["linkedin_share_url"]

    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")

    html = client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    assert "linkedin.com" not in html
    item = client.get("/api/v1/me/credentials").json()["items"][0]
    assert item["linkedin_url"] is None and item["linkedin_share_url"] is None
