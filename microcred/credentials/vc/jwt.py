"""VC-JWT as profiled by Open Badges 3.0 (compact JWS over the credential itself).

The payload is the credential plus the registered claims ``iss`` (issuer id), ``jti``
(credential id), ``nbf`` (validFrom), ``sub`` (subject id) and ``exp`` (validUntil); a
verifier checks that each claim agrees with the credential. The header carries only
``alg``, ``kid`` (or ``jwk``) and ``typ: "JWT"``.

All JOSE work is done by joserfc. Algorithms are allow-listed: ``EdDSA`` and its RFC 9864
name ``Ed25519`` (same signature, Ed25519 keys only), ``RS256``, ``ES256`` (P-256 keys) and
``ES384`` (P-384 keys). ``none`` and every HMAC algorithm are refused whatever the header
says. Time validity is *not* checked here: the verifier does that once, with an injected
clock, for every proof format.

Header size: joserfc refuses headers over 512 bytes by default, but a header that embeds
the issuer's key as ``jwk`` is bigger than that with any RSA key (the official 1EdTech
samples are 527 and 543 bytes), so the cap is raised to 16 KiB: room for any real key, still
bounded before anything is decoded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

from cryptography.hazmat.primitives.asymmetric.ec import (
    SECP256R1,
    SECP384R1,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwa import JWSAlgModel
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey
from joserfc.util import urlsafe_b64decode

from .errors import (
    InvalidProof,
    KeyResolutionError,
    MalformedCredential,
    UnsupportedSuite,
)
from .limits import load_json

PublicKey: TypeAlias = Ed25519PublicKey | RSAPublicKey | EllipticCurvePublicKey
PrivateKey: TypeAlias = Ed25519PrivateKey | RSAPrivateKey
# resolve_key(kid, header) -> a public key, a public JWK dict, or a joserfc key.
KeyResolver: TypeAlias = Callable[[str | None, Mapping[str, Any]], "PublicKey | Mapping[str, Any] | Key"]

EDDSA_NAMES = frozenset({"EdDSA", "Ed25519"})
VERIFY_ALGORITHMS = frozenset({"EdDSA", "Ed25519", "RS256", "ES256", "ES384"})
# The curve each ECDSA algorithm signs on (RFC 7518 §3.4).
_EC_CURVES: dict[str, type[SECP256R1] | type[SECP384R1]] = {"ES256": SECP256R1, "ES384": SECP384R1}
SIGN_ALGORITHMS = frozenset({"EdDSA", "Ed25519", "RS256"})
REGISTERED_CLAIMS = ("iss", "sub", "jti", "nbf", "exp", "iat", "aud")
# The OB profile allows alg, kid or jwk, and typ. cty is harmless; anything else (crit,
# b64, jku, x5u...) changes how the token must be processed, so it is refused.
_ALLOWED_HEADERS = frozenset({"alg", "kid", "jwk", "typ", "cty"})
_ACCEPTED_TYP = frozenset({"jwt", "vc+jwt", "vc+ld+json+jwt"})
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_MAX_TOKEN_BYTES = 2 * 1024 * 1024
# Base64url header segment; see the module docstring (an RSA-4096 jwk header is ~1 KiB).
MAX_HEADER_BYTES = 16 * 1024
_MIN_RSA_BITS = 2048


class _Registry(jws.JWSRegistry):
    """A registry whose allow-list is the only gate (no per-call deprecation warning).

    joserfc warns on every use of ``EdDSA`` (RFC 9864 deprecates the name); today's OB
    verifiers only accept that name, so emitting it is deliberate, not an oversight.
    """

    def get_alg(self, name: str) -> JWSAlgModel:
        if not self.allowed or name not in self.allowed or name not in self.algorithms:
            raise UnsupportedSuite(f"JOSE algorithm {name!r} is not allowed")
        return self.algorithms[name]


_REGISTRY = _Registry(algorithms=sorted(VERIFY_ALGORITHMS))
# Credentials may embed images as data URLs; joserfc's default 128 kB cap is too small.
_REGISTRY.max_payload_length = _MAX_TOKEN_BYTES
_REGISTRY.max_header_length = MAX_HEADER_BYTES
_SIGNING_KEYS: dict[PrivateKey, Key] = {}


def sign_vc_jwt(
    credential: Mapping[str, Any],
    *,
    private_key: PrivateKey,
    kid: str,
    alg: str | None = None,
    typ: str = "JWT",
) -> str:
    """Sign ``credential`` as an OB 3.0 VC-JWT; ``alg`` defaults to the key's natural one."""
    if isinstance(private_key, Ed25519PrivateKey):
        alg = alg or "EdDSA"
        if alg not in EDDSA_NAMES:
            raise UnsupportedSuite(f"an Ed25519 key signs with EdDSA/Ed25519, not {alg!r}")
    elif isinstance(private_key, RSAPrivateKey):
        alg = alg or "RS256"
        if alg != "RS256":
            raise UnsupportedSuite(f"an RSA key signs with RS256, not {alg!r}")
        if private_key.key_size < _MIN_RSA_BITS:
            raise UnsupportedSuite(f"RSA keys need at least {_MIN_RSA_BITS} bits")
    else:
        raise UnsupportedSuite(f"cannot sign a VC-JWT with {type(private_key).__name__}")
    payload = dict(credential)
    clashes = [claim for claim in REGISTERED_CLAIMS if claim in payload]
    if clashes:
        raise MalformedCredential(f"credential already holds JWT claim(s) {clashes}")
    payload.update(_claims_for(credential))
    header = {"alg": alg, "kid": kid, "typ": typ}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        return jws.serialize_compact(header, body, _signing_key(private_key), registry=_REGISTRY)
    except JoseError as exc:
        raise UnsupportedSuite(f"joserfc refused to sign: {exc}") from exc


