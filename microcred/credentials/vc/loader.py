"""Offline JSON-LD document loader serving only the contexts bundled in ``contexts/``.

Signing and verifying must never depend on the network: a context fetched at
verification time could differ from the one the issuer signed with, and a fetch
leaks who is verifying what. So every context we accept is vendored, pinned by its
full SHA-256 in ``contexts/manifest.json`` (checked once, at import) and an unknown
URL raises ``UnknownContext``.

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

from .errors import UnknownContext

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
MANIFEST_PATH = CONTEXTS_DIR / "manifest.json"

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_V3P0_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"
CID_V1_CONTEXT = "https://www.w3.org/ns/cid/v1"
# Our own extension context; we host it ourselves (the constant may be overridden
# by settings later, but documents signed under this URL must keep resolving).
MICROCRED_CONTEXT_URL = "https://microcred.org/ns/microcred/v1.jsonld"

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


def _raw_for(url: str) -> bytes:
    raw = _BASE_RAW.get(url)
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
