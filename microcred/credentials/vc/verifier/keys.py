"""Finding the key of a VC-JWT, and remembering who controls it for the binding step.

OB 3.0 lets the JOSE header name the key by ``kid`` (a DID URL, a VM URL, a URL of a
JWK/JWKS, or a bare key id looked up in the issuer's ``/.well-known/jwks.json``) or
embed it as ``jwk``. An embedded key proves only that whoever holds it signed, so it is
trusted for the issuer only when the issuer is that key or lists it:

* the issuer is a ``did:jwk`` or ``did:key`` whose key equals the ``jwk``;
* the ``kid`` names a key (a verification method, a JWK or the issuer's JWKS entry) whose
  key equals the ``jwk``: the key is then bound exactly as the ``kid`` alone would be (the
  issuer's own document or origin); a ``kid`` whose key differs is refused outright.

Any other embedded key still verifies the signature, but stays unbound: the binding step
then refuses it, saying the key was embedded in the token and nothing ties it to the issuer.
``source`` says which key was used and why it was trusted (the proof step shows it).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..dataintegrity import ResolveKey
from ..didweb import resolve_public_key
from ..errors import CredentialError, KeyResolutionError, MalformedCredential, UntrustedIssuer
from ..fetch import DEFAULT_ACCEPT, fetch_json
from ..jwt import EDDSA_NAMES, PublicKey, public_key_from_jwk
from ..limits import load_json
from ..multikey import did_key_public_key

FetchDocument = Callable[[str], bytes]

_JWK_PUBLIC_MEMBERS = ("kty", "crv", "x", "y", "n", "e")


class CallableFetcher:
    """Adapts an injected ``fetch_document(url) -> bytes`` to the core's Fetcher protocol."""

    def __init__(self, fetch_document: FetchDocument) -> None:
        self._fetch_document = fetch_document

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        return self._fetch_document(url)


class JwtKeyResolver:
    """``resolve(kid, header)`` for :func:`verify_vc_jwt`; afterwards ``controller`` says who
    the key speaks for (``None`` when nothing binds it to anyone) and ``source`` how it was found."""

    def __init__(self, *, resolve_key: ResolveKey, fetcher: CallableFetcher, issuer_id: str | None) -> None:
        self._resolve_key = resolve_key
        self._fetcher = fetcher
        self._issuer_id = issuer_id
        self.controller: str | None = None
        self.source = ""

    def __call__(self, kid: str | None, header: Mapping[str, Any]) -> PublicKey | Mapping[str, Any]:
        alg = str(header.get("alg"))
        embedded = header.get("jwk")
        if isinstance(embedded, Mapping):
            return self._embedded(embedded, kid, alg)
        return self._named(kid, alg)

    def _named(self, kid: str | None, alg: str) -> PublicKey | Mapping[str, Any]:
        if kid is None:
            return self._without_kid()
        if kid.startswith("did:jwk:"):
            did = kid.partition("#")[0]
            self.controller, self.source = did, f"the did:jwk {did}"
            return did_jwk_key(did)
        if kid.startswith("did:key:") and "#" not in kid:
            kid = f"{kid}#{kid.removeprefix('did:key:')}"
        if "#" in kid:
            return self._verification_method(kid, alg)
        if kid.startswith("https://"):
            return self._jwk_url(kid)
        return self._issuer_jwks(kid)

    def _embedded(self, jwk: Mapping[str, Any], kid: str | None, alg: str) -> Mapping[str, Any]:
        issuer = self._issuer_id or ""
        if issuer.startswith("did:jwk:") and _same_key(did_jwk_document_key(issuer), jwk):
            self.controller, self.source = issuer, "the key embedded in the token header, equal to the issuer's did:jwk"
            return jwk
        embedded = public_key_from_jwk(jwk)
        if issuer.startswith("did:key:") and _same_public_key(did_key_public_key(issuer)[0], embedded):
            self.controller, self.source = issuer, "the key embedded in the token header, equal to the issuer's did:key"
            return jwk
        if kid is not None:
            # The kid is resolved as if there were no jwk; the binding step then judges
            # whose key that is, exactly as for a token without an embedded key.
            named = self._named(kid, alg)
            named_key = public_key_from_jwk(named) if isinstance(named, Mapping) else named
            if not _same_public_key(named_key, embedded):
                raise UntrustedIssuer(f"the key embedded in the token header is not the key {kid!r} names")
            self.source = f"the key embedded in the token header, equal to {self.source}"
            return jwk
        self.controller = None
        self.source = "the key embedded in the token header (jwk), which nothing ties to the issuer"
        return jwk

    def _without_kid(self) -> PublicKey | Mapping[str, Any]:
        issuer = self._issuer_id or ""
        if issuer.startswith("did:jwk:"):
            self.controller, self.source = issuer, f"the issuer's did:jwk {issuer}"
            return did_jwk_key(issuer)
        if issuer.startswith("https://"):
            return self._issuer_jwks(None)
        raise KeyResolutionError("the JWT names no key (neither kid nor jwk)")

    def _verification_method(self, vm_url: str, alg: str) -> PublicKey:
        # Ed25519 keys go through the injected resolver (it knows our own issuers' keys
        # without HTTP); other key types are read from the controller document.
        if alg in EDDSA_NAMES:
            key, controller = self._resolve_key(vm_url)
            self.controller, self.source = controller, f"the verification method {vm_url}"
            return key
        public_key, controller = resolve_public_key(vm_url, fetcher=self._fetcher)
        self.controller, self.source = controller, f"the verification method {vm_url}"
        return public_key

    def _jwk_url(self, url: str) -> Mapping[str, Any]:
        document = _fetch(self._fetcher, url)
        jwk = document if "kty" in document else _pick(document, url, kid=url)
        self.controller = self._issuer_id if _same_origin(url, self._issuer_id) else _origin(url)
        self.source = f"the key published at {url}"
        return jwk

    def _issuer_jwks(self, kid: str | None) -> Mapping[str, Any]:
        issuer = self._issuer_id or ""
        if not issuer.startswith("https://"):
            raise KeyResolutionError(
                f"key id {kid!r} is not a URL, and the issuer {issuer!r} has no web origin to look it up at"
            )
        url = f"{_origin(issuer)}/.well-known/jwks.json"
        jwk = _pick(_fetch(self._fetcher, url), url, kid=kid)
        # The JWKS lives at the issuer's own origin, which is what binds it (OB practice).
        self.controller, self.source = issuer, f"the issuer's key set {url}"
        return jwk


