"""did:web documents and resolution of verification methods (did:key, did:web, HTTPS).

Resolution follows W3C CID "Retrieve Verification Method" (DIGEST §1.4):

1. the controller document is the VM URL without its fragment (did:web documents are
   fetched from ``did_web_to_url``; did:key documents are built locally);
2. the document's ``id`` must equal that URL;
3. the VM's ``controller`` must equal it too;
4. the VM must be listed under the requested relationship (``assertionMethod``).

A failed binding (2-4) is :class:`UntrustedIssuer`: the key exists but does not speak for
that controller. A key we cannot obtain or decode is :class:`KeyResolutionError`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, SECP384R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import (
    CredentialError,
    FetchRefused,
    KeyResolutionError,
    MalformedCredential,
    UntrustedIssuer,
)
from .fetch import Fetcher, fetch_json
from .jwt import PublicKey, public_key_from_jwk
from .multikey import (
    DID_KEY_PREFIX,
    DID_V1_CONTEXT,
    MULTIKEY_V1_CONTEXT,
    VerificationKey,
    did_key_vm_url,
    multikey_document,
    resolve_did_key,
)
from .suites import multibase_key_of_method

DID_WEB_PREFIX = "did:web:"
_JWK_VM_TYPES = frozenset({"JsonWebKey", "JsonWebKey2020"})
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)
# DID syntax idchar: ALPHA / DIGIT / "." / "-" / "_" / pct-encoded.
_PATH_SEGMENT = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+", re.ASCII)


# The curves of the ECDSA Data Integrity suites (vc-di-ecdsa).
_DATA_INTEGRITY_CURVES = frozenset({SECP256R1.name, SECP384R1.name})


class ResolvedKey(NamedTuple):
    public_key: VerificationKey
    controller: str


def did_web_to_url(did: str) -> str:
    """``did:web:host[%3Aport][:path...]`` -> the HTTPS URL of its ``did.json``."""
    if not isinstance(did, str) or not did.startswith(DID_WEB_PREFIX):
        raise KeyResolutionError(f"not a did:web identifier: {did!r}")
    if any(char in did for char in "#?/"):
        raise KeyResolutionError(f"expected a bare did:web DID, not a DID URL: {did!r}")
    host_part, *segments = did[len(DID_WEB_PREFIX) :].split(":")
    host, _, port = host_part.lower().partition("%3a")
    _check_host(host, did)
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise KeyResolutionError(f"invalid port in {did!r}")
    for segment in segments:
        if not _PATH_SEGMENT.fullmatch(segment) or segment in (".", ".."):
            raise KeyResolutionError(f"invalid path segment {segment!r} in {did!r}")
    authority = f"{host}:{port}" if port else host
    path = "/".join(segments) if segments else ".well-known"
    return f"https://{authority}/{path}/did.json"


def url_to_did_web(url: str) -> str:
    """The did:web for an HTTPS URL; a trailing ``/did.json`` (or ``/.well-known/did.json``)
    is dropped, so both a document URL and its base URL give the same DID."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.query or parts.fragment or parts.username:
        raise KeyResolutionError(f"did:web needs a plain https URL, got {url!r}")
    host = (parts.hostname or "").lower()
    _check_host(host, url)
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments[-2:] == [".well-known", "did.json"] and len(segments) == 2:
        segments = []
    elif segments and segments[-1] == "did.json":
        segments = segments[:-1]
    for segment in segments:
        if not _PATH_SEGMENT.fullmatch(segment) or segment in (".", ".."):
            raise KeyResolutionError(f"path segment {segment!r} cannot appear in a did:web")
    authority = f"{host}%3A{parts.port}" if parts.port else host
    return ":".join([DID_WEB_PREFIX + authority, *segments])


def _check_host(host: str, source: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise KeyResolutionError(f"did:web does not allow IP addresses: {source!r}")
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise KeyResolutionError(f"invalid did:web host in {source!r}")


def build_did_document(did: str, keys: Sequence[tuple[str, VerificationKey]]) -> dict[str, Any]:
    """A DID document with one Multikey VM per ``(key id, public key)``.

    A key id is a fragment (``key-1`` or ``#key-1``) or a full ``<did>#fragment`` URL.
    Every key is listed under ``assertionMethod`` (signing credentials) and
    ``authentication``; publish retired keys here too so old credentials still verify.
    """
    did_web_to_url(did)  # validates the DID
    if not keys:
        raise KeyResolutionError("a DID document needs at least one key")
    methods = []
    for key_id, public_key in keys:
        fragment = key_id.removeprefix(did).lstrip("#")
        if not fragment or "#" in fragment or ":" in fragment:
            raise KeyResolutionError(f"key id {key_id!r} is not a fragment of {did}")
        methods.append(multikey_document(vm_id=f"{did}#{fragment}", controller=did, public_key=public_key))
    ids = [method["id"] for method in methods]
    if len(set(ids)) != len(ids):
        raise KeyResolutionError("duplicate key ids in DID document")
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": list(ids),
        "authentication": list(ids),
    }


