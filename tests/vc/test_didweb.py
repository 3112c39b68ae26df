"""did:web mapping, DID documents, and CID verification-method resolution (offline)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.credentials.vc.didweb import (
    build_did_document,
    did_web_to_url,
    make_key_resolver,
    resolve_public_key,
    resolve_verification_method,
    url_to_did_web,
)
from microcred.credentials.vc.errors import FetchRefused, KeyResolutionError, UntrustedIssuer
from microcred.credentials.vc.fetch import DisabledFetcher, StaticFetcher
from microcred.credentials.vc.jwt import jwk_for_public_key
from microcred.credentials.vc.multikey import did_key_vm_id, ed25519_public_to_multibase

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
OLD_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33))).public_key()
DID = "did:web:academy.example:issuers:1"
DID_URL = "https://academy.example/issuers/1/did.json"
PROFILE_URL = "https://academy.example/issuers/1"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:academy.example", "https://academy.example/.well-known/did.json"),
        ("did:web:academy.example:issuers:1", "https://academy.example/issuers/1/did.json"),
        ("did:web:academy.example%3A8443:x", "https://academy.example:8443/x/did.json"),
        ("did:web:Academy.Example", "https://academy.example/.well-known/did.json"),
    ],
)
def test_did_web_to_url_and_back(did: str, url: str) -> None:
    assert did_web_to_url(did) == url
    assert url_to_did_web(url) == did.lower().replace("%3a", "%3A")


def test_url_to_did_web_accepts_base_urls() -> None:
    assert url_to_did_web("https://academy.example/issuers/1") == DID
    assert url_to_did_web("https://academy.example/") == "did:web:academy.example"


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6Mk",
        "did:web:",
        "did:web:10.0.0.1",
        "did:web:academy.example#key-1",
        "did:web:academy.example:..:etc",
        "did:web:academy.example::x",
        "did:web:academy.example%3A99999",
        "did:web:academy.example%3Aabc",
        "did:web:-bad-.example",
        "did:web:evil.example/path",
    ],
)
def test_invalid_did_web(did: str) -> None:
    with pytest.raises(KeyResolutionError):
        did_web_to_url(did)


@pytest.mark.parametrize(
    "url",
    ["http://academy.example/", "https://127.0.0.1/", "https://a.example/x?y=1", "https://a.example/#f"],
)
def test_invalid_urls_for_did_web(url: str) -> None:
    with pytest.raises(KeyResolutionError):
        url_to_did_web(url)


def test_build_did_document() -> None:
    document = build_did_document(DID, [("key-2", KEY), (f"{DID}#key-1", OLD_KEY)])
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert document["id"] == DID
    assert document["verificationMethod"][0] == {
        "id": f"{DID}#key-2",
        "type": "Multikey",
        "controller": DID,
        "publicKeyMultibase": ed25519_public_to_multibase(KEY),
    }
    assert document["assertionMethod"] == [f"{DID}#key-2", f"{DID}#key-1"]
    assert document["authentication"] == document["assertionMethod"]
    with pytest.raises(KeyResolutionError, match="duplicate"):
        build_did_document(DID, [("key-1", KEY), ("#key-1", OLD_KEY)])
    with pytest.raises(KeyResolutionError, match="not a fragment"):
        build_did_document(DID, [("did:web:other.example#key-1", KEY)])


def test_resolve_did_web_key_and_rotated_key() -> None:
    fetcher = StaticFetcher({DID_URL: build_did_document(DID, [("key-2", KEY), ("key-1", OLD_KEY)])})
    assert resolve_verification_method(f"{DID}#key-2", fetcher=fetcher) == (KEY, DID)
    public_key, controller = resolve_verification_method(f"{DID}#key-1", fetcher=fetcher)
    assert public_key == OLD_KEY and controller == DID
    with pytest.raises(KeyResolutionError, match="has no verification method"):
        resolve_verification_method(f"{DID}#key-3", fetcher=fetcher)
    with pytest.raises(KeyResolutionError, match="no #fragment"):
        resolve_verification_method(DID, fetcher=fetcher)


def _https_profile() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/cid/v1"],
        "id": PROFILE_URL,
        "type": ["Profile"],
        "verificationMethod": [
            {
                "id": "#key-1",  # relative ids resolve against the document URL
                "type": "Multikey",
                "controller": PROFILE_URL,
                "publicKeyMultibase": ed25519_public_to_multibase(KEY),
            }
        ],
        "assertionMethod": [f"{PROFILE_URL}#key-1"],
    }


def test_resolve_https_profile_key() -> None:
    fetcher = StaticFetcher({PROFILE_URL: _https_profile()})
    assert resolve_verification_method(f"{PROFILE_URL}#key-1", fetcher=fetcher) == (KEY, PROFILE_URL)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d.update(id="https://evil.example/issuers/1"), "claims to be"),
        (lambda d: d["verificationMethod"][0].update(controller="https://evil.example/"), "is controlled by"),
        (lambda d: d.update(assertionMethod=[]), "not authorised for assertionMethod"),
        (lambda d: d.pop("assertionMethod"), "not authorised"),
    ],
)
def test_binding_failures_are_untrusted_issuer(mutate: Any, reason: str) -> None:
    document = _https_profile()
    mutate(document)
    with pytest.raises(UntrustedIssuer, match=reason):
        resolve_verification_method(f"{PROFILE_URL}#key-1", fetcher=StaticFetcher({PROFILE_URL: document}))


def test_authentication_only_key_cannot_assert() -> None:
    document = build_did_document(DID, [("key-1", KEY)])
    document["assertionMethod"] = []
    fetcher = StaticFetcher({DID_URL: document})
    with pytest.raises(UntrustedIssuer):
        resolve_verification_method(f"{DID}#key-1", fetcher=fetcher)
    assert resolve_verification_method(f"{DID}#key-1", fetcher=fetcher, purpose="authentication")[0] == KEY


def test_legacy_and_jwk_verification_methods() -> None:
    document = build_did_document(DID, [("key-1", KEY)])
    method = document["verificationMethod"][0]
    method["type"] = "Ed25519VerificationKey2020"
    fetcher = StaticFetcher({DID_URL: copy.deepcopy(document)})
    assert resolve_verification_method(f"{DID}#key-1", fetcher=fetcher)[0] == KEY
    method["type"] = "JsonWebKey"
    del method["publicKeyMultibase"]
    method["publicKeyJwk"] = {k: v for k, v in jwk_for_public_key("k", KEY).items() if k in ("kty", "crv", "x")}
    fetcher = StaticFetcher({DID_URL: copy.deepcopy(document)})
    assert resolve_verification_method(f"{DID}#key-1", fetcher=fetcher)[0] == KEY
    method["publicKeyJwk"]["d"] = "AAAA"
    with pytest.raises(KeyResolutionError, match="unusable"):
        resolve_verification_method(f"{DID}#key-1", fetcher=StaticFetcher({DID_URL: document}))
    method["type"] = "EcdsaSecp256k1VerificationKey2019"
    with pytest.raises(KeyResolutionError, match="unsupported type"):
        resolve_verification_method(f"{DID}#key-1", fetcher=StaticFetcher({DID_URL: document}))


def test_rsa_jwk_resolves_for_jwt_but_not_for_data_integrity() -> None:
    rsa_public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    document = build_did_document(DID, [("key-1", KEY)])
    document["verificationMethod"][0] = {
        "id": f"{DID}#key-1",
        "type": "JsonWebKey",
        "controller": DID,
        "publicKeyJwk": jwk_for_public_key("k", rsa_public),
    }
    fetcher = StaticFetcher({DID_URL: document})
    assert resolve_public_key(f"{DID}#key-1", fetcher=fetcher) == (rsa_public, DID)
    with pytest.raises(KeyResolutionError, match="not an Ed25519 key"):
        resolve_verification_method(f"{DID}#key-1", fetcher=fetcher)


def test_combined_resolver_handles_did_key_locally_and_caches_documents() -> None:
    resolve = make_key_resolver(DisabledFetcher())
    assert resolve(did_key_vm_id(KEY)) == (KEY, did_key_vm_id(KEY).split("#")[0])

    calls: list[str] = []

    class CountingFetcher(StaticFetcher):
        def fetch(self, url: str, *, accept: str = "") -> bytes:
            calls.append(url)
            return super().fetch(url)

    resolve = make_key_resolver(CountingFetcher({DID_URL: build_did_document(DID, [("key-1", KEY)])}))
    assert resolve(f"{DID}#key-1").public_key == KEY
    assert resolve(f"{DID}#key-1").controller == DID
    assert calls == [DID_URL]


def test_fetch_failures_become_key_resolution_errors() -> None:
    resolve = make_key_resolver(DisabledFetcher())
    with pytest.raises(KeyResolutionError, match="remote fetching is disabled") as info:
        resolve(f"{DID}#key-1")
    assert isinstance(info.value.__cause__, FetchRefused)
    with pytest.raises(KeyResolutionError, match="not a JSON object"):
        make_key_resolver(StaticFetcher({DID_URL: "[1]"}))(f"{DID}#key-1")
    with pytest.raises(KeyResolutionError, match="unsupported verification method scheme"):
        resolve("did:jwk:eyJ9#0")
    with pytest.raises(KeyResolutionError, match="unsupported"):
        resolve("http://academy.example/issuers/1#key-1")
