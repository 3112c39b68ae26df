"""Document bounds of the credential core: hostile shapes are refused by name, before JSON-LD work,
and nothing nested deeply raises RecursionError."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from microcred.credentials.vc import jsonld
from microcred.credentials.vc.baking import detect_and_extract
from microcred.credentials.vc.errors import DocumentTooComplex, FetchRefused, MalformedCredential
from microcred.credentials.vc.fetch import StaticFetcher, fetch_json
from microcred.credentials.vc.limits import DEFAULT_LIMITS, DocumentLimits, check_document, load_json
from microcred.credentials.vc.verifier import verify_presented

from .conftest import full_credential

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_text(depth: int) -> str:
    return '{"credentialSubject": ' + "[" * depth + "]" * depth + "}"


def verify_offline(data: Any) -> Any:
    def no_key(vm_url: str) -> Any:
        raise FetchRefused("offline", url=vm_url)

    def no_fetch(url: str) -> bytes:
        raise FetchRefused("offline", url=url)

    return verify_presented(data, now=NOW, resolve_key=no_key, fetch_document=no_fetch)


def test_real_credentials_are_well_inside_the_bounds():
    credential = full_credential()
    alignment = credential["credentialSubject"]["achievement"]["alignment"][0]
    # Hundreds of alignments and evidence items, as real OB 3.0 credentials carry.
    credential["credentialSubject"]["achievement"]["alignment"] = [
        dict(alignment, targetName=f"skill {index}") for index in range(500)
    ]
    credential["evidence"] = [{"type": ["Evidence"], "name": f"work {index}"} for index in range(300)]
    check_document(credential, what="the credential")
    assert jsonld.canonicalize(credential)


@pytest.mark.parametrize(
    ("document", "limit", "words"),
    [
        ({"tags": list(range(16_000))}, "max_array_length", "has an array of 16000 values (at most 1000) (at tags)"),
        (
            {f"list{index}": list(range(1_000)) for index in range(5)},
            "max_array_work",
            "too many long arrays",
        ),
        ({"a": [{"b": index, "c": [1, 2]} for index in range(900)] * 10}, "max_array_length", "array of 9000"),
        ({f"k{index}": list(range(10)) for index in range(2_500)}, "max_values", "more than 20000 values"),
        (nested(500), "max_depth", "nested more than 64 levels deep (at a.a.a.a.a.a.a.a… (64 levels))"),
    ],
)
def test_each_bound_is_named_with_where_it_was_exceeded(document, limit, words):
    with pytest.raises(DocumentTooComplex) as info:
        check_document(document, what="the credential")
    assert info.value.data["limit"] == limit
    assert words in info.value.message
    assert info.value.code == "too_complex" and isinstance(info.value, MalformedCredential)


def test_the_bounds_are_inclusive():
    limits = DocumentLimits(max_depth=3, max_array_length=4, max_array_work=32, max_values=12)
    check_document({"a": {"b": [1, 2, 3, 4]}}, what="x", limits=limits)
    with pytest.raises(DocumentTooComplex):
        check_document({"a": {"b": [[1]]}}, what="x", limits=limits)
    with pytest.raises(DocumentTooComplex):
        check_document([1, 2, 3, 4, 5], what="x", limits=limits)
    check_document({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]}, what="x", limits=limits)
    with pytest.raises(DocumentTooComplex):
        check_document({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], "c": [1]}, what="x", limits=limits)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_text_nested_past_the_parser_is_too_complex_not_a_recursion_error(depth):
    text = deep_text(depth)
    with pytest.raises(DocumentTooComplex, match="nested more than 64 levels"):
        load_json(text, what="the credential")
    with pytest.raises(DocumentTooComplex):
        detect_and_extract(text.encode())
    with pytest.raises(DocumentTooComplex):
        fetch_json(StaticFetcher({"https://x.example/doc": text}), "https://x.example/doc")


def test_canonicalize_refuses_deep_documents_before_recursing():
    with pytest.raises(DocumentTooComplex):
        jsonld.canonicalize({"@context": [], "x": nested(5_000)})


@pytest.mark.parametrize(
    "presented",
    [
        deep_text(1_000),
        deep_text(1_000).encode(),
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "credentialSubject": nested(500)},
        json.dumps({**full_credential(), "tags": list(range(16_000))}),
        {**full_credential(), **{f"list{index}": list(range(1_000)) for index in range(20)}},
    ],
)
def test_the_verifier_reports_hostile_documents_as_unreadable_quickly(presented):
    started = time.perf_counter()
    report = verify_offline(presented)
    assert time.perf_counter() - started < 2
    assert report.outcome.value == "malformed"
    read = report.steps[0]
    assert read.status.value == "failed" and read.code == "too_complex"
    assert "it was not read" in read.reason or "nested more than" in read.reason


def test_default_limits_cap_pyld_work():
    """The worst document within the bounds (arrays at the limits) still canonicalizes fast enough
    to stay well inside the sandbox's CPU budget."""
    credential = full_credential()
    achievement = credential["credentialSubject"]["achievement"]
    achievement["tag"] = [f"t{index}" for index in range(DEFAULT_LIMITS.max_array_length)]
    check_document(credential, what="the credential")
    started = time.process_time()
    jsonld.canonicalize(credential)
    assert time.process_time() - started < 3


def test_a_vc_jwt_with_a_deeply_nested_payload_is_unreadable():
    from base64 import urlsafe_b64encode

    def segment(text: str) -> str:
        return urlsafe_b64encode(text.encode()).decode().rstrip("=")

    token = ".".join([segment('{"alg": "EdDSA"}'), segment('{"vc": ' + "[" * 2_000 + "]" * 2_000 + "}"), "c2ln"])
    report = verify_offline(token)
    assert report.outcome.value == "malformed"
    assert report.steps[0].code == "too_complex" and "The JWT payload is nested" in report.steps[0].reason
