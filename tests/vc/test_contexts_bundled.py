"""The contexts real credentials use are bundled: pinned, documented, and each one loads in
pyld (``@protected`` included) and defines every term of a small document of its kind."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from microcred.credentials.vc import loader
from microcred.credentials.vc.errors import MalformedCredential, UndefinedTerm, UnknownContext
from microcred.credentials.vc.jsonld import canonicalize, expand_strict

VC1 = loader.VC_V1_CONTEXT
VC2 = loader.VC_V2_CONTEXT
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
README = loader.CONTEXTS_DIR / "README.md"
# Files kept in the folder for comparison only, served under no URL.
UNMAPPED = {"ed25519-signature-2020-v1.validator-copy.jsonld"}


def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(loader.MANIFEST_PATH.read_text())
    return manifest


def test_every_context_file_is_pinned_or_knowingly_unmapped_and_listed_in_the_readme() -> None:
    manifest = _manifest()
    pinned = {entry["file"] for entry in manifest["contexts"].values()}
    pinned |= {entry["file"] for variant in manifest["variants"].values() for entry in variant.values()}
    on_disk = {path.name for path in loader.CONTEXTS_DIR.iterdir() if path.suffix in (".json", ".jsonld")}
    assert on_disk - {"manifest.json"} == pinned | UNMAPPED
    readme = README.read_text()
    listed = set(re.findall(r"^\| ([\w.-]+\.jsonl?d?) \|", readme, flags=re.MULTILINE))
    assert on_disk - {"manifest.json"} <= listed
    for url in manifest["contexts"]:
        assert url in readme, f"{url} is bundled but its source is not recorded in the README"


# One document per context, in the company real credentials keep it in; every term must be
# defined (expand_strict raises naming any that is not).
DOCUMENTS: dict[str, dict[str, Any]] = {
    "https://w3id.org/security/v1": {
        "@context": ["https://w3id.org/security/v1"],
        "id": "https://issuer.example/keys/1",
        "type": "CryptographicKey",
        "owner": "https://issuer.example/",
        "publicKeyPem": "-----BEGIN PUBLIC KEY-----...",
    },
    "https://w3id.org/security/v2": {
        "@context": [VC2, "https://w3id.org/security/v2"],
        "id": "https://issuer.example/keys/1",
        "type": "Ed25519VerificationKey2018",
        "controller": "https://issuer.example/",
        "publicKeyBase58": "H3C2AVvLMv6gmMNam3uVAjZpfkcJCwDwnZn6z3wXmqPV",
    },
    "https://w3id.org/security/suites/jws-2020/v1": {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": "did:example:issuer",
        "verificationMethod": [
            {
                "id": "did:example:issuer#key-1",
                "type": "JsonWebKey2020",
                "controller": "did:example:issuer",
                "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            }
        ],
        "assertionMethod": ["did:example:issuer#key-1"],
    },
    "https://w3id.org/vc/status-list/2021/v1": {
        "@context": [VC1, "https://w3id.org/vc/status-list/2021/v1"],
        "id": "https://issuer.example/status/3",
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://issuer.example/status/3#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        },
    },
    "https://w3id.org/vc-revocation-list-2020/v1": {
        "@context": [VC1, "https://w3id.org/vc-revocation-list-2020/v1"],
        "id": "urn:uuid:0b9a7b3c-3c0c-4f65-8f0a-1f6c9b2e4a10",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialStatus": {
            "id": "https://issuer.example/revocation/1#94567",
            "type": "RevocationList2020Status",
            "revocationListIndex": "94567",
            "revocationListCredential": "https://issuer.example/revocation/1",
        },
        "credentialSubject": {"id": "did:example:holder"},
    },
    "https://www.w3.org/2018/credentials/examples/v1": {
        "@context": [VC1, "https://www.w3.org/2018/credentials/examples/v1"],
        "id": "http://example.edu/credentials/1872",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": "https://example.edu/issuers/565049",
        "issuanceDate": "2010-01-01T19:23:24Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "alumniOf": "Example University"},
    },
    "https://www.w3.org/ns/odrl.jsonld": {
        "@context": ["https://www.w3.org/ns/odrl.jsonld"],
        "uid": "http://example.com/policy:1010",
        "type": "Set",
        "permission": [{"target": "http://example.com/asset:9898", "action": "reproduce"}],
    },
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": {
        "@context": [VC2, "https://purl.imsglobal.org/spec/clr/v2p0/context.json", OB303],
        "id": "urn:uuid:8b2a1c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://university.example/issuers/1", "type": ["Profile"], "name": "State University"},
        "validFrom": "2024-06-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "achievement": [{"id": "https://university.example/a/1", "type": ["Achievement"], "name": "Algebra"}],
            "association": [
                {
                    "type": "Association",
                    "associationType": "isChildOf",
                    "sourceId": "https://university.example/a/1",
                    "targetId": "https://university.example/a/2",
                }
            ],
        },
    },
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": {
        "@context": [VC2, "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", OB303],
        "id": "urn:uuid:8b2a1c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://university.example/issuers/1", "type": ["Profile"], "name": "State University"},
        "validFrom": "2024-06-01T00:00:00Z",
        "name": "Transcript",
        "partial": False,
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "student-42",
                    "identityType": "studentId",
                    "hashed": False,
                }
            ],
            "verifiableCredential": [],
        },
    },
    "https://w3id.org/dcc/v1": {
        "@context": [VC1, "https://w3id.org/dcc/v1"],
        "id": "https://cred.example/1",
        "type": ["VerifiableCredential", "LearningCredential"],
        "issuer": {
            "id": "did:example:mit",
            "type": "Issuer",
            "name": "Example Institute",
            "url": "https://mit.example",
        },
        "issuanceDate": "2021-05-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "name": "Ada",
            "hasCredential": {
                "type": ["EducationalOccupationalCredential"],
                "name": "Data Science Certificate",
                "credentialCategory": "Certificate",
            },
        },
    },
    "https://w3id.org/openbadges/v2": {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.org/assertions/123",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": "deadsea",
            "identity": "sha256$c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5",
        },
        "issuedOn": "2016-12-31T23:59:59Z",
        "badge": "https://example.org/robotics-badge.json",
        "verification": {"type": "hosted"},
        "evidence": {"narrative": "Built a robot."},
    },
}


@pytest.mark.parametrize("url", sorted(DOCUMENTS))
def test_each_newly_bundled_context_defines_a_small_document_of_its_kind(url: str) -> None:
    document = DOCUMENTS[url]
    assert url in loader.bundled_urls()
    expanded = expand_strict(document)
    assert expanded and canonicalize(document)


@pytest.mark.parametrize("url", sorted(DOCUMENTS))
def test_an_undefined_term_beside_each_context_is_still_caught(url: str) -> None:
    document = {**DOCUMENTS[url], "notATermOfAnyContext": "x"}
    with pytest.raises(UndefinedTerm, match="notATermOfAnyContext"):
        expand_strict(document)


@pytest.mark.parametrize("url", sorted(loader.bundled_urls()))
def test_every_bundled_context_loads_in_pyld(url: str) -> None:
    """Each URL processed in full (protected and scoped contexts), on its own or after the VC
    context it is written for (JSON-LD forbids some pairs, see the README)."""
    loaded = []
    for base in ([], [VC1], [VC2]):
        try:
            canonicalize({"@context": [*base, url], "@id": "urn:example:1"})
        except MalformedCredential:
            continue
        loaded.append(base)
    assert loaded, f"{url} loads with no VC context"


@pytest.mark.parametrize(
    ("url", "vc"),
    [
        # 3.0.0 and 3.0.1 were written for VC 1.1 (they redefine terms the VC 2.0 context protects).
        ("https://purl.imsglobal.org/spec/ob/v3p0/context.json", VC1),
        ("https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld", VC1),
        ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json", VC1),
        ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json", VC2),
        ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", VC2),
    ],
)
def test_the_ob3_url_variants_real_credentials_name_all_map(url: str, vc: str) -> None:
    document = {
        "@context": [vc, url],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example/", "type": ["Profile"]},
        "issuanceDate" if vc == VC1 else "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"type": ["Achievement"], "name": "X"}},
    }
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement" in canonicalize(document)


def test_the_clr_context_1_and_2_0_1_differ_where_the_spec_moved_its_vocabulary() -> None:
    """2.0 (context.json) names terms under clr/v2p0/vocab.html, 2.0.1 under vc/clr/vocab.html:
    two URLs, two documents, each pinned to its own file."""
    old = canonicalize(DOCUMENTS["https://purl.imsglobal.org/spec/clr/v2p0/context.json"])
    new = canonicalize(DOCUMENTS["https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"])
    assert "https://purl.imsglobal.org/spec/clr/v2p0/vocab.html#ClrSubject" in old
    assert "https://purl.imsglobal.org/spec/vc/clr/vocab.html#ClrSubject" in new


def test_a_context_that_is_still_not_bundled_is_unknown() -> None:
    with pytest.raises(UnknownContext, match="jff-vc-edu-plugfest-1-context"):
        expand_strict(
            {
                "@context": [VC1, "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json"],
                "type": ["VerifiableCredential"],
            }
        )
