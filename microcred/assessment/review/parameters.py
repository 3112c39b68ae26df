"""Parameterised practical problems: each learner gets their own values, and the answer is computed.

A problem is defined as plain data (what an authoring form or a JSON file holds)::

    {
        "text": "A crate of {mass} kg rests on the floor. What is its weight?",
        "variables": {"mass": {"min": 2, "max": 10, "step": 0.5}, "g": {"value": 9.81}},
        "answer": "mass * g",
        "tolerance": {"relative": 0.01},
        "units": "N",
    }

and ``validate_problem`` turns it into a ``Problem`` or raises one ``ProblemError`` listing every
fault. A variable is a fixed ``value``, a ``min``/``max``/``step`` range (``max - min`` a whole
number of steps) or a list of ``choices``. The tolerance is ``absolute`` (in the answer's
units) or ``relative`` (a fraction of the answer: 0.01 is 1%). ``units`` is one spelling or a
list of accepted spellings, the first shown to learners; typing the unit is optional unless
``units_required`` is true.

**Safety.** The answer formula is parsed with ``ast`` and checked against a whitelist (numbers,
the declared variables, ``+ - * / **``, unary minus, parentheses, ``pi``, ``e`` and the functions
``sqrt log exp sin cos tan abs round min max``) and evaluated without ``eval``: see ``formula``.
Values are bounded (``MAX_MAGNITUDE``, ``MAX_PLACES``), and so are exponents and the formula's
length and size.

**Values** are ``Decimal``, drawn from SHA-256 of ``(seed, variable name)``: the same seed gives
the same values on every Python version, and adding a variable to a problem does not change the
others. Give each learner and problem its own seed (``f"{attempt_id}:{problem_id}"``).

**Answers** are compared in ``Decimal``, against the formula's result rounded to 12 significant
figures (which removes binary noise: ``10 * 9.81`` is ``98.1``, not ``98.10000000000001``).
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import keyword
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Literal, TypeAlias

from .answers import AnswerFormatError, parse_number
from .errors import EvaluationError, ProblemError
from .formula import CONSTANTS, FUNCTIONS, Formula, compile_formula, evaluate

MAX_MAGNITUDE = Decimal("1e15")
"""The largest absolute value of a variable's bound, step, value or choice."""
MAX_PLACES = 12
"""The most decimal places of a variable's bound, step, value or choice."""
MAX_CHOICES = 1000
SIGNIFICANT_FIGURES = 12
EXHAUSTIVE_TRIALS = 1000
SAMPLED_TRIALS = 300

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = {"text", "variables", "answer", "tolerance", "units", "units_required"}


@dataclass(frozen=True)
class Fixed:
    """A variable with one value for everyone (a constant such as ``g``)."""

    name: str
    value: Decimal

    @property
    def count(self) -> int:
        return 1

    def value_at(self, index: int) -> Decimal:
        return self.value


@dataclass(frozen=True)
class Range:
    """``min``, ``min + step``, ... up to ``max`` inclusive."""

    name: str
    min: Decimal
    max: Decimal
    step: Decimal

    @property
    def count(self) -> int:
        with localcontext() as context:
            context.prec = 60
            return int((self.max - self.min) / self.step) + 1

    def value_at(self, index: int) -> Decimal:
        with localcontext() as context:
            context.prec = 60
            return self.min + index * self.step


@dataclass(frozen=True)
class Choices:
    """One of a list of values."""

    name: str
    choices: tuple[Decimal, ...]

    @property
    def count(self) -> int:
        return len(self.choices)

    def value_at(self, index: int) -> Decimal:
        return self.choices[index]


Variable: TypeAlias = Fixed | Range | Choices


@dataclass(frozen=True)
class Tolerance:
    """How far an answer may be from the expected one: ``absolute`` in the answer's units, or
    ``relative`` as a fraction of the expected answer (0.01 is 1%; an expected 0 must be met exactly)."""

    kind: Literal["absolute", "relative"]
    amount: Decimal

    def allows(self, given: Decimal, expected: Decimal) -> bool:
        with localcontext() as context:
            context.prec = 60
            limit = self.amount if self.kind == "absolute" else self.amount * abs(expected)
            return abs(given - expected) <= limit


