"""True or false: ``data = {"correct": true|false, "feedback_true": "…", "feedback_false": "…"}``;
the feedback is the one for the statement the learner picked."""

from __future__ import annotations

from typing import Any

from microcred.core.errors import ValidationFailed

from .base import Answer, Grade, QuestionType, StoredQuestion, spec_data

_WORDS = {"true": True, "false": False, "1": True, "0": False}


class TrueFalse(QuestionType):
    kind = "truefalse"
    label = "True or false"
    answer_hint = "Is the statement true or false?"
    answer_template = "assessment/questions/truefalse.html"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        data = spec_data(spec, where=where)
        if not isinstance(data.get("correct"), bool):
            raise ValidationFailed(
                f"{where}: a true/false question says whether the statement is true (data.correct).",
                errors={where: ["data.correct must be true or false."]},
            )

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        data = spec_data(spec, where=where)
        return {
            "correct": data["correct"],
            "feedback_true": str(data.get("feedback_true") or ""),
            "feedback_false": str(data.get("feedback_false") or ""),
        }

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        if isinstance(raw, list) and len(raw) == 1:
            raw = raw[0]
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _WORDS:
            return _WORDS[raw.strip().lower()]
        raise ValidationFailed(
            f"Question {question.id} takes true or false.", errors={str(question.id): ["Expected true or false."]}
        )

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        data = question.data or {}
        correct = answer is not None and answer == data.get("correct")
        feedback = "" if answer is None else data.get("feedback_true" if answer else "feedback_false", "")
        return Grade(
            points=question.points if correct else 0, correct=correct, feedback=(feedback,) if feedback else ()
        )

    def describe_answer(self, question: StoredQuestion, answer: Answer | None) -> str:
        return "" if answer is None else ("True" if answer else "False")

    def solution(self, question: StoredQuestion) -> str:
        return "True" if (question.data or {}).get("correct") else "False"
