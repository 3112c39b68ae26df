"""A pyld ``JsonLdProcessor`` that memoises context processing across operations.

Used explicitly by ``jsonld`` (never patched into pyld): other pyld users in the
process keep plain pyld. Measured on the 3 KB bench OB credential, cold shape, one
core: ``jsonld.canonicalize`` 4.1 ms on plain pyld, 1.5 ms with this module
(``canonicalize_plain`` is the plain reference; tests compare the two byte for byte).

Why: pyld 3.3 caches a processed context per (resolved local context, active context
``_uuid``). Type-scoped contexts are processed with ``propagate=False``, for which pyld
first clones the active context and gives the clone a fresh ``_uuid``, so that cache
never hits: every node of a credential re-processes its class's scoped context
(``Achievement``, ``Alignment``, ... : ~14 per OB credential, ~46 % of the time of
canonicalizing one) and JCS-hashes it again to look it up (~13 %).

``AcceleratedProcessor._process_context`` memoises the processed result per (active
context *object*, local context, ``override_protected``, ``propagate``,
``validate_scoped``, base, processing mode, document loader), process-wide:

* Active contexts are keyed by identity, and only frozen ones (pyld freezes every
  context it finishes and its own caches share them across operations, so they are
  immutable by pyld's convention). The entry holds the active context, so its ``id``
  cannot be reused while the entry exists, and a hit checks ``is`` anyway. Identity
  acts as a content key because the memo returns the *same* result object for the
  same input: initial context -> document ``@context`` -> scoped contexts yields the
  same objects for every document that uses the same contexts. That includes
  ``previousContext``, part of the result, so reverting a type-scoped context behaves
  exactly as in pyld.
* A local context is keyed by its URL string, by ``null``/``false``, by identity when
  it is the ``@context`` of a term definition in a memoised context (the scoped
  contexts: pyld stores the very object of the context document, which it does not
  mutate once processed), and otherwise by its JSON text in key order (inline contexts
  of the document: the undefined-term sentinel, user contexts). Contexts that are not
  plain JSON (non-string keys, NaN, dict subclasses, ...) are not memoised.
* Processing is a pure function of the key. Errors are not memoised: a failing
  context goes to pyld again and fails the same way. Calls with ``cycles`` (pyld
  validating scoped contexts inside a context it is still building) and unfrozen
  active contexts go straight to pyld. pyld's ``SyntaxWarning``s about ``@``-terms are
  issued when a context is first processed only (pyld's own cache, and Python's default
  warning filter, already show them once).

``_expand_iri`` (325 calls per OB credential, each with a regex match) is memoised the
same way per (frozen active context, value, base, vocab) when no local context is
being defined: with those inputs it only reads the context.

``_graph_to_rdf`` is pyld's own, except that its regex ``_is_absolute_iri`` on the
subject and predicate (once per value: ~25 % of ``to_rdf``) is asked once per
subject/property through a memo of pyld's function; a test pins pyld's source of it.

The memos are bounded (``MEMO_LIMIT``/``IRI_MEMO_LIMIT`` entries, then cleared: the
bundled contexts need a few dozen contexts, so only documents with many distinct inline
contexts or IRIs ever clear them). Dict reads are atomic under the GIL, ``_memo``
writes take a lock, and every hit is verified by identity, so a concurrent clear costs
a miss, never a wrong answer.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from frozendict import frozendict
from pyld import jsonld as pyld_jsonld  # type: ignore[import-untyped,unused-ignore]

MEMO_LIMIT = 2048

_lock = threading.Lock()
# key -> (active context, local context object, processed context)
_memo: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
# id -> object, for the ``@context`` values of term definitions in memoised contexts.
_owned: dict[int, Any] = {}
IRI_MEMO_LIMIT = 50_000
# (active context id, value, base, vocab) -> (active context, expanded IRI)
_iris: dict[tuple[Any, ...], tuple[Any, Any]] = {}
# value -> bool(pyld's _is_absolute_iri(value)), for the subjects and predicates of to_rdf.
_absolute: dict[str, bool] = {}
_is_absolute_iri = pyld_jsonld._is_absolute_iri
_is_keyword = pyld_jsonld._is_keyword
_RDF_TYPE = pyld_jsonld.RDF_TYPE


def _absolute_iri(value: str) -> bool:
    known = _absolute.get(value)
    if known is None:
        known = bool(_is_absolute_iri(value))
        if len(_absolute) >= IRI_MEMO_LIMIT:
            _absolute.clear()
        _absolute[value] = known
    return known


def _plain_json(value: Any) -> bool:
    """True if ``json.dumps`` of ``value`` identifies it (only str keys, JSON types)."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return True
    if kind is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if kind is dict:
        return all(type(key) is str and _plain_json(item) for key, item in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return False


def _local_key(local_ctx: Any) -> tuple[str, Any] | None:
    """What identifies ``local_ctx`` in the memo; None if nothing cheap and exact does."""
    kind = type(local_ctx)
    if kind is str:
        return ("url", local_ctx)
    if local_ctx is None or local_ctx is False:
        return ("null", local_ctx)
    if _owned.get(id(local_ctx)) is local_ctx:
        return ("owned", id(local_ctx))
    if (kind is dict or kind is list) and _plain_json(local_ctx):
        # Key order kept: pyld defines terms in order, and which of two bad terms it
        # reports first depends on it (errors are not memoised, but be exact anyway).
        return ("json", json.dumps(local_ctx, separators=(",", ":"), ensure_ascii=False))
    return None


def _remember(key: tuple[Any, ...], active_ctx: Any, local_ctx: Any, result: Any) -> None:
    scoped = [
        definition["@context"]
        for definition in result["mappings"].values()
        if isinstance(definition, dict) and isinstance(definition.get("@context"), (dict, list))
    ]
    with _lock:
        if len(_memo) >= MEMO_LIMIT:
            _memo.clear()
            _owned.clear()
        _memo[key] = (active_ctx, local_ctx, result)
        for context in scoped:
            _owned[id(context)] = context


def _value_key(value: Any) -> Any:
    """What pyld's ``compare_values`` compares for two value objects, as a hashable key; None
    for anything else, or a value whose equality a set would judge differently (unhashable, NaN)."""
    if not isinstance(value, (dict, frozendict)) or "@value" not in value:
        return None
    literal = value["@value"]
    if literal != literal:  # NaN: pyld never finds it equal, a set would (by identity)
        return None
    key = (value.get("@type"), value.get("@language"), value.get("@index"), type(literal) is bool, literal)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _new_lock_after_fork() -> None:
    """A forked child (the verification sandbox) has only the forking thread: a lock another
    thread held at that moment would never be released there."""
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)


