"""The registry of Data Integrity proof suites we verify (ADR 0038).

A proof names its suite either by ``type: DataIntegrityProof`` + ``cryptosuite`` (the 2025
vc-di-eddsa REC) or by a legacy proof ``type`` (Linked Data Proofs of the W3C CCG, which most
VC 1.1 credentials in circulation still carry). Each :class:`Suite` knows, for its proofs:

* how the verify data is computed (``transform_and_hash``): canonicalize the proof options
  and the document, hash each with SHA-256, concatenate (proof hash first). Every suite here
  hashes this way; they differ in the canonicalization (RDFC-1.0 or JCS) only;
* which verification method types carry its keys (``key_types``), read by
  :func:`ed25519_key_of_method`;
* how the signature is carried: ``proofValue`` as multibase base58btc (eddsa-*-2022,
  Ed25519Signature2020) or ``jws`` as a detached JWS with unencoded payload (RFC 7797,
  ``b64: false``, ``alg: EdDSA``) whose signing input is the JWS header, ``.``, then the
  verify data (Ed25519Signature2018);
* which key algorithm it signs with (``algorithm``): Ed25519, or ECDSA on P-256 / P-384.
  The ECDSA suites (W3C vc-di-ecdsa) hash with the curve's hash, SHA-256 for P-256 and
  SHA-384 for P-384 (proof hash || document hash, each with that hash), and carry the IEEE
  P1363 signature ``r || s`` (64 or 96 bytes) as multibase base58btc. A key of another type
  than the suite's (a P-256 key under an eddsa proof) is :class:`InvalidProof`, a wrong key.

Suites: ``eddsa-rdfc-2022`` (``eddsa-2022``, its pre-REC name, is an alias), ``eddsa-jcs-2022``,
``Ed25519Signature2020``, ``Ed25519Signature2018``, ``ecdsa-rdfc-2019`` (``ecdsa-2019``, its pre-REC
name, is an alias), ``ecdsa-jcs-2019`` and
``ecdsa-sd-2023`` (derived proofs only: ``ecdsa_sd.py`` verifies them). Anything else raises
:class:`UnsupportedSuite` ("unsupported suite X"), which the verifier reports as *cannot
check*, never as forged. The Ed25519 and ECDSA arithmetic is ``cryptography``'s; nothing here
is crypto.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import base58
import pyoxigraph as ox
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .errors import InvalidProof, MalformedCredential, UnsupportedSuite
from .jsonld import canonicalize
from .multikey import (
    ED25519_KEY_LEN,
    VerificationKey,
    ed25519_public_from_multibase,
    multibase_decode,
    multibase_encode,
    public_key_from_multibase,
)

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_2022_LEGACY = "eddsa-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
ED25519_SIGNATURE_2018 = "Ed25519Signature2018"
ECDSA_RDFC_2019 = "ecdsa-rdfc-2019"
ECDSA_2019_LEGACY = "ecdsa-2019"
ECDSA_JCS_2019 = "ecdsa-jcs-2019"
ECDSA_SD_2023 = "ecdsa-sd-2023"

ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"

MULTIKEY = "Multikey"
ED25519_VERIFICATION_KEY_2020 = "Ed25519VerificationKey2020"
ED25519_VERIFICATION_KEY_2018 = "Ed25519VerificationKey2018"

# The members left out of the signed proof options: a DataIntegrityProof drops its
# proofValue; jsonld-signatures drops all three from the legacy suites' proofs.
_DATA_INTEGRITY_UNSIGNED = ("proofValue",)
_LINKED_DATA_UNSIGNED = ("proofValue", "jws", "signatureValue")
# The JWS header jsonld-signatures writes for Ed25519Signature2018 (RFC 7797 detached payload).
_JWS_2018_HEADER = {"alg": "EdDSA", "b64": False, "crit": ["b64"]}
_SIGNATURE_LEN = 64
# The ECDSA curves of vc-di-ecdsa, by cryptography's curve name: (hash, P1363 signature length).
_ECDSA_CURVES: Mapping[str, tuple[str, int]] = {
    ec.SECP256R1.name: ("sha256", 64),
    ec.SECP384R1.name: ("sha384", 96),
}
_CURVE_LABELS = {ec.SECP256R1.name: "P-256", ec.SECP384R1.name: "P-384"}

# jsonld.canonicalize or anything proven to return exactly what it returns (fastpath).
Canonicalizer = Callable[[dict[str, Any]], str]
# What a new proof can be signed with (we issue with Ed25519; ECDSA signs for tests and benchmarks).
SigningKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class HashData:
    """The intermediate values of the suites' transform + hash steps (as in the vectors)."""

    canonical_document: str
    canonical_proof_config: str
    # RDFC-1.0 text can be relabelled with another hash (P-384 below); JCS text is final.
    canonicalization: Literal["rdfc-1.0", "jcs"] = "rdfc-1.0"

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_document.encode("utf-8")).digest()

    @property
    def proof_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_proof_config.encode("utf-8")).digest()

    @property
    def combined(self) -> bytes:
        return self.proof_hash + self.document_hash

    def combined_with(self, hash_name: str) -> bytes:
        """proof hash || document hash with ``hash_name`` (``sha384`` for an ECDSA P-384 key).

        With SHA-384, RDFC-1.0 itself runs with SHA-384 as its hash (the parameter RDF-CANON
        defines), as the vc-di-ecdsa P-384 vectors and the reference implementation do: the
        blank node labels can differ from SHA-256's, so the canonical text is relabelled.
        """
        if hash_name == "sha256":
            return self.combined
        proof_config, document = self.canonical_proof_config, self.canonical_document
        if self.canonicalization == "rdfc-1.0" and hash_name == "sha384":
            proof_config, document = rdfc_sha384(proof_config), rdfc_sha384(document)
        proof_hash = hashlib.new(hash_name, proof_config.encode("utf-8")).digest()
        return proof_hash + hashlib.new(hash_name, document.encode("utf-8")).digest()


