"""A fast RDFC-1.0 canonicalization that is byte-identical to ``jsonld.canonicalize``.

Most credentials an issuer signs, and most a verifier sees, share a handful of
*shapes*: the same JSON structure, keys, ``@context``, ``type`` values, numbers and
booleans, differing only in string values (names, ids, dates, hashes). JSON-LD
processing (pyld, ~4 ms of a 3 KB OB credential) depends on the shape and on how each
string is interpreted, not on the string's content, once we know that interpretation.

Compiling a shape (on its second sight: a first sight only runs the full path, see
``_template_for``): every string leaf is replaced by a unique sentinel
IRI and the *full* path (``jsonld._checked_dataset``: pyld ``to_rdf``, the strict
undefined-term check, the validator-context retry) runs on that copy. Each output
term that is exactly a sentinel becomes a slot: an IRI slot (the string went through
``@id``/``@type: @id``/``@type: @vocab`` IRI expansion) or a literal slot (with the
datatype/language the context gave it). Any other appearance of a sentinel (inside a
longer IRI, a ``@json`` literal, a datatype, a predicate) means the string changes
more than a term's text, and the shape is refused. The template is pyoxigraph's N-Quads
text of the output with a ``str.format`` field per slot. Filling (every later document
of the shape): each slot value is checked (an IRI slot as below) and turned into its
term's text by pyoxigraph itself (``ox.NamedNode``/``ox.Literal``, which validate and
escape it), the lines formatted (a value is inserted verbatim, never read as a format),
parsed back by pyoxigraph as the full path's ``quads.to_oxigraph`` does,
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

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import dataintegrity
from ..jsonld import canonicalize
from .shape import _Refused, _shape_of
from .template import _compile, _fill, _Template

SHAPE_CACHE_SIZE = 512
RESULT_CACHE_SIZE = 256


class _Cache:
    """Bounded LRU caches of compiled shapes and of recent canonical results."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.shapes: OrderedDict[tuple[Any, ...], object] = OrderedDict()  # _Template | None | _SEEN_ONCE
        self.results: OrderedDict[tuple[_Template, tuple[str, ...]], str] = OrderedDict()
        self.stats = FastPathStats()


@dataclass
class FastPathStats:
    """Counters since the last ``clear_cache()`` (for benchmarks and tests)."""

    compiled: int = 0  # shapes compiled into templates
    refused: int = 0  # documents the fast path declined (the full path ran), first sights included
    first_sights: int = 0  # documents of a shape not seen before (full path; compiled if seen again)
    filled: int = 0  # documents canonicalized by filling a template
    memo_hits: int = 0  # documents whose canonical form was still in the result cache


_CACHE = _Cache()


def _new_lock_after_fork() -> None:
    """A forked child (the verification sandbox) has only the forking thread: a lock another
    thread held at that moment would never be released there."""
    _CACHE.lock = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)


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


# The shape cache's mark for a shape seen once and not compiled (yet).
_SEEN_ONCE = object()


def _template_for(shape: tuple[Any, ...], document: dict[str, Any], leaf_count: int) -> _Template | None:
    """The shape's template, compiled on its *second* sight; None: use the full path.

    Compiling costs a full-path run on the sentinel probe plus building the template,
    more than canonicalizing the document itself; a verifier facing credentials of
    many issuers sees most shapes once. So a first sight only marks the shape and the
    caller runs the full path (one pyld run, as without the fast path); a cohort pays
    one extra compile, on its second credential.
    """
    with _CACHE.lock:
        if shape not in _CACHE.shapes:
            _CACHE.stats.first_sights += 1
            _remember_shape(shape, _SEEN_ONCE)
            return None
        entry = _CACHE.shapes[shape]
        _CACHE.shapes.move_to_end(shape)
        if entry is not _SEEN_ONCE:
            return cast(_Template | None, entry)
    try:
        template: _Template | None = _compile(document, leaf_count)
    except Exception:  # _Refused, or anything the full path will report itself
        template = None
    with _CACHE.lock:
        _CACHE.stats.compiled += template is not None
        _remember_shape(shape, template)
    return template


def _remember_shape(shape: tuple[Any, ...], entry: object) -> None:
    # The caller holds _CACHE.lock.
    _CACHE.shapes[shape] = entry
    _CACHE.shapes.move_to_end(shape)
    while len(_CACHE.shapes) > SHAPE_CACHE_SIZE:
        _CACHE.shapes.popitem(last=False)


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
