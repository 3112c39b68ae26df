"""verify_credential: our own credentials resolve in-process, foreign fetches are gated and SSRF-safe."""

from __future__ import annotations

import pytest

from microcred.core.errors import ValidationFailed
from microcred.credentials.models import Credential
from microcred.credentials.services import credential_revoke, credential_suspend
from microcred.credentials.vc.verifier import Outcome, StepStatus
from microcred.verification.services import verify_credential
from tests.verification.builders import badge, did_key_issuer, sign
from tests.verification.conftest import SITE

pytestmark = pytest.mark.django_db


def test_our_issued_credential_verifies_without_any_network(issued: Credential):
    report = verify_credential(data=issued.document, recipient_email="ada.lovelace@example.org")
    assert report.valid, report.to_json()
    assert report.issuer_id == "https://academy.example/issuers/example-academy"
    assert report.step("status").status is StepStatus.PASSED
    assert report.step("recipient").status is StepStatus.PASSED
    jwt_report = verify_credential(data=issued.jwt)
    assert jwt_report.valid, jwt_report.to_json()


def test_our_credential_by_url_is_read_from_our_own_view(issued: Credential):
    report = verify_credential(url=f"https://academy.example/credentials/{issued.uuid}")
    assert report.valid, report.to_json()
    assert report.credential_id == issued.document["id"]


def test_revoked_and_suspended_credentials_of_ours(issued: Credential):
    owner = issued.issuer.memberships.get(role="owner").user
    credential_suspend(actor=owner, credential=issued, reason="Under review")
    assert verify_credential(data=issued.document).outcome is Outcome.SUSPENDED
    credential_revoke(actor=owner, credential=issued, reason="Issued in error")
    report = verify_credential(data=issued.document)
    assert report.outcome is Outcome.REVOKED


def test_a_did_key_credential_needs_no_fetch():
    issuer = did_key_issuer()
    assert verify_credential(data=sign(badge(issuer), issuer)).valid


def test_foreign_documents_are_refused_when_remote_fetch_is_off(settings):
    settings.MICROCRED_REMOTE_FETCH = False
    report = verify_credential(url="https://badges.example.org/credentials/1")
    assert report.outcome is Outcome.MALFORMED
    read = report.step("read")
    assert read.code == "fetch_refused" and "does not fetch documents from other sites" in read.reason


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "Only https"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://10.0.0.1/badge.json", "private address"),
        ("https://127.0.0.1:8443/badge.json", "loopback"),
    ],
)
def test_ssrf_targets_are_refused_even_with_remote_fetch_on(settings, url, why):
    settings.MICROCRED_REMOTE_FETCH = True
    report = verify_credential(url=url)
    read = report.step("read")
    assert read.status is StepStatus.FAILED and read.code == "fetch_refused"
    assert why in read.reason
    assert report.outcome is Outcome.MALFORMED


def test_status_list_on_a_private_address_is_refused(settings):
    settings.MICROCRED_REMOTE_FETCH = True
    issuer = did_key_issuer()
    unsigned = badge(issuer)
    unsigned["credentialStatus"] = {
        "id": "https://10.1.2.3/status/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://10.1.2.3/status/1",
    }
    report = verify_credential(data=sign(unsigned, issuer))
    status = report.step("status")
    assert status.code in ("fetch_refused", "status_unavailable") and "private address" in status.reason
    # Refused is not forged, and an unchecked status is never valid (ADR 0040).
    assert report.outcome is Outcome.UNSUPPORTED and report.verdict.value == "cannot_check"


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"data": "{}", "url": "https://x.example/1"}, {"url": "ftp://x.example/1"}, {"url": "javascript:alert(1)"}],
)
def test_unusable_requests_are_validation_errors(kwargs):
    with pytest.raises(ValidationFailed):
        verify_credential(**kwargs)


def test_oversized_input_is_refused():
    with pytest.raises(ValidationFailed, match="2 MB"):
        verify_credential(data=b"{" + b" " * (2 * 1024 * 1024) + b"}")


def test_a_revocation_shows_in_the_very_next_verification(issued: Credential, client):
    """However often a credential was verified before (its canonical form and its status list's
    are remembered), revoking it changes the answer of the next request, on the API too."""
    owner = issued.issuer.memberships.get(role="owner").user
    body = {"credential": issued.document}
    for _ in range(3):
        answer = client.post("/api/v1/verify", body, content_type="application/json").json()
        assert answer["outcome"] == "valid", answer
    credential_revoke(actor=owner, credential=issued, reason="Issued in error")
    answer = client.post("/api/v1/verify", body, content_type="application/json").json()
    assert answer["outcome"] == "revoked" and not answer["valid"]
    status = next(step for step in answer["steps"] if step["name"] == "status")
    assert status["code"] == "revoked"


def test_each_question_to_the_site_is_asked_once_per_verification(issued: Credential):
    """The credential, its status lists and any endorsements are signed with few keys: one
    verification asks the site (a round trip from the sandbox) once for each distinct thing."""
    from functools import partial

    from microcred.core import clock
    from microcred.verification.services import _site_services, _verify_with

    services = _site_services()
    asked: list[tuple[str, tuple]] = []

    def call(name: str, *args):
        asked.append((name, args))
        return services[name](*args)

    engine = partial(_verify_with, data=issued.document, now=clock.now(), recipient_email=None, installation_url=SITE)
    report = engine(call)
    assert report.valid, report.to_json()
    assert len(asked) == len(set(asked))
    assert sum(1 for name, _ in asked if name == "our_key") == 1  # credential and lists: one key
