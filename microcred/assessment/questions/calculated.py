"""Calculated: a parameterised problem, each learner with their own values (issue 8, section 3).

``data = {"variables": {"mass": {"min": 2, "max": 10, "step": 0.5}, "g": {"value": 9.81}},
"answer": "mass * g", "tolerance": {"relative": 0.01}, "units": ["N", "newton"],
"units_required": false, "decimals": 2}``, and the question's text shows the values as
``{mass}`` (``{{`` and ``}}`` for braces). The Django-free core ``review/parameters.py`` does the
work: ``validate_problem`` at authoring (every fault at once), ``instantiate`` for the values,
``render_text`` for the text, ``check_answer`` for the grade. ``decimals`` only rounds the right
answer shown in the review; grading compares with the unrounded answer and the tolerance.

The values come from the attempt's seed and the question's id (``values_for``), so a replay
gives the same values, a retake (a fresh seed) new ones, and two learners different ones. That
is why this kind is read through the ``*_for`` methods, which take the seed: the text, the grade
and the right answer all depend on it. Served: the values and the unit spellings, never the
formula or the tolerance."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from microcred.core.errors import ValidationFailed

from ..review import answers as numbers
from ..review.errors import EvaluationError, ProblemError
from ..review.parameters import Problem, check_answer, expected_answer, format_value, instantiate, render_text
from ..review.parameters import validate_problem as problem_from
from .base import Answer, Grade, QuestionType, ServedIds, StoredQuestion, points_for, spec_data, text_answer

# What ``Question.data`` holds: the core's definition without its text (that is ``Question.text``),
# and ``decimals``, which is ours.
_PROBLEM_KEYS = ("variables", "answer", "tolerance", "units", "units_required")
_DATA_KEYS = frozenset({*_PROBLEM_KEYS, "decimals"})
MAX_DECIMALS = 10


def _definition(text: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"text": text, **{key: data[key] for key in _PROBLEM_KEYS if key in data}}


_PROBLEMS: dict[tuple[str, str], Problem] = {}
_MAX_CACHED = 512


def problem_of(question: StoredQuestion) -> Problem:
    """The stored question's problem. Checked at authoring; cached here because grading and the
    statistics read it for every attempt, and the authoring check tries the formula on up to a
    thousand learners' values. Keyed by the text and ``repr`` of the data (JSON values only, so
    the repr says all they hold; a key order that differs only costs a rebuild)."""
    key = (question.text, repr(question.data))
    problem = _PROBLEMS.get(key)
    if problem is None:
        if len(_PROBLEMS) >= _MAX_CACHED:
            _PROBLEMS.clear()
        problem = _PROBLEMS[key] = problem_from(_definition(question.text, question.data or {}))
    return problem


def values_for(question: StoredQuestion, *, seed: str, problem: Problem | None = None) -> dict[str, Decimal]:
    """This attempt's values for this question: the attempt's seed (``served_seed``) and the
    question's id, so each question of one attempt draws its own values too."""
    return instantiate(problem or problem_of(question), f"{seed}:{question.id}")


def right_answer(question: StoredQuestion, *, seed: str) -> str:
    """The unrounded right answer with this attempt's values, as a learner would type it (for the
    demo's learners, who know the material)."""
    problem = problem_of(question)
    return format_value(expected_answer(problem, values_for(question, seed=seed, problem=problem)))


