"""A fast RDFC-1.0 canonicalization that is byte-identical to ``jsonld.canonicalize``.

Most credentials an issuer signs, and most a verifier sees, share a handful of
*shapes*: the same JSON structure, keys, ``@context``, ``type`` values, numbers and
booleans, differing only in string values (names, ids, dates, hashes). JSON-LD
processing (pyld, ~4 ms of a 3 KB OB credential) depends on the shape and on how each
string is interpreted, not on the string's content, once we know that interpretation.

Compiling a shape (first sight): every string leaf is replaced by a unique sentinel
IRI and the *full* path (``jsonld._checked_dataset``: pyld ``to_rdf``, the strict
undefined-term check, the validator-context retry) runs on that copy. Each output
term that is exactly a sentinel becomes a slot: an IRI slot (the string went through
``@id``/``@type: @id``/``@type: @vocab`` IRI expansion) or a literal slot (with the
datatype/language the context gave it). Any other appearance of a sentinel (inside a
longer IRI, a ``@json`` literal, a datatype, a predicate) means the string changes
more than a term's text, and the shape is refused. Filling (every later document of
the shape): slots are filled with the leaf strings, the quads handed to pyoxigraph,
and the dataset canonicalized by the same ``jsonld.canonicalize_dataset``.

Why filling is the same as running pyld on the real document:

* Leaf strings in literal slots are copied verbatim by JSON-LD expansion and to-RDF
  whatever they contain; the datatype/language come from the (cached) context.
* In an IRI slot pyld's ``_expand_iri`` returns the string unchanged iff it is an
  absolute IRI (pyld's own ``_is_absolute_iri``), not a blank node id, not a term and
  whose prefix is not a term (unless the suffix starts with ``//``). We require that
  against every term defined anywhere in the bundled contexts (a superset of any
  active context) and fall back otherwise, so relative IRIs, compact IRIs, terms under
  ``@type: @vocab`` and ``_:`` labels all take the full path. pyoxigraph validates the
  IRI as the full path does.
* What changes expansion itself is part of the shape: keys, ``@context`` values,
  values of every keyword other than ``@id``/``@value`` and of their aliases (``type``
  -> type-scoped contexts), numbers and booleans (their lexical forms depend on the
  coercion), nulls, array lengths. Documents with inline (object) contexts, which could
  alias new keywords, are never compiled.
* Two slots filled with the same IRI merge into one node, as pyld's node map merges
  them: both produce the union of their triples, and an RDF dataset is a set.

Anything unexpected while filling (invalid IRI, lone surrogate, ...) falls back to the
full path, which then gives the authoritative result or error. The tests check the
equality on every official vector and on hundreds of generated credentials.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import pyoxigraph as ox
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld as pyld_jsonld  # type: ignore[import-untyped,unused-ignore]

from . import dataintegrity
from .jsonld import _checked_dataset, canonicalize, canonicalize_dataset
from .loader import bundled_urls, load_context

_KEYWORDS = frozenset(pyld_jsonld.KEYWORDS) | {"@prefix"}
# Keywords whose string values are data (validated slots); every other keyword's value is shape.
_LEAF_KEYWORDS = frozenset({"@id", "@value"})
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_MAX_INTEGER_FORM = 1e21  # as jsonld._normalize_numbers
_is_absolute_iri: Callable[[str], Any] = pyld_jsonld._is_absolute_iri

# Structural tokens of a shape; keys are str and values other than these are tuples.
_OPEN, _CLOSE, _LIST, _END, _LEAF, _NULL = range(6)

SHAPE_CACHE_SIZE = 512
RESULT_CACHE_SIZE = 256


class _Refused(Exception):
    """The fast path cannot prove equivalence for this document or shape."""


@dataclass(frozen=True)
class _Vocabulary:
    """What the bundled contexts define: every term name and every keyword alias."""

    terms: frozenset[str]
    shape_keys: frozenset[str]  # keys whose values are part of the shape


def _scan_contexts() -> _Vocabulary:
    terms: set[str] = set()
    aliases: dict[str, str] = {}
    vocab_coerced: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if not key.startswith("@"):
                    terms.add(key)
                    target = item.get("@id") if isinstance(item, dict) else item
                    if isinstance(target, str) and target in _KEYWORDS:
                        aliases[key] = target
                    if isinstance(item, dict) and item.get("@type") == "@vocab":
                        vocab_coerced.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for url in bundled_urls():
        walk(load_context(url))
    from .loader import OB_V3P0_CONTEXT, OB_VALIDATOR_VARIANT

    walk(load_context(OB_V3P0_CONTEXT, variant=OB_VALIDATOR_VARIANT))
    shape_keys = {key for key in _KEYWORDS if key not in _LEAF_KEYWORDS}
    shape_keys |= {alias for alias, keyword in aliases.items() if keyword not in _LEAF_KEYWORDS}
    # Values such as proofPurpose "assertionMethod" are terms expanded against @vocab:
    # a fixed vocabulary rather than data, so they are shape (a leaf there would refuse).
    shape_keys |= vocab_coerced
    return _Vocabulary(terms=frozenset(terms), shape_keys=frozenset(shape_keys))


_VOCABULARY = _scan_contexts()


def _is_shape_key(key: str, shape_keys: frozenset[str]) -> bool:
    # Keyword-like keys pyld does not know are shape too: a later pyld may give them meaning.
    return key in shape_keys or (key[:1] == "@" and key not in _LEAF_KEYWORDS)


def _freeze(value: Any) -> str:
    # Shape-valued subtrees (contexts, types) are compared as canonical JSON text.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _shape_of(document: Any) -> tuple[tuple[Any, ...], list[str]]:
    """The hashable shape of ``document`` and its string leaves in traversal order."""
    if not isinstance(document, dict):
        raise _Refused("not a JSON object")
    tokens: list[Any] = []
    leaves: list[str] = []
    shape_keys = _VOCABULARY.shape_keys
    append = tokens.append

    def walk(value: Any) -> None:
        kind = type(value)
        if kind is str:
            leaves.append(value)
            append(_LEAF)
        elif kind is dict:
            append(_OPEN)
            for key, item in value.items():
                if type(key) is not str:
                    raise _Refused("non-string key")
                append(key)
                if _is_shape_key(key, shape_keys):
                    if key == "@context" and not _only_urls(item):
                        raise _Refused("inline @context")
                    append(("j", _freeze(item)))
                else:
                    walk(item)
            append(_CLOSE)
        elif kind is list:
            append(_LIST)
            for item in value:
                walk(item)
            append(_END)
        elif value is None:
            append(_NULL)
        elif kind is bool:
            append(("b", value))
        elif kind is int:
            append(("i", value))
        elif kind is float:
            if value != value or value in (float("inf"), float("-inf")):
                raise _Refused("non-finite number")
            # The full path turns integral floats into integers before expansion.
            append(("i", int(value)) if value.is_integer() and abs(value) < _MAX_INTEGER_FORM else ("f", value))
        else:
            raise _Refused(f"not a JSON value: {kind.__name__}")

    walk(document)
    return tuple(tokens), leaves


def _only_urls(context: Any) -> bool:
    items = context if isinstance(context, list) else [context]
    return all(isinstance(item, str) for item in items)


def _with_leaves(document: Any, replacements: Iterator[str]) -> Any:
    """``document`` with its string leaves replaced in ``_shape_of``'s traversal order."""
    shape_keys = _VOCABULARY.shape_keys
    if isinstance(document, str):
        return next(replacements)
    if isinstance(document, dict):
        return {
            key: item if _is_shape_key(key, shape_keys) else _with_leaves(item, replacements)
            for key, item in document.items()
        }
    if isinstance(document, list):
        return [_with_leaves(item, replacements) for item in document]
    return document


