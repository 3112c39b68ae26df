"""RDFC-1.0 canonicalization and the strict (no silently dropped terms) expansion."""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph as ox
import pytest

from microcred.credentials.vc.errors import MalformedCredential, UndefinedTerm, UnknownContext
from microcred.credentials.vc.jsonld import canonicalize, expand_strict, pyld_normalize

from .conftest import EDDSA, OB_VECTOR, full_credential, read_json, read_text, teamwork_badge

VC_V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _proof_config(path: str) -> dict[str, Any]:
    config: dict[str, Any] = read_json(EDDSA / path)
    return config


def test_eddsa_rdfc_vector_document_and_proof_config() -> None:
    document = read_json(EDDSA / "unsigned.json")
    config = {**_proof_config("eddsa-rdfc-2022/proofConfigDataInt.json")}
    config["@context"] = document["@context"]
    canonical_doc = canonicalize(document)
    canonical_proof = canonicalize(config)
    assert canonical_doc == read_text(EDDSA / "eddsa-rdfc-2022/canonDocDataInt.txt")
    assert canonical_proof == read_text(EDDSA / "eddsa-rdfc-2022/proofCanonDataInt.txt")
    assert canonical_doc == pyld_normalize(document)
    assert canonical_proof == pyld_normalize(config)


def test_ob_vector_document_and_proof_canonical_forms() -> None:
    document = teamwork_badge()
    canonical = canonicalize(document)
    assert canonical == read_text(OB_VECTOR / "document-canon.txt")
    assert canonical == pyld_normalize(document)
    doc_hash = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
    assert hashlib.sha256(canonical.encode()).hexdigest() == doc_hash
    proof = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2010-01-01T19:23:24Z",
        "verificationMethod": "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "proofPurpose": "assertionMethod",
    }
    assert canonicalize(proof) == read_text(OB_VECTOR / "proof-canon.txt")


def test_employ_vector_needs_a_context_we_do_not_bundle() -> None:
    # https://w3id.org/citizenship/v4rc1 is not shipped: we must refuse, not fetch it.
    signed = read_json(EDDSA / "eddsa-rdfc-2022/employ/signedDataInt.json")
    signed.pop("proof")
    with pytest.raises(UnknownContext):
        canonicalize(signed)


def test_our_pipeline_matches_pyld_on_a_full_ob3_credential() -> None:
    credential = full_credential()
    assert canonicalize(credential) == pyld_normalize(credential)


CONTROL = 'a\x0cb\x08c\td\ne\rf"g\\h\x00i\x1fj\x7fk\u2028l é'
# RDFC-1.0 (canonical N-Quads): ECHAR for \b \t \n \f \r \" \\, UCHAR (upper-case hex) for the
# remaining U+0000..U+001F and U+007F, everything else verbatim UTF-8.
CONTROL_ESCAPED = 'a\\fb\\bc\\td\\ne\\rf\\"g\\\\h\\u0000i\\u001Fj\\u007Fk\u2028l é'


def test_control_characters_follow_rdfc_escaping() -> None:
    document = {"@context": {"note": "https://example.org/note"}, "@id": "https://example.org/s", "note": CONTROL}
    ours = canonicalize(document)
    assert ours == f'<https://example.org/s> <https://example.org/note> "{CONTROL_ESCAPED}" .\n'

    # The same dataset built by hand (no pyld) and serialized by pyoxigraph.
    independent = ox.Dataset(
        [
            ox.Quad(
                ox.NamedNode("https://example.org/s"),
                ox.NamedNode("https://example.org/note"),
                ox.Literal(CONTROL),
                ox.DefaultGraph(),
            )
        ]
    )
    independent.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    serialized = ox.serialize(independent, format=ox.RdfFormat.N_QUADS)
    assert serialized is not None
    assert ours == serialized.decode()


def test_blank_nodes_are_relabelled_canonically() -> None:
    ctx = {"p": "https://example.org/p", "q": "https://example.org/q"}
    first = {"@context": ctx, "p": [{"q": "1"}, {"q": "2"}]}
    second = {"@context": ctx, "p": [{"q": "2"}, {"q": "1"}]}
    assert canonicalize(first) == canonicalize(second)
    assert "_:c14n0" in canonicalize(first)
    assert canonicalize(first) == pyld_normalize(first)


