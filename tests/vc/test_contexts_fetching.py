"""Contexts the bundle lacks: *cannot check* offline, fetched only through an injected
``fetch_context`` (opt-in), and never for a bundled URL (loader.fetching_document_loader)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from microcred.credentials import vc
from microcred.credentials.vc import loader
from microcred.credentials.vc.errors import FetchRefused, UnknownContext
from microcred.credentials.vc.fetch import StaticFetcher
from microcred.credentials.vc.jsonld import canonicalize, expand_strict
from microcred.credentials.vc.verifier import Outcome, StepStatus, verify_presented
from microcred.credentials.vc.verifier.memo import MEMO
from tests.verification.builders import ISSUED, NOW, World, badge, did_key_issuer

SKILLS_CONTEXT = "https://contexts.example/skills/v1"
SKILLS_DOCUMENT = {"@context": {"@protected": True, "skillLevel": "https://contexts.example/skills#skillLevel"}}


class CountingFetch:
    """``fetch_context`` over a StaticFetcher, recording every URL it is asked for."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self._served = StaticFetcher(documents)
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes | None:
        self.asked.append(url)
        return self._served.fetch(url)


def refuse_any_fetch(url: str) -> bytes | None:
    pytest.fail(f"fetch_context was asked for {url}")


def skills_badge(*, credential_id: str = "urn:uuid:2b0c4d1e-0000-4000-8000-000000000001") -> dict[str, Any]:
    """A did:key badge using a term of a context we do not bundle, signed with that context."""
    issuer = did_key_issuer()
    document = badge(issuer, credential_id=credential_id)
    document["@context"] = [*document["@context"], SKILLS_CONTEXT]
    document["skillLevel"] = "advanced"
    fetch = CountingFetch({SKILLS_CONTEXT: SKILLS_DOCUMENT})
    return vc.sign(
        document,
        private_key=issuer.key,
        verification_method=issuer.vm,
        created=ISSUED,
        canonicalizer=partial(canonicalize, fetch_context=fetch),
    )


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    MEMO.clear()


# --- the loader ------------------------------------------------------------------------------


def test_without_fetch_context_an_unknown_context_is_refused_by_url() -> None:
    with pytest.raises(UnknownContext) as caught:
        canonicalize({"@context": [loader.VC_V2_CONTEXT, SKILLS_CONTEXT], "skillLevel": "x"})
    assert caught.value.data["url"] == SKILLS_CONTEXT


def test_a_bundled_only_document_never_asks_fetch_context() -> None:
    document = {"@context": [loader.VC_V2_CONTEXT], "type": "VerifiableCredential", "id": "urn:x:1"}
    assert canonicalize(document, fetch_context=refuse_any_fetch) == canonicalize(document)
    assert expand_strict(document, fetch_context=refuse_any_fetch) == expand_strict(document)


def test_the_loader_serves_bundled_urls_from_the_bundle_even_with_fetching_on() -> None:
    load = loader.fetching_document_loader(refuse_any_fetch)
    for url in loader.bundled_urls():
        assert load(url, None)["document"] == loader.load_context(url)


def test_a_fetched_context_is_used_once_per_operation_and_never_cached_by_pyld() -> None:
    fetch = CountingFetch({SKILLS_CONTEXT: SKILLS_DOCUMENT})
    document = {"@context": [loader.VC_V2_CONTEXT, SKILLS_CONTEXT], "id": "urn:x:1", "skillLevel": "advanced"}
    canonical = canonicalize(document, fetch_context=fetch)
    assert '<https://contexts.example/skills#skillLevel> "advanced"' in canonical
    assert fetch.asked == [SKILLS_CONTEXT]
    canonicalize(document, fetch_context=fetch)
    assert fetch.asked == [SKILLS_CONTEXT, SKILLS_CONTEXT]  # the caller's cache decides, not pyld's
    with pytest.raises(UnknownContext):
        canonicalize(document)  # and offline it is unknown again


def test_a_fetched_context_cannot_change_a_bundled_one() -> None:
    """The VC 2.0 URL is served from the bundle; a fetcher that would lie about it is not asked."""
    liar = CountingFetch({loader.VC_V2_CONTEXT: {"@context": {"id": "urn:evil:id"}}})
    document = {"@context": [loader.VC_V2_CONTEXT], "type": "VerifiableCredential", "id": "urn:x:1"}
    assert canonicalize(document, fetch_context=liar) == canonicalize(document)
    assert liar.asked == []


@pytest.mark.parametrize(
    ("url", "served", "why"),
    [
        ("http://contexts.example/skills/v1", SKILLS_DOCUMENT, "only https contexts are fetched"),
        (SKILLS_CONTEXT, b"<html>not json</html>", "is not JSON"),
        (SKILLS_CONTEXT, {"skillLevel": "https://contexts.example/skills#skillLevel"}, "no @context"),
        (SKILLS_CONTEXT, b" " * (loader.MAX_FETCHED_CONTEXT_BYTES + 1), "larger than"),
    ],
)
def test_an_unusable_context_is_unknown_with_the_reason(url: str, served: Any, why: str) -> None:
    fetch = CountingFetch({url: served})
    with pytest.raises(UnknownContext, match=why) as caught:
        canonicalize({"@context": [loader.VC_V2_CONTEXT, url], "skillLevel": "x"}, fetch_context=fetch)
    assert caught.value.data["url"] == url