@dataclass(frozen=True)
class Problem:
    variables: tuple[Variable, ...]
    answer: Formula
    tolerance: Tolerance
    units: tuple[str, ...] = ()
    units_required: bool = False
    text: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(variable.name for variable in self.variables)


def validate_problem(definition: Mapping[str, object]) -> Problem:
    """A ``Problem`` from its plain definition, or ``ProblemError`` listing every fault."""
    problems: list[str] = []
    if not isinstance(definition, Mapping):
        raise ProblemError([f"an exercise is defined by a mapping, not {type(definition).__name__}"])
    problems += [f"unknown key {key!r}" for key in sorted(set(map(str, definition)) - _KEYS)]

    variables: list[Variable] = []
    raw_variables = definition.get("variables", {})
    if not isinstance(raw_variables, Mapping):
        problems.append("'variables' must map names to definitions")
        raw_variables = {}
    for name in sorted(raw_variables, key=str):
        variable = _variable(name, raw_variables[name], problems)
        if variable is not None:
            variables.append(variable)
    # Names declared well, even with a faulty definition, so the formula and text are not also
    # blamed for using them.
    names = {name for name in raw_variables if isinstance(name, str) and _valid_name(name)}

    formula: Formula | None = None
    source = definition.get("answer")
    if not isinstance(source, str) or not source.strip():
        problems.append("'answer' must be a formula, such as \"mass * g\"")
    else:
        try:
            formula = compile_formula(source, names)
        except ProblemError as error:
            problems += error.problems

    tolerance = _tolerance(definition.get("tolerance"), problems)
    units = _units(definition.get("units", ()), problems)
    units_required = definition.get("units_required", False)
    if not isinstance(units_required, bool):
        problems.append("'units_required' must be true or false")
        units_required = False
    elif units_required and not units:
        problems.append("'units_required' is true but no 'units' are given")

    text = definition.get("text", "")
    if not isinstance(text, str):
        problems.append("'text' must be text")
        text = ""
    for match in _PLACEHOLDER.finditer(text):
        if match.group(1) is not None and match.group(1) not in names:
            problems.append(f"the text shows {{{match.group(1)}}}, which is not a variable")

    if problems or formula is None or tolerance is None:
        raise ProblemError(problems)
    problem = Problem(tuple(variables), formula, tolerance, units, units_required, text)
    fault = _fault_for_some_learner(problem)
    if fault:
        raise ProblemError([fault])
    return problem


def _fault_for_some_learner(problem: Problem) -> str | None:
    """Try the formula on the values learners may get, so that ``1 / (mass - 5)`` with ``mass``
    from 2 to 10 is refused now, not found by the learner who draws 5.

    Every combination when there are at most ``EXHAUSTIVE_TRIALS``; otherwise the lowest and the
    highest values together and ``SAMPLED_TRIALS`` draws, which catches most but not all faults
    (``expected_answer`` still raises ``EvaluationError`` for the rest).
    """
    variables = problem.variables
    combinations = math.prod(variable.count for variable in variables)
    if combinations <= EXHAUSTIVE_TRIALS:
        trials: Iterable[dict[str, Decimal]] = (
            {variable.name: variable.value_at(index) for variable, index in zip(variables, indexes, strict=True)}
            for indexes in itertools.product(*(range(variable.count) for variable in variables))
        )
    else:
        lowest = {variable.name: variable.value_at(0) for variable in variables}
        highest = {variable.name: variable.value_at(variable.count - 1) for variable in variables}
        drawn = (instantiate(problem, f"trial:{number}") for number in range(SAMPLED_TRIALS))
        trials = itertools.chain([lowest, highest], drawn)
    for values in trials:
        try:
            expected_answer(problem, values)
        except EvaluationError as error:
            shown = ", ".join(f"{name} = {format_value(value)}" for name, value in values.items())
            return f"the answer has no value for some learners: with {shown}, {error}"
    return None


def _valid_name(name: str) -> bool:
    return (
        bool(_NAME.fullmatch(name)) and not keyword.iskeyword(name) and name not in FUNCTIONS and name not in CONSTANTS
    )


