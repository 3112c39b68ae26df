"""The regression corpus: real, public credentials from other issuers, verified offline.

Each item of ``tests/vc/data/corpus/index.json`` names a file, where it came from (repository,
path, commit), its licence and the verdict we must give: what the issuer's own verifier says,
refined by our categories (README.md in the corpus explains how each was decided). Documents a
verifier would fetch (status lists, DID documents) are served from the corpus by a
:class:`StaticFetcher`, so nothing here goes online; anything else it asks for is refused.

An item whose verdict depends on a feature still being built carries ``"pending": "<feature>"``
and is a strict xfail: it fails the run as soon as it starts passing, so the marker is removed
together with the feature.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from microcred.credentials import vc
from microcred.credentials.vc.fetch import StaticFetcher
from microcred.credentials.vc.verifier import VerificationReport, verify_presented

CORPUS = Path(__file__).resolve().parents[1] / "vc" / "data" / "corpus"
VERDICTS = ("valid", "valid_with_warnings", "invalid", "cannot_check", "unreadable")
ACCEPTED = ("valid", "valid_with_warnings")


@cache
def corpus_index() -> dict[str, Any]:
    return json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))


def items() -> list[dict[str, Any]]:
    return corpus_index()["items"]


def offline_fetcher() -> StaticFetcher:
    documents = {url: (CORPUS / entry["file"]).read_bytes() for url, entry in corpus_index()["fetched"].items()}
    return StaticFetcher(documents)


def verify_item(item: dict[str, Any]) -> VerificationReport:
    fetcher = offline_fetcher()
    now = datetime.fromisoformat(item.get("now", corpus_index()["default_now"]).replace("Z", "+00:00"))
    return verify_presented(
        (CORPUS / item["file"]).read_bytes(),
        now=now,
        resolve_key=vc.make_key_resolver(fetcher),
        fetch_document=fetcher.fetch,
    )


def verdict_of(report: VerificationReport) -> str:
    return str(report.verdict.value)


def explain(report: VerificationReport) -> str:
    return "; ".join(f"{step.name}: {step.status.value} ({step.reason})" for step in report.steps)


def corpus_params() -> list[Any]:
    params = []
    for item in items():
        marks = []
        if item.get("pending"):
            marks.append(pytest.mark.xfail(strict=True, reason=f"needs {item['pending']}"))
        params.append(pytest.param(item, id=item["file"], marks=marks))
    return params


@pytest.mark.parametrize("item", corpus_params())
def test_corpus_item_gets_its_expected_verdict(item):
    report = verify_item(item)
    assert verdict_of(report) == item["expected"], f"{item['reason']} -- got: {explain(report)}"


@pytest.mark.parametrize("item", [pytest.param(item, id=item["file"]) for item in items() if item.get("tampered")])
def test_no_tampered_item_is_ever_accepted(item):
    """Independent of the expected verdicts (and of any pending marker): an altered credential
    is never valid, with or without warnings."""
    assert verdict_of(verify_item(item)) not in ACCEPTED, item["notes"]


def test_every_file_is_listed_and_every_listed_file_exists():
    listed = {item["file"] for item in items()} | {entry["file"] for entry in corpus_index()["fetched"].values()}
    on_disk = {
        path.relative_to(CORPUS).as_posix()
        for path in CORPUS.rglob("*")
        if path.is_file() and path.name not in ("index.json", "README.md")
    }
    assert sorted(on_disk - listed) == [], "files in the corpus that index.json does not list"
    assert sorted(listed - on_disk) == [], "files index.json lists that are missing"
    assert len([item["file"] for item in items()]) == len({item["file"] for item in items()}), "an item listed twice"


def test_every_item_says_where_it_comes_from_and_what_we_expect():
    for entry in [*items(), *corpus_index()["fetched"].values()]:
        source = entry["source"]
        assert source.get("repo") or source.get("url"), entry["file"]
        assert source.get("path") or source.get("url") or source.get("derived_from"), entry["file"]
        assert entry["licence"].strip(), entry["file"]
    for item in items():
        assert item["expected"] in VERDICTS, item["file"]
        assert item["reason"].strip(), item["file"]
        if item.get("tampered"):
            assert item["expected"] in ("invalid", "unreadable"), item["file"]
            assert item["source"]["derived_from"] in {other["file"] for other in items()}, item["file"]


def test_the_corpus_is_mostly_real_credentials_from_several_sources():
    real = [item for item in items() if not item.get("tampered")]
    sources = {item["file"].split("/", 1)[0] for item in real}
    assert len(real) >= 80
    assert len(sources) >= 5, sources