def rdfc_sha384(canonical: str) -> str:
    """RDFC-1.0 (SHA-384) N-Quads of RDFC-1.0 (SHA-256) N-Quads: canonicalization does not
    depend on the input's labels, so relabelling the canonical text is canonicalizing the
    document with SHA-384, whichever canonicalizer (the fast path included) produced it."""
    if "_:" not in canonical:
        return canonical  # no blank node: nothing to label, the text is the same
    dataset = ox.Dataset(ox.parse(canonical, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0_SHA_384)
    return "".join(sorted(line + "\n" for line in str(dataset).split("\n") if line))


def key_label(public_key: VerificationKey) -> str:
    """``Ed25519``, ``P-256``, ``P-384`` or the curve's name: for messages about a wrong key."""
    if isinstance(public_key, Ed25519PublicKey):
        return "Ed25519"
    return _CURVE_LABELS.get(public_key.curve.name, public_key.curve.name)


def ecdsa_hash_of(public_key: VerificationKey, *, verification_method: object = None) -> str:
    """The hash an ECDSA suite uses with ``public_key``; any other key is a wrong key."""
    if isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name in _ECDSA_CURVES:
        return _ECDSA_CURVES[public_key.curve.name][0]
    raise InvalidProof(
        f"wrong key: an ECDSA proof needs a P-256 or P-384 key, the verification method holds "
        f"an {key_label(public_key)} key",
        verification_method=verification_method,
    )


def verify_p1363(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes, *, what: str) -> None:
    """Check an IEEE P1363 (``r || s``) ECDSA signature over ``data`` with the curve's hash;
    raise :class:`InvalidProof` naming ``what`` unless it holds."""
    hash_name, length = _ECDSA_CURVES[public_key.curve.name]
    if len(signature) != length:
        raise InvalidProof(f"{what} is not a {length}-byte {key_label(public_key)} signature")
    half = length // 2
    der = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
    algorithm: hashes.HashAlgorithm = hashes.SHA256() if hash_name == "sha256" else hashes.SHA384()
    try:
        public_key.verify(der, data, ec.ECDSA(algorithm))
    except InvalidSignature as exc:
        raise InvalidProof(f"{what} does not match") from exc


def sign_p1363(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """An IEEE P1363 ECDSA signature with the curve's hash (tests and benchmarks sign with it)."""
    hash_name, length = _ECDSA_CURVES[private_key.curve.name]
    algorithm: hashes.HashAlgorithm = hashes.SHA256() if hash_name == "sha256" else hashes.SHA384()
    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(algorithm)))
    return r.to_bytes(length // 2, "big") + s.to_bytes(length // 2, "big")


@dataclass(frozen=True)
class Suite:
    """One proof suite: its names, canonicalization, key types and signature encoding."""

    name: str
    proof_type: str
    cryptosuite: str | None
    canonicalization: Literal["rdfc-1.0", "jcs"]
    signature_encoding: Literal["multibase", "detached-jws"]
    key_types: frozenset[str]
    unsigned_members: tuple[str, ...]
    # eddsa-jcs-2022 signs the document's @context inside the attached proof.
    context_in_proof: bool = False
    # The key algorithm: Ed25519, or ECDSA on P-256/P-384 (hash chosen by the key's curve).
    algorithm: Literal["Ed25519", "ECDSA"] = "Ed25519"
    # ecdsa-sd-2023: a derived proof, verified by ecdsa_sd.verify_derived (not by this class).
    selective_disclosure: bool = False

    def proof_options(self, proof: Mapping[str, Any]) -> dict[str, Any]:
        """The proof without the members that carry its signature: what the signature covers."""
        return {key: value for key, value in proof.items() if key not in self.unsigned_members}

    def transform_and_hash(
        self,
        document: dict[str, Any],
        proof_config: dict[str, Any],
        *,
        canonicalizer: Canonicalizer = canonicalize,
    ) -> HashData:
        if self.canonicalization == "jcs":
            try:
                canonical_document = rfc8785.dumps(document).decode("utf-8")
                canonical_config = rfc8785.dumps(proof_config).decode("utf-8")
            except rfc8785.CanonicalizationError as exc:
                raise MalformedCredential(f"document cannot be JCS-canonicalized: {exc}") from exc
            return HashData(canonical_document, canonical_config, canonicalization="jcs")
        return HashData(canonicalizer(document), canonicalizer(proof_config))

    def verify_signature(self, proof: Mapping[str, Any], public_key: VerificationKey, hash_data: HashData) -> None:
        """Raise :class:`InvalidProof` unless ``proof``'s signature covers ``hash_data``; a key
        of another algorithm than the suite's is a wrong key (``InvalidProof``), never a crash."""
        vm = proof.get("verificationMethod")
        if self.algorithm == "ECDSA":
            hash_name = ecdsa_hash_of(public_key, verification_method=vm)
            assert isinstance(public_key, ec.EllipticCurvePublicKey)  # ecdsa_hash_of refused any other
            signature = self._multibase_signature(proof)
            try:
                verify_p1363(public_key, signature, hash_data.combined_with(hash_name), what="proofValue")
            except InvalidProof as exc:
                raise InvalidProof(f"signature does not match the document ({exc})", verification_method=vm) from exc
            return
        if not isinstance(public_key, Ed25519PublicKey):
            raise InvalidProof(
                f"wrong key: {self.name} needs an Ed25519 key, the verification method holds "
                f"a {key_label(public_key)} key",
                verification_method=vm,
            )
        signature, signing_input = self._signature_and_input(proof, hash_data)
        try:
            public_key.verify(signature, signing_input)
        except InvalidSignature as exc:
            raise InvalidProof("signature does not match the document", verification_method=vm) from exc

    def check_signature_form(self, proof: Mapping[str, Any]) -> None:
        """Refuse a malformed signature member before any canonicalization is paid for."""
        if self.algorithm == "ECDSA":
            signature = self._multibase_signature(proof)
            if len(signature) not in (64, 96):
                raise InvalidProof("proofValue is not a 64-byte (P-256) or 96-byte (P-384) ECDSA signature")
            return
        self._signature_and_input(proof, HashData("", ""))

    def signature_members(self, private_key: SigningKey, hash_data: HashData) -> dict[str, str]:
        """The member(s) a new proof of this suite carries its signature in."""
        if self.algorithm == "ECDSA":
            if not isinstance(private_key, ec.EllipticCurvePrivateKey) or private_key.curve.name not in _ECDSA_CURVES:
                raise ValueError(f"{self.name} signs with a P-256 or P-384 key")
            hash_name = _ECDSA_CURVES[private_key.curve.name][0]
            return {"proofValue": multibase_encode(sign_p1363(private_key, hash_data.combined_with(hash_name)))}
        if not isinstance(private_key, Ed25519PrivateKey):
            raise ValueError(f"{self.name} signs with an Ed25519 key")
        if self.signature_encoding == "multibase":
            return {"proofValue": multibase_encode(private_key.sign(hash_data.combined))}
        header = _b64url(json.dumps(_JWS_2018_HEADER, separators=(",", ":")).encode("utf-8"))
        signature = private_key.sign(header.encode("ascii") + b"." + hash_data.combined)
        return {"jws": f"{header}..{_b64url(signature)}"}

    def _multibase_signature(self, proof: Mapping[str, Any]) -> bytes:
        value = proof.get("proofValue")
        try:
            return multibase_decode(value) if isinstance(value, str) else b""
        except MalformedCredential as exc:
            raise InvalidProof("proofValue is not multibase base58btc") from exc

    def _signature_and_input(self, proof: Mapping[str, Any], hash_data: HashData) -> tuple[bytes, bytes]:
        if self.signature_encoding == "multibase":
            value = proof.get("proofValue")
            try:
                signature = multibase_decode(value) if isinstance(value, str) else b""
            except MalformedCredential as exc:
                raise InvalidProof("proofValue is not multibase base58btc") from exc
            if len(signature) != _SIGNATURE_LEN:
                raise InvalidProof("proofValue is not a 64-byte Ed25519 signature")
            return signature, hash_data.combined
        return _detached_jws(proof.get("jws"), hash_data)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: str, what: str) -> bytes:
    if not value or any(char in value for char in "=+/"):
        raise InvalidProof(f"{what} is not base64url without padding")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidProof(f"{what} is not base64url") from exc