def test_integral_floats_canonicalize_as_json_ld_integers() -> None:
    # JSON-LD 1.1 (and jsonld.js) turn 2.0 into "2"^^xsd:integer; pyld alone would give 2.0E0.
    ctx = {"n": "https://example.org/n"}
    as_float = canonicalize({"@context": ctx, "@id": "urn:x", "n": 2.0})
    assert as_float == canonicalize({"@context": ctx, "@id": "urn:x", "n": 2})
    assert '"2"^^<http://www.w3.org/2001/XMLSchema#integer>' in as_float
    fraction = canonicalize({"@context": ctx, "@id": "urn:x", "n": 2.5})
    assert '"2.5E0"^^<http://www.w3.org/2001/XMLSchema#double>' in fraction


def _vc(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "https://issuer.example",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1", "type": ["AchievementSubject"]},
        **extra,
    }


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (_vc(favouriteColour="blue"), "favouriteColour"),
        (_vc(type=["VerifiableCredential", "MadeUpCredential"]), "type=MadeUpCredential"),
        (
            _vc(credentialSubject={"id": "did:example:1", "type": ["AchievementSubject"], "nick": "x"}),
            "credentialSubject/nick",
        ),
        (
            _vc(credentialSchema=[{"id": "https://s.example", "type": "1EdTechJsonSchemaValidator2019"}]),
            "credentialSchema/type=1EdTechJsonSchemaValidator2019",
        ),
    ],
)
def test_undefined_terms_are_rejected_with_their_path(document: dict[str, Any], path: str) -> None:
    with pytest.raises(UndefinedTerm) as info:
        canonicalize(document)
    assert info.value.code == "undefined_term"
    assert path in info.value.data["paths"]
    assert path in str(info.value)
    with pytest.raises(UndefinedTerm):
        expand_strict(document)


def test_undefined_value_types_and_vocab_values_are_rejected() -> None:
    # A value object naming an undefined datatype term.
    with pytest.raises(UndefinedTerm) as info:
        canonicalize(_vc(name={"@value": "x", "@type": "MyDatatype"}))
    assert info.value.data["terms"] == ["MyDatatype"]
    # proofPurpose is typed @vocab: an undefined purpose would become a base-relative IRI.
    proof = {
        "@context": [VC_V2],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": "did:key:z6Mk#z6Mk",
        "proofPurpose": "madeUpPurpose",
    }
    with pytest.raises(UndefinedTerm) as info:
        canonicalize(proof)
    assert info.value.data["terms"] == ["madeUpPurpose"]


def test_malformed_keyword_key_is_rejected() -> None:
    with pytest.raises(UndefinedTerm):
        canonicalize(_vc(**{"@foo": "bar"}))


def test_a_context_with_its_own_vocab_still_defines_terms() -> None:
    # The examples context sets @vocab; our sentinel must not shadow it.
    document = read_json(EDDSA / "unsigned.json")
    assert document["@context"] == [VC_V2, EXAMPLES]
    expanded = expand_strict(document)
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert "https://www.w3.org/ns/credentials/examples#alumniOf" in subject


def test_validator_only_terms_fall_back_to_the_validator_context() -> None:
    document = _vc(endorsementJwt=["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"])
    canonical = canonicalize(document)
    assert "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt>" in canonical
    expanded = expand_strict(document)
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt" in expanded[0]
    # The fallback is not a blanket pass: any other undefined term still fails.
    with pytest.raises(UndefinedTerm) as info:
        canonicalize(_vc(endorsementJwt=["x"], colour="red"))
    assert "colour" in info.value.data["terms"]
    # Without OB 3.0.3 in @context there is nothing to fall back to.
    with pytest.raises(UndefinedTerm):
        canonicalize({**_vc(jti="urn:x"), "@context": [VC_V2]})


def test_iri_injection_is_refused() -> None:
    # pyld only rejects whitespace in IRIs; '>' would let a crafted id add quads to N-Quads text.
    with pytest.raises(MalformedCredential):
        canonicalize(_vc(id="http://a/><http://p><http://o>.<http://x"))


def test_non_object_document_is_malformed() -> None:
    with pytest.raises(MalformedCredential):
        canonicalize([1, 2])  # type: ignore[arg-type]
