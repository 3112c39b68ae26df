"""``AcceleratedProcessor._create_node_map``: values are deduplicated through an index, with
exactly pyld's result (same values, same order), in linear instead of quadratic time."""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
import time
from typing import Any

import pytest
from pyld import jsonld as pyld_jsonld  # type: ignore[import-untyped,unused-ignore]

from microcred.credentials.vc import jsonld, pyld_accel
from microcred.credentials.vc.loader import document_loader

from .conftest import full_credential

EX = "https://example.org/v#"

_VALUE_GRAPHS = [
    # duplicates pyld drops: the same number, 1 and 1.0, the same string; True and 1 kept apart
    {"@context": {"@vocab": EX}, "@id": "urn:s", "p": [1, 1, 1.0, True, 1, "1", "1", False, 0, 0.0, True]},
    # language, datatype and index tell values apart; @direction does not (as in pyld)
    {
        "@context": {"@vocab": EX},
        "@id": "urn:s",
        "p": [
            {"@value": "a", "@language": "en"},
            {"@value": "a", "@language": "fr"},
            {"@value": "a", "@language": "en"},
            {"@value": "a", "@type": f"{EX}T"},
            {"@value": "a", "@type": f"{EX}T"},
            {"@value": "a"},
            {"@value": "a", "@language": "en", "@direction": "rtl"},
        ],
    },
    # values mixed with node references and lists in one property; blank node subjects
    {
        "@context": {"@vocab": EX},
        "p": [1, {"@id": "urn:o"}, 1, {"@list": [1, 1]}, {"@id": "urn:o"}, {"q": [2, 2]}, {"q": [2, 3]}, 2],
    },
    # JSON literals (unhashable) and a value repeated through @reverse and @graph
    {
        "@context": {"@vocab": EX, "j": {"@type": "@json"}},
        "@id": "urn:s",
        "j": [{"a": [1]}, {"a": [1]}, [1, 2], [1, 2], 5],
        "@reverse": {f"{EX}r": [{"@id": "urn:t", "p": [1, 1]}]},
        "@graph": [{"@id": "urn:s", "p": [1, 2, 1]}],
    },
    # the same node met twice: values added on the second meeting deduplicated against the first
    {"@context": {"@vocab": EX}, "@graph": [{"@id": "urn:n", "p": [1, 2]}, {"@id": "urn:n", "p": [2, 3, 1, 4]}]},
]


def test_create_node_map_mirrors_the_pinned_pyld_method() -> None:
    # The value path of AcceleratedProcessor._create_node_map is pyld 3.3's: a pyld upgrade that
    # changes the original must be looked at before it is trusted.
    source = inspect.getsource(pyld_jsonld.JsonLdProcessor._create_node_map)
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "fd8881d2c38b4fa2f452b16d335cf09745144c558cb2da767bd19b1fac606a38"
    ), "pyld changed _create_node_map: re-check pyld_accel.AcceleratedProcessor._create_node_map"


@pytest.mark.parametrize("document", _VALUE_GRAPHS, ids=lambda document: json.dumps(document)[:40])
def test_value_deduplication_is_plain_pyld(document: dict[str, Any]) -> None:
    options = {"documentLoader": document_loader}
    expected = pyld_jsonld.JsonLdProcessor().to_rdf(copy.deepcopy(document), dict(options))
    got = pyld_accel.AcceleratedProcessor().to_rdf(copy.deepcopy(document), dict(options))
    assert got == expected
    flat = pyld_jsonld.JsonLdProcessor().flatten(copy.deepcopy(document), None, dict(options))
    assert pyld_accel.AcceleratedProcessor().flatten(copy.deepcopy(document), None, dict(options)) == flat


def test_a_long_array_of_values_canonicalizes_as_plain_pyld() -> None:
    credential = full_credential()
    credential["credentialSubject"]["achievement"]["tag"] = [f"t{index % 700}" for index in range(1_000)]
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = 2.0
    assert jsonld.canonicalize(credential) == jsonld.canonicalize_plain(credential)


def test_values_are_deduplicated_in_linear_time() -> None:
    """16,000 numbers in one array (the issue's 110 KB document) took pyld over a minute."""
    document = {"@context": {"@vocab": EX}, "@id": "urn:s", "tags": list(range(16_000))}
    started = time.process_time()
    dataset = pyld_accel.AcceleratedProcessor().to_rdf(document, {"documentLoader": document_loader})
    assert time.process_time() - started < 3
    assert len(dataset["@default"]) == 16_000
