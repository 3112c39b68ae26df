"""Our extension context on the installation's own URL (ADR 0041): what we issue names
``{SITE_URL}/ns/microcred/v1.jsonld``, the installation serves the pinned bytes there, and its own
verifier loads that URL from the bundle, offline. Credentials issued before (naming
``https://microcred.org/ns/microcred/v1.jsonld``) keep verifying: ``stored/before-adr-0041`` holds
four of them, copied from the golden files as they were issued then, with the status lists
published with them. The fetching verifier that may reach only the installation is in
``test_extension_context_live.py``."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.credentials.checks import check_site_url
from microcred.credentials.links import achievement_url
from microcred.credentials.models import Credential
from microcred.credentials.resolver import local_key_resolver
from microcred.credentials.vc import validate_ob3_credential, verify, verify_vc_jwt
from microcred.credentials.vc.errors import UnknownContext
from microcred.credentials.vc.jsonld import canonicalize
from microcred.credentials.vc.loader import (
    CONTEXTS_DIR,
    MANIFEST_PATH,
    MICROCRED_CONTEXT_URL,
    installation_context_url,
    load_context,
    register_installation_context,
)
from microcred.credentials.vc.verifier import Outcome, verify_presented
from microcred.credentials.vc.verifier.report import Verdict
from microcred.verification.services import verify_credential

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db

OWN_CONTEXT = f"{SITE}/ns/microcred/v1.jsonld"
STORED = Path(__file__).parent / "stored" / "before-adr-0041"
# The golden test's issuer key (test_golden.KEY_SEED) and the moment those credentials were issued.
GOLDEN_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
GOLDEN_ISSUER = "https://academy.example/issuers/golden-academy"
GOLDEN_ISSUED_AT = datetime(2026, 3, 10, 8, 0, 7, tzinfo=UTC)


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


# --- what we issue ---------------------------------------------------------------------------


def test_an_issued_credential_names_the_context_on_this_installation(issued, client):
    contexts = issued.document["@context"]
    assert contexts[-1] == OWN_CONTEXT and MICROCRED_CONTEXT_URL not in contexts
    assert issued.document["credentialSubject"]["achievement"]["eqfLevel"]  # it uses our terms
    validate_ob3_credential(issued.document)
    verify(issued.document, resolve_key=local_key_resolver, expected_controller=f"{SITE}/issuers/example-academy")
    payload = verify_vc_jwt(issued.jwt, resolve_key=lambda kid, _header: local_key_resolver(kid)[0])
    assert payload["@context"] == contexts
    # The achievement served at its id names the same context.
    achievement_id = issued.document["credentialSubject"]["achievement"]["id"]
    served = client.get(achievement_id.removeprefix(SITE), HTTP_ACCEPT="application/ld+json")
    assert served.status_code == 200 and OWN_CONTEXT in served.json()["@context"]


def test_the_context_url_follows_site_url(world, settings):
    settings.SITE_URL = "https://badges.other-host.example/"
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    assert credential.document["@context"][-1] == "https://badges.other-host.example/ns/microcred/v1.jsonld"
    assert credential.document["credentialSubject"]["achievement"]["id"].startswith(achievement_url(""))
    verify(credential.document, resolve_key=local_key_resolver)


# --- what the installation serves ------------------------------------------------------------


def test_the_context_is_served_immutable_with_an_etag_and_open_cors(client):
    pinned = json.loads(MANIFEST_PATH.read_bytes())["contexts"][MICROCRED_CONTEXT_URL]
    response = client.get("/ns/microcred/v1.jsonld", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == pinned["sha256"]
    assert response["Content-Type"] == "application/ld+json"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Access-Control-Allow-Origin"] == "*"
    etag = response["ETag"]
    assert etag.startswith('"') and "ETag" in response["Access-Control-Expose-Headers"]

    revalidated = client.get("/ns/microcred/v1.jsonld", HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304 and revalidated["ETag"] == etag
    head = client.head("/ns/microcred/v1.jsonld")
    assert head.status_code == 200 and head["ETag"] == etag and head.content == b""


def test_a_browser_preflight_for_the_context_is_answered(client):
    response = client.options(
        "/ns/microcred/v1.jsonld",
        HTTP_ORIGIN="https://wallet.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept, x-requested-with",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "accept, x-requested-with"
    assert client.post("/ns/microcred/v1.jsonld").status_code == 405


# --- the loader ------------------------------------------------------------------------------


def test_the_loader_serves_the_bundled_bytes_for_the_installation_url_only():
    url = register_installation_context("https://registered.loader-test.example")
    assert url == "https://registered.loader-test.example/ns/microcred/v1.jsonld"
    assert load_context(url) == json.loads((CONTEXTS_DIR / "microcred-v1.jsonld").read_bytes())
    # The same path on another host is another party's document: not ours to assume offline.
    with pytest.raises(UnknownContext) as raised:
        load_context("https://unregistered.loader-test.example/ns/microcred/v1.jsonld")
    assert raised.value.data["url"] == "https://unregistered.loader-test.example/ns/microcred/v1.jsonld"
    with pytest.raises(UnknownContext):
        load_context("https://registered.loader-test.example/ns/microcred/v2.jsonld")


@pytest.mark.parametrize(
    "site_url",
    ["credentials.example.org", "ftp://credentials.example.org", "https://", "https://x.example/?a=1", ""],
)
def test_a_site_url_that_cannot_carry_the_context_is_refused_clearly(site_url, settings):
    with pytest.raises(ValueError, match="cannot carry the extension context"):
        installation_context_url(site_url)
    settings.SITE_URL = site_url
    (error,) = check_site_url()
    assert error.id == "credentials.E001" and "cannot carry the extension context" in error.msg


def test_the_system_check_passes_on_a_site_url_with_a_path(settings):
    settings.SITE_URL = "https://example.org/microcred"
    assert check_site_url() == []
    assert installation_context_url(settings.SITE_URL) == "https://example.org/microcred/ns/microcred/v1.jsonld"


# --- the installation's own verifier -----------------------------------------------------------


def test_the_verify_service_page_and_api_verify_our_credentials_offline(issued, client):
    report = verify_credential(data=issued.document)
    assert report.verdict is Verdict.VALID, report.steps
    page = client.post("/verify/", {"credential": json.dumps(issued.document)}).content.decode()
    assert 'data-outcome="valid"' in page
    api = client.post("/api/v1/verify", {"credential": issued.document}, content_type="application/json")
    assert api.status_code == 200 and api.json()["outcome"] == "valid"


def test_a_sandbox_worker_forked_before_site_url_changed_still_loads_our_context(world, settings):
    """The sandbox engine reads no settings: the installation's URL comes with each task."""
    settings.MICROCRED_VERIFY_WORKERS = 1
    assert verify_credential(data={"not": "a credential"}).verdict is Verdict.UNREADABLE  # forks the worker
    settings.SITE_URL = "https://moved-after-fork.sandbox-test.example"
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    assert credential.document["@context"][-1] == "https://moved-after-fork.sandbox-test.example/ns/microcred/v1.jsonld"
    assert verify_credential(data=credential.document).verdict is Verdict.VALID


