"""What the choice kinds share: a spec lists its choices (stored as ``Choice`` rows, each with a
credit ``fraction`` and its own feedback), an answer picks some of them, and a question scores all
its points when the picked set is exactly the right set (``multiple`` may give partial credit)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from microcred.core.errors import ValidationFailed

from .base import Answer, Grade, QuestionType, ServedIds, StoredQuestion, authored_of, fraction_of


class ChoiceQuestion(QuestionType):
    answer_template = "assessment/questions/choice.html"
    uses_choices = True
    served_as = "choice"
    # "radio" or "checkbox": the input each choice gets on the quiz page.
    choice_input: ClassVar[str]

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        choices = spec.get("choices") or []
        if len(choices) < 2:
            raise ValidationFailed(
                f"{where}: a question needs at least two choices.", errors={where: ["Too few choices."]}
            )
        for n, choice in enumerate(choices, start=1):
            if isinstance(choice, dict) and "fraction" in choice:
                fraction_of(choice["fraction"], where=f"{where}, choice {n}")
        self.validate_correct(sum(1 for c in choices if c.get("correct")), len(choices), where=where)

    def validate_correct(self, correct: int, total: int, *, where: str) -> None:
        """Refuse a number of right choices out of ``total`` that this kind does not allow."""

    def choice_fractions(self, choices: list[dict[str, Any]], data: dict[str, Any]) -> list[Decimal]:
        """Each choice's credit when the spec gives none: the right ones share full credit."""
        right = sum(1 for c in choices if c.get("correct")) or 1
        return [
            fraction_of(
                c.get("fraction"), where="choice", default=str(Decimal(1) / right if c.get("correct") else 0)
            ).quantize(Decimal("0.0000001"))
            for c in choices
        ]

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        listed = isinstance(raw, list | tuple)
        values = list(raw) if listed else [raw]
        for n, value in enumerate(values):
            # A choice id, as a number or its digits (a form posts strings); never a bool.
            if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
                where = f"{question.id}.{n}" if listed else str(question.id)
                raise ValidationFailed(
                    "Answers must map question ids to lists of choice ids.", errors={where: ["Not a choice id."]}
                )
        picked = frozenset(int(c) for c in values)
        if not picked <= {c.id for c in question.choices.all()}:
            raise ValidationFailed(
                f"Unknown choice for question {question.id}.", errors={str(question.id): ["Unknown choice."]}
            )
        return picked

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        correct = answer == {c.id for c in question.choices.all() if c.is_correct}
        return Grade(
            points=question.points if correct else 0, correct=correct, feedback=self._feedback(question, answer)
        )

    def _feedback(self, question: StoredQuestion, answer: Answer | None) -> tuple[str, ...]:
        picked = answer or frozenset()
        return tuple(c.feedback for c in question.choices.all() if c.id in picked and c.feedback)

    def dump_answer(self, answer: Answer) -> Any:
        return sorted(answer)

    def load_answer(self, stored: Any) -> Answer:
        return frozenset(int(c) for c in stored or [])

    def answer_from_form(
        self, question: StoredQuestion, form: Mapping[str, Any], name: str, ids: ServedIds | None = None
    ) -> Any:
        values = [v for v in form.getlist(name) if v.isdigit()]  # type: ignore[attr-defined]
        return [int(v) for v in values] or None

    def _ids(self, question: StoredQuestion, ids: ServedIds | None) -> dict[int, int]:
        """Choice row id → the id this attempt shows (row ids run in authored order)."""
        authored = [c.id for c in question.choices.all()]
        return (ids or ServedIds(None)).table(question.id, "choice", authored)

    def served(self, question: StoredQuestion, *, seed: str, ids: ServedIds | None = None) -> dict[str, Any]:
        # Built field by field: a choice's ``is_correct``, ``fraction`` and ``feedback`` stay behind.
        shown = self._ids(question, ids)
        return {"choices": [{"id": shown[c.id], "text": c.text} for c in question.choices.all()]}

    def answer_in(self, question: StoredQuestion, raw: Any, ids: ServedIds) -> Any:
        table = self._ids(question, ids)
        message = f"Unknown choice for question {question.id}."

        def back(value: Any) -> Any:
            return authored_of(question, table, value, what="Unknown choice.", message=message)

        return [back(v) for v in raw] if isinstance(raw, list | tuple) else back(raw)

    def answer_out(self, question: StoredQuestion, stored: Any, ids: ServedIds) -> Any:
        table = self._ids(question, ids)
        values = stored if isinstance(stored, list | tuple | set | frozenset) else [stored]
        return sorted(table[int(c)] for c in values if str(c).isdigit() and int(c) in table)

    def describe_answer(self, question: StoredQuestion, answer: Answer | None) -> str:
        picked = answer or frozenset()
        return "; ".join(c.text for c in question.choices.all() if c.id in picked)

    def solution(self, question: StoredQuestion) -> str:
        return "; ".join(c.text for c in question.choices.all() if c.is_correct)
