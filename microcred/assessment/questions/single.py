"""Single choice: exactly one right choice, and an answer picks one."""

from __future__ import annotations

from typing import Any

from microcred.core.errors import ValidationFailed

from .base import Answer, StoredQuestion
from .choice import ChoiceQuestion


class SingleChoice(ChoiceQuestion):
    kind = "single"
    label = "Single choice"
    answer_hint = "Select one answer."
    choice_input = "radio"

    def validate_correct(self, correct: int, total: int, *, where: str) -> None:
        if correct != 1:
            raise ValidationFailed(
                f"{where}: a single-choice question has exactly one correct choice.",
                errors={where: ["Needs one correct choice."]},
            )

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        picked = super().parse_answer(question, raw)
        if len(picked) > 1:
            raise ValidationFailed(
                f"Question {question.id} takes one answer.", errors={str(question.id): ["One answer only."]}
            )
        return picked