def test_another_installations_context_url_cannot_be_checked_offline(issued):
    """Another host may serve other definitions under the same path; without fetching we
    cannot know, so the verdict is *cannot check*, never *invalid* (ADR 0041)."""
    foreign = "https://another-installation.offline-test.example/ns/microcred/v1.jsonld"
    document = {**issued.document, "@context": [*issued.document["@context"][:-1], foreign]}
    with pytest.raises(UnknownContext):
        canonicalize(document)
    report = verify_credential(data=document)
    assert report.verdict is Verdict.CANNOT_CHECK
    assert report.outcome is Outcome.UNSUPPORTED


# --- credentials issued before ---------------------------------------------------------------


def _stored(name: str) -> dict:
    return json.loads((STORED / f"{name}.json").read_text(encoding="utf-8"))


def _golden_key(vm_url: str):
    assert vm_url == f"{GOLDEN_ISSUER}#key-1", vm_url
    return GOLDEN_KEY, GOLDEN_ISSUER


@pytest.mark.parametrize(
    ("name", "status_list"),
    [
        ("single-1", "single-status-revocation-1"),
        ("cohort-1", "cohort-status-revocation-1"),
        ("cohort-2", "cohort-status-revocation-1"),
    ],
)
def test_credentials_issued_under_the_microcred_org_url_keep_verifying(name, status_list):
    document = _stored(name)
    assert document["@context"][-1] == MICROCRED_CONTEXT_URL
    validate_ob3_credential(document)
    verify(document, resolve_key=_golden_key, expected_controller=GOLDEN_ISSUER)

    published = (STORED / f"{status_list}.json").read_bytes()
    fetched: list[str] = []

    def fetch_document(url: str) -> bytes:
        fetched.append(url)
        assert url == document["credentialStatus"]["statusListCredential"], url
        return published

    report = verify_presented(
        document, now=GOLDEN_ISSUED_AT.replace(hour=9), resolve_key=_golden_key, fetch_document=fetch_document
    )
    assert report.verdict is Verdict.VALID, report.steps
    assert fetched  # the status was checked, not skipped


def test_a_stored_vc_jwt_issued_before_keeps_verifying():
    token = (STORED / "single-1.jwt").read_text(encoding="ascii").strip()
    payload = verify_vc_jwt(token, resolve_key=lambda kid, _header: _golden_key(kid)[0])
    assert payload["@context"][-1] == MICROCRED_CONTEXT_URL
    assert payload["id"] == _stored("single-1")["id"]


def test_a_tampered_stored_credential_is_still_caught():
    document = _stored("single-1")
    document["credentialSubject"]["achievement"]["eqfLevel"] = 8
    report = verify_presented(
        document,
        now=GOLDEN_ISSUED_AT.replace(hour=9),
        resolve_key=_golden_key,
        fetch_document=lambda url: (STORED / "single-status-revocation-1.json").read_bytes(),
    )
    assert report.verdict is Verdict.INVALID
