"""Multiple response: at least one right and one wrong choice. Scored all-or-nothing (an answer
picks every right one and no wrong one), or with ``data.scoring = "partial"``: each picked
choice adds its fraction (the right ones share full credit, a wrong one takes some away), and the
sum is kept between nothing and full marks, so picking every choice never pays."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from microcred.core.errors import ValidationFailed

from .base import Answer, Grade, StoredQuestion, points_for, spec_data
from .choice import ChoiceQuestion

SCORINGS: Final[tuple[str, ...]] = ("all_or_nothing", "partial")


class MultipleChoice(ChoiceQuestion):
    kind = "multiple"
    label = "Multiple choice"
    answer_hint = "Select all that apply."
    choice_input = "checkbox"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        super().validate(spec, where=where)
        scoring = spec_data(spec, where=where).get("scoring", "all_or_nothing")
        if scoring not in SCORINGS:
            raise ValidationFailed(
                f"{where}: scoring is 'all_or_nothing' or 'partial'.", errors={where: ["Bad scoring."]}
            )

    def validate_correct(self, correct: int, total: int, *, where: str) -> None:
        if correct < 1 or correct == total:
            raise ValidationFailed(
                f"{where}: a multiple-choice question needs at least one correct and one wrong choice.",
                errors={where: ["Needs correct and wrong choices."]},
            )

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        scoring = spec_data(spec, where=where).get("scoring", "all_or_nothing")
        return {} if scoring == "all_or_nothing" else {"scoring": scoring}

    def choice_fractions(self, choices: list[dict[str, Any]], data: dict[str, Any]) -> list[Decimal]:
        # Partial credit by default takes as much for each wrong pick as the right ones share, so
        # ticking everything scores nothing.
        right = sum(1 for c in choices if c.get("correct")) or 1
        wrong = (len(choices) - right) or 1
        fractions = []
        for c in choices:
            default = Decimal(1) / right if c.get("correct") else Decimal(-1) / wrong
            fractions.append(Decimal(str(c["fraction"])) if c.get("fraction") is not None else default)
        return [f.quantize(Decimal("0.0000001")) for f in fractions]

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        if (question.data or {}).get("scoring") != "partial":
            return super().grade(question, answer)
        choices = list(question.choices.all())
        picked = answer or frozenset()
        correct = picked == {c.id for c in choices if c.is_correct}
        total = sum((Decimal(c.fraction) for c in choices if c.id in picked), Decimal(0))
        points = question.points if correct else points_for(question, total)
        return Grade(points=points, correct=correct, feedback=self._feedback(question, answer))