def _variable(name: object, spec: object, problems: list[str]) -> Variable | None:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or keyword.iskeyword(name):
        problems.append(f"variable name {name!r} must be a letter then letters, digits or _ (at most 40)")
        return None
    if name in FUNCTIONS or name in CONSTANTS:
        problems.append(f"variable name {name!r} is taken by the {'function' if name in FUNCTIONS else 'constant'}")
        return None
    where = f"variable {name!r}"
    if not isinstance(spec, Mapping):
        problems.append(f"{where} must be defined by value, min/max/step or choices")
        return None
    keys = set(spec)
    if keys == {"value"}:
        value = _number(spec["value"], f"{where}: value", problems)
        return Fixed(name, value) if value is not None else None
    if keys == {"min", "max", "step"}:
        low = _number(spec["min"], f"{where}: min", problems)
        high = _number(spec["max"], f"{where}: max", problems)
        step = _number(spec["step"], f"{where}: step", problems)
        if low is None or high is None or step is None:
            return None
        if step <= 0:
            problems.append(f"{where}: step must be above 0, not {step}")
        elif high < low:
            problems.append(f"{where}: max ({high}) is below min ({low})")
        elif _remainder(high - low, step) != 0:
            problems.append(f"{where}: max - min ({high - low}) is not a whole number of steps of {step}")
        else:
            return Range(name, low, high, step)
        return None
    if keys == {"choices"}:
        raw = spec["choices"]
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or not 1 <= len(raw) <= MAX_CHOICES:
            problems.append(f"{where}: choices must be a list of 1 to {MAX_CHOICES} numbers")
            return None
        choices = [_number(item, f"{where}: choice {index + 1}", problems) for index, item in enumerate(raw)]
        if any(choice is None for choice in choices):
            return None
        return Choices(name, tuple(choice for choice in choices if choice is not None))
    given = ", ".join(sorted(map(str, keys))) or "nothing"
    problems.append(f"{where} must be defined by exactly one of: value; min, max and step; choices (got {given})")
    return None


