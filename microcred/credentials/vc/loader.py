"""Offline JSON-LD document loader serving only the contexts bundled in ``contexts/``.

Signing and verifying must never depend on the network: a context fetched at
verification time could differ from the one the issuer signed with, and a fetch
leaks who is verifying what. So every context we accept is vendored, pinned by its
full SHA-256 in ``contexts/manifest.json`` (checked once, at import; sources and licences in
``contexts/README.md``) and an unknown URL raises ``UnknownContext``: the verifier reports
such a credential as one it *cannot check*. An installation may opt in to fetching the
contexts it lacks (``fetching_document_loader`` below, ADR 0042): the caller injects the
fetch, bundled URLs are never fetched, and anything unusable is still ``UnknownContext``.

OB 3.0.3: ``https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json`` serves the
*spec* copy (the file published in 1EdTech/openbadges-specification). The 1EdTech
validator ships a newer copy that adds only ``endorsementJwt`` and ``jti``; every
other mapping is identical, so for documents that use neither term both copies give
the same RDF. Following the standards digest (pitfall 4) we load the spec copy by
default and keep the validator copy as the ``ob-validator`` variant, which
``jsonld.py`` retries with only when a document uses one of those two terms. That
keeps us from emitting terms the spec context does not define, while still
verifying badges issued against the validator's copy.

Caching: pyld keeps a process-wide cache of processed contexts keyed by URL when the
loader marks a document ``tag: "static"``; that skips re-resolving (and re-hashing,
inside pyld) the large VC/OB contexts on every operation, about 20 % of the time of
canonicalizing an OB credential. Because that cache is keyed by URL, one URL must
always mean one document: the validator copy is therefore served only by
``ob_validator_document_loader``, only under the private alias
``OB_V3P0_VALIDATOR_ALIAS`` and *without* the tag (so the alias never enters pyld's
shared cache and no other document can name it). All pyld use in this process
should go through these loaders, or the shared cache could hand us another
loader's copy of a URL.

The pinned bytes are read and hashed once; each load parses them afresh. That is the
cheap way to hand out a private copy (``json.loads`` of the 14 KB OB context takes
~50 us, three times faster than ``copy.deepcopy`` of a cached dict), so neither pyld
(which rewrites nested ``@context`` URLs in place) nor a caller can alter what later
operations see.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import CredentialError, UnknownContext
from .limits import load_json

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
MANIFEST_PATH = CONTEXTS_DIR / "manifest.json"

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_V3P0_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"
CID_V1_CONTEXT = "https://www.w3.org/ns/cid/v1"
# Our extension context as credentials issued before ADR 0041 name it: on a host no
# installation controls. Still bundled (pinned), so those credentials keep verifying.
MICROCRED_CONTEXT_URL = "https://microcred.org/ns/microcred/v1.jsonld"
# Where every installation serves the same bytes, under its own SITE_URL: the URL our
# credentials name since ADR 0041 (``installation_context_url``).
MICROCRED_CONTEXT_PATH = "/ns/microcred/v1.jsonld"

OB_VALIDATOR_VARIANT = "ob-validator"
OB_V3P0_VALIDATOR_ALIAS = "urn:microcred:context:ob-v3p0-3.0.3-validator-copy"
# Terms defined only by the 1EdTech validator copy of the OB 3.0.3 context.
OB_VALIDATOR_ONLY_TERMS = frozenset({"endorsementJwt", "jti"})

LoaderOptions = Mapping[str, Any] | None
DocumentLoader = Callable[[str, LoaderOptions], dict[str, Any]]


class ContextIntegrityError(RuntimeError):
    """A bundled context file does not match its pinned hash (a packaging fault, not input)."""


def _read_pinned(entry: Mapping[str, str]) -> bytes:
    raw = (CONTEXTS_DIR / entry["file"]).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != entry["sha256"]:
        raise ContextIntegrityError(f"bundled context {entry['file']} has sha256 {digest}, expected {entry['sha256']}")
    return raw


def _load_manifest() -> tuple[dict[str, bytes], dict[str, dict[str, bytes]]]:
    manifest = json.loads(MANIFEST_PATH.read_bytes())
    # Several URLs may share one file (OB 3.0.0 has two); read and hash each file once.
    by_file: dict[str, bytes] = {}

    def read(entry: Mapping[str, str]) -> bytes:
        if entry["file"] not in by_file:
            by_file[entry["file"]] = _read_pinned(entry)
        return by_file[entry["file"]]

    base = {url: read(entry) for url, entry in manifest["contexts"].items()}
    variants = {
        name: {url: read(entry) for url, entry in overrides.items()} for name, overrides in manifest["variants"].items()
    }
    return base, variants


_BASE_RAW, _VARIANT_RAW = _load_manifest()


def bundled_urls() -> frozenset[str]:
    return frozenset(_BASE_RAW)


# The installation's own URL(s) of the extension context -> the bundled v1 bytes. Add-only:
# pyld's shared cache and ``pyld_accel``'s memo keep a processed context by URL for the life
# of the process, so a URL, once served, must mean the same document for good.
_INSTALLATION_RAW: dict[str, bytes] = {}


def installation_context_url(site_url: str) -> str:
    """``{site_url}/ns/microcred/v1.jsonld``: where an installation serves our extension
    context (ADR 0041), the URL the credentials it issues name."""
    url = site_url.rstrip("/") + MICROCRED_CONTEXT_PATH
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"SITE_URL {site_url!r} cannot carry the extension context: it must be an absolute"
            " http(s) URL without query or fragment (e.g. https://credentials.example.org)"
        )
    return url


def register_installation_context(site_url: str) -> str:
    """Serve the bundled extension context under this installation's own URL too, and return
    that URL.

    The installation's view serves the bundled file byte for byte at that URL, so loading
    it from the bundle is exact, offline and cannot be redirected. Only the installation's
    own URL: the same path on another host is another party's document (ADR 0041).
    """
    url = installation_context_url(site_url)
    _INSTALLATION_RAW[url] = _BASE_RAW[MICROCRED_CONTEXT_URL]
    return url


def is_bundled(url: str) -> bool:
    """Served from the bundle (a pinned file, or this installation's own extension context URL)."""
    return url in _BASE_RAW or url in _INSTALLATION_RAW


def _raw_for(url: str) -> bytes:
    raw = _BASE_RAW.get(url) or _INSTALLATION_RAW.get(url)
    if raw is None:
        raise UnknownContext(f"JSON-LD context {url!r} is not bundled", url=url)
    return raw


def load_context(url: str, *, variant: str | None = None) -> dict[str, Any]:
    """The parsed context document bundled for ``url`` (or a variant's copy), a private copy."""
    if variant is None:
        raw = _raw_for(url)
    elif variant not in _VARIANT_RAW:
        raise ValueError(f"unknown context variant {variant!r}")
    else:
        raw = _VARIANT_RAW[variant].get(url) or _raw_for(url)
    document: dict[str, Any] = json.loads(raw)
    return document


def document_loader(url: str, options: LoaderOptions = None) -> dict[str, Any]:
    """pyld ``documentLoader`` over the bundled contexts; never touches the network."""
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        "contentType": "application/ld+json",
        "tag": "static",
    }


