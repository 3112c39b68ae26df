"""OB 3.0 credential building: strict schema, EU extension, tamper coverage, random documents."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from microcred.credentials.vc import dataintegrity as di
from microcred.credentials.vc import ob3
from microcred.credentials.vc.errors import InvalidProof, UndefinedTerm, UnknownContext
from microcred.credentials.vc.jsonld import canonicalize, expand_strict, pyld_normalize
from microcred.credentials.vc.loader import MICROCRED_CONTEXT_URL
from microcred.credentials.vc.multikey import did_key_public_key, did_key_vm_id

from .conftest import CREATED, JSONLD_OB, STRICT_OB, assert_strict_ob3, full_credential, random_credential

MC = "https://microcred.org/ns/microcred#"


def _sign(credential: dict[str, Any], key: Ed25519PrivateKey, **kwargs: Any) -> dict[str, Any]:
    return di.sign(
        credential, private_key=key, verification_method=did_key_vm_id(key.public_key()), created=CREATED, **kwargs
    )


def test_full_credential_shape_and_strict_schema(issuer_key: Ed25519PrivateKey) -> None:
    credential = full_credential()
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        MICROCRED_CONTEXT_URL,
    ]
    assert credential["validFrom"] == "2025-03-01T09:00:00Z"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 2 and isinstance(achievement["creditsAvailable"], int)
    assert achievement["notionalWorkloadHours"] == "50.5"
    assert achievement["image"] == {"id": "https://academy.example/b/dlf.png", "type": "Image", "caption": "Badge"}
    identifier = credential["credentialSubject"]["identifier"][0]
    # sha256("learner@example.org" + "s4lt"), computed independently with sha256sum.
    assert identifier["identityHash"] == "sha256$f58e12a2ba4cb33d6b8340ec13cc09e1e347709a94e0debdaed87473a22659aa"
    assert credential["credentialStatus"]["statusListIndex"] == "4711"

    signed = _sign(credential, issuer_key, proof_as_list=True)
    assert_strict_ob3(signed)
    # The strict schema wants proof as an array; the JSON-LD adaptation accepts an object.
    single = _sign(credential, issuer_key)
    assert list(JSONLD_OB.iter_errors(single)) == []
    (result,) = di.verify(signed, resolve_key=did_key_public_key)
    assert result.cryptosuite == "eddsa-rdfc-2022"


def test_strict_schema_rejects_a_single_proof_object(issuer_key: Ed25519PrivateKey) -> None:
    single = _sign(full_credential(), issuer_key)
    assert any(list(error.absolute_path) == ["proof"] for error in STRICT_OB.iter_errors(single))


def test_eu_terms_expand_under_our_namespace() -> None:
    expanded = expand_strict(full_credential())
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    achievement = subject["https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"][0]
    assert achievement[MC + "participationForm"] == [{"@value": "online"}]
    assert achievement[MC + "eqfLevel"] == [{"@type": "http://www.w3.org/2001/XMLSchema#integer", "@value": 5}]
    assert achievement[MC + "notionalWorkloadHours"] == [
        {"@type": "http://www.w3.org/2001/XMLSchema#decimal", "@value": "50.5"}
    ]
    for term in ("assessmentType", "qualityAssurance", "supervision", "stackability", "prerequisites"):
        assert MC + term in achievement
    assert MC + "awardingBodyCountry" in achievement


def test_extension_context_only_when_used() -> None:
    achievement = ob3.Achievement(id="https://a.example/1", name="A", description="D", criteria_narrative="C")
    credential = ob3.build_credential(
        credential_id="urn:uuid:1",
        issuer=ob3.IssuerProfile(id="https://a.example", name="A"),
        achievement=achievement,
        subject=ob3.Subject(id="did:example:1"),
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        include_schema=False,
    )
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    # Nulls and empties are omitted entirely.
    assert set(credential) == {"@context", "id", "type", "name", "issuer", "validFrom", "credentialSubject"}
    assert credential["credentialSubject"] == {
        "id": "did:example:1",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://a.example/1",
            "type": ["Achievement"],
            "achievementType": "MicroCredential",
            "name": "A",
            "description": "D",
            "criteria": {"narrative": "C"},
        },
    }
    assert_strict_ob3(credential)
    canonicalize(credential)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"participation_form": "remote"},
        {"supervision": "maybe"},
        {"stackability": "sometimes"},
        {"eqf_level": 9},
        {"notional_workload_hours": Decimal(-1)},
    ],
)
def test_eu_fields_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ob3.EuMicroCredentialFields(**kwargs)


def test_builder_refuses_incomplete_input() -> None:
    with pytest.raises(ValueError, match="criteria"):
        ob3.Achievement(id="https://a.example/1", name="A", description="D")
    with pytest.raises(ValueError, match="subject"):
        ob3.Subject()
    achievement = ob3.Achievement(id="https://a.example/1", name="A", description="D", criteria_id="https://c")
    with pytest.raises(ValueError, match="valid_until"):
        ob3.build_credential(
            credential_id="urn:x",
            issuer=ob3.IssuerProfile(id="https://a.example", name="A"),
            achievement=achievement,
            subject=ob3.Subject(id="did:example:1"),
            valid_from=datetime(2025, 1, 2, tzinfo=UTC),
            valid_until=datetime(2025, 1, 1, tzinfo=UTC),
        )


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path, node


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _tampered(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if value.endswith("Z") and value[:4].isdigit():  # keep dates valid dateTimes
        return value.replace(":00Z", ":01Z")
    return value + "x"


@pytest.mark.parametrize("suite", sorted(di.SUPPORTED_CRYPTOSUITES))
def test_every_signed_leaf_is_covered_by_the_proof(suite: str, issuer_key: Ed25519PrivateKey) -> None:
    signed = _sign(full_credential(), issuer_key, cryptosuite=suite)
    leaves = [(path, value) for path, value in _leaves(signed) if path[0] != "proof"]
    assert len(leaves) > 60
    for path, value in leaves:
        document = copy.deepcopy(signed)
        _set(document, path, _tampered(value))
        if path[0] == "@context":
            expected: tuple[type[Exception], ...] = (UnknownContext, InvalidProof)
        elif "type" in path and suite == "eddsa-rdfc-2022":
            # A changed type name is no longer defined: rejected before the signature check.
            expected = (UndefinedTerm,)
        else:
            expected = (InvalidProof,)
        with pytest.raises(expected):
            di.verify(document, resolve_key=did_key_public_key)


@pytest.mark.parametrize("seed", range(40))
def test_random_credentials_sign_and_verify(seed: int, issuer_key: Ed25519PrivateKey) -> None:
    credential = random_credential(seed, control_chars=seed % 4 == 0)
    for suite in sorted(di.SUPPORTED_CRYPTOSUITES):
        signed = _sign(credential, issuer_key, cryptosuite=suite, proof_as_list=True)
        assert_strict_ob3(signed)
        (result,) = di.verify(signed, resolve_key=did_key_public_key)
        assert result.cryptosuite == suite
    if seed % 4:
        # Without RDFC-sensitive control characters pyld's own URDNA2015 must agree with us.
        assert canonicalize(credential) == pyld_normalize(credential)


def test_someone_elses_key_cannot_verify(issuer_key: Ed25519PrivateKey) -> None:
    signed = _sign(full_credential(), issuer_key)
    other: Ed25519PublicKey = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(InvalidProof):
        di.verify(signed, resolve_key=lambda vm: (other, vm.split("#")[0]))
