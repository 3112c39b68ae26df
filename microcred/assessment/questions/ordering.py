"""Ordering: ``data = {"items": ["first", "second", …], "scoring": "positions"|"all_or_nothing"}``,
the items in their right order. Served shuffled (from the attempt's seed, never in the right
order). A stored answer names each item by its place in alphabetical order (``item_ids``), which
does not give the order away; the attempt shows them under opaque ids of its own (``ServedIds``).
``positions`` scores the share of items in their right place."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from microcred.core.errors import ValidationFailed

from .base import (
    Answer,
    Grade,
    QuestionType,
    ServedIds,
    StoredQuestion,
    authored_of,
    points_for,
    spec_data,
)


def item_ids(items: list[str]) -> list[int]:
    """For each item in the right order, the id it is served with."""
    alphabetical = sorted(range(len(items)), key=lambda i: (items[i].casefold(), items[i]))
    ids = [0] * len(items)
    for served_id, index in enumerate(alphabetical):
        ids[index] = served_id
    return ids


class Ordering(QuestionType):
    kind = "ordering"
    label = "Ordering"
    answer_hint = "Put the items in order: give each a different position."
    answer_template = "assessment/questions/ordering.html"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        self.clean_data(spec, where=where)

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        data = spec_data(spec, where=where)
        items = [str(i).strip() for i in data.get("items") or []] if isinstance(data.get("items"), list) else []
        if len(items) < 2 or not all(items):
            raise ValidationFailed(
                f"{where}: an ordering question needs at least two items.", errors={where: ["Too few items."]}
            )
        if len(set(items)) != len(items):
            raise ValidationFailed(f"{where}: two items are the same.", errors={where: ["Repeated item."]})
        scoring = data.get("scoring", "positions")
        if scoring not in ("positions", "all_or_nothing"):
            raise ValidationFailed(
                f"{where}: scoring is 'positions' or 'all_or_nothing'.", errors={where: ["Bad scoring."]}
            )
        return {"items": items, "scoring": scoring}

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        count = len((question.data or {}).get("items") or [])
        try:
            order = [int(i) for i in raw]
        except (TypeError, ValueError):
            order = []
        if sorted(order) != list(range(count)):
            raise ValidationFailed(
                f"Question {question.id}: give every item its own position.", errors={str(question.id): ["Bad order."]}
            )
        return order

    def _ids(self, question: StoredQuestion, ids: ServedIds | None) -> dict[int, int]:
        """An item's alphabetical place (its stored id) → the id this attempt shows."""
        count = len((question.data or {}).get("items") or [])
        return (ids or ServedIds(None)).table(question.id, "item", range(count))

    def answer_from_form(
        self, question: StoredQuestion, form: Mapping[str, Any], name: str, ids: ServedIds | None = None
    ) -> Any:
        shown = list(self._ids(question, ids).values())
        positions = {i: str(form.get(f"{name}_{i}", "")) for i in shown}
        if not all(p.isdigit() for p in positions.values()):
            return None  # not every item placed yet: unanswered (autosave keeps nothing half-done)
        if len(set(positions.values())) != len(shown):
            return ["invalid"]  # two items in one place: refused by ``parse_answer`` with its message
        return sorted(positions, key=lambda i: int(positions[i]))

    def answer_in(self, question: StoredQuestion, raw: Any, ids: ServedIds) -> Any:
        if not isinstance(raw, list | tuple):
            return raw  # refused by ``parse_answer`` with its message
        table = self._ids(question, ids)
        message = f"Question {question.id}: give every item its own position."
        return [authored_of(question, table, value, what="Bad order.", message=message) for value in raw]

    def answer_out(self, question: StoredQuestion, stored: Any, ids: ServedIds) -> Any:
        table = self._ids(question, ids)
        return [table[int(i)] for i in stored or [] if str(i).isdigit() and int(i) in table]

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        data = question.data or {}
        right = item_ids(data.get("items") or [])
        given = answer or []
        in_place = sum(1 for a, b in zip(given, right, strict=False) if a == b)
        correct = given == right
        if data.get("scoring") == "all_or_nothing" or not right:
            return Grade(points=question.points if correct else 0, correct=correct)
        return Grade(points=points_for(question, Decimal(in_place) / Decimal(len(right))), correct=correct)

    def served(self, question: StoredQuestion, *, seed: str, ids: ServedIds | None = None) -> dict[str, Any]:
        items = (question.data or {}).get("items") or []
        stored_ids = item_ids(items)
        shown = self._ids(question, ids)
        order = list(range(len(items)))
        random.Random(f"{seed}:{question.id}").shuffle(order)  # an order, not a secret
        if order == sorted(order) and len(order) > 1:
            order = order[1:] + order[:1]  # never served already in order
        return {"items": [{"id": shown[stored_ids[i]], "text": items[i]} for i in order]}

    def describe_answer(self, question: StoredQuestion, answer: Answer | None) -> str:
        items = (question.data or {}).get("items") or []
        by_id = dict(zip(item_ids(items), items, strict=True))
        return " → ".join(by_id[i] for i in answer or [] if i in by_id)

    def solution(self, question: StoredQuestion) -> str:
        return " → ".join((question.data or {}).get("items") or [])