def _signing_key(private_key: PrivateKey) -> Key:
    # Wrapping a pyca key in a joserfc key costs as much as the signature itself, and a
    # platform signs with a handful of keys: keep the wrappers. The dict holds the pyca
    # object, so an entry can never be confused with a later key of the same id().
    key = _SIGNING_KEYS.get(private_key)
    if key is None:
        if len(_SIGNING_KEYS) >= 64:
            _SIGNING_KEYS.clear()
        if isinstance(private_key, Ed25519PrivateKey):
            key = OKPKey.import_key(private_key)
        else:
            key = RSAKey.import_key(private_key)
        _SIGNING_KEYS[private_key] = key
    return key


def _claims_for(credential: Mapping[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    issuer_id = _issuer_id(credential)
    if issuer_id is None:
        raise MalformedCredential("credential has no issuer id for the iss claim")
    claims["iss"] = issuer_id
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subject_id = _subject_id(credential)
    if subject_id is not None:
        claims["sub"] = subject_id
    if "validFrom" not in credential:
        raise MalformedCredential("credential has no validFrom for the nbf claim")
    claims["nbf"] = _numeric_date(credential["validFrom"], "validFrom")
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(credential["validUntil"], "validUntil")
    return claims


def unverified_parts(token: str | bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, payload)`` without checking the signature: for routing only, never trust."""
    text = _token_text(token)
    header_segment, payload_segment, _ = text.split(".")
    return _json_segment(header_segment, "header"), _json_segment(payload_segment, "payload")


def verify_vc_jwt(
    token: str | bytes,
    *,
    resolve_key: KeyResolver,
    algorithms: Collection[str] = VERIFY_ALGORITHMS,
) -> dict[str, Any]:
    """Verify a VC-JWT and return the credential it carries (claims folded back in).

    Raises MalformedCredential, UnsupportedSuite, InvalidProof or whatever ``resolve_key``
    raises (KeyResolutionError, UntrustedIssuer...).
    """
    text = _token_text(token)
    header_segment = text.split(".", 1)[0]
    if len(header_segment) > MAX_HEADER_BYTES:
        raise MalformedCredential(f"the JWT header is larger than {MAX_HEADER_BYTES // 1024} KiB")
    header = _json_segment(header_segment, "header")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise MalformedCredential("JWT header has no alg")
    if alg not in algorithms or alg not in VERIFY_ALGORITHMS:
        raise UnsupportedSuite(f"JOSE algorithm {alg!r} is not allowed")
    if text.endswith("."):
        raise MalformedCredential("JWT has no signature")
    extra = sorted(set(header) - _ALLOWED_HEADERS)
    if extra:
        raise MalformedCredential(f"JWT header parameter(s) {extra} are not allowed by the OB profile")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or _normalise_typ(typ) not in _ACCEPTED_TYP):
        raise MalformedCredential(f"JWT typ {typ!r} is not a credential type")
    embedded = header.get("jwk")
    if embedded is not None and (not isinstance(embedded, dict) or _PRIVATE_JWK_MEMBERS.intersection(embedded)):
        raise MalformedCredential("the jwk header must be a public key")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise MalformedCredential("JWT kid must be a string")
    key = _verification_key(resolve_key(kid, header), alg)
    try:
        compact = jws.extract_compact(text.encode("ascii"), registry=_REGISTRY)
        valid = jws.validate_compact(compact, key, registry=_REGISTRY)
    except JoseError as exc:
        raise InvalidProof(f"JWS could not be verified: {exc}") from exc
    if not valid:
        raise InvalidProof("JWT signature does not verify with the issuer's key", kid=kid)
    payload = _json_segment(text.split(".")[1], "payload")
    return _credential_from_payload(payload)


def _token_text(token: str | bytes) -> str:
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise MalformedCredential("a compact JWS is ASCII") from exc
    if not isinstance(token, str):
        raise MalformedCredential("a VC-JWT must be a string")
    token = token.strip()
    if len(token) > _MAX_TOKEN_BYTES:
        raise MalformedCredential("VC-JWT is too large")
    parts = token.split(".")
    # An empty signature is let through here so that `alg: none` tokens are reported as
    # an unsupported algorithm (the real reason) rather than as mere bad formatting.
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise MalformedCredential("not a compact JWS (expected header.payload.signature)")
    return token


def _json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = load_json(urlsafe_b64decode(segment.encode("ascii")), what=f"the JWT {what}")
    except (ValueError, UnicodeError) as exc:
        raise MalformedCredential(f"JWT {what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise MalformedCredential(f"JWT {what} must be a JSON object")
    return value


def _normalise_typ(typ: str) -> str:
    typ = typ.lower()
    return typ.removeprefix("application/")


def _verification_key(resolved: PublicKey | Mapping[str, Any] | Key, alg: str) -> Key:
    try:
        if isinstance(resolved, (OKPKey, RSAKey, ECKey)):
            key: Key = resolved
        elif isinstance(resolved, Mapping):
            key = _import_public_jwk(resolved, alg)
        elif isinstance(resolved, Ed25519PublicKey):
            key = OKPKey.import_key(resolved)
        elif isinstance(resolved, RSAPublicKey):
            if resolved.key_size < _MIN_RSA_BITS:
                raise InvalidProof(f"RSA key of {resolved.key_size} bits is too weak")
            key = RSAKey.import_key(resolved)
        elif isinstance(resolved, EllipticCurvePublicKey):
            key = ECKey.import_key(resolved)
        else:
            raise KeyResolutionError(f"resolved key of type {type(resolved).__name__} is not usable")
    except (JoseError, ValueError) as exc:
        raise KeyResolutionError(f"resolved key is not a valid public key: {exc}") from exc
    if key.is_private:
        raise KeyResolutionError("resolver returned a private key; verification needs the public one")
    _check_key_fits_alg(key, alg)
    return key


def _import_public_jwk(jwk: Mapping[str, Any], alg: str) -> Key:
    if _PRIVATE_JWK_MEMBERS.intersection(jwk):
        raise KeyResolutionError("JWK carries private key material")
    declared = jwk.get("alg")
    # RFC 9864: a key published for "EdDSA" also verifies "Ed25519" tokens and vice versa.
    if declared is not None and declared != alg and not {declared, alg} <= EDDSA_NAMES:
        raise InvalidProof(f"key is published for alg {declared!r}, token uses {alg!r}")
    if jwk.get("use") not in (None, "sig"):
        raise KeyResolutionError("JWK is not a signing key (use != sig)")
    return _jwk_to_key(jwk)


def _jwk_to_key(jwk: Mapping[str, Any]) -> Key:
    # "alg" is dropped because joserfc would refuse an "EdDSA" key for an "Ed25519"
    # token; the caller has already compared it with the token's alg.
    data = {name: value for name, value in jwk.items() if name != "alg"}
    kty = data.get("kty")
    if kty == "OKP":
        return OKPKey.import_key(data)
    if kty == "RSA":
        return RSAKey.import_key(data)
    if kty == "EC":
        return ECKey.import_key(data)
    raise KeyResolutionError(f"unsupported JWK kty {kty!r}")


def _check_key_fits_alg(key: Key, alg: str) -> None:
    if alg in EDDSA_NAMES:
        fits = isinstance(key, OKPKey) and key.curve_name == "Ed25519"
    elif alg == "RS256":
        fits = isinstance(key, RSAKey) and key.public_key.key_size >= _MIN_RSA_BITS
    else:
        fits = isinstance(key, ECKey) and isinstance(key.public_key.curve, _EC_CURVES[alg])
    if not fits:
        raise InvalidProof(f"the issuer's key cannot produce {alg} signatures (or is too weak)")


def _credential_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    claims = {name: payload[name] for name in REGISTERED_CLAIMS if name in payload}
    wrapped = payload.get("vc")
    if wrapped is not None:
        if not isinstance(wrapped, dict):
            raise MalformedCredential("the vc claim must be a JSON object")
        credential = _restore_vc11_fields(dict(wrapped), claims)
    else:
        credential = {name: value for name, value in payload.items() if name not in REGISTERED_CLAIMS}
    _check_claims_agree(credential, claims)
    return credential


def _restore_vc11_fields(credential: dict[str, Any], claims: Mapping[str, Any]) -> dict[str, Any]:
    # VC-JWT 1.1 lets the issuer move fields out of "vc" into claims; put them back so
    # the rest of the verifier sees one credential shape.
    if "iss" in claims and "issuer" not in credential:
        credential["issuer"] = claims["iss"]
    if "jti" in claims and "id" not in credential:
        credential["id"] = claims["jti"]
    date_field = "validFrom" if "validFrom" in credential else "issuanceDate"
    if "nbf" in claims and date_field not in credential:
        credential[date_field] = _from_numeric_date(claims["nbf"], "nbf")
    end_field = "validUntil" if "validFrom" in credential else "expirationDate"
    if "exp" in claims and end_field not in credential:
        credential[end_field] = _from_numeric_date(claims["exp"], "exp")
    subject = credential.get("credentialSubject")
    if "sub" in claims and isinstance(subject, dict) and "id" not in subject:
        credential["credentialSubject"] = {**subject, "id": claims["sub"]}
    return credential


def _check_claims_agree(credential: Mapping[str, Any], claims: Mapping[str, Any]) -> None:
    expected: dict[str, Any] = {
        "iss": _issuer_id(credential),
        "jti": credential.get("id"),
    }
    expected["sub"] = _subject_id(credential)
    for claim, fields in (
        ("nbf", ("validFrom", "issuanceDate")),
        ("exp", ("validUntil", "expirationDate")),
    ):
        field = next((name for name in fields if name in credential), None)
        expected[claim] = None if field is None else _numeric_date(credential[field], field)
    for claim, value in claims.items():
        if claim in ("iat", "aud"):
            continue
        wanted = expected[claim]
        if wanted is None:
            raise MalformedCredential(f"JWT claim {claim} has no counterpart in the credential")
        if claim in ("nbf", "exp"):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise MalformedCredential(f"JWT claim {claim} must be a NumericDate")
            agrees = abs(value - wanted) < 1
        else:
            agrees = value == wanted
        if not agrees:
            raise InvalidProof(f"JWT claim {claim}={value!r} disagrees with the credential ({wanted!r})")


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        return str(subject["id"])
    return None


def _numeric_date(value: object, field: str) -> int | float:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise MalformedCredential(f"{field} is not an ISO 8601 date-time: {value!r}") from exc
    if moment.tzinfo is None:
        raise MalformedCredential(f"{field} has no time zone: {value!r}")
    stamp = moment.timestamp()
    return int(stamp) if stamp.is_integer() else stamp


def _from_numeric_date(value: object, claim: str) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise MalformedCredential(f"JWT claim {claim} must be a NumericDate")
    try:
        moment = datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedCredential(f"JWT claim {claim} is out of range") from exc
    return moment.isoformat().replace("+00:00", "Z")


def jwk_for_public_key(kid: str, public_key: PublicKey, *, alg: str | None = None) -> dict[str, Any]:
    """A public JWK with ``kid``, ``alg`` and ``use: sig`` (never private members)."""
    if isinstance(public_key, Ed25519PublicKey):
        jwk: dict[str, Any] = dict(OKPKey.import_key(public_key).as_dict(private=False))
        jwk["alg"] = alg or "EdDSA"
    elif isinstance(public_key, RSAPublicKey):
        jwk = dict(RSAKey.import_key(public_key).as_dict(private=False))
        jwk["alg"] = alg or "RS256"
    else:
        jwk = dict(ECKey.import_key(public_key).as_dict(private=False))
        jwk["alg"] = alg or ("ES384" if isinstance(public_key.curve, SECP384R1) else "ES256")
    jwk.update(kid=kid, use="sig")
    return jwk


def jwks_for(keys: Sequence[tuple[str, PublicKey]]) -> dict[str, Any]:
    """The ``/.well-known/jwks.json`` document for ``[(kid, public key), ...]``."""
    return {"keys": [jwk_for_public_key(kid, key) for kid, key in keys]}


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """The pyca public key of a JWK, refusing private keys and unknown key types."""
    if not isinstance(jwk, Mapping):
        raise KeyResolutionError("JWK must be a JSON object")
    if _PRIVATE_JWK_MEMBERS.intersection(jwk):
        raise KeyResolutionError("JWK carries private key material")
    if jwk.get("use") not in (None, "sig"):
        raise KeyResolutionError("JWK is not a signing key (use != sig)")
    try:
        key = _jwk_to_key(jwk)
    except (JoseError, ValueError, TypeError) as exc:
        raise KeyResolutionError(f"invalid JWK: {exc}") from exc
    public = key.public_key
    if not isinstance(public, (Ed25519PublicKey, RSAPublicKey, EllipticCurvePublicKey)):
        raise KeyResolutionError(f"unsupported JWK key type {type(public).__name__}")
    return public
