"""pyld's RDF dataset dict -> a pyoxigraph ``Dataset``, every term validated by pyoxigraph.

Quads are not taken from pyld's N-Quads text: pyld writes IRIs unescaped and only
checks them for whitespace, so an IRI such as "http://a/><http://p><http://o>.<x"
would smuggle extra quads through a parse, and it escapes literals differently from
RDFC-1.0 (see ``jsonld``). Every IRI, blank node label, literal and language tag is
built as a pyoxigraph term instead, which validates it.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .errors import MalformedCredential

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


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


def to_oxigraph(dataset: dict[str, Any]) -> ox.Dataset:
    """The dataset ``to_oxigraph_direct`` builds, in ~60 % of its time (0.30 vs 0.49 ms).

    Every term is still built as a pyoxigraph object, in the same order, so pyoxigraph
    validates each IRI, literal and language tag exactly as the direct path does and
    fails on the same term first. The quads then reach the dataset as pyoxigraph's own
    N-Quads text of those terms, parsed back: ``ox.Quad(...)`` costs ~1.5 us a quad in
    argument conversion (it tries each accepted term type in turn), more than the
    parse. Serializing a valid term and parsing it back gives the same term, blank node
    labels included; should the parser still refuse the text, the direct path decides.
    """
    text = _nquads_text(dataset)
    try:
        return ox.Dataset(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    except SyntaxError:  # pragma: no cover - a valid term always parses back
        return to_oxigraph_direct(dataset)


# pyoxigraph's N-Quads text of already validated IRIs and blank node labels. The
# predicates, types and datatypes of the contexts recur in every document; building and
# validating a NamedNode (~0.3 us) for each again is most of the text's cost. Only valid
# terms are remembered (an invalid one raises each time); cleared when full. Small: the terms
# that recur number in the hundreds, while each credential brings unique ones (its id, status
# entries) that never come back; at 65,536 a cohort's signing worker held ~18 MB of those.
TERM_TEXT_CACHE_SIZE = 4096
_iri_texts: dict[str, str] = {}
_blank_texts: dict[str, str] = {}


def iri_text(value: str) -> str:
    """``str(ox.NamedNode(value))``: raises ``ValueError`` unless pyoxigraph accepts the IRI."""
    text = _iri_texts.get(value)
    if text is None:
        text = str(ox.NamedNode(value))
        if len(_iri_texts) >= TERM_TEXT_CACHE_SIZE:
            _iri_texts.clear()
        _iri_texts[value] = text
    return text


def blank_text(label: str) -> str:
    """``str(ox.BlankNode(...))`` of a pyld blank node identifier (``_:b0``)."""
    text = _blank_texts.get(label)
    if text is None:
        text = str(ox.BlankNode(label[2:]))
        if len(_blank_texts) >= TERM_TEXT_CACHE_SIZE:
            _blank_texts.clear()
        _blank_texts[label] = text
    return text


_datatypes: dict[str, ox.NamedNode] = {}


def literal_text(value: str, datatype: str | None, language: str | None) -> str:
    """pyoxigraph's text of pyld's literal: language wins, then a datatype, else xsd:string."""
    if language:
        return str(ox.Literal(value, language=language))
    if datatype and datatype != _RDF_LANGSTRING:
        node = _datatypes.get(datatype)
        if node is None:
            node = ox.NamedNode(datatype)
            if len(_datatypes) >= TERM_TEXT_CACHE_SIZE:
                _datatypes.clear()
            _datatypes[datatype] = node
        return str(ox.Literal(value, datatype=node))
    return str(ox.Literal(value))


def parse_nquads(text: str) -> list[ox.Quad]:
    """The quads of N-Quads text built from pyoxigraph terms, one per line, in order."""
    return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def _nquads_text(dataset: dict[str, Any]) -> str:
    iri = iri_text
    blank = blank_text

    def literal(node: dict[str, Any]) -> str:
        return literal_text(node["value"], node.get("datatype"), node.get("language"))

    lines: list[str] = []
    append = lines.append
    try:
        for graph_name, triples in dataset.items():
            if graph_name == "@default":
                graph = " .\n"
            else:
                graph = f" {blank(graph_name) if graph_name.startswith('_:') else iri(graph_name)} .\n"
            for triple in triples:
                node = triple["subject"]
                kind = node["type"]
                generalized = kind != "IRI" and kind != "blank node"
                subject = (
                    iri(node["value"]) if kind == "IRI" else blank(node["value"]) if not generalized else literal(node)
                )
                node = triple["predicate"]
                kind = node["type"]
                if kind == "IRI":
                    predicate = iri(node["value"])
                else:
                    # Built only so that an invalid term fails as in the direct path.
                    blank(node["value"]) if kind == "blank node" else literal(node)
                    generalized = True
                if generalized:
                    raise MalformedCredential("generalized RDF is not allowed in credentials")
                node = triple["object"]
                kind = node["type"]
                obj = (
                    iri(node["value"])
                    if kind == "IRI"
                    else blank(node["value"])
                    if kind == "blank node"
                    else literal(node)
                )
                append(f"{subject} {predicate} {obj}{graph}")
    except ValueError as exc:
        # pyoxigraph rejects IRIs that are not valid RFC 3987 IRIs.
        raise MalformedCredential(f"invalid IRI or literal in document: {exc}") from exc
    return "".join(lines)


def to_oxigraph_direct(dataset: dict[str, Any]) -> ox.Dataset:
    """One ``ox.Quad`` per triple: the reference for ``to_oxigraph`` (and its fallback)."""
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