def _remainder(dividend: Decimal, divisor: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 60
        return dividend % divisor


def _number(value: object, what: str, problems: list[str]) -> Decimal | None:
    """A bounded ``Decimal`` from a definition's number (int, float through its repr, Decimal, text)."""
    number: Decimal | None = None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        # Bounded before the conversion, so a 10,000-digit integer costs nothing.
        number = Decimal(value) if abs(value) <= 10 * MAX_MAGNITUDE else Decimal("Infinity")
    elif isinstance(value, float):
        number = Decimal(repr(value)) if math.isfinite(value) else None
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    if number is None or number.is_nan():
        problems.append(f"{what} must be a number, not {value!r}")
        return None
    # ``adjusted`` first: abs() of 1e999999999 would overflow the decimal context.
    if number.is_infinite() or number.adjusted() > 15 or abs(number) > MAX_MAGNITUDE:
        problems.append(f"{what} is too large (at most {MAX_MAGNITUDE:,.0f} in absolute value)")
        return None
    with localcontext() as context:
        context.prec = 60
        exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PLACES:
        problems.append(f"{what} has more than {MAX_PLACES} decimal places")
        return None
    return number


def _tolerance(raw: object, problems: list[str]) -> Tolerance | None:
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in ("absolute", "relative"):
        problems.append('\'tolerance\' must be {"absolute": amount} or {"relative": fraction}')
        return None
    kind = next(iter(raw))
    amount = _number(raw[kind], f"{kind} tolerance", problems)
    if amount is None:
        return None
    if amount < 0:
        problems.append(f"{kind} tolerance must not be negative ({amount})")
        return None
    if kind == "relative" and amount >= 1:
        problems.append(f"relative tolerance is a fraction below 1 (0.01 is 1%), not {amount}")
        return None
    return Tolerance("absolute" if kind == "absolute" else "relative", amount)


def _units(raw: object, problems: list[str]) -> tuple[str, ...]:
    spellings = [raw] if isinstance(raw, str) else raw
    if not isinstance(spellings, Sequence) or not all(isinstance(unit, str) for unit in spellings):
        problems.append("'units' must be text or a list of texts")
        return ()
    units = tuple(" ".join(unit.split()) for unit in spellings)
    if any(not unit or len(unit) > 20 or any(c.isdigit() for c in unit[:1]) for unit in units):
        problems.append("each unit must be 1 to 20 characters and not start with a digit")
        return ()
    return units


# -- a learner's problem -------------------------------------------------------------------------


def instantiate(problem: Problem, seed: int | str) -> dict[str, Decimal]:
    """One learner's values: variable name -> ``Decimal``, the same for the same seed, always."""
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise EvaluationError(f"the seed must be an integer or text, not {seed!r}")
    return {
        variable.name: variable.value_at(_draw(seed, variable.name, variable.count)) for variable in problem.variables
    }


def _draw(seed: int | str, name: str, count: int) -> int:
    """An index below ``count`` from SHA-256: uniform to within ``count / 2**256``, and stable forever."""
    # ``1`` and ``"1"`` are the same seed, so a seed read back from storage as text replays.
    digest = hashlib.sha256(f"{seed}\x00{name}".encode()).digest()
    return int.from_bytes(digest, "big") % count


def expected_answer(problem: Problem, values: Mapping[str, Decimal]) -> Decimal:
    """The answer for these values, to 12 significant figures; ``EvaluationError`` if there is none."""
    missing = [name for name in problem.names if name not in values]
    extra = sorted(set(values) - set(problem.names))
    if missing or extra:
        said = [f"missing {', '.join(missing)}"] if missing else []
        said += [f"unknown {', '.join(extra)}"] if extra else []
        raise EvaluationError(f"the values do not fit the exercise: {'; '.join(said)}")
    env: dict[str, float] = {}
    for name in problem.names:
        value = values[name]
        if not isinstance(value, Decimal | int) or isinstance(value, bool) or abs(value) > MAX_MAGNITUDE:
            raise EvaluationError(f"the value of {name} must be a number of at most {MAX_MAGNITUDE:,.0f}")
        env[name] = float(value)
    result = evaluate(problem.answer, env)
    answer = Decimal(format(result, f".{SIGNIFICANT_FIGURES}g"))
    return answer if answer != 0 else Decimal(0)


class Verdict(enum.StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    UNREADABLE = "unreadable"
    """The answer could not be read (not a number, an ambiguous number, a wrong unit): it is not
    graded, and ``message`` tells the learner what to fix."""


@dataclass(frozen=True)
class AnswerCheck:
    """The verdict on a submitted answer. ``message`` is for the learner and never gives the answer
    away; ``expected`` is for the grader, to show only when the review options allow."""

    verdict: Verdict
    message: str
    expected: Decimal
    given: Decimal | None = None

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.CORRECT


def check_answer(problem: Problem, values: Mapping[str, Decimal], submitted: str) -> AnswerCheck:
    """Read ``submitted`` (a number, perhaps with a unit) and compare it with the expected answer."""
    expected = expected_answer(problem, values)
    try:
        given, unit = parse_number(submitted)
    except AnswerFormatError as error:
        return AnswerCheck(Verdict.UNREADABLE, str(error), expected)
    unit_problem = _unit_problem(problem, unit)
    if unit_problem:
        return AnswerCheck(Verdict.UNREADABLE, unit_problem, expected, given)
    if problem.tolerance.allows(given, expected):
        return AnswerCheck(Verdict.CORRECT, "Correct.", expected, given)
    return AnswerCheck(Verdict.INCORRECT, "Incorrect.", expected, given)


def _unit_problem(problem: Problem, unit: str) -> str | None:
    if not unit:
        if problem.units_required:
            return f"Give the unit too, in {problem.units[0]}."
        return None
    if not problem.units:
        return f"Enter a number only, without {unit!r}."
    if _squash(unit) in {_squash(spelling) for spelling in problem.units}:
        return None
    return f"Give the answer in {problem.units[0]}, not {unit!r}."


def _squash(unit: str) -> str:
    return "".join(unit.split())


# -- the text ------------------------------------------------------------------------------------


def render_text(template: str, values: Mapping[str, Decimal]) -> str:
    """The problem text with each ``{name}`` replaced by its value (``{{`` and ``}}`` for braces).

    Values are written in plain decimal notation with no trailing zeros: ``2.50`` shows as
    ``2.5``, ``1E+2`` as ``100``. Only ``{name}`` is substituted, never ``str.format`` fields,
    so a template cannot reach attributes. An unknown name raises ``EvaluationError``.
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        if name not in values:
            raise EvaluationError(f"the text shows {{{name}}}, which has no value")
        return format_value(values[name])

    return _PLACEHOLDER.sub(substitute, template)


def format_value(value: Decimal) -> str:
    """A value in plain decimal notation, without trailing zeros or a negative zero."""
    number = Decimal(value)
    if number == 0:
        return "0"
    return f"{number.normalize():f}"
