"""A fetching verifier resolves everything our credentials reference from the installation
itself (issue 10, ADR 0041).

The verifier here is not ours: plain pyld (URDNA2015) with a document loader that serves only
the official W3C and 1EdTech contexts from the bundle and fetches anything else over HTTP, and
only from the running installation (``live_server``, loopback); every other host is refused,
microcred.org included. Keys are read from the issuer profile the installation serves. The
verifier keeps its own, empty context cache (not pyld's process-wide one, which our own loader
fills while issuing), so nothing processed earlier can stand in for a fetch. The JavaScript
reference stack (``bench/peer/verify_fetching.mjs``, Digital Bazaar's) is run the same way when
Node and its pinned packages are there.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from cachetools import LRUCache
from pyld import jsonld as pyld_jsonld  # type: ignore[import-untyped,unused-ignore]
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped,unused-ignore]

from microcred.credentials.models import Credential
from microcred.credentials.vc import verify
from microcred.credentials.vc.errors import InvalidProof, UnknownContext
from microcred.credentials.vc.loader import MICROCRED_CONTEXT_URL, bundled_urls, load_context
from microcred.credentials.vc.multikey import public_key_from_multibase

from .conftest import complete

LOOPBACK = frozenset({"127.0.0.1", "localhost"})
# The publishers of the official contexts; a fetching verifier ships these (or caches them).
OFFICIAL_HOSTS = frozenset({"www.w3.org", "w3id.org", "purl.imsglobal.org"})


class FetchingVerifier:
    """What a verifier like VerifierPlus or a wallet does, allowed to reach ``reachable`` only."""

    def __init__(self, reachable: frozenset[str]) -> None:
        self.reachable = reachable
        self.fetched: list[str] = []
        self.refused: list[str] = []
        # Its own, empty context cache: nothing another loader processed can stand in for a fetch.
        self.context_resolver = ContextResolver(LRUCache(maxsize=100), self.document_loader)

    def get(self, url: str, accept: str) -> tuple[bytes, str]:
        host = urlsplit(url).hostname or ""
        if host not in self.reachable:
            raise ConnectionRefusedError(f"{host} is not reachable from this verifier ({url})")
        request = urllib.request.Request(url, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            self.fetched.append(url)
            return response.read(), response.headers.get("Content-Type", "")

    def document_loader(self, url: str, options: Any = None) -> dict[str, Any]:
        if urlsplit(url).hostname in OFFICIAL_HOSTS and url in bundled_urls():
            return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}
        try:
            body, content_type = self.get(url, "application/ld+json, application/json;q=0.9")
        except (OSError, urllib.error.URLError) as exc:
            self.refused.append(url)
            raise pyld_jsonld.JsonLdError(
                f"could not load {url}: {exc}", "jsonld.LoadDocumentError", code="loading document failed"
            ) from exc
        assert content_type.split(";")[0] in ("application/ld+json", "application/json"), content_type
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(body)}

    def canonicalize(self, document: dict[str, Any]) -> str:
        options = {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": self.document_loader,
            "contextResolver": self.context_resolver,
        }
        try:
            nquads: str = pyld_jsonld.normalize(document, options)
        except pyld_jsonld.JsonLdError as exc:
            raise UnknownContext(f"could not load {', '.join(self.refused) or 'a context'}") from exc
        return nquads

    def resolve_key(self, vm_url: str) -> tuple[Any, str]:
        body, _ = self.get(vm_url.partition("#")[0], "application/ld+json")
        profile = json.loads(body)
        (method,) = [item for item in profile["verificationMethod"] if item["id"] == vm_url]
        return public_key_from_multibase(method["publicKeyMultibase"]), method["controller"]

    def verify(self, document: dict[str, Any]) -> None:
        verify(document, resolve_key=self.resolve_key, canonicalizer=self.canonicalize)


@pytest.fixture
def installation(transactional_db, live_server, settings, world) -> Callable[[], Credential]:
    """Issue on an installation whose SITE_URL is the live server (loopback)."""
    settings.SITE_URL = live_server.url
    assert urlsplit(live_server.url).hostname in LOOPBACK

    def issue() -> Credential:
        return Credential.objects.get(completion=complete(world.mc, world.learner))

    return issue


def test_a_fetching_verifier_resolves_our_credential_from_the_installation_alone(installation, live_server):
    credential = installation()
    document = credential.document
    own_context = f"{live_server.url}/ns/microcred/v1.jsonld"
    assert own_context in document["@context"]

    verifier = FetchingVerifier(reachable=LOOPBACK)
    verifier.verify(document)
    assert own_context in verifier.fetched  # the context came over HTTP, not from a cache
    assert all(urlsplit(url).hostname in LOOPBACK for url in verifier.fetched)

    # The status list it points at: fetched from the installation, verified the same way.
    body, content_type = verifier.get(document["credentialStatus"]["statusListCredential"], "application/vc+ld+json")
    assert content_type == "application/vc+ld+json"
    verifier.verify(json.loads(body))

    tampered = {**document, "name": "Forged"}
    with pytest.raises(InvalidProof):
        FetchingVerifier(reachable=LOOPBACK).verify(tampered)


def test_without_the_installation_the_fetching_verifier_cannot_load_the_context(installation):
    document = installation().document
    cut_off = FetchingVerifier(reachable=frozenset())
    with pytest.raises(UnknownContext, match=r"localhost:\d+/ns/microcred/v1\.jsonld"):
        cut_off.canonicalize({key: value for key, value in document.items() if key != "proof"})


def test_the_old_url_was_what_fetching_verifiers_could_not_load(installation, live_server):
    """The problem ADR 0041 solves: the same credential naming microcred.org fails there."""
    document = installation().document
    legacy = {key: value for key, value in document.items() if key != "proof"}
    legacy["@context"] = [*document["@context"][:-1], MICROCRED_CONTEXT_URL]
    with pytest.raises(UnknownContext, match=r"https://microcred\.org/ns/microcred/v1\.jsonld"):
        FetchingVerifier(reachable=LOOPBACK).canonicalize(legacy)


@pytest.fixture
def js_peer() -> None:
    from bench import peer

    try:
        peer.ensure_installed()
    except peer.PeerUnavailable as exc:
        pytest.skip(f"JavaScript reference stack unavailable: {exc}")


def test_the_javascript_reference_stack_fetching_from_the_installation_verifies_it(js_peer, installation, live_server):
    from bench import peer

    document = installation().document
    own_context = f"{live_server.url}/ns/microcred/v1.jsonld"
    result = peer.run_script("verify_fetching.mjs", {"credential": document, "reachable": sorted(LOOPBACK)})
    assert result["verified"] is True, result
    assert own_context in result["fetched"]

    tampered = {**document, "name": "Forged"}
    assert (
        peer.run_script("verify_fetching.mjs", {"credential": tampered, "reachable": sorted(LOOPBACK)})["verified"]
        is False
    )
    cut_off = peer.run_script("verify_fetching.mjs", {"credential": document, "reachable": []})
    assert cut_off["verified"] is False and "not reachable" in cut_off["error"], cut_off
    # The same credential naming the old URL: the stack cannot load it (signature unchanged:
    # a context URL produces no triples, so only the loading can fail).
    legacy = {**document, "@context": [*document["@context"][:-1], MICROCRED_CONTEXT_URL]}
    old = peer.run_script("verify_fetching.mjs", {"credential": legacy, "reachable": sorted(LOOPBACK)})
    assert old["verified"] is False and "https://microcred.org/ns/microcred/v1.jsonld" in old["error"], old
