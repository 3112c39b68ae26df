"""Contexts the verifier does not bundle, through ``verify_credential`` and ``microcred verify``:
*cannot check* by default, fetched (SSRF-safe, cached) only when MICROCRED_VERIFY_FETCH_CONTEXTS
is on. The credentials are real signatures over a context served by a StaticFetcher."""

from __future__ import annotations

import io
import json
import uuid
from functools import partial
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from microcred.credentials import vc
from microcred.credentials.vc.fetch import DEFAULT_ACCEPT, HttpsFetcher, StaticFetcher
from microcred.credentials.vc.jsonld import canonicalize
from microcred.credentials.vc.loader import MAX_FETCHED_CONTEXT_BYTES, VC_V2_CONTEXT
from microcred.credentials.vc.verifier import StepStatus
from microcred.credentials.vc.verifier.memo import MEMO
from microcred.verification import fetching
from microcred.verification.services import verify_credential
from tests.verification.builders import ISSUED, badge, did_key_issuer

pytestmark = pytest.mark.django_db

SKILLS_CONTEXT = "https://contexts.example/skills/v1"
SKILLS_DOCUMENT = {"@context": {"@protected": True, "skillLevel": "https://contexts.example/skills#skillLevel"}}


class CountingFetcher:
    """A Fetcher serving fixed documents (StaticFetcher), counting what it is asked for."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self._static = StaticFetcher(documents)
        self.asked: list[str] = []

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        self.asked.append(url)
        return self._static.fetch(url, accept=accept)


def signed_with(context_url: str, *, credential_id: str = "urn:uuid:5a1e0c55-0000-4000-8000-000000000001") -> dict:
    """A did:key badge using ``skillLevel`` from ``context_url``, signed over that context."""
    issuer = did_key_issuer()
    document = badge(issuer, credential_id=credential_id)
    document["@context"] = [*document["@context"], context_url]
    document["skillLevel"] = "advanced"
    served = StaticFetcher({context_url: SKILLS_DOCUMENT})
    return vc.sign(
        document,
        private_key=issuer.key,
        verification_method=issuer.vm,
        created=ISSUED,
        canonicalizer=partial(canonicalize, fetch_context=served.fetch),
    )


@pytest.fixture(autouse=True)
def _fresh_caches(settings: Any) -> None:
    """In-process, so that clearing the memo here clears the verifier's (a sandbox worker keeps
    its own memo from task to task; the sandbox is tested on its own below)."""
    settings.MICROCRED_VERIFY_SANDBOX = False
    cache.clear()
    MEMO.clear()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> CountingFetcher:
    fetcher = CountingFetcher({SKILLS_CONTEXT: SKILLS_DOCUMENT})
    monkeypatch.setattr(fetching, "context_fetcher", lambda: fetcher)
    return fetcher


def test_fetching_contexts_is_off_by_default(settings: Any) -> None:
    assert fetching.context_fetch_enabled() is False
    assert not hasattr(settings, "MICROCRED_VERIFY_FETCH_CONTEXTS") or not settings.MICROCRED_VERIFY_FETCH_CONTEXTS


def test_off_an_unknown_context_is_cannot_check_and_nothing_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fetcher() -> Any:
        pytest.fail("a context fetcher was built although fetching contexts is off")

    monkeypatch.setattr(fetching, "context_fetcher", no_fetcher)
    report = verify_credential(data=json.dumps(signed_with(SKILLS_CONTEXT)))
    structure = report.step("structure")
    assert structure.status is StepStatus.UNSUPPORTED and structure.code == "unknown_context"
    assert SKILLS_CONTEXT in structure.reason
    assert report.verdict.value == "cannot_check" and not report.valid


def test_on_the_context_is_fetched_the_credential_verifies_and_the_cache_serves_the_next(
    settings: Any, served: CountingFetcher
) -> None:
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    first = verify_credential(data=json.dumps(signed_with(SKILLS_CONTEXT)))
    assert first.valid, [step.to_json() for step in first.steps]
    assert first.step("structure").data["fetched_contexts"] == [SKILLS_CONTEXT]
    assert served.asked == [SKILLS_CONTEXT]
    # Another credential naming the same context: the site's cache answers, no second fetch.
    second = verify_credential(data=json.dumps(signed_with(SKILLS_CONTEXT, credential_id="urn:uuid:2")))
    assert second.valid
    assert served.asked == [SKILLS_CONTEXT]


def test_on_a_bundled_context_is_never_fetched(settings: Any, served: CountingFetcher) -> None:
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    issuer = did_key_issuer()
    assert verify_credential(
        data=json.dumps(vc.sign(badge(issuer), private_key=issuer.key, verification_method=issuer.vm, created=ISSUED))
    ).valid
    assert served.asked == []
    assert fetching.fetch_context(VC_V2_CONTEXT) is None


@pytest.mark.parametrize(
    ("context_url", "why"),
    [
        ("https://10.0.0.1/contexts/skills.jsonld", "private address"),
        ("https://127.0.0.1/contexts/skills.jsonld", "loopback"),
        ("https://169.254.169.254/latest/skills.jsonld", "link-local"),
    ],
)
def test_on_a_context_on_a_private_address_is_refused(settings: Any, context_url: str, why: str) -> None:
    """The real SSRF-safe fetcher: refused before any connection, reported as cannot check."""
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    report = verify_credential(data=json.dumps(signed_with(context_url)))
    structure = report.step("structure")
    assert structure.status is StepStatus.UNSUPPORTED and structure.code == "unknown_context"
    assert "could not be fetched" in structure.reason and why in structure.reason
    assert report.verdict.value == "cannot_check"


def test_on_a_plain_http_context_is_not_fetched(settings: Any, served: CountingFetcher) -> None:
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    document = badge(did_key_issuer())
    document["@context"] = [*document["@context"], "http://contexts.example/skills/v1"]
    report = verify_credential(data=json.dumps(document))
    assert "only https contexts are fetched" in report.step("structure").reason
    assert report.verdict.value == "cannot_check"
    assert served.asked == []


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<!doctype html><title>Moved</title>", "is not JSON"),
        (json.dumps({"skillLevel": "https://contexts.example/skills#skillLevel"}).encode(), "no @context"),
    ],
)
def test_on_an_unusable_context_is_cannot_check_and_not_cached(
    settings: Any, monkeypatch: pytest.MonkeyPatch, body: bytes, why: str
) -> None:
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    fetcher = CountingFetcher({SKILLS_CONTEXT: body})
    monkeypatch.setattr(fetching, "context_fetcher", lambda: fetcher)
    signed = json.dumps(signed_with(SKILLS_CONTEXT))
    report = verify_credential(data=signed)
    assert why in report.step("structure").reason and report.verdict.value == "cannot_check"
    verify_credential(data=signed)
    assert fetcher.asked == [SKILLS_CONTEXT, SKILLS_CONTEXT]  # a fixed server is asked again


def test_on_a_too_large_context_is_cannot_check(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    padded = {**SKILLS_DOCUMENT, "padding": "x" * MAX_FETCHED_CONTEXT_BYTES}
    monkeypatch.setattr(fetching, "context_fetcher", lambda: CountingFetcher({SKILLS_CONTEXT: padded}))
    report = verify_credential(data=json.dumps(signed_with(SKILLS_CONTEXT)))
    assert f"larger than {MAX_FETCHED_CONTEXT_BYTES} bytes" in report.step("structure").reason
    assert report.verdict.value == "cannot_check"


def test_the_network_fetcher_for_contexts_is_the_ssrf_safe_one_with_the_context_cap() -> None:
    fetcher = fetching.context_fetcher()
    assert isinstance(fetcher, HttpsFetcher)
    assert fetcher.max_bytes == MAX_FETCHED_CONTEXT_BYTES and not fetcher.allow_loopback_http


def run_verify(*args: str) -> tuple[int, dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", *args, "--json", stdout=out, stderr=err)
    return int(exit_info.value.code), json.loads(out.getvalue())


def test_cli_cannot_check_offline_and_valid_when_fetching_is_on(
    tmp_path: Any, settings: Any, served: CountingFetcher
) -> None:
    path = tmp_path / "skills-badge.json"
    path.write_text(json.dumps(signed_with(SKILLS_CONTEXT)))
    code, answer = run_verify(str(path))
    assert answer["verdict"] == "cannot_check" and code == answer["exit_code"] != 0
    structure = next(step for step in answer["steps"] if step["name"] == "structure")
    assert structure["code"] == "unknown_context" and SKILLS_CONTEXT in structure["reason"]
    assert served.asked == []

    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    code, answer = run_verify(str(path))
    assert answer["verdict"] == "valid" and code == 0
    assert served.asked == [SKILLS_CONTEXT]


def test_in_the_sandbox_the_worker_asks_the_site_for_the_context(settings: Any, served: CountingFetcher) -> None:
    """The worker reaches the fetcher only through the web process (sandbox ``call``)."""
    settings.MICROCRED_VERIFY_SANDBOX = True
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = True
    # A credential no worker has seen, so no worker memo answers for it.
    signed = signed_with(SKILLS_CONTEXT, credential_id=f"urn:uuid:{uuid.uuid4()}")
    assert verify_credential(data=json.dumps(signed)).valid
    assert served.asked == [SKILLS_CONTEXT]
    settings.MICROCRED_VERIFY_FETCH_CONTEXTS = False
    other = signed_with(SKILLS_CONTEXT, credential_id=f"urn:uuid:{uuid.uuid4()}")
    assert verify_credential(data=json.dumps(other)).verdict.value == "cannot_check"
