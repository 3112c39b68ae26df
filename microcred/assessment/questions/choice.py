"""What the choice kinds share: a spec lists its choices, an answer picks some of them, and a
question scores all its points only when the picked set is exactly the right set."""

from __future__ import annotations

from typing import Any, ClassVar

from microcred.core.errors import ValidationFailed

from .base import Answer, Grade, QuestionType, StoredQuestion


class ChoiceQuestion(QuestionType):
    answer_template = "assessment/questions/choice.html"
    # "radio" or "checkbox": the input each choice gets on the quiz page.
    choice_input: ClassVar[str]

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        choices = spec.get("choices") or []
        if len(choices) < 2:
            raise ValidationFailed(
                f"{where}: a question needs at least two choices.", errors={where: ["Too few choices."]}
            )
        self.validate_correct(sum(1 for c in choices if c.get("correct")), len(choices), where=where)

    def validate_correct(self, correct: int, total: int, *, where: str) -> None:
        """Refuse a number of right choices out of ``total`` that this kind does not allow."""

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        try:
            picked = frozenset(int(c) for c in (raw if isinstance(raw, list | tuple | set) else [raw]))
        except (TypeError, ValueError) as exc:
            raise ValidationFailed("Answers must map question ids to lists of choice ids.") from exc
        if not picked <= {c.id for c in question.choices.all()}:
            raise ValidationFailed(
                f"Unknown choice for question {question.id}.", errors={str(question.id): ["Unknown choice."]}
            )
        return picked

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        correct = answer == {c.id for c in question.choices.all() if c.is_correct}
        return Grade(points=question.points if correct else 0, correct=correct)