def resolve_public_key(
    vm_url: str,
    *,
    fetcher: Fetcher,
    purpose: str = "assertionMethod",
    documents: dict[str, dict[str, Any]] | None = None,
) -> tuple[PublicKey, str]:
    """Resolve any supported VM (Ed25519, or RSA/EC via JWK) to ``(key, controller)``.

    ``documents`` is an optional cache of controller documents by URL, shared by the
    lookups of one verification run.
    """
    if not isinstance(vm_url, str):
        raise KeyResolutionError("verification method must be a URL string")
    if vm_url.startswith(DID_KEY_PREFIX) and "#" not in vm_url:
        # A bare did:key names its one key (did:key spec); issuers write it that way too.
        vm_url = did_key_vm_url(vm_url)
    doc_url, _, fragment = vm_url.partition("#")
    if not fragment:
        raise KeyResolutionError(f"verification method {vm_url!r} has no #fragment")
    document = _controller_document(doc_url, fetcher, documents)
    if document.get("id") != doc_url:
        raise UntrustedIssuer(f"document at {doc_url} claims to be {document.get('id')!r}", vm=vm_url)
    method = next((m for m in _methods(document, doc_url) if _absolute(m.get("id"), doc_url) == vm_url), None)
    if method is None:
        raise KeyResolutionError(f"{doc_url} has no verification method {vm_url}")
    if method.get("controller") != doc_url:
        raise UntrustedIssuer(f"{vm_url} is controlled by {method.get('controller')!r}, not {doc_url}", vm=vm_url)
    if not _listed_under(document, purpose, vm_url, doc_url):
        raise UntrustedIssuer(f"{vm_url} is not authorised for {purpose}", vm=vm_url)
    return _key_of(method, vm_url), doc_url


def resolve_verification_method(
    vm_url: str,
    *,
    fetcher: Fetcher,
    purpose: str = "assertionMethod",
    documents: dict[str, dict[str, Any]] | None = None,
) -> ResolvedKey:
    """Resolve a VM holding a key some Data Integrity suite verifies with (Ed25519, EC P-256
    or P-384; from a Multikey, an Ed25519 VM type or a JWK) to ``(public key, controller)``.
    Whether the key fits the proof's suite is the suite's check (a wrong key is InvalidProof)."""
    key, controller = resolve_public_key(vm_url, fetcher=fetcher, purpose=purpose, documents=documents)
    if isinstance(key, Ed25519PublicKey):
        return ResolvedKey(key, controller)
    if isinstance(key, EllipticCurvePublicKey) and key.curve.name in _DATA_INTEGRITY_CURVES:
        return ResolvedKey(key, controller)
    raise KeyResolutionError(f"{vm_url} is not an Ed25519 key, nor a P-256 or P-384 key")


def make_key_resolver(fetcher: Fetcher, *, purpose: str = "assertionMethod") -> Callable[[str], ResolvedKey]:
    """``resolve(vm_url) -> (public key, controller)`` for did:key, did:web and
    HTTPS VMs; each controller document is fetched at most once per resolver."""
    documents: dict[str, dict[str, Any]] = {}

    def resolve(vm_url: str) -> ResolvedKey:
        return resolve_verification_method(vm_url, fetcher=fetcher, purpose=purpose, documents=documents)

    return resolve


def _controller_document(doc_url: str, fetcher: Fetcher, documents: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    if documents is not None and doc_url in documents:
        return documents[doc_url]
    if doc_url.startswith("did:key:"):
        document = resolve_did_key(doc_url)
    elif doc_url.startswith(DID_WEB_PREFIX):
        document = _fetch(did_web_to_url(doc_url), fetcher)
    elif doc_url.startswith("https://"):
        document = _fetch(doc_url, fetcher)
    else:
        scheme = doc_url.split(":", 2)[:2]
        raise KeyResolutionError(f"unsupported verification method scheme {':'.join(scheme)!r}")
    if documents is not None:
        documents[doc_url] = document
    return document


def _fetch(url: str, fetcher: Fetcher) -> dict[str, Any]:
    try:
        return fetch_json(fetcher, url)
    except (FetchRefused, MalformedCredential) as exc:
        raise KeyResolutionError(f"cannot retrieve {url}: {exc}", url=url) from exc


def _absolute(method_id: object, doc_url: str) -> str | None:
    if not isinstance(method_id, str):
        return None
    return doc_url + method_id if method_id.startswith("#") else method_id


def _methods(document: Mapping[str, Any], doc_url: str) -> Iterator[Mapping[str, Any]]:
    # VMs may sit in verificationMethod or be embedded in a relationship list.
    for field in ("verificationMethod", "assertionMethod", "authentication"):
        value = document.get(field)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Mapping):
                yield item


def _listed_under(document: Mapping[str, Any], purpose: str, vm_url: str, doc_url: str) -> bool:
    entries = document.get(purpose)
    for entry in entries if isinstance(entries, list) else [entries]:
        reference = entry.get("id") if isinstance(entry, Mapping) else entry
        if _absolute(reference, doc_url) == vm_url:
            return True
    return False


def _key_of(method: Mapping[str, Any], vm_url: str) -> PublicKey:
    vm_type = method.get("type")
    try:
        multibase_key = multibase_key_of_method(method)
        if multibase_key is not None:
            return multibase_key
        if vm_type in _JWK_VM_TYPES and isinstance(method.get("publicKeyJwk"), Mapping):
            return public_key_from_jwk(method["publicKeyJwk"])
    except (CredentialError, ValueError) as exc:
        raise KeyResolutionError(f"{vm_url} holds an unusable key: {exc}", vm=vm_url) from exc
    raise KeyResolutionError(f"{vm_url} has unsupported type {vm_type!r} or lacks its key material", vm=vm_url)
