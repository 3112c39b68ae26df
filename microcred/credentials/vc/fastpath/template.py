"""Compiled shape templates: N-Quads text with a slot per string leaf, filled and
canonicalised by pyoxigraph."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..jsonld import _checked_dataset, canonicalize_dataset
from ..quads import blank_text, iri_text, literal_text, parse_nquads
from .shape import (
    _RDF_LANGSTRING,
    _is_plain_iri,
    _Refused,
    _with_leaves,
)

# A slot: (leaf index, None for an IRI | (datatype IRI or None, language or None)).
_Slot = tuple[int, tuple[str | None, str | None] | None]
# A term of the probe's output: (pyld's node type, N-Quads text | slot number).
_Term = tuple[str, str | int]


@dataclass(eq=False)  # hashed by identity: a key of the result cache
class _Template:
    """A shape's quads as pyoxigraph N-Quads text, with ``str.format`` fields for slots.

    Filling formats the lines of the quads with slots and parses them (see
    ``quads.to_oxigraph`` for why text beats ``ox.Quad``); the quads without slots are
    parsed by the first fill and reused, as is the last quad parsed at each position
    while its slot values stay the same (a cohort shares issuer, achievement, ...).
    """

    fixed_text: str  # the quads without slots, one N-Quads line each
    fixed_count: int
    lines: list[tuple[str, tuple[int, ...]]]  # per quad with slots: format, slots used
    slots: list[_Slot]
    fixed: list[ox.Quad] | None = None
    quad_memo: list[tuple[tuple[str, ...], ox.Quad] | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.quad_memo = [None] * len(self.lines)


class _Compiler:
    def __init__(self, leaf_count: int) -> None:
        self.marker = f"urn:x-microcred-fastpath:{secrets.token_hex(8)}:"
        self.sentinels = {f"{self.marker}{index}": index for index in range(leaf_count)}
        self.slots: dict[_Slot, int] = {}

    def _slot(self, slot: _Slot) -> int:
        return self.slots.setdefault(slot, len(self.slots))

    def term(self, node: dict[str, Any]) -> _Term:
        kind, value = node["type"], node["value"]
        if kind == "blank node":
            if self.marker in value:
                raise _Refused("sentinel in a blank node label")
            return kind, blank_text(value)
        if kind == "IRI":
            if value in self.sentinels:
                return kind, self._slot((self.sentinels[value], None))
            if self.marker in value:
                raise _Refused("string leaf changed by IRI expansion")
            return kind, iri_text(value)
        language = node.get("language") or None
        datatype = node.get("datatype") or None
        if self.marker in (language or "") or self.marker in (datatype or ""):
            raise _Refused("string leaf used as a datatype or language")
        if language or datatype == _RDF_LANGSTRING:
            datatype = None
        if value in self.sentinels:
            return kind, self._slot((self.sentinels[value], (datatype, language)))
        if self.marker in value:
            raise _Refused("string leaf changed on its way into a literal")
        return kind, literal_text(value, datatype, language)

    def graph(self, name: str) -> _Term:
        return self.term({"type": "blank node" if name.startswith("_:") else "IRI", "value": name})


def _field(term: str | int) -> str:
    # Slot texts are inserted by str.format; braces in fixed text are escaped for it.
    return f"{{{term}}}" if type(term) is int else str(term).replace("{", "{{").replace("}", "}}")


def _compile(document: dict[str, Any], leaf_count: int) -> _Template:
    compiler = _Compiler(leaf_count)
    probe = _with_leaves(document, iter(compiler.sentinels))
    try:
        dataset, _ = _checked_dataset(probe)
    except Exception as exc:
        raise _Refused(f"full path fails on the shape: {exc}") from exc
    fixed: list[str] = []
    lines: list[tuple[str, tuple[int, ...]]] = []
    term = compiler.term
    try:
        for graph_name, triples in dataset.items():
            graph: str | int = "" if graph_name == "@default" else compiler.graph(graph_name)[1]
            for triple in triples:
                subject_kind, subject = term(triple["subject"])
                predicate_kind, predicate = term(triple["predicate"])
                obj = term(triple["object"])[1]
                if subject_kind == "literal" or predicate_kind != "IRI" or type(predicate) is int:
                    raise _Refused("generalized RDF")
                if type(subject) is int or type(obj) is int or type(graph) is int:
                    slot_ids = tuple([spec for spec in (subject, obj, graph) if type(spec) is int])
                    graph_field = f" {_field(graph)}" if graph != "" else ""
                    lines.append((f"{_field(subject)} {_field(predicate)} {_field(obj)}{graph_field} .\n", slot_ids))
                else:
                    fixed.append(
                        f"{subject} {predicate} {obj} {graph} .\n" if graph else f"{subject} {predicate} {obj} .\n"
                    )
    except ValueError as exc:  # pyoxigraph refused a term: the full path reports it
        raise _Refused(f"invalid term in the shape: {exc}") from exc
    slots = [slot for slot, _ in sorted(compiler.slots.items(), key=lambda pair: pair[1])]
    return _Template("".join(fixed), len(fixed), lines, slots)


# Slot values -> N-Quads text, across documents: a cohort repeats most of its values.
# Only values pyoxigraph accepted are remembered; cleared when full. Sized for the values that
# recur (a few hundred): each credential's own (id, salt, hash, dates) never do, and a larger
# cache only held them (~20 MB in each cohort signing worker at 65,536).
TERM_TEXT_CACHE_SIZE = 4096
_slot_texts: dict[tuple[str, tuple[str | None, str | None] | None], str] = {}


def _slot_text(value: str, kind: tuple[str | None, str | None] | None) -> str:
    key = (value, kind)
    text = _slot_texts.get(key)
    if text is None:
        if kind is not None:
            text = literal_text(value, *kind)
        elif _is_plain_iri(value):
            text = iri_text(value)  # validated by pyoxigraph: no ">", space, NUL, ...
        else:
            raise _Refused("a string in an IRI position could expand differently")
        if len(_slot_texts) >= TERM_TEXT_CACHE_SIZE:
            _slot_texts.clear()
        _slot_texts[key] = text
    return text


def _fill(template: _Template, leaves: list[str]) -> str:
    slots = template.slots
    values = [leaves[index] for index, _ in slots]
    texts = [_slot_text(value, slot[1]) for value, slot in zip(values, slots, strict=True)]
    memo = template.quad_memo
    quads: list[ox.Quad] = []
    missing: list[tuple[int, tuple[str, ...]]] = []
    lines: list[str] = []
    for position, (line, slot_ids) in enumerate(template.lines):
        key = tuple([values[slot] for slot in slot_ids])
        last = memo[position]
        if last is not None and last[0] == key:
            quads.append(last[1])
        else:
            missing.append((position, key))
            lines.append(line.format(*texts))
    fixed = template.fixed
    if fixed is None:
        parsed = parse_nquads(template.fixed_text + "".join(lines))
        fixed = parsed[: template.fixed_count]
        del parsed[: template.fixed_count]
        if len(fixed) == template.fixed_count:
            template.fixed = fixed
    else:
        parsed = parse_nquads("".join(lines)) if lines else []
    if len(parsed) != len(missing):  # pragma: no cover - every line is one quad
        raise _Refused("the parsed quads do not match the lines")
    for (position, key), quad in zip(missing, parsed, strict=True):
        memo[position] = (key, quad)  # one tuple: atomic under concurrent fills
    quads += parsed
    quads += fixed
    return canonicalize_dataset(ox.Dataset(quads))
