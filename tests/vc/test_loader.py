"""The offline context loader: pinned files, no network, private copies."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from microcred.credentials.vc import loader
from microcred.credentials.vc.errors import UnknownContext
from microcred.credentials.vc.jsonld import canonicalize

# CI lays shared/ beside the checkout; the comparison is skipped where it is absent.
SHARED_CONTEXTS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "contexts"

# First 16 hex digits of each official file's sha256, as printed in the standards README
# (an independent record of what the manifest must pin).
README_PREFIXES = {
    "https://www.w3.org/ns/credentials/v2": "59955ced6697d61e",
    "https://www.w3.org/2018/credentials/v1": "ab4ddd9a53175880",
    "https://www.w3.org/ns/credentials/examples/v2": "57393fbc69d6efb9",
    "https://www.w3.org/ns/credentials/undefined-terms/v2": "82dab514ba44eb18",
    "https://www.w3.org/ns/credentials/status/v1": "fda5add353231e6a",
    "https://w3id.org/security/data-integrity/v2": "67f21e6e33a6c14e",
    "https://w3id.org/security/data-integrity/v1": "b5d829bd09aa7c42",
    "https://w3id.org/security/multikey/v1": "ba2c182de2d92f7e",
    "https://www.w3.org/ns/cid/v1": "ea216ecc1cb02cd3",
    "https://www.w3.org/ns/did/v1": "adefa50311393eb1",
    # Not in the standards README: the official copies published by Digital Bazaar (the
    # ed25519-signature-2020-context / -2018-context packages that w3id.org serves); the
    # README's 1EdTech validator copy adds a `proof` term of its own (see suites README).
    "https://w3id.org/security/suites/ed25519-2020/v1": "db2d1ff9ca651354",
    "https://w3id.org/security/suites/ed25519-2018/v1": "b409bfbb61ff3048",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ef2fa9c7846dce23",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "00666ad080ba4076",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "d582f3564282fb3b",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "b077fa134d909d92",
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": "b077fa134d909d92",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "146f85aa16effd7c",
    # Contexts real credentials use (issue 10), each from its publisher's package or repository
    # (contexts/README.md); the prefixes are those of the files as published there.
    "https://w3id.org/security/v1": "abaf97e107d19255",
    "https://w3id.org/security/v2": "611bd81151d5efe5",
    "https://w3id.org/security/suites/jws-2020/v1": "1e9dda2334eb0cda",
    "https://w3id.org/vc/status-list/2021/v1": "634d71c159289f06",
    "https://w3id.org/vc-revocation-list-2020/v1": "9fe1e5bd6d2f709e",
    "https://www.w3.org/2018/credentials/examples/v1": "73bebae22e70ebb4",
    "https://www.w3.org/ns/odrl.jsonld": "a83cb98005bce546",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "80a2bcb38f78a011",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "880f1902d4158f2f",
    "https://w3id.org/dcc/v1": "1543695325471b0d",
    "https://w3id.org/openbadges/v2": "393a890d7d95eb3a",
}
# The full hash is printed in the VC 2.0 Recommendation.
VC_V2_SHA256 = "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_official_context_is_pinned_to_the_readme_hash() -> None:
    for url, prefix in README_PREFIXES.items():
        raw = json.dumps(loader.load_context(url)).encode()  # loads at all
        assert raw
        entry = json.loads(loader.MANIFEST_PATH.read_text())["contexts"][url]
        data = (loader.CONTEXTS_DIR / entry["file"]).read_bytes()
        assert _sha256(data).startswith(prefix), url
    assert set(README_PREFIXES) | {loader.MICROCRED_CONTEXT_URL} == loader.bundled_urls()
    vc = (loader.CONTEXTS_DIR / "credentials-v2.jsonld").read_bytes()
    assert _sha256(vc) == VC_V2_SHA256


@pytest.mark.skipif(not SHARED_CONTEXTS.exists(), reason="shared standards folder not present")
def test_vendored_contexts_are_verbatim_copies() -> None:
    for shared in SHARED_CONTEXTS.iterdir():
        assert (loader.CONTEXTS_DIR / shared.name).read_bytes() == shared.read_bytes()


def test_a_modified_context_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.jsonld").write_bytes(b'{"@context": {}}')
    monkeypatch.setattr(loader, "CONTEXTS_DIR", tmp_path)
    with pytest.raises(loader.ContextIntegrityError):
        loader._read_pinned({"file": "x.jsonld", "sha256": "0" * 64})
    good = {"file": "x.jsonld", "sha256": _sha256(b'{"@context": {}}')}
    assert loader._read_pinned(good) == b'{"@context": {}}'


def test_ob_303_url_serves_the_spec_copy_and_the_variant_adds_two_terms() -> None:
    spec = loader.load_context(loader.OB_V3P0_CONTEXT)["@context"]
    validator = loader.load_context(loader.OB_V3P0_CONTEXT, variant=loader.OB_VALIDATOR_VARIANT)["@context"]
    assert "endorsementJwt" not in spec
    assert set(validator) - set(spec) == set(loader.OB_VALIDATOR_ONLY_TERMS)
    assert {k: v for k, v in validator.items() if k in spec} == spec


def test_unknown_url_raises_and_never_reaches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(UnknownContext) as info:
        loader.document_loader("https://example.org/evil-context.jsonld")
    assert info.value.code == "unknown_context"
    with pytest.raises(UnknownContext):
        loader.load_context("https://w3id.org/citizenship/v4rc1")
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/ctx"], "id": "urn:x"}
    with pytest.raises(UnknownContext):
        canonicalize(doc)


def test_loader_returns_private_copies_in_pyld_shape() -> None:
    first = loader.document_loader(loader.VC_V2_CONTEXT)
    assert first["documentUrl"] == loader.VC_V2_CONTEXT and first["contextUrl"] is None
    first["document"]["@context"]["id"] = "tampered"
    second = loader.load_context(loader.VC_V2_CONTEXT)
    assert second["@context"]["id"] == "@id"


def test_the_validator_alias_is_private_to_its_loader() -> None:
    with pytest.raises(UnknownContext):
        loader.document_loader(loader.OB_V3P0_VALIDATOR_ALIAS)
    served = loader.ob_validator_document_loader(loader.OB_V3P0_VALIDATOR_ALIAS)
    assert "jti" in served["document"]["@context"]
    assert served["documentUrl"] == loader.OB_V3P0_CONTEXT


def test_microcred_context_defines_every_term_with_an_absolute_iri() -> None:
    ctx = loader.load_context(loader.MICROCRED_CONTEXT_URL)["@context"]
    assert ctx["@protected"] is True
    assert "@vocab" not in ctx
    terms = {k: v for k, v in ctx.items() if not k.startswith("@")}
    expected = {
        "MicroCredentialExtension",
        "assessmentType",
        "participationForm",
        "qualityAssurance",
        "supervision",
        "stackability",
        "prerequisites",
        "eqfLevel",
        "notionalWorkloadHours",
        "awardingBodyCountry",
    }
    assert set(terms) == expected
    for term, definition in terms.items():
        assert definition["@id"] == f"https://microcred.org/ns/microcred#{term}"