def _is_plain_iri(value: str) -> bool:
    """True iff pyld's IRI expansion returns ``value`` unchanged in any active context."""
    terms = _VOCABULARY.terms
    if value in terms or not _is_absolute_iri(value):
        return False
    prefix, suffix = value.split(":", 1)
    return prefix != "_" and (prefix not in terms or suffix.startswith("//"))


# A slot occurrence: (leaf index, None for an IRI | (datatype node or None, language or None)).
_Slot = tuple[int, tuple[ox.NamedNode | None, str | None] | None]
_Spec = ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | int


_Variable = tuple[_Spec, ox.NamedNode, _Spec, "_Spec | None", tuple[int, ...]]


@dataclass(eq=False)  # hashed by identity: a key of the result cache
class _Template:
    fixed: list[ox.Quad]
    variable: list[_Variable]  # subject, predicate, object, graph (None: default), slots used
    slots: list[_Slot]
    quad_memo: list[tuple[tuple[str, ...], ox.Quad] | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.quad_memo = [None] * len(self.variable)


class _Compiler:
    def __init__(self, leaf_count: int) -> None:
        self.marker = f"urn:x-microcred-fastpath:{secrets.token_hex(8)}:"
        self.sentinels = {f"{self.marker}{index}": index for index in range(leaf_count)}
        self.iris: dict[str, ox.NamedNode] = {}
        self.blanks: dict[str, ox.BlankNode] = {}
        self.slots: dict[_Slot, int] = {}

    def _iri(self, value: str) -> ox.NamedNode:
        if value not in self.iris:
            self.iris[value] = ox.NamedNode(value)
        return self.iris[value]

    def _slot(self, slot: _Slot) -> int:
        return self.slots.setdefault(slot, len(self.slots))

    def term(self, node: dict[str, Any]) -> _Spec:
        kind, value = node["type"], node["value"]
        if kind == "blank node":
            if self.marker in value:
                raise _Refused("sentinel in a blank node label")
            if value not in self.blanks:
                self.blanks[value] = ox.BlankNode(value[2:])
            return self.blanks[value]
        if kind == "IRI":
            if value in self.sentinels:
                return self._slot((self.sentinels[value], None))
            if self.marker in value:
                raise _Refused("string leaf changed by IRI expansion")
            return self._iri(value)
        language = node.get("language") or None
        datatype = node.get("datatype") or None
        if self.marker in (language or "") or self.marker in (datatype or ""):
            raise _Refused("string leaf used as a datatype or language")
        datatype_node = None if language or datatype in (None, _RDF_LANGSTRING) else self._iri(datatype)
        if value in self.sentinels:
            return self._slot((self.sentinels[value], (datatype_node, language)))
        if self.marker in value:
            raise _Refused("string leaf changed on its way into a literal")
        return _literal(value, datatype_node, language)

    def graph(self, name: str) -> _Spec:
        if name == "@default":
            return ox.DefaultGraph()
        return self.term({"type": "blank node" if name.startswith("_:") else "IRI", "value": name})


def _literal(value: str, datatype: ox.NamedNode | None, language: str | None) -> ox.Literal:
    # Mirrors quads._TermBuilder.term: language wins, then a datatype, else xsd:string.
    if language:
        return ox.Literal(value, language=language)
    if datatype is not None:
        return ox.Literal(value, datatype=datatype)
    return ox.Literal(value)


def _compile(document: dict[str, Any], leaf_count: int) -> _Template:
    compiler = _Compiler(leaf_count)
    probe = _with_leaves(document, iter(compiler.sentinels))
    try:
        dataset, _ = _checked_dataset(probe)
    except Exception as exc:
        raise _Refused(f"full path fails on the shape: {exc}") from exc
    fixed: list[ox.Quad] = []
    variable: list[_Variable] = []
    for graph_name, triples in dataset.items():
        graph = compiler.graph(graph_name)
        graph_spec = None if isinstance(graph, ox.DefaultGraph) else graph
        for triple in triples:
            subject = compiler.term(triple["subject"])
            predicate = compiler.term(triple["predicate"])
            obj = compiler.term(triple["object"])
            if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                raise _Refused("generalized RDF")
            slot_ids = tuple(spec for spec in (subject, obj, graph) if isinstance(spec, int))
            if slot_ids:
                variable.append((subject, predicate, obj, graph_spec, slot_ids))
            else:
                fixed.append(ox.Quad(subject, predicate, obj, graph))  # type: ignore[arg-type]
    slots = [slot for slot, _ in sorted(compiler.slots.items(), key=lambda pair: pair[1])]
    if any(slots[spec][1] is not None for spec, *_ in variable if isinstance(spec, int)):
        raise _Refused("a literal in subject position")
    return _Template(fixed, variable, slots)


class _Cache:
    """Bounded LRU caches of compiled shapes and of recent canonical results."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.shapes: OrderedDict[tuple[Any, ...], _Template | None] = OrderedDict()
        self.results: OrderedDict[tuple[_Template, tuple[str, ...]], str] = OrderedDict()
        self.stats = FastPathStats()


@dataclass
class FastPathStats:
    """Counters since the last ``clear_cache()`` (for benchmarks and tests)."""

    compiled: int = 0  # shapes compiled into templates
    refused: int = 0  # documents the fast path declined (the full path ran)
    filled: int = 0  # documents canonicalized by filling a template
    memo_hits: int = 0  # documents whose canonical form was still in the result cache


_CACHE = _Cache()


def clear_cache(*, keep_shapes: bool = False) -> None:
    """Forget recent results (and, unless ``keep_shapes``, compiled shapes); reset the stats."""
    with _CACHE.lock:
        if not keep_shapes:
            _CACHE.shapes.clear()
        _CACHE.results.clear()
        _CACHE.stats = FastPathStats()


def stats() -> FastPathStats:
    with _CACHE.lock:
        return FastPathStats(**vars(_CACHE.stats))


def _template_for(shape: tuple[Any, ...], document: dict[str, Any], leaf_count: int) -> _Template | None:
    with _CACHE.lock:
        if shape in _CACHE.shapes:
            _CACHE.shapes.move_to_end(shape)
            return _CACHE.shapes[shape]
    try:
        template: _Template | None = _compile(document, leaf_count)
    except _Refused:
        template = None
    except Exception:
        template = None
    with _CACHE.lock:
        _CACHE.stats.compiled += template is not None
        _CACHE.shapes[shape] = template
        while len(_CACHE.shapes) > SHAPE_CACHE_SIZE:
            _CACHE.shapes.popitem(last=False)
    return template


def _fill(template: _Template, leaves: list[str]) -> str:
    slots = template.slots
    values = [leaves[index] for index, _ in slots]
    terms: dict[int, ox.NamedNode | ox.Literal] = {}

    def term(slot: int) -> ox.NamedNode | ox.Literal:
        # Built (and an IRI validated) on first use; a memo hit below reuses a Quad
        # whose values were validated when it was built.
        built = terms.get(slot)
        if built is None:
            value, literal = values[slot], slots[slot][1]
            if literal is not None:
                built = terms[slot] = _literal(value, *literal)
            elif _is_plain_iri(value):
                built = terms[slot] = ox.NamedNode(value)
            else:
                raise _Refused("a string in an IRI position could expand differently")
        return built

    quads = list(template.fixed)
    memo = template.quad_memo
    for position, (subject, predicate, obj, graph, slot_ids) in enumerate(template.variable):
        # Within a cohort most variable quads repeat (same issuer, achievement, ...):
        # reuse the last Quad built at this position when its slot values match.
        key = tuple([values[slot] for slot in slot_ids])
        last = memo[position]
        if last is not None and last[0] == key:
            quads.append(last[1])
            continue
        s = term(subject) if type(subject) is int else subject
        o = term(obj) if type(obj) is int else obj
        if graph is None:
            quad = ox.Quad(s, predicate, o)  # type: ignore[arg-type]
        else:
            quad = ox.Quad(s, predicate, o, term(graph) if type(graph) is int else graph)  # type: ignore[arg-type]
        memo[position] = (key, quad)  # one tuple: atomic under concurrent fills
        quads.append(quad)
    return canonicalize_dataset(ox.Dataset(quads))


def try_canonicalize_fast(document: dict[str, Any]) -> str | None:
    """The canonical N-Quads of ``document`` from a compiled shape, or None to use the full path."""
    try:
        shape, leaves = _shape_of(document)
    except _Refused:
        return None
    template = _template_for(shape, document, len(leaves))
    if template is None:
        return None
    key = (template, tuple(leaves))
    with _CACHE.lock:
        cached = _CACHE.results.get(key)
        if cached is not None:
            _CACHE.results.move_to_end(key)
            _CACHE.stats.memo_hits += 1
            return cached
    try:
        canonical = _fill(template, leaves)
    except Exception:
        return None
    with _CACHE.lock:
        _CACHE.stats.filled += 1
        _CACHE.results[key] = canonical
        while len(_CACHE.results) > RESULT_CACHE_SIZE:
            _CACHE.results.popitem(last=False)
    return canonical


def canonicalize_fast(document: dict[str, Any]) -> str:
    """Exactly ``jsonld.canonicalize(document)`` (same text, same errors), usually much faster."""
    canonical = try_canonicalize_fast(document)
    if canonical is None:
        with _CACHE.lock:
            _CACHE.stats.refused += 1
        return canonicalize(document)
    return canonical


def sign_fast(document: dict[str, Any], **options: Any) -> dict[str, Any]:
    """``dataintegrity.sign`` with the fast canonicalization (same proof, byte for byte)."""
    return dataintegrity.sign(document, canonicalizer=canonicalize_fast, **options)


def sign_many(
    documents: Iterable[dict[str, Any]],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    cryptosuite: str = dataintegrity.EDDSA_RDFC_2022,
) -> Iterator[dict[str, Any]]:
    """Sign a cohort's credentials; each result equals ``dataintegrity.sign`` of that document.

    The credentials share a shape and the proof configs are identical, so after the
    first credential each costs one template fill, one SHA-256 pair and one Ed25519
    signature.
    """
    sign = partial(
        dataintegrity.sign,
        private_key=private_key,
        verification_method=verification_method,
        created=created,
        cryptosuite=cryptosuite,
        canonicalizer=canonicalize_fast,
    )
    for document in documents:
        yield sign(document)


def verify_fast(document: dict[str, Any], **options: Any) -> tuple[dataintegrity.VerifiedProof, ...]:
    """``dataintegrity.verify`` with the fast canonicalization (same result or error)."""
    return dataintegrity.verify(document, canonicalizer=canonicalize_fast, **options)
