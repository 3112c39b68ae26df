"""Matching: ``data = {"pairs": [{"prompt", "answer"}], "distractors": ["…"]}``. Each prompt is
matched with one of the answers; every right pair earns its share of the points. The options are
served in alphabetical order; a stored answer names prompts by their place in the pairs and
options by their place in that alphabetical order, and the attempt shows both under opaque ids
of its own (``ServedIds``), so neither the order nor the ids say which answer goes with which
prompt."""

from __future__ import annotations

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


def matching_options(data: dict[str, Any]) -> list[str]:
    answers = {p["answer"] for p in data.get("pairs") or []} | set(data.get("distractors") or [])
    return sorted(answers, key=lambda a: (a.casefold(), a))


class Matching(QuestionType):
    kind = "matching"
    label = "Matching"
    answer_hint = "Match each item with its answer."
    answer_template = "assessment/questions/matching.html"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        self.clean_data(spec, where=where)

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        data = spec_data(spec, where=where)
        pairs = data.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            raise ValidationFailed(
                f"{where}: a matching question needs at least two pairs.", errors={where: ["Too few pairs."]}
            )
        cleaned = []
        for n, pair in enumerate(pairs, start=1):
            prompt = str(pair.get("prompt", "")).strip() if isinstance(pair, dict) else ""
            answer = str(pair.get("answer", "")).strip() if isinstance(pair, dict) else ""
            if not prompt or not answer:
                raise ValidationFailed(
                    f"{where}, pair {n}: a pair has a prompt and an answer.", errors={where: ["Bad pair."]}
                )
            cleaned.append({"prompt": prompt, "answer": answer})
        if len({p["prompt"] for p in cleaned}) != len(cleaned):
            raise ValidationFailed(f"{where}: two pairs have the same prompt.", errors={where: ["Repeated prompt."]})
        distractors = [str(d).strip() for d in data.get("distractors") or [] if str(d).strip()]
        return {"pairs": cleaned, "distractors": distractors}

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        data = question.data or {}
        options = len(matching_options(data))
        prompts = len(data.get("pairs") or [])
        if not isinstance(raw, dict):
            raise ValidationFailed(
                f"Question {question.id} takes an object of prompt id → option id.",
                errors={str(question.id): ["Expected pairs."]},
            )
        parsed: dict[str, int] = {}
        for key, value in raw.items():
            try:
                prompt, option = int(key), int(value)
            except (TypeError, ValueError):
                prompt = option = -1
            if not (0 <= prompt < prompts and 0 <= option < options):
                raise ValidationFailed(
                    f"Unknown prompt or option for question {question.id}.",
                    errors={str(question.id): ["Unknown pair."]},
                )
            parsed[str(prompt)] = option
        return parsed

    def _ids(self, question: StoredQuestion, ids: ServedIds | None) -> tuple[dict[int, int], dict[int, int]]:
        """Prompt place → served id, and option place → served id, for this attempt."""
        data = question.data or {}
        ids = ids or ServedIds(None)
        return (
            ids.table(question.id, "prompt", range(len(data.get("pairs") or []))),
            ids.table(question.id, "option", range(len(matching_options(data)))),
        )

    def answer_from_form(
        self, question: StoredQuestion, form: Mapping[str, Any], name: str, ids: ServedIds | None = None
    ) -> Any:
        prompts, _options = self._ids(question, ids)
        picked = {str(shown): form.get(f"{name}_{shown}", "") for shown in prompts.values()}
        picked = {k: int(v) for k, v in picked.items() if str(v).isdigit()}
        return picked or None

    def answer_in(self, question: StoredQuestion, raw: Any, ids: ServedIds) -> Any:
        if not isinstance(raw, dict):
            return raw  # refused by ``parse_answer`` with its message
        prompts, options = self._ids(question, ids)
        message = f"Unknown prompt or option for question {question.id}."
        return {
            str(authored_of(question, prompts, key, what="Unknown pair.", message=message)): authored_of(
                question, options, value, what="Unknown pair.", message=message
            )
            for key, value in raw.items()
        }

    def answer_out(self, question: StoredQuestion, stored: Any, ids: ServedIds) -> Any:
        prompts, options = self._ids(question, ids)
        return {
            str(prompts[int(key)]): options[int(value)]
            for key, value in (stored or {}).items()
            if str(key).isdigit() and str(value).isdigit() and int(key) in prompts and int(value) in options
        }

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        data = question.data or {}
        pairs = data.get("pairs") or []
        options = matching_options(data)
        given = answer or {}
        right = sum(1 for i, pair in enumerate(pairs) if str(i) in given and options[given[str(i)]] == pair["answer"])
        fraction = Decimal(right) / Decimal(len(pairs) or 1)
        return Grade(points=points_for(question, fraction), correct=right == len(pairs))

    def served(self, question: StoredQuestion, *, seed: str, ids: ServedIds | None = None) -> dict[str, Any]:
        data = question.data or {}
        prompts, options = self._ids(question, ids)
        return {
            "prompts": [{"id": prompts[i], "text": p["prompt"]} for i, p in enumerate(data.get("pairs") or [])],
            "options": [{"id": options[i], "text": text} for i, text in enumerate(matching_options(data))],
        }

    def describe_answer(self, question: StoredQuestion, answer: Answer | None) -> str:
        data = question.data or {}
        options = matching_options(data)
        given = answer or {}
        return "; ".join(
            f"{p['prompt']} → {options[given[str(i)]]}"
            for i, p in enumerate(data.get("pairs") or [])
            if str(i) in given
        )

    def solution(self, question: StoredQuestion) -> str:
        return "; ".join(f"{p['prompt']} → {p['answer']}" for p in (question.data or {}).get("pairs") or [])
