"""JSON-LD strict expansion and RDFC-1.0 canonicalization (offline).

Pipeline: pyld ``to_rdf`` (offline loader, ``pyld_accel``'s memoising processor) ->
pyoxigraph terms built from pyld's dataset dict (``quads``) -> ``Dataset.canonicalize
(RDFC_1_0)`` -> pyoxigraph's N-Quads serialization, lines sorted, each ending in ``\\n``.

Why not pyld's own ``normalize``: pyld 3.3 writes control characters other than
``\\t \\n \\r`` raw (form feed, backspace, U+0000-U+001F, U+007F), where RDFC-1.0
requires ``\\f``, ``\\b`` and ``\\u00XX`` escapes, so a credential with such a
literal would hash differently from other verifiers. pyoxigraph follows RDFC-1.0.
The terms are built in pyoxigraph rather than parsed from pyld's N-Quads, so pyld's
escaping never reaches the hash.

Measured (Python 3.11.7, pyld 3.3.0, pyoxigraph 0.5.13, one pinned core, best of
5x200 runs, the memo of ``pyld_accel`` warm with the bundled contexts as in any
long-running process) on the 3.3 KB OB 3.0 credential of
``tests/vc/conftest.full_credential``:

* this pipeline (``canonicalize``):                                 1.7 ms
* the same on plain pyld and ``ox.Quad`` objects (``canonicalize_plain``): 5.0 ms
* pyld ``normalize(algorithm="URDNA2015")``:                        4.2 ms

Of the 1.7 ms, ~1.26 ms is pyld's expansion/to_rdf with the strict-term check (3.9 ms
unaccelerated: ``pyld_accel`` memoises context processing, which pyld redoes for every
type-scoped context), ~0.30 ms handing the quads to pyoxigraph (0.49 ms building
``ox.Quad`` objects, see ``quads.to_oxigraph``) and ~0.12 ms RDFC-1.0 and serialization.
``canonicalize`` and ``canonicalize_plain`` are byte-identical, errors included, on
every official vector and ~1,000 generated credentials (tests/vc/test_pyld_accel.py);
both match pyld's ``normalize`` on the official vectors and on random OB credentials
without control characters (test_canon.py). On the bench credential an
eddsa-rdfc-2022 sign on the full path runs ~610-670/s (was ~180-200/s), a verify
~600-640/s (was ~170-200/s), a verify of a never-seen shape through the fast path
~570-610/s (was ~125-200/s; ~400-445/s while a first sight compiled its shape).
``AcceleratedProcessor._graph_to_rdf`` (memoised absolute-IRI tests) and the shared
term-text memo of ``quads`` took ~8 % off the full path.

Undefined terms: JSON-LD silently drops properties with no term definition and turns
undefined types into base-relative IRIs (pyld does so even with ``safe=True``), which
would leave them unsigned or signed differently by other libraries. We expand with a
sentinel ``@vocab`` placed *first* in ``@context`` (so a context that sets its own
``@vocab``, such as the VC examples context, still wins) and reject any sentinel IRI
in the output. When nothing is undefined the sentinel is never used, so the RDF is
the same as without it and the one pass serves both the check and the hashing.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from pyld import jsonld as pyld_jsonld  # type: ignore[import-untyped,unused-ignore]

from .errors import MalformedCredential, UndefinedTerm, UnknownContext
from .limits import check_document
from .loader import (
    OB_V3P0_CONTEXT,
    OB_V3P0_VALIDATOR_ALIAS,
    OB_VALIDATOR_ONLY_TERMS,
    DocumentLoader,
    FetchContext,
    document_loader,
    fetching_document_loader,
    ob_validator_document_loader,
    with_ob_validator_alias,
)
from .pyld_accel import AcceleratedProcessor, OwnedDocument
from .quads import to_oxigraph, to_oxigraph_direct

_SENTINEL = "urn:microcred:undefined-term:"
# JSON-LD 1.1 "object to RDF": a number without fractional part below 1e21 is an
# xsd:integer. JavaScript has no int/float split, but Python's json gives 2.0 as a
# float, which pyld would emit as "2.0E0"^^xsd:double, so other verifiers would
# compute a different hash for the same JSON text.
_MAX_INTEGER_FORM = 1e21


def _normalize_numbers(value: Any) -> Any:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _MAX_INTEGER_FORM:
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: _normalize_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalize_numbers(item) for item in value]
    return value


def _context_list(document: dict[str, Any]) -> list[Any]:
    context = document.get("@context")
    if context is None:
        return []
    return list(context) if isinstance(context, list) else [context]


def _with_sentinel(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "@context": [{"@vocab": _SENTINEL}, *_context_list(document)]}


def _unknown_context_in(exc: BaseException) -> UnknownContext | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, UnknownContext):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _short(iri: str) -> str:
    for separator in ("#", "/", ":"):
        if separator in iri:
            return iri.rsplit(separator, 1)[1] or iri
    return iri


def _undefined_paths(node: Any, path: str, found: list[tuple[str, str]]) -> None:
    """Collect (term, path) for every sentinel IRI in an expanded document."""
    if isinstance(node, list):
        # Expansion wraps every value in an array; show an index only where it tells.
        for index, item in enumerate(node):
            _undefined_paths(item, path if len(node) == 1 else f"{path}[{index}]", found)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.startswith(_SENTINEL):
            term = key[len(_SENTINEL) :]
            found.append((term, f"{path}/{term}".lstrip("/")))
        label = key.lstrip("@") if key in ("@type", "@id") else key if key.startswith("@") else _short(key)
        if key in ("@type", "@id"):
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, str) and item.startswith(_SENTINEL):
                    term = item[len(_SENTINEL) :]
                    found.append((term, f"{path}/{label}={term}".lstrip("/")))
            continue
        if key.startswith(_SENTINEL):
            label = key[len(_SENTINEL) :]
        _undefined_paths(value, f"{path}/{label}", found)


def _raise_undefined(candidate: dict[str, Any], loader: DocumentLoader, processor: type[Any]) -> None:
    expanded = processor().expand(candidate, {"documentLoader": loader})
    found: list[tuple[str, str]] = []
    _undefined_paths(expanded, "", found)
    terms = sorted({term for term, _ in found})
    paths = sorted({path for _, path in found})
    raise UndefinedTerm(
        f"term(s) not defined by the document's contexts: {', '.join(paths)}",
        terms=terms,
        paths=paths,
    )


def _on_dropped(expanded_property: str | None) -> None:
    # With the sentinel @vocab only malformed keys (e.g. "@foo") can still be dropped.
    raise UndefinedTerm(
        f"property {expanded_property!r} is dropped by JSON-LD expansion",
        terms=[str(expanded_property)],
        paths=[],
    )


def _dataset_dict(document: dict[str, Any], loader: DocumentLoader, *, plain: bool = False) -> dict[str, Any]:
    """pyld's RDF dataset for ``document``, raising if any term is undefined.

    ``plain`` uses pyld's own ``JsonLdProcessor`` (and lets it copy its input), without
    ``pyld_accel``: the reference the accelerated path is proven against.
    """
    if not isinstance(document, dict):
        raise MalformedCredential("a JSON-LD document must be a JSON object")
    # Before any recursion (here and in pyld) and before pyld's quadratic node map.
    check_document(document, what="the JSON-LD document")
    processor_class: type[Any] = pyld_jsonld.JsonLdProcessor if plain else AcceleratedProcessor
    candidate = _with_sentinel(_normalize_numbers(document))
    if not plain:
        # A fresh copy for this one call: pyld need not copy it again (see OwnedDocument).
        candidate = OwnedDocument(candidate)
    processor = processor_class(on_property_dropped=_on_dropped)
    try:
        dataset: dict[str, Any] = processor.to_rdf(candidate, {"documentLoader": loader})
    except UndefinedTerm:
        raise
    except pyld_jsonld.JsonLdError as exc:
        unknown = _unknown_context_in(exc)
        if unknown is not None:
            raise unknown from exc
        raise MalformedCredential(f"JSON-LD processing failed: {exc}") from exc
    for quads in dataset.values():
        for quad in quads:
            obj = quad["object"]
            # Sentinel IRIs show up as predicates, as rdf:type/@vocab objects, or as a
            # literal's datatype when a value object names an undefined @type.
            if (
                quad["predicate"]["value"].startswith(_SENTINEL)
                or (obj["type"] == "IRI" and obj["value"].startswith(_SENTINEL))
                or str(obj.get("datatype", "")).startswith(_SENTINEL)
            ):
                _raise_undefined(_with_sentinel(_normalize_numbers(document)), loader, processor_class)
    return dataset


def _alias_ob_context(document: dict[str, Any]) -> dict[str, Any]:
    # @context URLs produce no triples, so naming the copy by its alias changes nothing
    # in the RDF but keeps it apart from the spec copy in pyld's URL-keyed cache.
    contexts = [OB_V3P0_VALIDATOR_ALIAS if item == OB_V3P0_CONTEXT else item for item in _context_list(document)]
    return {**document, "@context": contexts}


def _checked_dataset(
    document: dict[str, Any], *, plain: bool = False, fetch_context: FetchContext | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The RDF dataset of ``document`` and the (possibly context-aliased) document used.

    Offline first: ``fetch_context`` is only consulted when the bundled contexts do not
    suffice, so a document that names bundled contexts only is processed exactly as without it.
    """
    try:
        return _dataset_for(document, plain=plain, loader=None)
    except UnknownContext:
        if fetch_context is None:
            raise
    # A loader of its own per operation: run it on plain pyld so that ``pyld_accel``'s
    # process-wide memo (keyed by loader and URL) never keeps a fetched context.
    return _dataset_for(document, plain=True, loader=fetching_document_loader(fetch_context))