def test_a_refused_fetch_is_an_unknown_context_naming_the_refusal() -> None:
    def refused(url: str) -> bytes | None:
        raise FetchRefused("refusing to connect to 10.0.0.1: it is a private address", url=url)

    with pytest.raises(UnknownContext, match=r"could not be fetched: refusing to connect to 10\.0\.0\.1"):
        canonicalize({"@context": [loader.VC_V2_CONTEXT, SKILLS_CONTEXT], "skillLevel": "x"}, fetch_context=refused)


def test_a_context_naming_ever_more_contexts_stops_at_the_cap() -> None:
    chain = {
        f"https://contexts.example/chain/{n}": {"@context": [f"https://contexts.example/chain/{n + 1}"]}
        for n in range(loader.MAX_FETCHED_CONTEXTS + 2)
    }
    fetch = CountingFetch(chain)
    with pytest.raises(UnknownContext, match=f"already needed {loader.MAX_FETCHED_CONTEXTS} contexts"):
        canonicalize({"@context": [loader.VC_V2_CONTEXT, "https://contexts.example/chain/0"]}, fetch_context=fetch)
    assert len(fetch.asked) == loader.MAX_FETCHED_CONTEXTS


# --- the verifier -----------------------------------------------------------------------------


def _verify(signed: dict[str, Any], fetch_context: Callable[[str], bytes | None] | None) -> Any:
    world = World()
    return verify_presented(
        signed, now=NOW, resolve_key=world.resolve_key, fetch_document=world.fetch, fetch_context=fetch_context
    )


def test_offline_an_unknown_context_is_cannot_check_naming_the_url_never_invalid() -> None:
    report = _verify(skills_badge(), None)
    structure = report.step("structure")
    assert structure.status is StepStatus.UNSUPPORTED and structure.code == "unknown_context"
    assert SKILLS_CONTEXT in structure.reason and structure.data["url"] == SKILLS_CONTEXT
    assert report.outcome is Outcome.UNSUPPORTED
    assert report.verdict.value == "cannot_check"


def test_with_fetching_the_credential_verifies_and_the_report_names_the_fetched_context() -> None:
    fetch = CountingFetch({SKILLS_CONTEXT: SKILLS_DOCUMENT})
    report = _verify(skills_badge(), fetch)
    assert report.valid, [step.to_json() for step in report.steps]
    structure = report.step("structure")
    assert structure.data["fetched_contexts"] == [SKILLS_CONTEXT]
    assert set(fetch.asked) == {SKILLS_CONTEXT}


def test_a_context_that_changed_since_signing_fails_the_proof() -> None:
    moved = {"@context": {"@protected": True, "skillLevel": "https://attacker.example/vocab#level"}}
    report = _verify(skills_badge(), CountingFetch({SKILLS_CONTEXT: moved}))
    assert report.step("structure").status is StepStatus.PASSED
    assert report.step("proof").status is StepStatus.FAILED
    assert report.verdict.value == "invalid"


def test_a_memoised_fetched_result_does_not_pass_a_later_offline_verification() -> None:
    signed = skills_badge()
    assert _verify(signed, CountingFetch({SKILLS_CONTEXT: SKILLS_DOCUMENT})).valid
    offline = _verify(signed, None)
    assert offline.step("structure").code == "unknown_context"
    assert offline.verdict.value == "cannot_check"


def test_an_unfetchable_context_is_cannot_check_with_the_reason() -> None:
    report = _verify(skills_badge(), CountingFetch({SKILLS_CONTEXT: b"<html>moved</html>"}))
    structure = report.step("structure")
    assert structure.status is StepStatus.UNSUPPORTED and "is not JSON" in structure.reason
    assert report.verdict.value == "cannot_check"


def test_the_loader_reads_the_json_it_was_given_not_a_shared_copy() -> None:
    """Each load parses the fetched bytes afresh: pyld rewriting one copy cannot reach another."""
    load = loader.fetching_document_loader(CountingFetch({SKILLS_CONTEXT: SKILLS_DOCUMENT}))
    first = load(SKILLS_CONTEXT, None)["document"]
    first["@context"]["skillLevel"] = "urn:changed"
    assert load(SKILLS_CONTEXT, None)["document"] == json.loads(json.dumps(SKILLS_DOCUMENT))


def test_the_ob_validator_copy_retry_also_works_beside_a_fetched_context() -> None:
    """``jti`` is defined only by the 1EdTech validator's copy of OB 3.0.3 (loader.py): the retry
    under its alias must still reach the fetched context."""
    fetch = CountingFetch({SKILLS_CONTEXT: SKILLS_DOCUMENT})
    document = {
        "@context": [loader.VC_V2_CONTEXT, loader.OB_V3P0_CONTEXT, SKILLS_CONTEXT],
        "id": "urn:x:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "jti": "urn:x:1",
        "skillLevel": "advanced",
    }
    canonical = canonicalize(document, fetch_context=fetch)
    assert "<https://contexts.example/skills#skillLevel>" in canonical
    assert "jti" in canonical
    assert expand_strict(document, fetch_context=fetch)
    with pytest.raises(UnknownContext):
        canonicalize(document)
