"""The public documents a verifier fetches: negotiation, CORS, caching, and their content."""

from __future__ import annotations

import json
import re

import pytest

from microcred.credentials.models import Credential
from microcred.credentials.services import issuer_key_rotate
from microcred.credentials.vc import (
    make_key_resolver,
    validate_ob3_credential,
    verify,
)
from microcred.credentials.vc.fetch import StaticFetcher
from microcred.credentials.vc.loader import CONTEXTS_DIR

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def fetcher_over(client) -> StaticFetcher:
    """What a remote verifier sees: our documents as served over HTTP, by URL."""

    class Served(StaticFetcher):
        def fetch(self, url: str, *, accept: str = "application/ld+json") -> bytes:
            assert url.startswith(SITE), url
            response = client.get(url.removeprefix(SITE), HTTP_ACCEPT=accept)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

    return Served({})


def test_credential_content_negotiation(issued, client):
    path = f"/credentials/{issued.uuid}"
    for accept in ("application/vc", "application/vc+ld+json", "application/ld+json", "application/json"):
        response = client.get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == accept
        assert json.loads(response.content) == issued.document
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "max-age=" in response["Cache-Control"] and response["ETag"]
        assert "Accept" in response["Vary"]
    assert json.loads(client.get(path).content) == issued.document  # no Accept: a machine
    assert json.loads(client.get(path, HTTP_ACCEPT="*/*").content) == issued.document

    jwt = client.get(path, HTTP_ACCEPT="application/vc+jwt")
    assert jwt["Content-Type"] == "application/vc+jwt" and jwt.content.decode() == issued.jwt
    as_text = client.get(path + "?format=jwt", HTTP_ACCEPT=BROWSER)
    assert as_text["Content-Type"].startswith("text/plain") and as_text.content.decode() == issued.jwt
    as_json = client.get(path + "?format=json&download=1", HTTP_ACCEPT=BROWSER)
    assert as_json["Content-Type"] == "application/json" and as_json.json() == issued.document
    assert as_json["Content-Disposition"] == f'attachment; filename="{issued.uuid}.json"'
    assert client.get(path + "?format=xml").status_code == 404

    page = client.get(path, HTTP_ACCEPT=BROWSER)
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "Data Basics" in html and "Example Academy" in html and "Valid" in html
    assert f"/verify/?url=https%3A%2F%2Facademy.example%2Fcredentials%2F{issued.uuid}" in html
    # The signed credential carries only a hashed identity; a new credential's page adds the
    # holder's name as their own claim (they can hide it, tests/credentials/test_sharing_choices.py).
    assert "the holder of a hashed e-mail address" in html
    assert "Ada Lovelace" in re.search(r'<aside[^>]*data-claim="holder-name".*?</aside>', html, flags=re.S).group(0)
    assert "linkedin.com" not in html  # only the holder gets the LinkedIn button

    etag = client.get(path, HTTP_ACCEPT="application/json")["ETag"]
    assert client.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/credentials/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_page_from_before_the_choice_names_the_learner_only_when_their_profile_allows(world, issued, client):
    Credential.objects.filter(pk=issued.pk).update(holder_name="profile")
    path = f"/credentials/{issued.uuid}"
    world.learner.profile.visibility = "public"
    world.learner.profile.save()
    assert "Ada Lovelace" in client.get(path, HTTP_ACCEPT=BROWSER).content.decode()

    world.learner.profile.visibility = "employers"
    world.learner.profile.save()
    assert "Ada Lovelace" not in client.get(path, HTTP_ACCEPT=BROWSER).content.decode()
    from tests.factories import MembershipFactory, OrganisationFactory

    employer = MembershipFactory(organisation=OrganisationFactory(kind="employer"), role="owner").user
    client.force_login(employer)
    assert "Ada Lovelace" in client.get(path, HTTP_ACCEPT=BROWSER).content.decode()

    client.force_login(world.learner)
    holder_page = client.get(path, HTTP_ACCEPT=BROWSER).content.decode()
    (via,) = re.findall(r'href="([^"]+)"[^>]*data-share="linkedin-add"', holder_page)
    linkedin = client.get(via)["Location"]  # through the counting redirect (ADR 0047)
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Data+Basics")
    assert f"certId={issued.uuid}" in linkedin
    assert f"issueMonth={issued.valid_from.month}&" in linkedin