class Calculated(QuestionType):
    kind = "calculated"
    label = "Calculated (own values per learner)"
    answer_hint = "Work it out with your values and type the number."
    answer_template = "assessment/questions/calculated.html"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        self.clean_data(spec, where=where)

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        data = spec_data(spec, where=where)
        faults = [f"unknown key {key!r}" for key in sorted(set(map(str, data)) - _DATA_KEYS)]
        decimals = data.get("decimals")
        if decimals is not None and (
            isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS
        ):
            faults.append(f"'decimals' must be a whole number from 0 to {MAX_DECIMALS}")
        try:
            problem_from(_definition(str(spec.get("text", "")).strip(), data))
        except ProblemError as error:
            faults += error.problems
        if faults:
            raise ValidationFailed(
                f"{where}: {len(faults)} problem{'s' if len(faults) != 1 else ''} in the calculated question: "
                + "; ".join(faults)
                + ".",
                errors={where: list(faults)},
            )
        cleaned = {key: data[key] for key in _PROBLEM_KEYS if key in data}
        if decimals is not None:
            cleaned["decimals"] = decimals
        return cleaned

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        """A number as people write it, with a unit the question accepts: an answer that cannot be
        read (not a number, a wrong or missing unit) is refused with what to fix, not graded."""
        text = text_answer(question, raw, limit=numbers.MAX_ANSWER_LENGTH).strip()
        try:
            _number, unit = numbers.parse_number(text)
        except numbers.AnswerFormatError as error:
            raise ValidationFailed(
                f"Question {question.id}: {error}", errors={str(question.id): ["Not a number."]}
            ) from None
        fault = _unit_fault(problem_of(question), unit)
        if fault:
            raise ValidationFailed(f"Question {question.id}: {fault}", errors={str(question.id): ["Bad unit."]})
        return text

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        # Without the attempt there are no values to grade against: every reader of an attempt
        # goes through ``grade_for``. Failing loudly beats grading against someone else's values.
        raise TypeError("A calculated question is graded with its attempt's seed (grade_for).")

    def grade_for(self, question: StoredQuestion, answer: Answer | None, *, seed: str) -> Grade:
        if answer is None:
            return Grade(points=0, correct=False)
        problem = problem_of(question)
        try:
            check = check_answer(problem, values_for(question, seed=seed, problem=problem), str(answer))
        except EvaluationError:
            # The authoring check tries the values learners may draw; a rare one it missed has no
            # answer, and the learner is not blamed for it: full credit, as for a voided question.
            return Grade(points=question.points, correct=True)
        return Grade(points=points_for(question, Decimal(1 if check.correct else 0)), correct=check.correct)

    def text_for(self, question: StoredQuestion, *, seed: str) -> str:
        return render_text(question.text, values_for(question, seed=seed))

    def served(self, question: StoredQuestion, *, seed: str, ids: ServedIds | None = None) -> dict[str, Any]:
        # The learner's values (already in the text) and the unit spellings: never the formula,
        # the tolerance or the answer.
        problem = problem_of(question)
        values = values_for(question, seed=seed, problem=problem)
        return {
            "values": {name: format_value(value) for name, value in values.items()},
            "units": list(problem.units),
            "units_required": problem.units_required,
        }

    def solution(self, question: StoredQuestion) -> str:
        # Outside an attempt (the statistics pages) the right answer is the formula.
        data = question.data or {}
        return f"= {data.get('answer', '')}"

    def solution_for(self, question: StoredQuestion, *, seed: str) -> str:
        problem = problem_of(question)
        try:
            expected = expected_answer(problem, values_for(question, seed=seed, problem=problem))
        except EvaluationError:
            return ""
        decimals = (question.data or {}).get("decimals")
        if isinstance(decimals, int):
            expected = expected.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
            shown = f"{expected:f}"
        else:
            shown = format_value(expected)
        unit = f" {problem.units[0]}" if problem.units else ""
        tolerance = problem.tolerance
        if not tolerance.amount:
            return f"{shown}{unit}"
        if tolerance.kind == "absolute":
            return f"{shown} ± {format_value(tolerance.amount)}{unit}"
        return f"{shown}{unit} (within {format_value(tolerance.amount * 100)}%)"


def _unit_fault(problem: Problem, unit: str) -> str | None:
    """What is wrong with the unit written after the number, as ``check_answer`` would say it."""
    if not unit:
        return f"give the unit too, in {problem.units[0]}." if problem.units_required else None
    if not problem.units:
        return f"enter a number only, without {unit!r}."
    if "".join(unit.split()) in {"".join(spelling.split()) for spelling in problem.units}:
        return None
    return f"give the answer in {problem.units[0]}, not {unit!r}."
