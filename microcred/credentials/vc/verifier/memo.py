"""Bounded memos of the verifier's work that depends on nothing but a document's content.

Canonicalizing a document (RDFC-1.0 over JSON-LD), checking that every term expands, and
validating it against the pinned JSON schemas are pure functions of the document's JSON:
the JSON-LD loader is offline (bundled contexts only; where an installation lets the verifier
fetch a missing context, a context URL is taken to name one immutable document, and those
results are kept under keys of their own) and the schemas are pinned files. A
verifier sees the same few documents again and again (a popular credential, and above all
the issuer's status lists, each one a signed credential checked for every credential that
points at it), so these results are kept, keyed by the SHA-256 of the document's exact JSON
text (key order, numbers and booleans as given): a changed document is a different key and
is worked out afresh. Only successes are kept; a failure is recomputed (and reported) each time.

What is *not* memoised, because it depends on more than the document: resolving keys (a key
may be removed), the Ed25519 signature check, the key's controller, status bits and every
validity window (they depend on ``now``). So a memo hit can only skip repeated work, never
change a verdict.

Each process has its own memo (a sandbox worker fills its own); entries are bounded (LRU).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..jsonld import canonicalize
from ..loader import FetchContext

T = TypeVar("T")

MEMO_SIZE = 256  # canonical forms are a few KB: the whole memo stays within a few MB


class ContentMemo:
    """An LRU map of keys (content digests, or any hashable) to results, safe across threads and forks."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0
        _MEMOS.add(self)

    def get_or_compute(self, key: Hashable | None, compute: Callable[[], T]) -> T:
        """``compute()``'s result, remembered under ``key`` (None: not memoisable, just compute).
        An exception ``compute`` raises is not remembered."""
        if key is None:
            return compute()
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                self.hits += 1
                found: T = self.entries[key]
                return found
            self.misses += 1
        result = compute()  # outside the lock: concurrent misses only compute the same value twice
        with self.lock:
            self.entries[key] = result
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return result

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.hits = self.misses = 0


_MEMOS: weakref.WeakSet[ContentMemo] = weakref.WeakSet()
MEMO = ContentMemo()


def _new_locks_after_fork() -> None:
    """A forked child (the verification sandbox, a gunicorn worker) has only the forking thread:
    a lock another thread held at that moment would never be released there."""
    for memo in list(_MEMOS):
        memo.lock = threading.Lock()


os.register_at_fork(after_in_child=_new_locks_after_fork)


def content_key(purpose: str, document: Any) -> bytes | None:
    """SHA-256 of ``purpose`` and the document's exact JSON text; None if it is not JSON data."""
    try:
        text = json.dumps(document, ensure_ascii=True, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(f"{purpose}\n{text}".encode("ascii")).digest()


def canonicalize_memoised(document: dict[str, Any], *, fetch_context: FetchContext | None = None) -> str:
    """Exactly ``jsonld.canonicalize(document)`` (a Data Integrity ``Canonicalizer``), remembered.

    With ``fetch_context`` (contexts fetched when not bundled, opt-in) the result is kept under
    a key of its own: a document that only reads with a fetched context must not pass, from
    this memo, a later verification that may not fetch."""
    purpose = "rdfc" if fetch_context is None else "rdfc fetching"
    return MEMO.get_or_compute(
        content_key(purpose, document), lambda: canonicalize(document, fetch_context=fetch_context)
    )