def ob_validator_document_loader(url: str, options: LoaderOptions = None) -> dict[str, Any]:
    """``document_loader`` plus the validator copy of OB 3.0.3 under its private alias.

    Use it only on a document whose ``@context`` had OB 3.0.3 replaced by the alias.
    """
    if url != OB_V3P0_VALIDATOR_ALIAS:
        return document_loader(url, options)
    return {
        "contextUrl": None,
        # The real URL is the base for anything relative inside the context.
        "documentUrl": OB_V3P0_CONTEXT,
        "document": load_context(OB_V3P0_CONTEXT, variant=OB_VALIDATOR_VARIANT),
        "contentType": "application/ld+json",
    }


def with_ob_validator_alias(base: DocumentLoader) -> DocumentLoader:
    """``base`` plus the validator copy of OB 3.0.3 under its private alias (see above)."""

    def load(url: str, options: LoaderOptions = None) -> dict[str, Any]:
        if url == OB_V3P0_VALIDATOR_ALIAS:
            return ob_validator_document_loader(url, options)
        return base(url, options)

    return load


# --- contexts fetched at verification time (opt-in) ------------------------------------------
#
# An installation may let its verifier fetch a context it does not bundle (ADR 0042). The core
# never decides that: the caller passes ``fetch_context(url) -> bytes | None`` (None: it will
# not fetch) and raises ``FetchRefused`` (or any ``CredentialError``) when it cannot. Whatever
# goes wrong, the document cannot be read as it was signed, so every failure here is an
# ``UnknownContext`` (*cannot check*), never a verdict on the credential.

