"""StatusList2021 and RevocationList2020 through the verifier, and status that fails closed.

Lists and credentials are VC 1.1, as their issuers write them, signed here with the same
signers the platform uses (lists with Ed25519Signature2020, as the DCC's are). Their
contexts are written inline, with the terms of https://w3id.org/vc/status-list/2021/v1 and
https://w3id.org/vc-revocation-list-2020/v1 (as published in @digitalbazaar/vc-status-list-context
and vc-revocation-list-context, BSD-3-Clause), so these tests do not depend on which
contexts are bundled.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from microcred.credentials import vc
from microcred.credentials.vc.verifier import Outcome, StepStatus
from tests.verification.builders import ISSUED, NOW, Issuer, World, did_key_issuer, vc11_badge

SL = "https://w3id.org/vc/status-list#"
RL = "https://w3id.org/vc-revocation-list-2020#"
STATUS_LIST_2021_TERMS: dict[str, Any] = {
    "@protected": True,
    "StatusList2021Credential": {
        "@id": f"{SL}StatusList2021Credential",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "description": "http://schema.org/description",
            "name": "http://schema.org/name",
        },
    },
    "StatusList2021": {
        "@id": f"{SL}StatusList2021",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "statusPurpose": f"{SL}statusPurpose",
            "encodedList": f"{SL}encodedList",
        },
    },
    "StatusList2021Entry": {
        "@id": f"{SL}StatusList2021Entry",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "statusPurpose": f"{SL}statusPurpose",
            "statusListIndex": f"{SL}statusListIndex",
            "statusListCredential": {"@id": f"{SL}statusListCredential", "@type": "@id"},
        },
    },
}
REVOCATION_LIST_2020_TERMS: dict[str, Any] = {
    "@protected": True,
    "RevocationList2020Credential": {
        "@id": f"{RL}RevocationList2020Credential",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "description": "http://schema.org/description",
            "name": "http://schema.org/name",
        },
    },
    "RevocationList2020": {
        "@id": f"{RL}RevocationList2020",
        "@context": {"@protected": True, "id": "@id", "type": "@type", "encodedList": f"{RL}encodedList"},
    },
    "RevocationList2020Status": {
        "@id": f"{RL}RevocationList2020Status",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "revocationListCredential": {"@id": f"{RL}revocationListCredential", "@type": "@id"},
            "revocationListIndex": f"{RL}revocationListIndex",
        },
    },
}
VC_V1 = "https://www.w3.org/2018/credentials/v1"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
LIST_URL = "https://status.example/lists/7"


def _encoded(set_bits: tuple[int, ...], length: int = 16 * 1024 * 8) -> str:
    """GZIP + base64url without the multibase prefix, as @digitalbazaar/bitstring writes it."""
    bits = vc.StatusList(length)
    for index in set_bits:
        bits.set(index)
    return bits.encode().removeprefix("u")


def _sign(document: dict[str, Any], issuer: Issuer, **options: Any) -> dict[str, Any]:
    return vc.sign(document, private_key=issuer.key, verification_method=issuer.vm, created=ISSUED, **options)


def _list_2021(issuer: Issuer, *, set_bits: tuple[int, ...] = (), purpose: str = "revocation") -> dict[str, Any]:
    unsigned = {
        "@context": [VC_V1, STATUS_LIST_2021_TERMS, ED25519_2020],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": issuer.id,
        "issuanceDate": "2025-09-01T09:00:00Z",
        "expirationDate": (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "StatusList2021",
            "statusPurpose": purpose,
            "encodedList": _encoded(set_bits),
        },
    }
    return _sign(unsigned, issuer, cryptosuite="Ed25519Signature2020")


def _list_2020(issuer: Issuer, *, set_bits: tuple[int, ...] = ()) -> dict[str, Any]:
    unsigned = {
        "@context": [VC_V1, REVOCATION_LIST_2020_TERMS, ED25519_2020],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "RevocationList2020Credential"],
        "issuer": issuer.id,
        "issuanceDate": "2025-09-01T09:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "RevocationList2020",
            "encodedList": _encoded(set_bits),
        },
    }
    return _sign(unsigned, issuer, cryptosuite="Ed25519Signature2020")


def _badge_2021(issuer: Issuer, index: int, purpose: str = "revocation") -> dict[str, Any]:
    credential = vc11_badge(issuer)
    credential["@context"] = [*credential["@context"], STATUS_LIST_2021_TERMS]
    credential["credentialStatus"] = {
        "id": f"{LIST_URL}#{index}",
        "type": "StatusList2021Entry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
    }
    return _sign(credential, issuer)


def _badge_2020(issuer: Issuer, index: int) -> dict[str, Any]:
    credential = vc11_badge(issuer)
    credential["@context"] = [*credential["@context"], REVOCATION_LIST_2020_TERMS]
    credential["credentialStatus"] = {
        "id": f"{LIST_URL}#{index}",
        "type": "RevocationList2020Status",
        "revocationListIndex": str(index),
        "revocationListCredential": LIST_URL,
    }
    return _sign(credential, issuer)


@pytest.fixture
def issuer() -> Issuer:
    return did_key_issuer(seed=31, name="Legacy Academy")


# --- StatusList2021 -------------------------------------------------------------------------


def test_status_list_2021_with_the_bit_clear_is_valid(world: World, issuer: Issuer) -> None:
    world.publish(LIST_URL, _list_2021(issuer, set_bits=(4, 6)))
    report = world.verify(_badge_2021(issuer, 5))
    assert report.outcome is Outcome.VALID, [(s.name, s.reason) for s in report.steps]
    status = report.step("status")
    assert status.status is StepStatus.PASSED
    assert status.reason == "Not revoked: the issuer's signed StatusList2021 list says so."
    assert status.data["entries"][0]["method"] == "StatusList2021"


def test_status_list_2021_revoked(world: World, issuer: Issuer) -> None:
    world.publish(LIST_URL, _list_2021(issuer, set_bits=(5,)))
    report = world.verify(_badge_2021(issuer, 5))
    assert report.outcome is Outcome.REVOKED
    assert report.step("status").code == "revoked" and LIST_URL in report.step("status").reason


def test_status_list_2021_suspended(world: World, issuer: Issuer) -> None:
    world.publish(LIST_URL, _list_2021(issuer, set_bits=(9,), purpose="suspension"))
    report = world.verify(_badge_2021(issuer, 9, purpose="suspension"))
    assert report.outcome is Outcome.SUSPENDED


def test_status_list_2021_of_another_purpose_cannot_vouch(world: World, issuer: Issuer) -> None:
    world.publish(LIST_URL, _list_2021(issuer, purpose="suspension"))
    report = world.verify(_badge_2021(issuer, 5))
    status = report.step("status")
    assert status.status is StepStatus.UNSUPPORTED and status.code == "status_unavailable"
    assert "differs from the list's statusPurpose" in status.reason
    assert report.outcome is Outcome.UNSUPPORTED and not report.valid


def test_status_list_2021_whose_proof_fails_is_invalid(world: World, issuer: Issuer) -> None:
    forged = _list_2021(issuer, set_bits=(5,))
    forged["credentialSubject"]["encodedList"] = _encoded(())  # "nobody is revoked"
    world.publish(LIST_URL, forged)
    report = world.verify(_badge_2021(issuer, 5))
    status = report.step("status")
    assert status.status is StepStatus.FAILED and status.code == "status_error"
    assert "does not verify" in status.reason
    assert report.outcome is Outcome.INVALID


def test_status_list_2021_of_another_issuer_is_refused(world: World, issuer: Issuer) -> None:
    stranger = did_key_issuer(seed=32)
    world.publish(LIST_URL, _list_2021(stranger))
    report = world.verify(_badge_2021(issuer, 5))
    status = report.step("status")
    assert status.code == "issuer_mismatch" and stranger.id in status.reason
    assert report.outcome is Outcome.INVALID


def test_an_expired_status_list_2021_cannot_vouch(world: World, issuer: Issuer) -> None:
    listing = _list_2021(issuer)
    unsigned = {key: value for key, value in listing.items() if key != "proof"}
    unsigned["expirationDate"] = "2025-12-31T00:00:00Z"
    world.publish(LIST_URL, _sign(unsigned, issuer, cryptosuite="Ed25519Signature2020"))
    report = world.verify(_badge_2021(issuer, 5))
    status = report.step("status")
    assert status.status is StepStatus.UNSUPPORTED and status.code == "status_unavailable"
    assert "expired at 2025-12-31T00:00:00Z" in status.reason
    assert "could not be established here, which does not mean it was revoked" in status.reason
    assert not report.valid


# --- RevocationList2020 ---------------------------------------------------------------------


def test_revocation_list_2020(world: World, issuer: Issuer) -> None:
    world.publish(LIST_URL, _list_2020(issuer, set_bits=(40,)))
    report = world.verify(_badge_2020(issuer, 41))
    assert report.outcome is Outcome.VALID, [(s.name, s.reason) for s in report.steps]
    assert report.step("status").reason == "Not revoked: the issuer's signed RevocationList2020 list says so."
    revoked = world.verify(_badge_2020(issuer, 40))
    assert revoked.outcome is Outcome.REVOKED


# --- status that cannot be checked fails closed ---------------------------------------------


def test_an_unreachable_list_cannot_be_checked(world: World, issuer: Issuer) -> None:
    report = world.verify(_badge_2021(issuer, 5))
    status = report.step("status")
    assert status.status is StepStatus.UNSUPPORTED and status.code == "status_unavailable"
    assert f"the status list at {LIST_URL} could not be fetched" in status.reason.lower()
    assert "could not be established here" in status.reason
    assert report.outcome is Outcome.UNSUPPORTED and not report.valid


def test_a_list_signed_with_a_suite_we_lack_cannot_be_checked(world: World, issuer: Issuer) -> None:
    listing = _list_2021(issuer)
    listing["proof"]["type"] = "BbsBlsSignature2020"
    world.publish(LIST_URL, listing)
    report = world.verify(_badge_2021(issuer, 5))
    status = report.step("status")
    assert status.status is StepStatus.UNSUPPORTED and status.code == "status_unavailable"
    assert status.data["entries"][0]["cause"] == "unsupported"
    assert report.outcome is Outcome.UNSUPPORTED and not report.valid


def test_a_list_with_a_context_we_lack_cannot_be_checked(world: World, issuer: Issuer) -> None:
    listing = copy.deepcopy(_list_2021(issuer))
    listing["@context"] = [*listing["@context"], "https://contexts.example/unbundled/v1"]
    world.publish(LIST_URL, listing)
    status = world.verify(_badge_2021(issuer, 5)).step("status")
    assert status.status is StepStatus.UNSUPPORTED and status.code == "status_unavailable"
    assert status.data["entries"][0]["cause"] == "unknown_context"


def test_an_unknown_status_method_cannot_be_checked(world: World, issuer: Issuer) -> None:
    credential = vc11_badge(issuer)
    # A full IRI: a term no context defines could not be signed at all.
    method = "https://status.example/vocab#CredentialStatusList2017"
    credential["credentialStatus"] = {"id": "https://status.example/crl/1", "type": method}
    report = world.verify(_sign(credential, issuer))
    status = report.step("status")
    assert status.status is StepStatus.UNSUPPORTED and status.code == "status_method_unsupported"
    assert f"{method!r} is not supported" in status.reason
    assert report.outcome is Outcome.UNSUPPORTED and not report.valid


def test_a_revocation_beats_an_entry_that_cannot_be_checked(world: World, issuer: Issuer) -> None:
    world.publish(LIST_URL, _list_2021(issuer, set_bits=(5,)))
    credential = vc11_badge(issuer)
    credential["@context"] = [*credential["@context"], STATUS_LIST_2021_TERMS]
    credential["credentialStatus"] = [
        {
            "id": f"{LIST_URL}#5",
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": LIST_URL,
        },
        {
            "id": "https://status.example/lists/missing#5",
            "type": "StatusList2021Entry",
            "statusPurpose": "suspension",
            "statusListIndex": "5",
            "statusListCredential": "https://status.example/lists/missing",
        },
    ]
    report = world.verify(_sign(credential, issuer))
    assert report.outcome is Outcome.REVOKED


def test_a_list_that_names_itself_by_another_address_is_read_with_a_warning(world: World, issuer: Issuer) -> None:
    # As the issuers' own verifiers do (DCC's lists name a host other than the one serving them):
    # signed by the credential's issuer and served where its signed credential points, its bits
    # are the issuer's word. The step says so; a set bit still makes the credential invalid.
    for set_bits, verdict in (((), "valid"), ((5,), "invalid")):
        unsigned = {key: value for key, value in _list_2021(issuer, set_bits=set_bits).items() if key != "proof"}
        unsigned["id"] = "https://status.example/lists/8"
        world.publish(LIST_URL, _sign(unsigned, issuer, cryptosuite="Ed25519Signature2020"))
        report = world.verify(_badge_2021(issuer, 5))
        assert report.verdict.value == verdict
        status = report.step("status")
        if set_bits:
            assert status.status is StepStatus.FAILED and status.code == "revoked"
        else:
            assert status.status is StepStatus.WARNING
            assert "names itself https://status.example/lists/8" in status.reason
            assert "read all the same" in status.reason
