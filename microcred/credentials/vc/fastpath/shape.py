"""Shapes: what of a document changes its JSON-LD interpretation (keys, contexts, types,
numbers) versus the string leaves that only fill slots."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pyld import jsonld as pyld_jsonld  # type: ignore[import-untyped,unused-ignore]

from ..loader import bundled_urls, load_context

_KEYWORDS = frozenset(pyld_jsonld.KEYWORDS) | {"@prefix"}
# Keywords whose string values are data (validated slots); every other keyword's value is shape.
_LEAF_KEYWORDS = frozenset({"@id", "@value"})
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_MAX_INTEGER_FORM = 1e21  # as jsonld._normalize_numbers
_is_absolute_iri: Callable[[str], Any] = pyld_jsonld._is_absolute_iri

# Structural tokens of a shape; keys are str and values other than these are tuples.
_OPEN, _CLOSE, _LIST, _END, _LEAF, _NULL = range(6)


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
    from ..loader import OB_V3P0_CONTEXT, OB_VALIDATOR_VARIANT

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


def _freeze(value: Any) -> tuple[str, Any]:
    # Shape-valued subtrees (contexts, types) compare as canonical JSON text; a string or
    # a list of strings (nearly all of them) as itself, under a tag of its own, which
    # is equal exactly when that JSON text would be and saves the json.dumps.
    kind = type(value)
    if kind is str:
        return ("s", value)
    if kind is list and all(type(item) is str for item in value):
        return ("l", tuple(value))
    return ("j", json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


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
                    append(_freeze(item))
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
