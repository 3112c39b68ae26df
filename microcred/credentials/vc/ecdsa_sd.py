"""Verifying ecdsa-sd-2023 derived proofs (W3C vc-di-ecdsa, "ecdsa-sd-2023 Functions").

An issuer signs a *base proof* and gives it to the holder only; the holder reveals some of
the statements and presents a *derived proof*. A verifier checks the derived proof:

1. ``parseDerivedProofValue``: ``proofValue`` is multibase base64url (``u``); its bytes start
   with the derived-proof header ``0xd9 0x5d 0x01`` and the rest is a CBOR array of five
   items: the base signature (issuer key, IEEE P1363), the ephemeral public key (a P-256
   Multikey, 35 bytes), one signature per non-mandatory statement, the compressed label map
   (``{int: bytes}``) and the indexes of the mandatory statements. A *base* proof (header
   ``0xd9 0x5d 0x00``) is meant for the holder; the spec makes presenting one to a verifier a
   verification error, so it is :class:`InvalidProof` with a message saying so.
2. ``createVerifyData``: the proof hash is SHA-256 of the canonical proof configuration; the
   revealed document is canonicalized (RDFC-1.0) and each canonical blank node label
   ``c14nN`` is replaced by the issuer's label from the label map (``u`` + base64url of the
   map's bytes: the HMAC'd labels of the base proof), and the statements sorted. The
   statements at the mandatory indexes are hashed together (SHA-256 of their concatenation);
   the others are the non-mandatory statements.
3. ``verifyProof``: the base signature must verify with the issuer's key over
   ``proofHash || ephemeral public key || mandatoryHash``; each non-mandatory statement's
   signature must verify with the ephemeral key over the statement's UTF-8 N-Quad, and there
   must be exactly one signature per statement.

CBOR is decoded by ``cbor2``, points and signatures by ``cryptography``; nothing here is
crypto of our own. Statements are relabelled as pyoxigraph terms (parsed from the canonical
N-Quads), never by editing text, so a literal that looks like a label is left alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import base58
import cbor2
import pyoxigraph as ox
from cryptography.hazmat.primitives.asymmetric import ec

from .errors import InvalidProof, MalformedCredential
from .jsonld import canonicalize
from .multikey import P256_PUB_PREFIX, P384_PUB_PREFIX, VerificationKey, public_key_from_multibase
from .suites import Canonicalizer, ecdsa_hash_of, verify_p1363

BASE_PROOF_HEADER = b"\xd9\x5d\x00"
DERIVED_PROOF_HEADER = b"\xd9\x5d\x01"
_DERIVED_COMPONENTS = 5


@dataclass(frozen=True)
class DerivedProofValue:
    """The five components of a derived proof value, with the label map decompressed."""

    base_signature: bytes
    public_key: bytes  # the ephemeral key as Multikey bytes (multicodec prefix + compressed point)
    signatures: tuple[bytes, ...]
    label_map: Mapping[str, str]  # c14nN -> the issuer's label (u + base64url)
    mandatory_indexes: tuple[int, ...]


@dataclass(frozen=True)
class VerifyData:
    """The intermediate values of ``createVerifyData`` (as in the spec's vectors)."""

    proof_hash: bytes
    public_key: bytes
    signatures: tuple[bytes, ...]
    non_mandatory: tuple[str, ...]
    mandatory_hash: bytes
    base_signature: bytes


def _base64url_decode(value: str) -> bytes:
    if any(char in value for char in "=+/"):
        raise InvalidProof("ecdsa-sd-2023 proofValue is not base64url without padding")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidProof("ecdsa-sd-2023 proofValue is not base64url") from exc


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    """The spec's ``parseDerivedProofValue``: every malformed value is :class:`InvalidProof`."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise InvalidProof("ecdsa-sd-2023 proofValue is not multibase base64url (it must start with 'u')")
    raw = _base64url_decode(proof_value[1:])
    if raw.startswith(BASE_PROOF_HEADER):
        raise InvalidProof(
            "this is an ecdsa-sd-2023 base proof, which the issuer gives to the holder only: the holder "
            "must derive a proof (selecting what to disclose) and present that; a base proof cannot be verified"
        )
    if not raw.startswith(DERIVED_PROOF_HEADER):
        raise InvalidProof("ecdsa-sd-2023 proofValue does not start with the derived proof header (0xd9 0x5d 0x01)")
    try:
        components = cbor2.loads(raw[len(DERIVED_PROOF_HEADER) :])
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise InvalidProof(f"ecdsa-sd-2023 proofValue is not valid CBOR: {exc}") from exc
    if not isinstance(components, list) or len(components) != _DERIVED_COMPONENTS:
        raise InvalidProof("ecdsa-sd-2023 derived proofValue must be a CBOR array of five components")
    base_signature, public_key, signatures, compressed_labels, mandatory = components
    if not isinstance(base_signature, bytes) or not isinstance(public_key, bytes):
        raise InvalidProof("ecdsa-sd-2023 base signature and public key must be byte strings")
    if not isinstance(signatures, list) or not all(isinstance(item, bytes) for item in signatures):
        raise InvalidProof("ecdsa-sd-2023 signatures must be an array of byte strings")
    if not isinstance(mandatory, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and item >= 0 for item in mandatory
    ):
        raise InvalidProof("ecdsa-sd-2023 mandatory indexes must be an array of non-negative integers")
    return DerivedProofValue(
        base_signature=base_signature,
        public_key=public_key,
        signatures=tuple(signatures),
        label_map=_decompress_label_map(compressed_labels),
        mandatory_indexes=tuple(mandatory),
    )


def _decompress_label_map(compressed: Any) -> dict[str, str]:
    """``{0: bytes}`` -> ``{"c14n0": "u" + base64url(bytes)}`` (the spec's decompressLabelMap)."""
    if not isinstance(compressed, dict):
        raise InvalidProof("ecdsa-sd-2023 label map must be a CBOR map")
    label_map: dict[str, str] = {}
    for key, value in compressed.items():
        if not isinstance(key, int) or isinstance(key, bool) or key < 0 or not isinstance(value, bytes):
            raise InvalidProof("ecdsa-sd-2023 label map must map non-negative integers to byte strings")
        label_map[f"c14n{key}"] = "u" + _base64url(value)
    return label_map


def relabelled_nquads(canonical: str, label_map: Mapping[str, str]) -> list[str]:
    """The canonical N-Quads with each blank node ``c14nN`` renamed by ``label_map``, sorted
    (the spec's ``labelReplacementCanonicalizeNQuads`` with ``createLabelMapFunction``)."""
    blanks: dict[str, ox.BlankNode] = {}

    def relabel(term: Any) -> Any:
        if not isinstance(term, ox.BlankNode):
            return term
        label = label_map.get(term.value)
        if label is None:
            raise InvalidProof(f"ecdsa-sd-2023 label map has no label for blank node _:{term.value}")
        node = blanks.get(label)
        if node is None:
            try:
                node = blanks[label] = ox.BlankNode(label)
            except ValueError as exc:
                raise InvalidProof(f"ecdsa-sd-2023 label {label!r} is not a blank node label") from exc
        return node

    lines = []
    for quad in ox.parse(canonical, format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name
        renamed = ox.Quad(
            relabel(quad.subject),
            quad.predicate,
            relabel(quad.object),
            graph if isinstance(graph, ox.DefaultGraph) else relabel(graph),
        )
        lines.append(f"{renamed} .\n")
    return sorted(lines)


def create_verify_data(
    document: dict[str, Any],
    proof_config: dict[str, Any],
    proof: Mapping[str, Any],
    *,
    canonicalizer: Canonicalizer = canonicalize,
) -> VerifyData:
    """The spec's ``createVerifyData`` for a derived proof on ``document`` (without its proof);
    ``proof_config`` is the proof without ``proofValue``, with the document's ``@context``."""
    parsed = parse_derived_proof_value(proof.get("proofValue"))
    proof_hash = hashlib.sha256(canonicalizer(proof_config).encode("utf-8")).digest()
    nquads = relabelled_nquads(canonicalizer(document), parsed.label_map)
    if any(index >= len(nquads) for index in parsed.mandatory_indexes):
        raise InvalidProof("ecdsa-sd-2023 mandatory index points past the disclosed statements")
    mandatory_set = set(parsed.mandatory_indexes)
    mandatory = [nquad for index, nquad in enumerate(nquads) if index in mandatory_set]
    non_mandatory = tuple(nquad for index, nquad in enumerate(nquads) if index not in mandatory_set)
    return VerifyData(
        proof_hash=proof_hash,
        public_key=parsed.public_key,
        signatures=parsed.signatures,
        non_mandatory=non_mandatory,
        mandatory_hash=hashlib.sha256("".join(mandatory).encode("utf-8")).digest(),
        base_signature=parsed.base_signature,
    )


def _ephemeral_key(multikey_bytes: bytes) -> ec.EllipticCurvePublicKey:
    if not multikey_bytes.startswith((P256_PUB_PREFIX, P384_PUB_PREFIX)):
        raise InvalidProof("ecdsa-sd-2023 proof key is not a P-256 or P-384 Multikey")
    try:
        key = public_key_from_multibase("z" + base58.b58encode(multikey_bytes).decode("ascii"))
    except MalformedCredential as exc:
        raise InvalidProof(f"ecdsa-sd-2023 proof key is unusable: {exc}") from exc
    assert isinstance(key, ec.EllipticCurvePublicKey)  # the prefixes above are EC prefixes
    return key


def verify_derived(
    document: dict[str, Any],
    proof_config: dict[str, Any],
    proof: Mapping[str, Any],
    issuer_key: VerificationKey,
    *,
    canonicalizer: Canonicalizer = canonicalize,
) -> None:
    """The spec's ``verifyProof`` for ecdsa-sd-2023; raise :class:`InvalidProof` unless it holds.

    A key that is not P-256/P-384 is a wrong key (:class:`InvalidProof`), as for ecdsa-rdfc-2019.
    """
    vm = proof.get("verificationMethod")
    ecdsa_hash_of(issuer_key, verification_method=vm)  # a wrong key fails before any work
    assert isinstance(issuer_key, ec.EllipticCurvePublicKey)
    data = create_verify_data(document, proof_config, proof, canonicalizer=canonicalizer)
    if len(data.signatures) != len(data.non_mandatory):
        raise InvalidProof(
            f"ecdsa-sd-2023 proof has {len(data.signatures)} statement signatures for "
            f"{len(data.non_mandatory)} disclosed non-mandatory statements",
            verification_method=vm,
        )
    try:
        verify_p1363(
            issuer_key,
            data.base_signature,
            data.proof_hash + data.public_key + data.mandatory_hash,
            what="the base signature (issuer key over the proof, proof key and mandatory statements)",
        )
    except InvalidProof as exc:
        raise InvalidProof(f"signature does not match the document: {exc}", verification_method=vm) from exc
    ephemeral = _ephemeral_key(data.public_key)
    for index, (signature, nquad) in enumerate(zip(data.signatures, data.non_mandatory, strict=True)):
        try:
            verify_p1363(ephemeral, signature, nquad.encode("utf-8"), what=f"statement signature {index}")
        except InvalidProof as exc:
            raise InvalidProof(
                f"signature does not match the document: a disclosed statement was changed ({exc})",
                verification_method=vm,
            ) from exc
