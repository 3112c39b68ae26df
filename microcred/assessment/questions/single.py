"""Single choice: exactly one right choice, and an answer picks one."""

from __future__ import annotations

from typing import Any

from microcred.core.errors import ValidationFailed

from .base import Answer, Grade, StoredQuestion, points_for
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

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        """All the points for the right choice; a wrong one earns its own fraction when the
        author gave it partial credit (GIFT's ``~%50%``), else nothing."""
        grade = super().grade(question, answer)
        if grade.correct or not answer:
            return grade
        picked = next((c for c in question.choices.all() if c.id in answer), None)
        if picked is None or not 0 < picked.fraction < 1:
            return grade
        return Grade(points=points_for(question, picked.fraction), correct=False, feedback=grade.feedback)
