"""JSON-LD strict expansion and RDFC-1.0 canonicalization (offline).

Pipeline: pyld ``to_rdf`` (offline loader) -> pyoxigraph quads built directly from
pyld's dataset dict -> ``Dataset.canonicalize(RDFC_1_0)`` -> pyoxigraph's N-Quads
serialization, lines sorted, each ending in ``\\n``.

Why not pyld's own ``normalize``: pyld 3.3 writes control characters other than
``\\t \\n \\r`` raw (form feed, backspace, U+0000-U+001F, U+007F), where RDFC-1.0
requires ``\\f``, ``\\b`` and ``\\u00XX`` escapes, so a credential with such a
literal would hash differently from other verifiers. pyoxigraph follows RDFC-1.0.
Building the quads directly avoids an N-Quads print/parse round trip (and its
escaping) between the two libraries.

Measured (Python 3.11.7, pyld 3.3.0, pyoxigraph 0.5.13, warm caches, best of 5x200
runs, one core) on the 3.3 KB OB 3.0 credential of ``tests/vc/conftest.full_credential``:

* this pipeline (to_rdf + strict-term check + pyoxigraph):  4.8 ms
* pyld ``normalize(algorithm="URDNA2015")``:                 4.3 ms

About 4.0 ms of either is pyld's expansion/to_rdf; building the pyoxigraph quads
costs ~0.45 ms and RDFC-1.0 in pyoxigraph ~0.15 ms. We accept ~10 % more time for
RDFC-correct escaping, IRI validation and the undefined-term check. Both outputs are
byte-identical on the official vectors (vc-di-eddsa rdfc, the OB 3.0 vector) and on
30 random OB credentials without control characters, which the tests check.
An eddsa-rdfc-2022 sign (two canonicalizations + Ed25519) runs ~170/s, verify ~165/s.

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
from .loader import (
    OB_V3P0_CONTEXT,
    OB_V3P0_VALIDATOR_ALIAS,
    OB_VALIDATOR_ONLY_TERMS,
    DocumentLoader,
    document_loader,
    ob_validator_document_loader,
)

_SENTINEL = "urn:microcred:undefined-term:"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
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


def _raise_undefined(candidate: dict[str, Any], loader: DocumentLoader) -> None:
    expanded = pyld_jsonld.expand(candidate, {"documentLoader": loader})
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


def _dataset_dict(document: dict[str, Any], loader: DocumentLoader) -> dict[str, Any]:
    """pyld's RDF dataset for ``document``, raising if any term is undefined."""
    if not isinstance(document, dict):
        raise MalformedCredential("a JSON-LD document must be a JSON object")
    candidate = _with_sentinel(_normalize_numbers(document))
    processor = pyld_jsonld.JsonLdProcessor(on_property_dropped=_on_dropped)
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
                _raise_undefined(candidate, loader)
    return dataset


def _alias_ob_context(document: dict[str, Any]) -> dict[str, Any]:
    # @context URLs produce no triples, so naming the copy by its alias changes nothing
    # in the RDF but keeps it apart from the spec copy in pyld's URL-keyed cache.
    contexts = [OB_V3P0_VALIDATOR_ALIAS if item == OB_V3P0_CONTEXT else item for item in _context_list(document)]
    return {**document, "@context": contexts}


def _checked_dataset(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The RDF dataset of ``document`` and the (possibly context-aliased) document used."""
    try:
        return _dataset_dict(document, document_loader), document
    except UndefinedTerm as exc:
        # Retry with the 1EdTech validator copy of OB 3.0.3 only when the sole
        # undefined terms are the two it adds (see loader.py).
        terms = set(exc.data.get("terms", []))
        if terms and terms <= OB_VALIDATOR_ONLY_TERMS and OB_V3P0_CONTEXT in _context_list(document):
            aliased = _alias_ob_context(document)
            return _dataset_dict(aliased, ob_validator_document_loader), aliased
        raise


def expand_strict(document: dict[str, Any]) -> list[Any]:
    """Expand ``document``; raise ``UndefinedTerm`` naming any term that does not expand."""
    _, used = _checked_dataset(document)
    loader = document_loader if used is document else ob_validator_document_loader
    try:
        expanded: list[Any] = pyld_jsonld.expand(_normalize_numbers(used), {"documentLoader": loader})
    except pyld_jsonld.JsonLdError as exc:  # pragma: no cover - to_rdf above expanded it
        raise MalformedCredential(f"JSON-LD expansion failed: {exc}") from exc
    return expanded


class _TermBuilder:
    """Builds pyoxigraph terms from pyld's dataset dict, one node object per IRI/label."""

    def __init__(self) -> None:
        self._iris: dict[str, ox.NamedNode] = {}
        self._blanks: dict[str, ox.BlankNode] = {}

    def iri(self, value: str) -> ox.NamedNode:
        node = self._iris.get(value)
        if node is None:
            node = self._iris[value] = ox.NamedNode(value)
        return node

    def blank(self, label: str) -> ox.BlankNode:
        node = self._blanks.get(label)
        if node is None:
            node = self._blanks[label] = ox.BlankNode(label[2:])
        return node

    def term(self, node: dict[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        kind = node["type"]
        value: str = node["value"]
        if kind == "IRI":
            return self.iri(value)
        if kind == "blank node":
            return self.blank(value)
        language = node.get("language")
        if language:
            return ox.Literal(value, language=language)
        datatype = node.get("datatype")
        if datatype and datatype != _RDF_LANGSTRING:
            return ox.Literal(value, datatype=self.iri(datatype))
        return ox.Literal(value)

    def graph(self, name: str) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
        if name == "@default":
            return ox.DefaultGraph()
        return self.blank(name) if name.startswith("_:") else self.iri(name)


def _to_oxigraph(dataset: dict[str, Any]) -> ox.Dataset:
    # Quads are built directly rather than by parsing pyld's N-Quads text: it is slower
    # (~0.45 vs ~0.16 ms for an OB credential) but pyld writes IRIs unescaped and only
    # checks them for whitespace, so an IRI such as "http://a/><http://p><http://o>.<x"
    # would smuggle extra quads through a parse; here pyoxigraph validates every IRI.
    build = _TermBuilder()
    quads: list[ox.Quad] = []
    try:
        for graph_name, triples in dataset.items():
            graph = build.graph(graph_name)
            for triple in triples:
                subject = build.term(triple["subject"])
                predicate = build.term(triple["predicate"])
                if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                    raise MalformedCredential("generalized RDF is not allowed in credentials")
                quads.append(ox.Quad(subject, predicate, build.term(triple["object"]), graph))
    except ValueError as exc:
        # pyoxigraph rejects IRIs that are not valid RFC 3987 IRIs.
        raise MalformedCredential(f"invalid IRI or literal in document: {exc}") from exc
    return ox.Dataset(quads)


def canonicalize_dataset(dataset: ox.Dataset) -> str:
    """RDFC-1.0 canonical N-Quads of a pyoxigraph dataset (sorted, ``\\n``-terminated)."""
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    # Dataset.__str__ is pyoxigraph's N-Quads serialization (same escaping rules).
    text = str(dataset)
    lines = sorted(line + "\n" for line in text.split("\n") if line)
    return "".join(lines)


def canonicalize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, rejecting undefined terms."""
    dataset, _ = _checked_dataset(document)
    return canonicalize_dataset(_to_oxigraph(dataset))


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