def clear() -> None:
    """Forget every memoised context (tests; a changed loader)."""
    with _lock:
        _memo.clear()
        _owned.clear()
        _iris.clear()
        _absolute.clear()


class OwnedDocument(dict[str, Any]):
    """A document built for one pyld call that nothing else holds: pyld may use it as is.

    ``JsonLdProcessor.expand`` deep-copies its input (~40 us for an OB credential, ~6 %
    of the accelerated time) to protect the caller's object. ``jsonld`` hands pyld a
    copy it has just made for that call (``_normalize_numbers`` rebuilds every dict and
    list) and never looks at again, so there is nothing to protect; ``copy.deepcopy``
    honours ``__deepcopy__``, so pyld's copy of it is the object itself.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> OwnedDocument:
        return self


class AcceleratedProcessor(pyld_jsonld.JsonLdProcessor):  # type: ignore[misc]
    """``JsonLdProcessor`` whose context processing is memoised (see the module doc)."""

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: set[str] | None = None,
    ) -> Any:
        local_key = None if cycles is not None or type(active_ctx) is not frozendict else _local_key(local_ctx)
        if local_key is None:
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (
            id(active_ctx),
            local_key,
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
            options.get("documentLoader"),
        )
        entry = _memo.get(key)
        if entry is not None and entry[0] is active_ctx and (local_key[0] != "owned" or entry[1] is local_ctx):
            return entry[2]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if type(result) is frozendict:
            _remember(key, active_ctx, local_ctx, result)
        return result

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: str | None = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        if (
            local_ctx is not None
            or type(value) is not str
            or type(active_ctx) is not frozendict
            or not (base is None or type(base) is str)
        ):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        key = (id(active_ctx), value, base, vocab)
        entry = _iris.get(key)
        if entry is not None and entry[0] is active_ctx:
            return entry[1]
        result = super()._expand_iri(active_ctx, value, base, vocab)
        if len(_iris) >= IRI_MEMO_LIMIT:
            _iris.clear()
        _iris[key] = (active_ctx, result)
        return result

    def _create_node_map(
        self,
        input_: Any,
        graph_map: dict[str, Any],
        active_graph: str,
        issuer: Any,
        active_subject: Any = None,
        active_property: Any = None,
        list_: Any = None,
    ) -> None:
        """pyld's, except that a value object added to a node's property is checked for a
        duplicate through an index instead of against every value already there.

        pyld's ``add_value(..., allowDuplicate=False)`` compares each new value with all the
        property's values (``has_value``), so an array of n values cost n²/2 comparisons:
        1,000 values 0.27 s, 16,000 values over a minute. The index key is exactly what
        ``compare_values`` compares for two value objects (``@type``, ``@language``,
        ``@index``, and ``@value`` by ``==`` with booleans apart), so the same values are
        kept in the same order. Everything else (lists, node references, reverse properties,
        unhashable or NaN values) goes to pyld unchanged; pyld recurses through
        ``self._create_node_map``, so every value of the document passes here.
        ``test_pyld_accel`` pins the source of pyld's method this shortcut mirrors.
        """
        key = _value_key(input_) if list_ is None and type(active_subject) is str else None
        if key is None:
            super()._create_node_map(input_, graph_map, active_graph, issuer, active_subject, active_property, list_)
            return
        subject_node = graph_map.setdefault(active_graph, {}).get(active_subject)
        values = subject_node.get(active_property) if subject_node else None
        if not subject_node or (values is not None and type(values) is not list):
            super()._create_node_map(input_, graph_map, active_graph, issuer, active_subject, active_property, list_)
            return
        type_ = input_.get("@type")
        if isinstance(type_, str) and type_.startswith("_:"):
            input_["@type"] = issuer.get_id(type_)
            key = _value_key(input_)
        seen = self._values_seen(subject_node, active_property)
        if key in seen:
            return
        seen.add(key)
        if values is None:
            subject_node[active_property] = [input_]
        else:
            values.append(input_)

    def _values_seen(self, node: dict[str, Any], property: str) -> set[Any]:
        """The index keys of the value objects ``node[property]`` holds, kept up to date by
        ``_create_node_map``; made from the list when first asked (it may hold references)."""
        index: dict[tuple[int, str], tuple[Any, set[Any]]] = self.__dict__.setdefault("_value_index", {})
        entry = index.get((id(node), property))
        if entry is not None and entry[0] is node:
            return entry[1]
        seen = {_value_key(item) for item in node.get(property, ())} - {None}
        index[(id(node), property)] = (node, seen)
        return seen

    def _graph_to_rdf(self, graph: dict[str, Any], issuer: Any, options: dict[str, Any]) -> list[dict[str, Any]]:
        """pyld 3.3's ``_graph_to_rdf`` with its absolute-IRI tests memoised and hoisted.

        pyld runs its regex ``_is_absolute_iri`` on the subject and the predicate once per
        *value* (~25 % of ``to_rdf`` on an OB credential); the answer depends only on
        the string, so it is asked once per subject/property, through a memo of pyld's
        own function (which keeps its quirks, e.g. a trailing newline is allowed). The
        rest is pyld's code: same order, same fresh dicts per triple.
        ``test_pyld_accel`` pins the source of pyld's method this copies.
        """
        triples: list[dict[str, Any]] = []
        for id_, node in sorted(graph.items()):
            subject_absolute = _absolute_iri(id_) if type(id_) is str else bool(_is_absolute_iri(id_))
            for property, items in sorted(node.items()):
                if property == "@type":
                    property = _RDF_TYPE
                elif _is_keyword(property):
                    continue
                # skip relative IRI subjects and predicates
                if not (subject_absolute and _absolute_iri(property)):
                    continue
                for item in items:
                    subject = {"type": "blank node" if id_.startswith("_:") else "IRI", "value": id_}
                    if property.startswith("_:"):
                        # skip bnode predicates unless producing generalized RDF
                        if not options["produceGeneralizedRdf"]:
                            continue
                        predicate = {"type": "blank node", "value": property}
                    else:
                        predicate = {"type": "IRI", "value": property}
                    # convert list, value or node object to triple
                    obj = self._object_to_rdf(item, issuer, triples, options)
                    # skip None objects (they are relative IRIs)
                    if obj is not None:
                        triples.append({"subject": subject, "predicate": predicate, "object": obj})
        return triples
