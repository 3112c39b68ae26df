"""SignedBadge: an OB 2.0 assertion delivered as a compact JWS (RFC 7515) over its JSON.

The key is a ``CryptographicKey`` document whose ``publicKeyPem`` holds the public key;
RSA (RS256, which the specification recommends, and its PS/384/512 siblings) and ECDSA
(ES256, ES384) are accepted, checked by joserfc. ``none`` and HMAC are refused whatever the
header says, and RSA keys under 2048 bits are too weak to trust.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, SECP384R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from joserfc.util import urlsafe_b64decode

from ..errors import InvalidProof, KeyResolutionError, MalformedCredential, UnsupportedSuite
from ..limits import load_json

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
_EC_CURVES = {"ES256": SECP256R1, "ES384": SECP384R1}
_MIN_RSA_BITS = 2048
_MAX_TOKEN_BYTES = 2 * 1024 * 1024

_REGISTRY = jws.JWSRegistry(algorithms=list(ALGORITHMS))
# Assertions may embed their BadgeClass image as a data URL; joserfc's default caps are for
# tokens, not documents.
_REGISTRY.max_payload_length = _MAX_TOKEN_BYTES
_REGISTRY.max_header_length = 16 * 1024


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, payload)`` of a compact JWS, without checking anything: to route and to
    find the key, never to trust."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise MalformedCredential("not a compact JWS (expected header.payload.signature)")
    if len(token) > _MAX_TOKEN_BYTES:
        raise MalformedCredential("the JWS is too large")
    return _segment(parts[0], "header"), _segment(parts[1], "payload")


def _segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = load_json(urlsafe_b64decode(segment.encode("ascii")), what=f"the JWS {what}")
    except (ValueError, UnicodeError) as exc:
        raise MalformedCredential(f"the JWS {what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise MalformedCredential(f"the JWS {what} is not a JSON object")
    return value


def verify_signature(token: str, public_key_pem: str) -> tuple[str, dict[str, Any]]:
    """Check the JWS with the PEM key; return ``(alg, the assertion it signs)``.

    Raises UnsupportedSuite (an algorithm we do not take), KeyResolutionError (no usable key)
    or InvalidProof (the signature does not match, or the key cannot make this signature).
    """
    header, _payload = unverified_parts(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise UnsupportedSuite(f"JWS algorithm {alg!r} is not accepted for Open Badges 2.0 signed assertions")
    key = _public_key(public_key_pem, alg)
    try:
        compact = jws.extract_compact(token.strip().encode("ascii"), registry=_REGISTRY)
        valid = jws.validate_compact(compact, key, algorithms=[alg], registry=_REGISTRY)
    except JoseError as exc:
        raise InvalidProof(f"the JWS could not be verified: {exc}") from exc
    if not valid:
        raise InvalidProof("the JWS signature does not verify with the issuer's key")
    return alg, _segment(token.strip().split(".")[1], "payload")


def _public_key(pem: str, alg: str) -> RSAKey | ECKey:
    try:
        public_key = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError) as exc:
        raise KeyResolutionError("the key's publicKeyPem is not a PEM public key") from exc
    if alg.startswith(("RS", "PS")):
        if not isinstance(public_key, RSAPublicKey):
            raise InvalidProof(f"the issuer's key is not an RSA key, so it cannot make {alg} signatures")
        if public_key.key_size < _MIN_RSA_BITS:
            raise InvalidProof(f"the issuer's RSA key of {public_key.key_size} bits is too weak")
        return RSAKey.import_key(public_key)
    if not isinstance(public_key, EllipticCurvePublicKey) or not isinstance(public_key.curve, _EC_CURVES[alg]):
        raise InvalidProof(f"the issuer's key is not on the curve {alg} signatures use")
    return ECKey.import_key(public_key)
