"""``pyld_accel`` changes no output byte and no error.

Two references, both without any acceleration:

* the pipeline: ``jsonld.canonicalize_plain`` runs ``canonicalize``'s own code on pyld's
  plain ``JsonLdProcessor`` (which copies its input) and the direct quad builder, so
  the sentinel check, the validator-context retry and the error mapping are the same
  code; outputs are compared as text, errors by type and message;
* pyld itself: ``AcceleratedProcessor`` against a fresh ``JsonLdProcessor`` with the
  same loader, ``to_rdf`` datasets and ``expand`` output compared as values, errors by
  type, JSON-LD error code and message down the cause chain.

The corpus is every official vector document, the OB samples, ~1,000 generated OB
credentials, VC 1.1 credentials, DID documents and hand-written documents exercising
inline, type-scoped, property-scoped, ``@vocab``, ``@propagate``, ``@protected``,
``null`` and ``@import`` contexts, plus documents that must fail. The memo is process
state, so the corpus is also run in shuffled orders, under a tiny memo bound (forcing
clears mid-run) and from two threads at once.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pyld import jsonld as pyld_jsonld  # type: ignore[import-untyped,unused-ignore]

from microcred.credentials.vc import fastpath, jsonld, pyld_accel
from microcred.credentials.vc.loader import (
    DATA_INTEGRITY_V2_CONTEXT,
    OB_V3P0_CONTEXT,
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    document_loader,
)

from .conftest import full_credential, random_credential, teamwork_badge
from .test_fastpath import _family, _learner_credential, _vector_documents

EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CID_V1 = "https://www.w3.org/ns/cid/v1"
OB_V3P0_3_0_0 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
OB_V3P0_3_0_2 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
EX = "https://example.org/vocab#"

Outcome = tuple[str, str]


@pytest.fixture(autouse=True)
def _cold_memo() -> Iterator[None]:
    pyld_accel.clear()
    yield
    pyld_accel.clear()


def _outcome(function: Callable[[dict[str, Any]], Any], document: dict[str, Any]) -> Outcome:
    try:
        return ("ok", function(document))
    except Exception as exc:  # the error itself is part of what must be identical
        return (type(exc).__name__, str(exc))


# --- the corpus ---------------------------------------------------------------------


def _vc11(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    contexts = [VC_V1_CONTEXT, rng.choice([OB_V3P0_3_0_0, OB_V3P0_3_0_2])]
    if rng.random() < 0.5:
        contexts.append(ED25519_2020)
    return {
        "@context": contexts,
        "id": f"urn:uuid:00000000-0000-4000-8000-{seed:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": f"https://p{seed}.example/issuer", "type": "Profile", "name": f"Provider {seed}"},
        "issuanceDate": "2022-01-01T00:00:00Z",
        **({"expirationDate": "2030-01-01T00:00:00Z"} if rng.random() < 0.5 else {}),
        "name": f"Badge {seed}",
        "credentialSubject": {
            "id": f"did:example:{seed}",
            "type": "AchievementSubject",
            "achievement": {
                "id": f"https://p{seed}.example/a/{seed}",
                "type": "Achievement",
                "name": "Teamwork",
                "description": "Works in a team" + "!" * (seed % 3),
                "criteria": {"narrative": "Do it"},
                **(
                    {"alignment": [{"type": "Alignment", "targetName": "x", "targetUrl": "https://t.example"}]}
                    if rng.random() < 0.5
                    else {}
                ),
            },
        },
    }


def _handwritten() -> list[dict[str, Any]]:
    """Documents for the context features OB credentials never touch."""
    thing = {"@id": f"{EX}Thing", "@context": {"@vocab": f"{EX}scoped/"}}
    return [
        # Inline contexts, before and after bundled ones, same content in new objects.
        {
            "@context": [VC_V2_CONTEXT, {"colour": f"{EX}colour"}],
            "type": ["VerifiableCredential"],
            "issuer": "https://i.example",
            "credentialSubject": {"id": "did:x:1", "colour": "red"},
        },
        {
            "@context": [{"colour": f"{EX}colour", "size": {"@id": f"{EX}size", "@type": "@id"}}, VC_V2_CONTEXT],
            "type": ["VerifiableCredential"],
            "issuer": "https://i.example",
            "credentialSubject": {"id": "did:x:1", "colour": "red", "size": "https://s.example/xl"},
        },
        {"@context": {"colour": f"{EX}colour", "@vocab": EX}, "@id": "urn:x", "colour": 1, "other": True},
        # The same terms in the other key order (the memo keeps them apart).
        {"@context": {"@vocab": EX, "colour": f"{EX}colour"}, "@id": "urn:x", "colour": 1, "other": True},
        # A type-scoped context setting @vocab; nested nodes revert to the outer context.
        {
            "@context": {"@vocab": f"{EX}outer/", "Thing": thing},
            "@id": "urn:t",
            "@type": "Thing",
            "a": "1",
            "child": {"b": "2", "@type": "Other"},
            "ref": {"@id": "urn:r"},
        },
        {
            "@context": {"Thing": thing, "p": f"{EX}p"},
            "@id": "urn:t",
            "@type": ["Thing"],
            "free": "scoped term",
            "p": {"@value": "v"},
        },
        # A property-scoped context, and one that propagates into nested nodes.
        {
            "@context": {"@vocab": EX, "wrap": {"@id": f"{EX}wrap", "@context": {"@vocab": f"{EX}inner/"}}},
            "wrap": {"x": "1", "deeper": {"y": "2"}},
            "z": "3",
        },
        {
            "@context": {"@vocab": EX, "T": {"@id": f"{EX}T", "@context": {"@propagate": True, "q": f"{EX}q2"}}},
            "@type": "T",
            "q": "a",
            "n": {"q": "b"},
        },
        # One URL context both type-scoped (not propagated into "child") and embedded
        # in a node (propagated), against the same active context.
        {
            "@context": {"@vocab": f"{EX}outer/", "T": {"@id": f"{EX}T", "@context": EXAMPLES}},
            "a": {"@type": "T", "child": {"x": "1"}},
            "b": {"@context": EXAMPLES, "child": {"x": "1"}},
        },
        # One URL context property-scoped (may override protected terms) and embedded in a
        # node (may not), against the same active context: the second must fail.
        {
            "@context": [VC_V2_CONTEXT, {"P": {"@id": f"{EX}P", "@context": VC_V1_CONTEXT}, "Q": f"{EX}Q"}],
            "type": ["VerifiableCredential"],
            "P": {"type": "VerifiableCredential"},
            "Q": {"@context": VC_V1_CONTEXT, "type": "VerifiableCredential"},
        },
        # One string as an @id (document-relative) and as a type (a term).
        {"@context": {"foo": f"{EX}foo"}, "@id": "foo", "@type": "foo", "foo": "bar"},
        # null resets the context; nested @context objects on nodes.
        {"@context": [{"@vocab": EX}, None, {"k": f"{EX}k"}], "k": "v"},
        {"@context": {"@vocab": EX}, "a": {"@context": {"@vocab": f"{EX}nested/"}, "b": "c"}},
        # Value features: @json, @list, @language, @direction, @type: @vocab, @reverse, @graph.
        {
            "@context": {
                "@vocab": EX,
                "data": {"@id": f"{EX}data", "@type": "@json"},
                "seq": {"@id": f"{EX}seq", "@container": "@list"},
                "label": {"@id": f"{EX}label", "@language": "pt-BR"},
                "kind": {"@id": f"{EX}kind", "@type": "@vocab"},
                "parent": {"@reverse": f"{EX}child"},
            },
            "@id": "urn:j",
            "data": {"b": [1, 2.5, None], "a": "x"},
            "seq": ["a", 1, True],
            "label": "olá",
            "kind": "Big",
            "parent": {"@id": "urn:p"},
            "dir": {"@value": "שלום", "@language": "he", "@direction": "rtl"},
        },
        {"@context": {"@vocab": EX}, "@id": "urn:g", "@graph": [{"@id": "urn:a", "p": "1"}, {"@id": "urn:b", "p": 2}]},
        {"@context": {"@vocab": EX}, "@id": "_:g", "@graph": [{"@id": "urn:a", "p": {"@id": "_:n"}}]},
        # Numbers and blank nodes.
        {"@context": {"@vocab": EX}, "i": 2, "f": 2.5, "big": 1e21, "neg": -0.0, "b": [{"x": 1}, {"x": 1}]},
        # A VC 2.0 document with the examples context (which has its own @vocab).
        {
            "@context": [VC_V2_CONTEXT, EXAMPLES],
            "type": ["VerifiableCredential", "ExampleDegreeCredential"],
            "issuer": "did:example:issuer",
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:s", "degree": {"type": "ExampleBachelorDegree", "name": "BSc"}},
        },
        # A DID document and a controlled identifier document.
        {
            "@context": [DID_V1, MULTIKEY_V1],
            "id": "did:web:academy.example",
            "verificationMethod": [
                {
                    "id": "did:web:academy.example#key-1",
                    "type": "Multikey",
                    "controller": "did:web:academy.example",
                    "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                }
            ],
            "assertionMethod": ["did:web:academy.example#key-1"],
        },
        {
            "@context": [VC_V2_CONTEXT, CID_V1],
            "id": "https://academy.example/issuers/1",
            "assertionMethod": [
                {
                    "id": "https://academy.example/issuers/1#key-1",
                    "type": "Multikey",
                    "controller": "https://academy.example/issuers/1",
                    "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                }
            ],
        },
        # A data-integrity proof as its own document.
        {
            "@context": [DATA_INTEGRITY_V2_CONTEXT],
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2025-01-01T00:00:00Z",
            "verificationMethod": "did:key:z6Mk#z6Mk",
            "proofPurpose": "assertionMethod",
        },
        # The validator-only OB terms (retried with the validator copy).
        {
            "@context": [VC_V2_CONTEXT, OB_V3P0_CONTEXT],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": "https://issuer.example",
            "validFrom": "2025-01-01T00:00:00Z",
            "endorsementJwt": ["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"],
            "credentialSubject": {"id": "did:example:1", "type": ["AchievementSubject"]},
        },
    ]


def _failing() -> list[dict[str, Any]]:
    """Documents every path must reject, with the same error."""
    vc = {
        "@context": [VC_V2_CONTEXT, OB_V3P0_CONTEXT],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "https://issuer.example",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1", "type": ["AchievementSubject"]},
    }
    return [
        {**vc, "favouriteColour": "blue"},  # undefined term
        {**vc, "type": ["VerifiableCredential", "MadeUpCredential"]},  # undefined type
        {**vc, "credentialSubject": {"id": "did:example:1", "type": ["AchievementSubject"], "nick": "x"}},
        {**vc, "name": {"@value": "x", "@type": "MyDatatype"}},  # undefined datatype
        {**vc, "@foo": "bar"},  # malformed keyword key
        {**vc, "endorsementJwt": ["x"], "colour": "red"},  # validator retry still fails
        {**vc, "@context": [VC_V2_CONTEXT, "https://example.org/unknown-context"]},  # unknown context
        {**vc, "@context": [VC_V2_CONTEXT, {"name": f"{EX}name"}]},  # protected term redefinition
        {**vc, "@context": [VC_V2_CONTEXT, None]},  # nullifying protected terms
        {**vc, "@context": [VC_V2_CONTEXT, {"@import": EXAMPLES, "x": f"{EX}x"}]},
        {**vc, "@context": [VC_V2_CONTEXT, 42]},  # invalid local context
        {**vc, "@context": [{"a": "b:x", "b": "a:y"}, VC_V2_CONTEXT]},  # cyclic-ish prefixes, then undefined
        {**vc, "@context": [VC_V2_CONTEXT, {"bad": {"@id": 5}}]},  # invalid IRI mapping
        {**vc, "id": "http://a/><http://p><http://o>.<http://x"},  # IRI injection
        {"@context": {"@vocab": EX}, "@id": "urn:x", "nan": float("nan")},
        {"@context": [VC_V2_CONTEXT], "type": "DataIntegrityProof", "proofPurpose": "madeUpPurpose"},
        # Terms pyoxigraph refuses: a bad language tag, a lone surrogate, a bad datatype IRI.
        {"@context": {"@vocab": EX}, "@id": "urn:l", "p": {"@value": "x", "@language": "en US"}},
        {"@context": {"@vocab": EX}, "@id": "urn:s", "p": "lone \ud800 surrogate"},
        {"@context": {"@vocab": EX}, "@id": "urn:d", "p": {"@value": "x", "@type": "http://a b/"}},
    ]


def _generated() -> list[dict[str, Any]]:
    documents = [random_credential(seed, control_chars=seed % 2 == 1) for seed in range(200)]
    for seed in range(24):
        achievement = _family(seed)
        documents.extend(_learner_credential(achievement, seed, learner) for learner in range(22))
    return documents


def _corpus() -> list[dict[str, Any]]:
    documents = [document for _, document in _vector_documents()]
    documents += [full_credential(), teamwork_badge()]
    documents += [_vc11(seed) for seed in range(20)]
    documents += _handwritten() + _failing()
    return documents


_CORPUS = _corpus()
_GENERATED = _generated()
_EXPECTED = [_outcome(jsonld.canonicalize_plain, document) for document in _CORPUS]
_GENERATED_EXPECTED = [_outcome(jsonld.canonicalize_plain, document) for document in _GENERATED]


def test_the_corpus_covers_what_it_claims() -> None:
    assert len(_GENERATED) >= 500
    kinds = {kind for kind, _ in _EXPECTED}
    # Successes and each kind of failure are all present, so "equal" is not trivially equal.
    assert {"ok", "UndefinedTerm", "UnknownContext", "MalformedCredential"} <= kinds
    assert sum(kind == "ok" for kind, _ in _GENERATED_EXPECTED) > len(_GENERATED) * 0.9


# --- the pipeline -------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(_CORPUS)), ids=lambda index: json.dumps(_CORPUS[index])[:70])
def test_corpus_document_canonicalizes_as_plain_pyld(index: int) -> None:
    document = _CORPUS[index]
    pristine = copy.deepcopy(document)
    # Cold (first sight of its contexts) and warm (the memo hit) give the same answer.
    assert _outcome(jsonld.canonicalize, document) == _EXPECTED[index]
    assert _outcome(jsonld.canonicalize, document) == _EXPECTED[index]
    assert document == pristine, "canonicalize must not modify its input"


def test_generated_credentials_canonicalize_as_plain_pyld() -> None:
    for document, expected in zip(_GENERATED, _GENERATED_EXPECTED, strict=True):
        assert _outcome(jsonld.canonicalize, document) == expected


def test_expand_strict_is_plain_pyld_expansion() -> None:
    for document in [*_CORPUS, *_GENERATED[:100]]:
        try:
            expanded = jsonld.expand_strict(document)
        except Exception as exc:
            # expand_strict fails exactly where canonicalize does.
            assert _outcome(jsonld.canonicalize_plain, document) == (type(exc).__name__, str(exc))
            continue
        if "endorsementJwt" in json.dumps(document):
            continue  # expanded against the validator copy, checked by test_canon
        plain = pyld_jsonld.JsonLdProcessor().expand(
            jsonld._normalize_numbers(document), {"documentLoader": document_loader}
        )
        assert expanded == plain


def test_shuffled_orders_and_a_tiny_memo_give_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # The memo is process state: any earlier document must not change a later answer.
    pairs = list(zip([*_CORPUS, *_GENERATED[::3]], [*_EXPECTED, *_GENERATED_EXPECTED[::3]], strict=True))
    for seed, limit in ((1, pyld_accel.MEMO_LIMIT), (2, pyld_accel.MEMO_LIMIT), (3, 5)):
        monkeypatch.setattr(pyld_accel, "MEMO_LIMIT", limit)
        monkeypatch.setattr(pyld_accel, "IRI_MEMO_LIMIT", limit * 40)
        pyld_accel.clear()
        order = pairs * 2
        random.Random(seed).shuffle(order)
        for document, expected in order:
            assert _outcome(jsonld.canonicalize, document) == expected
            assert len(pyld_accel._memo) <= limit
            assert len(pyld_accel._iris) <= limit * 40


def test_two_threads_at_once_give_the_same_answers() -> None:
    pairs = list(zip([*_CORPUS, *_GENERATED[::4]], [*_EXPECTED, *_GENERATED_EXPECTED[::4]], strict=True))
    start = threading.Barrier(2)
    failures: list[str] = []

    def work(seed: int) -> None:
        order = pairs[:]
        random.Random(seed).shuffle(order)
        start.wait()
        for document, expected in order:
            got = _outcome(jsonld.canonicalize, document)
            if got != expected:
                failures.append(f"{json.dumps(document)[:120]}: {got[1][:200]} != {expected[1][:200]}")

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (10, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_fast_path_compiles_and_signs_the_same_with_the_memo_warm() -> None:
    fastpath.clear_cache()
    try:
        for document, expected in zip(_GENERATED[:60], _GENERATED_EXPECTED[:60], strict=True):
            assert _outcome(fastpath.canonicalize_fast, document) == expected
    finally:
        fastpath.clear_cache()


# --- pyld itself ----------------------------------------------------------------------


def _pyld_outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("ok", call())
    except pyld_jsonld.JsonLdError as exc:
        chain: list[tuple[str, Any, str]] = []
        seen: BaseException | None = exc
        while seen is not None:
            chain.append((type(seen).__name__, getattr(seen, "code", None), str(seen)))
            seen = seen.__cause__
        return ("error", chain)


def _raw(index: int, document: dict[str, Any]) -> dict[str, Any]:
    # Half as given (pyld's own number handling), half with the sentinel @vocab.
    return jsonld._with_sentinel(document) if index % 2 else document


@pytest.mark.parametrize("operation", ["to_rdf", "expand"])
def test_accelerated_processor_is_plain_pyld(operation: str) -> None:
    documents = [_raw(index, document) for index, document in enumerate([*_CORPUS, *_GENERATED[::5]])]
    expected = [
        _pyld_outcome(
            lambda d=d: getattr(pyld_jsonld.JsonLdProcessor(), operation)(d, {"documentLoader": document_loader})
        )
        for d in documents
    ]
    for rounds in range(2):
        order = list(range(len(documents)))
        random.Random(rounds).shuffle(order)
        for index in order:
            document = documents[index]
            pristine = copy.deepcopy(document)
            got = _pyld_outcome(
                lambda document=document: getattr(pyld_accel.AcceleratedProcessor(), operation)(
                    document, {"documentLoader": document_loader}
                )
            )
            assert got == expected[index], json.dumps(document)[:200]
            assert document == pristine


def test_undefined_terms_without_the_sentinel_expand_as_in_pyld() -> None:
    # No @vocab: pyld drops the undefined key "foo" (expanded with no base) but resolves
    # the type "foo" against the document base; the memo must keep the two apart.
    document = {"@context": {"x": f"{EX}x"}, "@type": "foo", "foo": "v", "x": "1"}
    for operation in ("expand", "to_rdf"):
        expected = getattr(pyld_jsonld.JsonLdProcessor(), operation)(document, {"documentLoader": document_loader})
        for _ in range(2):
            got = getattr(pyld_accel.AcceleratedProcessor(), operation)(document, {"documentLoader": document_loader})
            assert got == expected


def test_the_document_loader_is_part_of_the_memo_key() -> None:
    # Two loaders serving different contexts under one URL (untagged, so pyld's own
    # URL-keyed cache stays out of it): each must get its own context.
    url = "https://example.org/ctx"

    def loader_for(iri: str) -> Callable[..., dict[str, Any]]:
        def load(requested: str, options: Any = None) -> dict[str, Any]:
            assert requested == url
            return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"p": iri}}}

        return load

    document = {"@context": url, "@id": "urn:x", "p": "v"}
    for loader in (loader_for(f"{EX}a"), loader_for(f"{EX}b"), loader_for(f"{EX}a")):
        expected = pyld_jsonld.JsonLdProcessor().to_rdf(document, {"documentLoader": loader})
        assert pyld_accel.AcceleratedProcessor().to_rdf(document, {"documentLoader": loader}) == expected


def test_pyld_does_not_touch_an_owned_document() -> None:
    # OwnedDocument skips pyld's defensive copy; that is only sound if pyld never writes
    # into its input, which this checks on the whole corpus.
    for document in [*_CORPUS, *_GENERATED[::5]]:
        candidate = pyld_accel.OwnedDocument(jsonld._with_sentinel(jsonld._normalize_numbers(document)))
        before = copy.deepcopy(dict(candidate))
        _pyld_outcome(
            lambda c=candidate: pyld_accel.AcceleratedProcessor().to_rdf(c, {"documentLoader": document_loader})
        )
        assert dict(candidate) == before
    assert copy.deepcopy(candidate) is candidate


def test_new_shapes_of_known_contexts_reprocess_no_context() -> None:
    # What makes it fast: once a few OB credentials have been seen, a credential of a
    # new shape (same contexts and classes) finds every context, the type-scoped ones
    # included, in the memo, and pyld processes none.
    for document in _GENERATED[:100]:
        jsonld.canonicalize(document)
    assert len(pyld_accel._memo) > 5
    calls: list[Any] = []
    original = pyld_jsonld.JsonLdProcessor._process_context

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return original(self, *args, **kwargs)

    without_processing = 0
    pyld_jsonld.JsonLdProcessor._process_context = counting
    try:
        for document, expected in zip(_GENERATED[100:200], _GENERATED_EXPECTED[100:200], strict=True):
            calls.clear()
            assert _outcome(jsonld.canonicalize, document) == expected
            without_processing += not calls
    finally:
        pyld_jsonld.JsonLdProcessor._process_context = original
    assert without_processing >= 90


def test_memo_keys_only_plain_json_contexts() -> None:
    class Weird(dict[str, Any]):
        pass

    assert pyld_accel._local_key(Weird({"a": EX})) is None
    assert pyld_accel._local_key([Weird({"a": EX})]) is None
    assert pyld_accel._local_key({1: EX}) is None  # json.dumps would say {"1": ...}
    assert pyld_accel._local_key([{"a": float("inf")}]) is None
    assert pyld_accel._local_key({"a": 1}) != pyld_accel._local_key({"a": 1.0})
    assert pyld_accel._local_key({"a": 1}) != pyld_accel._local_key({"a": True})
    assert pyld_accel._local_key({"a": EX, "b": EX}) != pyld_accel._local_key({"b": EX, "a": EX})


# --- _graph_to_rdf ----------------------------------------------------------------------


def test_graph_to_rdf_copies_the_pinned_pyld_method() -> None:
    # AcceleratedProcessor._graph_to_rdf is pyld 3.3's method with memoised IRI tests:
    # a pyld upgrade that changes the original must be looked at before it is trusted.
    source = inspect.getsource(pyld_jsonld.JsonLdProcessor._graph_to_rdf)
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "50ae77f2b1ab23ba816fada79f1a76adeb75167efe7a620583a1e7bff1d9fed6"
    ), "pyld changed _graph_to_rdf: re-check pyld_accel.AcceleratedProcessor._graph_to_rdf"


_EDGE_GRAPHS = [
    # relative subject, predicate and object IRIs are dropped, absolute ones kept
    {"@context": {"@base": None, "@vocab": EX}, "@id": "relative/s", "p": "v", "@type": "T"},
    {
        "@context": {"@base": None, "@vocab": "rel/"},
        "@id": "urn:s",
        "p": "v",
        f"{EX}q": {"@id": "rel/o"},
        f"{EX}r": "kept",
    },
    # blank node predicates: dropped unless generalized RDF is asked for
    {"@context": {"b": {"@id": "_:bp"}}, "@id": "urn:s", "b": "v", f"{EX}q": [1, 2.5, True, {"@id": "x/y"}]},
    # pyld's regex accepts a trailing newline as part of an absolute IRI
    {"@id": "urn:s\n", f"{EX}p\n": {"@id": "urn:o\n"}, f"{EX}q": "v"},
    # named graphs, lists, value objects, nested blank nodes
    {
        "@context": {"@vocab": EX},
        "@id": "urn:g",
        "@graph": [
            {"@id": "_:a", "l": {"@list": ["x", {"@id": "urn:y"}, []]}, "n": {"m": {"@value": "z", "@language": "en"}}},
            {"@id": "urn:h", "@type": ["A", "_:t"], "j": {"@value": {"k": [1]}, "@type": "@json"}},
        ],
    },
    # an empty property array, a relative @type, a graph with a relative name
    {"@context": {"@vocab": EX}, "@id": "urn:s", "p": [], "@type": "rel/T", "g": {"@id": "g/1", "@graph": {"q": 1}}},
]


@pytest.mark.parametrize("generalized", [False, True])
@pytest.mark.parametrize("document", _EDGE_GRAPHS, ids=lambda document: json.dumps(document)[:40])
def test_to_rdf_edge_cases_are_plain_pyld(document: dict[str, Any], generalized: bool) -> None:
    options = {"documentLoader": document_loader, "produceGeneralizedRdf": generalized}
    expected = _pyld_outcome(lambda: pyld_jsonld.JsonLdProcessor().to_rdf(copy.deepcopy(document), dict(options)))
    for _ in range(2):  # cold, then with the memo warm
        got = _pyld_outcome(lambda: pyld_accel.AcceleratedProcessor().to_rdf(copy.deepcopy(document), dict(options)))
        assert got == expected
    assert expected[0] == "ok"
