"""Numeric: ``data = {"answers": [{"value", "tolerance", "fraction", "feedback"}], "units":
[{"unit", "multiplier"}], "unit_required": false}``. An answer is a number as the learner wrote
it, with a unit when the question has units; ``3.14 m`` or ``314 cm`` (multiplier 100) are the
same answer. Each accepted value has a tolerance and a credit fraction, so a close answer may
earn part of the points; ``value`` null accepts any other number (for its feedback). Decimal
arithmetic throughout: ``0.1 + 0.2`` is ``0.3`` here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from microcred.core.errors import ValidationFailed

from .base import (
    Answer,
    Grade,
    QuestionType,
    ServedIds,
    StoredQuestion,
    fraction_of,
    points_for,
    spec_data,
    text_answer,
)

MAX_NUMBER_CHARS = 60


def parse_number(text: str) -> Decimal | None:
    """A finite number as people write it (``3.14``, ``3,14``, ``-2e3``), or None."""
    text = text.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if not text or len(text) > MAX_NUMBER_CHARS:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def split_unit(text: str, units: list[dict[str, Any]]) -> tuple[Decimal | None, str]:
    """The number and the unit written after it (``"3.5 cm"`` -> 3.5, "cm")."""
    text = text.strip()
    for unit in sorted((u["unit"] for u in units), key=len, reverse=True):
        if text.endswith(unit):
            return parse_number(text[: -len(unit)]), unit
    return parse_number(text), ""


def clean_numeric_answers(answers: Any, *, where: str) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    if not isinstance(answers, list) or not answers:
        raise ValidationFailed(f"{where}: a numeric question needs accepted answers.", errors={where: ["No answers."]})
    for n, answer in enumerate(answers, start=1):
        here = f"{where}, answer {n}"
        if not isinstance(answer, dict):
            raise ValidationFailed(f"{here}: expected an object.", errors={where: ["Bad answer."]})
        value = answer.get("value")
        number = None if value is None else parse_number(str(value))
        tolerance = parse_number(str(answer.get("tolerance", 0)))
        if (value is not None and number is None) or tolerance is None or tolerance < 0:
            raise ValidationFailed(
                f"{here}: value and tolerance must be numbers (tolerance ≥ 0).", errors={where: ["Bad number."]}
            )
        cleaned.append(
            {
                "value": None if number is None else str(number),
                "tolerance": str(tolerance),
                "fraction": str(fraction_of(answer.get("fraction"), where=here, default="1")),
                "feedback": str(answer.get("feedback") or ""),
            }
        )
    if not any(Decimal(a["fraction"]) == 1 for a in cleaned):
        raise ValidationFailed(
            f"{where}: one accepted answer must earn full credit.", errors={where: ["No full credit."]}
        )
    return cleaned


def numeric_fraction(answers: list[dict[str, Any]], number: Decimal | None) -> tuple[Decimal, str]:
    """The best credit any accepted answer gives ``number``, and that answer's feedback."""
    best: tuple[Decimal, str] | None = None
    if number is None:
        return Decimal(0), ""
    for answer in answers:
        if answer["value"] is None:
            hit = True
        else:
            hit = abs(number - Decimal(answer["value"])) <= Decimal(answer["tolerance"])
        if hit and (best is None or Decimal(answer["fraction"]) > best[0]):
            best = (Decimal(answer["fraction"]), answer["feedback"])
    return best or (Decimal(0), "")


class Numeric(QuestionType):
    kind = "numeric"
    label = "Numeric"
    answer_hint = "Type a number."
    answer_template = "assessment/questions/numeric.html"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        self.clean_data(spec, where=where)

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        data = spec_data(spec, where=where)
        units = data.get("units") or []
        if not isinstance(units, list):
            raise ValidationFailed(f"{where}: units must be a list.", errors={where: ["Bad units."]})
        cleaned_units = []
        for n, unit in enumerate(units, start=1):
            name = str((unit or {}).get("unit", "")).strip() if isinstance(unit, dict) else ""
            multiplier = parse_number(str(unit.get("multiplier", 1))) if isinstance(unit, dict) else None
            if not name or multiplier is None or multiplier <= 0:
                raise ValidationFailed(
                    f"{where}, unit {n}: a unit has a name and a positive multiplier.", errors={where: ["Bad unit."]}
                )
            cleaned_units.append({"unit": name, "multiplier": str(multiplier)})
        if data.get("unit_required") and not cleaned_units:
            raise ValidationFailed(f"{where}: a unit is required but none is given.", errors={where: ["No units."]})
        return {
            "answers": clean_numeric_answers(data.get("answers"), where=where),
            "units": cleaned_units,
            "unit_required": bool(data.get("unit_required")),
        }

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        text = text_answer(question, raw, limit=MAX_NUMBER_CHARS + 40).strip()
        number, _unit = split_unit(text, (question.data or {}).get("units") or [])
        if number is None:
            raise ValidationFailed(
                f"Question {question.id}: write a number"
                + (" and its unit." if (question.data or {}).get("units") else "."),
                errors={str(question.id): ["Not a number."]},
            )
        return text

    def value_of(self, question: StoredQuestion, answer: str) -> Decimal | None:
        """The answer in the question's first unit, or None when its unit is wrong or missing."""
        data = question.data or {}
        units = data.get("units") or []
        number, unit = split_unit(answer, units)
        if number is None:
            return None
        if not unit:
            return None if data.get("unit_required") else number
        multiplier = next(Decimal(u["multiplier"]) for u in units if u["unit"] == unit)
        return number / multiplier

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        if answer is None:
            return Grade(points=0, correct=False)
        fraction, feedback = numeric_fraction(
            (question.data or {}).get("answers") or [], self.value_of(question, answer)
        )
        return Grade(
            points=points_for(question, fraction), correct=fraction >= 1, feedback=(feedback,) if feedback else ()
        )

    def served(self, question: StoredQuestion, *, seed: str, ids: ServedIds | None = None) -> dict[str, Any]:
        # The unit names only: what the learner may write. Values, tolerances and multipliers stay.
        data = question.data or {}
        return {"units": [u["unit"] for u in data.get("units") or []], "unit_required": bool(data.get("unit_required"))}

    def solution(self, question: StoredQuestion) -> str:
        data = question.data or {}
        unit = (data.get("units") or [{}])[0].get("unit", "")
        best = [a for a in data.get("answers") or [] if a["value"] is not None and Decimal(a["fraction"]) == 1]
        return "; ".join(
            a["value"] + (f" ± {a['tolerance']}" if Decimal(a["tolerance"]) else "") + (f" {unit}" if unit else "")
            for a in best
        )