def test_issuer_profile_is_a_controller_document_that_verifies_the_credential(world, issued, client):
    response = client.get("/issuers/example-academy", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*" and response["ETag"]
    profile = response.json()
    issuer_id = f"{SITE}/issuers/example-academy"
    assert profile["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/cid/v1",
    ]
    assert profile["id"] == issuer_id and profile["type"] == ["Profile"]
    assert profile["address"] == {"type": ["Address"], "addressCountry": "IE"}
    (method,) = profile["verificationMethod"]
    assert method == {
        "id": f"{issuer_id}#key-1",
        "type": "Multikey",
        "controller": issuer_id,
        "publicKeyMultibase": issued.issuer_key.public_key_multibase,
    }
    assert profile["assertionMethod"] == [f"{issuer_id}#key-1"]

    # A verifier resolving the key over HTTP (W3C CID rules) accepts the credential.
    resolver = make_key_resolver(fetcher_over(client))
    verify(issued.document, resolve_key=resolver, expected_controller=issuer_id)

    html = client.get("/issuers/example-academy", HTTP_ACCEPT=BROWSER)
    assert html["Content-Type"].startswith("text/html") and b"Signing keys" in html.content
    assert client.get("/issuers/no-such-issuer", HTTP_ACCEPT="application/ld+json").status_code == 404


def test_did_web_document_and_jwks(world, issued, client):
    did = client.get("/issuers/example-academy/did.json")
    assert did.status_code == 200 and did["Access-Control-Allow-Origin"] == "*"
    document = did.json()
    assert document["id"] == "did:web:academy.example:issuers:example-academy"
    assert document["assertionMethod"] == ["did:web:academy.example:issuers:example-academy#key-1"]
    assert document["verificationMethod"][0]["publicKeyMultibase"] == issued.issuer_key.public_key_multibase

    for path in ("/issuers/example-academy/jwks.json", "/.well-known/jwks.json"):
        jwks = client.get(path)
        assert jwks.status_code == 200 and jwks["Access-Control-Allow-Origin"] == "*"
        (key,) = jwks.json()["keys"]
        assert key["kid"] == f"{SITE}/issuers/example-academy#key-1"
        assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key


def test_did_document_needs_an_https_host_name(world, issued, client, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert client.get("/issuers/example-academy/did.json").status_code == 404


def test_extension_context_is_served_byte_for_byte(client):
    response = client.get("/ns/microcred/v1.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response.content == (CONTEXTS_DIR / "microcred-v1.jsonld").read_bytes()
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_key_rotation_signs_new_credentials_with_the_new_key_and_old_ones_still_verify(world, client):
    from microcred.core.models import AuditLog
    from tests.factories import UserFactory, published_microcredential

    first = Credential.objects.get(completion=complete(world.mc, world.learner))
    new_key = issuer_key_rotate(actor=world.owner, organisation=world.provider)
    assert new_key.key_id == "key-2"
    second_mc = published_microcredential(provider=world.provider, slug="second")
    second = Credential.objects.get(completion=complete(second_mc, UserFactory()))

    issuer_id = f"{SITE}/issuers/example-academy"
    assert second.document["proof"][0]["verificationMethod"] == f"{issuer_id}#key-2"
    assert first.document["proof"][0]["verificationMethod"] == f"{issuer_id}#key-1"
    resolver = make_key_resolver(fetcher_over(client))
    for credential in (first, second):
        validate_ob3_credential(credential.document)
        verify(credential.document, resolve_key=resolver, expected_controller=issuer_id)
    profile = client.get("/issuers/example-academy", HTTP_ACCEPT="application/ld+json").json()
    assert [m["id"] for m in profile["verificationMethod"]] == [f"{issuer_id}#key-1", f"{issuer_id}#key-2"]
    assert profile["assertionMethod"] == [f"{issuer_id}#key-1", f"{issuer_id}#key-2"]
    audit = AuditLog.objects.get(action="issuer_key.create", actor=world.owner)
    assert audit.data == {"key_id": "key-2", "retired": ["key-1"]}
    assert len(client.get("/.well-known/jwks.json").json()["keys"]) == 2


def test_only_owners_rotate_keys(world):
    from microcred.core.errors import PermissionDenied

    for person in (world.instructor, world.grader, world.learner, world.outsider_instructor):
        with pytest.raises(PermissionDenied):
            issuer_key_rotate(actor=person, organisation=world.provider)


def test_hosting_answers_get_only(issued, client):
    assert client.post(f"/credentials/{issued.uuid}").status_code == 405
    assert json.loads(client.get(f"/credentials/{issued.uuid}").content) == issued.document


def test_local_resolution_matches_what_is_served(world, issued, client):
    from microcred.credentials.resolver import LocalFetcher, local_documents, local_key_resolver
    from microcred.credentials.vc import KeyResolutionError

    issuer_id = f"{SITE}/issuers/example-academy"
    fetcher = LocalFetcher()
    for path in ("/issuers/example-academy", "/issuers/example-academy/did.json", "/.well-known/jwks.json"):
        served = json.loads(client.get(path, HTTP_ACCEPT="application/ld+json").content)
        assert json.loads(fetcher.fetch(SITE + path)) == served
    verify(issued.document, resolve_key=make_key_resolver(fetcher), expected_controller=issuer_id)
    public, controller = local_key_resolver("did:web:academy.example:issuers:example-academy#key-1")
    assert controller == "did:web:academy.example:issuers:example-academy"
    assert public == local_key_resolver(f"{issuer_id}#key-1")[0]
    documents = local_documents()
    assert issuer_id in documents and issued.document["credentialStatus"]["statusListCredential"] in documents
    for foreign in ("https://elsewhere.example/issuers/x#key-1", f"{issuer_id}#key-9", f"{issuer_id}"):
        with pytest.raises(KeyResolutionError):
            local_key_resolver(foreign)
