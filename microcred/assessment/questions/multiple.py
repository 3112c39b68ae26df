"""Multiple choice: at least one right and one wrong choice; an answer picks every right one."""

from __future__ import annotations

from microcred.core.errors import ValidationFailed

from .choice import ChoiceQuestion


class MultipleChoice(ChoiceQuestion):
    kind = "multiple"
    label = "Multiple choice"
    answer_hint = "Select all that apply."
    choice_input = "checkbox"

    def validate_correct(self, correct: int, total: int, *, where: str) -> None:
        if correct < 1 or correct == total:
            raise ValidationFailed(
                f"{where}: a multiple-choice question needs at least one correct and one wrong choice.",
                errors={where: ["Needs correct and wrong choices."]},
            )