def _dataset_for(
    document: dict[str, Any], *, plain: bool, loader: DocumentLoader | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        return _dataset_dict(document, loader or document_loader, plain=plain), document
    except UndefinedTerm as exc:
        # Retry with the 1EdTech validator copy of OB 3.0.3 only when the sole
        # undefined terms are the two it adds (see loader.py).
        terms = set(exc.data.get("terms", []))
        if terms and terms <= OB_VALIDATOR_ONLY_TERMS and OB_V3P0_CONTEXT in _context_list(document):
            aliased = _alias_ob_context(document)
            validator_loader = ob_validator_document_loader if loader is None else with_ob_validator_alias(loader)
            return _dataset_dict(aliased, validator_loader, plain=plain), aliased
        raise


def expand_strict(document: dict[str, Any], *, fetch_context: FetchContext | None = None) -> list[Any]:
    """Expand ``document``; raise ``UndefinedTerm`` naming any term that does not expand.

    ``fetch_context`` (see ``loader.fetching_document_loader``) is asked only for contexts
    that are not bundled; without it such a context raises ``UnknownContext``.
    """
    try:
        _, used = _checked_dataset(document)
    except UnknownContext:
        if fetch_context is None:
            raise
        loader = fetching_document_loader(fetch_context)
        _, used = _dataset_for(document, plain=True, loader=loader)
        if used is not document:
            loader = with_ob_validator_alias(loader)
        return _expand(_normalize_numbers(used), loader, pyld_jsonld.JsonLdProcessor())
    loader = document_loader if used is document else ob_validator_document_loader
    return _expand(OwnedDocument(_normalize_numbers(used)), loader, AcceleratedProcessor())


def _expand(document: dict[str, Any], loader: DocumentLoader, processor: Any) -> list[Any]:
    try:
        expanded: list[Any] = processor.expand(document, {"documentLoader": loader})
    except pyld_jsonld.JsonLdError as exc:  # pragma: no cover - to_rdf above expanded it
        raise MalformedCredential(f"JSON-LD expansion failed: {exc}") from exc
    return expanded


def canonicalize_dataset(dataset: ox.Dataset) -> str:
    """RDFC-1.0 canonical N-Quads of a pyoxigraph dataset (sorted, ``\\n``-terminated)."""
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    # Dataset.__str__ is pyoxigraph's N-Quads serialization (same escaping rules).
    text = str(dataset)
    lines = sorted(line + "\n" for line in text.split("\n") if line)
    return "".join(lines)


def canonicalize(document: dict[str, Any], *, fetch_context: FetchContext | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, rejecting undefined terms.

    Contexts come from the bundle; only when one is missing, and only if the caller passes
    ``fetch_context``, is it asked for that context (see ``loader.fetching_document_loader``).
    """
    dataset, _ = _checked_dataset(document, fetch_context=fetch_context)
    return canonicalize_dataset(to_oxigraph(dataset))


def canonicalize_plain(document: dict[str, Any]) -> str:
    """``canonicalize`` on plain pyld and the direct quad builder: same text, same errors.

    Slower (no ``pyld_accel``, no N-Quads hand-over); kept as the reference that the
    tests compare ``canonicalize`` against byte for byte, and for the benchmark.
    """
    dataset, _ = _checked_dataset(document, plain=True)
    return canonicalize_dataset(to_oxigraph_direct(dataset))


def pyld_normalize(document: dict[str, Any]) -> str:
    """pyld's own URDNA2015 output; kept only to compare against and benchmark."""
    result: str = pyld_jsonld.normalize(
        _normalize_numbers(document),
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )
    return result