def _detached_jws(jws: Any, hash_data: HashData) -> tuple[bytes, bytes]:
    """RFC 7797 detached JWS with ``b64: false``: the signing input is the encoded header,
    ``.``, and the verify data itself (not base64url-encoded)."""
    if not isinstance(jws, str) or jws.count(".") != 2:
        raise InvalidProof("jws is not a detached JSON Web Signature")
    encoded_header, payload, encoded_signature = jws.split(".")
    if payload:
        raise InvalidProof("jws must have a detached (empty) payload")
    try:
        header = json.loads(_b64url_decode(encoded_header, "the jws header"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidProof("the jws header is not JSON") from exc
    if not isinstance(header, dict):
        raise InvalidProof("the jws header is not a JSON object")
    if header.get("alg") != "EdDSA":
        raise UnsupportedSuite(f"unsupported suite: jws algorithm {header.get('alg')!r}", alg=header.get("alg"))
    crit = header.get("crit")
    if header.get("b64") is not False or not isinstance(crit, list) or "b64" not in crit:
        raise InvalidProof('the jws header must declare "b64": false as critical')
    if any(name not in ("b64",) for name in crit):
        raise InvalidProof("the jws header names critical parameters we do not understand", crit=crit)
    signature = _b64url_decode(encoded_signature, "the jws signature")
    if len(signature) != _SIGNATURE_LEN:
        raise InvalidProof("the jws signature is not a 64-byte Ed25519 signature")
    return signature, encoded_header.encode("ascii") + b"." + hash_data.combined


_MULTIBASE_KEYS = frozenset({MULTIKEY, ED25519_VERIFICATION_KEY_2020})
# JWK-carrying verification methods (didweb reads them); ECDSA keys are often published so.
_JWK_KEYS = frozenset({"JsonWebKey", "JsonWebKey2020"})

_EDDSA_RDFC = Suite(
    name=EDDSA_RDFC_2022,
    proof_type=DATA_INTEGRITY_PROOF,
    cryptosuite=EDDSA_RDFC_2022,
    canonicalization="rdfc-1.0",
    signature_encoding="multibase",
    key_types=_MULTIBASE_KEYS,
    unsigned_members=_DATA_INTEGRITY_UNSIGNED,
)
_EDDSA_JCS = Suite(
    name=EDDSA_JCS_2022,
    proof_type=DATA_INTEGRITY_PROOF,
    cryptosuite=EDDSA_JCS_2022,
    canonicalization="jcs",
    signature_encoding="multibase",
    key_types=_MULTIBASE_KEYS,
    unsigned_members=_DATA_INTEGRITY_UNSIGNED,
    context_in_proof=True,
)
_ED25519_2020 = Suite(
    name=ED25519_SIGNATURE_2020,
    proof_type=ED25519_SIGNATURE_2020,
    cryptosuite=None,
    canonicalization="rdfc-1.0",
    signature_encoding="multibase",
    key_types=_MULTIBASE_KEYS,
    unsigned_members=_LINKED_DATA_UNSIGNED,
)
_ED25519_2018 = Suite(
    name=ED25519_SIGNATURE_2018,
    proof_type=ED25519_SIGNATURE_2018,
    cryptosuite=None,
    canonicalization="rdfc-1.0",
    signature_encoding="detached-jws",
    key_types=frozenset({ED25519_VERIFICATION_KEY_2018, *_MULTIBASE_KEYS}),
    unsigned_members=_LINKED_DATA_UNSIGNED,
)

_ECDSA_RDFC = Suite(
    name=ECDSA_RDFC_2019,
    proof_type=DATA_INTEGRITY_PROOF,
    cryptosuite=ECDSA_RDFC_2019,
    canonicalization="rdfc-1.0",
    signature_encoding="multibase",
    key_types=frozenset({MULTIKEY, *_JWK_KEYS}),
    unsigned_members=_DATA_INTEGRITY_UNSIGNED,
    algorithm="ECDSA",
)
_ECDSA_JCS = Suite(
    name=ECDSA_JCS_2019,
    proof_type=DATA_INTEGRITY_PROOF,
    cryptosuite=ECDSA_JCS_2019,
    canonicalization="jcs",
    signature_encoding="multibase",
    key_types=frozenset({MULTIKEY, *_JWK_KEYS}),
    unsigned_members=_DATA_INTEGRITY_UNSIGNED,
    context_in_proof=True,
    algorithm="ECDSA",
)
_ECDSA_SD = Suite(
    name=ECDSA_SD_2023,
    proof_type=DATA_INTEGRITY_PROOF,
    cryptosuite=ECDSA_SD_2023,
    canonicalization="rdfc-1.0",
    signature_encoding="multibase",
    key_types=frozenset({MULTIKEY, *_JWK_KEYS}),
    unsigned_members=_DATA_INTEGRITY_UNSIGNED,
    algorithm="ECDSA",
    selective_disclosure=True,
)

# cryptosuite value (of a DataIntegrityProof) -> suite; the pre-REC name signs the same way.
CRYPTOSUITES: Mapping[str, Suite] = {
    EDDSA_RDFC_2022: _EDDSA_RDFC,
    EDDSA_2022_LEGACY: _EDDSA_RDFC,
    EDDSA_JCS_2022: _EDDSA_JCS,
    ECDSA_RDFC_2019: _ECDSA_RDFC,
    ECDSA_2019_LEGACY: _ECDSA_RDFC,
    ECDSA_JCS_2019: _ECDSA_JCS,
    ECDSA_SD_2023: _ECDSA_SD,
}
# legacy proof type -> suite.
PROOF_TYPES: Mapping[str, Suite] = {
    ED25519_SIGNATURE_2020: _ED25519_2020,
    ED25519_SIGNATURE_2018: _ED25519_2018,
}
SUITE_NAMES = frozenset({*CRYPTOSUITES, *PROOF_TYPES})


def suite_of(proof: Mapping[str, Any]) -> Suite:
    """The suite a proof is in, or :class:`UnsupportedSuite` naming what it asked for."""
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        cryptosuite = proof.get("cryptosuite")
        suite = CRYPTOSUITES.get(cryptosuite) if isinstance(cryptosuite, str) else None
        if suite is None:
            raise UnsupportedSuite(f"unsupported suite {cryptosuite!r} (cryptosuite)", cryptosuite=cryptosuite)
        return suite
    suite = PROOF_TYPES.get(proof_type) if isinstance(proof_type, str) else None
    if suite is None:
        raise UnsupportedSuite(f"unsupported suite {proof_type!r} (proof type)", proof_type=proof_type)
    return suite


def suite_named(name: str) -> Suite:
    """The suite for a cryptosuite or legacy proof type name (signing, benchmarks)."""
    suite = CRYPTOSUITES.get(name) or PROOF_TYPES.get(name)
    if suite is None:
        raise UnsupportedSuite(f"unsupported suite {name!r}", cryptosuite=name)
    return suite


def ed25519_key_of_method(method: Mapping[str, Any]) -> Ed25519PublicKey | None:
    """The Ed25519 key of a verification method of a type some suite accepts, else ``None``.

    ``Multikey`` and ``Ed25519VerificationKey2020`` carry ``publicKeyMultibase`` (multicodec
    prefixed); ``Ed25519VerificationKey2018`` carries ``publicKeyBase58``, the 32 raw bytes.
    Malformed key material raises ``MalformedCredential`` or ``ValueError``.
    """
    key = multibase_key_of_method(method)
    return key if isinstance(key, Ed25519PublicKey) or key is None else None


def multibase_key_of_method(method: Mapping[str, Any]) -> VerificationKey | None:
    """The key of a verification method that carries it multibase- or base58-encoded: a
    ``Multikey`` (Ed25519, P-256 or P-384), ``Ed25519VerificationKey2020`` (Ed25519 only) or
    ``Ed25519VerificationKey2018``; ``None`` for any other type (``publicKeyJwk`` is read by
    ``didweb``). Malformed key material raises ``MalformedCredential`` or ``ValueError``.
    """
    vm_type = method.get("type")
    if vm_type == MULTIKEY and isinstance(method.get("publicKeyMultibase"), str):
        return public_key_from_multibase(method["publicKeyMultibase"])
    if vm_type in _MULTIBASE_KEYS and isinstance(method.get("publicKeyMultibase"), str):
        return ed25519_public_from_multibase(method["publicKeyMultibase"])
    if vm_type == ED25519_VERIFICATION_KEY_2018 and isinstance(method.get("publicKeyBase58"), str):
        raw = base58.b58decode(method["publicKeyBase58"].encode("ascii"))
        if len(raw) != ED25519_KEY_LEN:
            raise MalformedCredential("publicKeyBase58 is not a 32-byte Ed25519 key")
        return Ed25519PublicKey.from_public_bytes(raw)
    return None