FetchContext = Callable[[str], bytes | None]
# The largest official context we bundle is ~15 KB; a "context" of megabytes is an attack.
MAX_FETCHED_CONTEXT_BYTES = 256 * 1024
# Contexts one document (with the contexts those name) may fetch: each is a round trip.
MAX_FETCHED_CONTEXTS = 8


def fetching_document_loader(fetch_context: FetchContext) -> DocumentLoader:
    """``document_loader`` that asks ``fetch_context`` for a context it does not bundle.

    A bundled URL (or the installation's own, see ``register_installation_context``) is always
    served from the bundle and never fetched. A fetched document is handed to pyld *without*
    the ``static`` tag, so it never enters pyld's process-wide cache: the next operation asks
    again (the caller's fetch_context keeps its own cache). One loader serves one operation.
    """
    fetched: dict[str, bytes] = {}

    def load(url: str, options: LoaderOptions = None) -> dict[str, Any]:
        if is_bundled(url):
            return document_loader(url, options)
        raw = fetched.get(url)
        if raw is None:
            if len(fetched) >= MAX_FETCHED_CONTEXTS:
                raise UnknownContext(
                    f"JSON-LD context {url!r} is not bundled, and the document already needed "
                    f"{MAX_FETCHED_CONTEXTS} contexts from the network",
                    url=url,
                )
            raw = _fetch_context(fetch_context, url)
            fetched[url] = raw
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": fetched_context_document(url, raw),
            "contentType": "application/ld+json",
        }

    return load


def _fetch_context(fetch_context: FetchContext, url: str) -> bytes:
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        scheme = ""
    if scheme != "https":
        raise UnknownContext(f"JSON-LD context {url!r} is not bundled, and only https contexts are fetched", url=url)
    try:
        raw = fetch_context(url)
    except CredentialError as exc:
        raise UnknownContext(
            f"JSON-LD context {url!r} is not bundled and could not be fetched: {exc.message}", url=url
        ) from exc
    if raw is None:
        raise UnknownContext(f"JSON-LD context {url!r} is not bundled", url=url)
    return raw


def fetched_context_document(url: str, raw: bytes) -> dict[str, Any]:
    """The fetched bytes as a JSON-LD context document, or ``UnknownContext`` saying why not."""
    if len(raw) > MAX_FETCHED_CONTEXT_BYTES:
        raise UnknownContext(
            f"JSON-LD context {url!r} was fetched but is larger than {MAX_FETCHED_CONTEXT_BYTES} bytes", url=url
        )
    try:
        document = load_json(raw, what=f"the JSON-LD context at {url}")
    except (ValueError, UnicodeDecodeError, CredentialError) as exc:
        raise UnknownContext(f"JSON-LD context {url!r} was fetched but is not JSON", url=url) from exc
    if not isinstance(document, dict) or "@context" not in document:
        raise UnknownContext(
            f"JSON-LD context {url!r} was fetched but is not a JSON-LD context document (no @context)", url=url
        )
    return document
