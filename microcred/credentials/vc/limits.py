"""Bounds on the JSON documents the verifier reads: a presented credential and every document
it makes us fetch (issuer profiles, DID documents, key sets, status lists, JWT payloads).

Checked right after parsing, before any schema or JSON-LD work, because that work grows
faster than the text: pyld's node map checks each new entry of a property against every
entry already there (``has_value``), so one array of n entries costs ~n²/2 comparisons
(pyld 3.3: 16,000 numbers, 110 KB of text, ran past a minute). ``pyld_accel`` indexes the
plain values (16,000 numbers: 0.2 s) but not node references: 1,000 objects in one array
take 0.33 s, 4,000 take 3.8 s. Deep nesting recurses in ``json``, pyld and jsonschema.

The limits are far above real credentials (an OB 3.0 credential with 500 alignments has
~4,000 values and is 8 levels deep) and cap the worst case:

* ``max_depth``: containers nested inside each other;
* ``max_array_length``: values in one array;
* ``max_array_work``: the sum over arrays of their squared lengths, the model of pyld's
  quadratic cost (two arrays of 1,000 objects use all of it: ~0.7 s of pyld at most);
* ``max_values``: every value of the document, containers included (linear work).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import DocumentTooComplex

_PATH_SHOWN = 8


@dataclass(frozen=True)
class DocumentLimits:
    max_depth: int = 64
    max_array_length: int = 1_000
    max_array_work: int = 2_000_000
    max_values: int = 20_000


DEFAULT_LIMITS = DocumentLimits()

# (parent path, key or index); None is the document itself.
_Path = tuple[Any, str | int] | None


def load_json(text: str | bytes, *, what: str, limits: DocumentLimits = DEFAULT_LIMITS) -> Any:
    """Parse JSON text and check it against ``limits``.

    ``ValueError`` (not JSON) propagates for the caller to word; nesting too deep for the
    parser, or any bound exceeded, raises :class:`DocumentTooComplex`.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise DocumentTooComplex(
            f"{what} is nested more than {limits.max_depth} levels deep", limit="max_depth", path=""
        ) from None
    check_document(value, what=what, limits=limits)
    return value


def check_document(document: Any, *, what: str, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    """Raise :class:`DocumentTooComplex` naming the first bound ``document`` exceeds and where.

    Iterative, so a document nested deeper than Python's recursion limit is reported, not crashed on.
    """
    values = 1
    array_work = 0
    stack: list[tuple[Any, int, _Path]] = [(document, 1, None)]
    while stack:
        value, depth, path = stack.pop()
        if depth > limits.max_depth:
            raise _too_complex(what, f"is nested more than {limits.max_depth} levels deep", "max_depth", path)
        if isinstance(value, dict):
            values += len(value)
            children: Any = value.items()
        elif isinstance(value, list):
            length = len(value)
            if length > limits.max_array_length:
                problem = f"has an array of {length} values (at most {limits.max_array_length})"
                raise _too_complex(what, problem, "max_array_length", path)
            values += length
            array_work += length * length
            if array_work > limits.max_array_work:
                raise _too_complex(
                    what,
                    f"has too many long arrays (their squared lengths add up to more than {limits.max_array_work})",
                    "max_array_work",
                    path,
                )
            children = enumerate(value)
        else:
            continue
        if values > limits.max_values:
            raise _too_complex(what, f"has more than {limits.max_values} values", "max_values", path)
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1, (path, key)))


def _too_complex(what: str, problem: str, limit: str, path: _Path) -> DocumentTooComplex:
    shown = path_text(path)
    where = f" (at {shown})" if shown else ""
    return DocumentTooComplex(f"{what} {problem}{where}; it was not read", limit=limit, path=shown)


def path_text(path: _Path) -> str:
    """``credentialSubject.achievement.alignment[3]``; deep paths keep their first steps."""
    steps: list[str | int] = []
    while path is not None:
        path, step = path
        steps.append(step)
    steps.reverse()
    text = ""
    for step in steps[:_PATH_SHOWN]:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    if len(steps) > _PATH_SHOWN:
        text += f"… ({len(steps)} levels)"
    return text