def did_jwk_document_key(did: str) -> dict[str, Any]:
    """The public JWK a ``did:jwk`` encodes (RFC 7517 JSON, base64url without padding)."""
    encoded = did.removeprefix("did:jwk:").partition("#")[0]
    try:
        value = load_json(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)), what=f"the key of {did}")
    except (ValueError, binascii.Error) as exc:
        raise KeyResolutionError(f"{did} does not encode a JSON Web Key") from exc
    if not isinstance(value, dict):
        raise KeyResolutionError(f"{did} does not encode a JSON Web Key")
    return value


def did_jwk_key(did: str) -> PublicKey:
    return public_key_from_jwk(did_jwk_document_key(did))


def _same_public_key(left: PublicKey, right: PublicKey) -> bool:
    encoding = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return left.public_bytes(*encoding) == right.public_bytes(*encoding)


def _same_key(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    return all(left.get(member) == right.get(member) for member in _JWK_PUBLIC_MEMBERS)


def _fetch(fetcher: CallableFetcher, url: str) -> dict[str, Any]:
    try:
        return fetch_json(fetcher, url)
    except CredentialError as exc:
        raise KeyResolutionError(f"cannot retrieve the key at {url}: {exc}", url=url) from exc


def _pick(document: Mapping[str, Any], url: str, *, kid: str | None) -> Mapping[str, Any]:
    keys = document.get("keys")
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
        raise KeyResolutionError(f"{url} is neither a JWK nor a JWK set")
    matching = [key for key in keys if key.get("kid") == kid] if kid is not None else list(keys)
    if len(matching) != 1:
        what = f"key {kid!r}" if kid is not None else "a single key"
        raise KeyResolutionError(f"{url} does not hold exactly {what} ({len(matching)} found)")
    jwk: Mapping[str, Any] = matching[0]
    return jwk


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise MalformedCredential(f"invalid URL {url!r}") from exc
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _same_origin(url: str, other: str | None) -> bool:
    if other is None or not other.startswith("https://"):
        return False
    return _origin(url) == _origin(other)
