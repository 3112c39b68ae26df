"""Parameterised problems: per-learner values that replay, a formula checked against a whitelist and
evaluated without eval, answers read robustly and compared with a tolerance, and the problem text."""

from __future__ import annotations

import ast
import math
import random
from collections import Counter
from decimal import Decimal

import pytest

from microcred.assessment.review import (
    AnswerFormatError,
    EvaluationError,
    Formula,
    ProblemError,
    Verdict,
    check_answer,
    compile_formula,
    expected_answer,
    format_value,
    instantiate,
    parse_number,
    render_text,
    validate_problem,
)
from microcred.assessment.review.parameters import Choices, Fixed, Problem, Range, Tolerance

D = Decimal

CRATE = {
    "text": "A crate of {mass} kg rests on the floor (g = {g} m/s²). What is its weight?",
    "variables": {"mass": {"min": 2, "max": 10, "step": 0.5}, "g": {"value": 9.81}},
    "answer": "mass * g",
    "tolerance": {"relative": 0.01},
    "units": "N",
}


def crate(**changes: object) -> Problem:
    return validate_problem(CRATE | changes)


def problems(definition: dict[str, object]) -> tuple[str, ...]:
    with pytest.raises(ProblemError) as raised:
        validate_problem(definition)
    assert raised.value.code == "problem_invalid"
    return raised.value.problems


# -- definition --------------------------------------------------------------------------------


def test_a_definition_becomes_a_problem() -> None:
    problem = crate()

    assert problem.variables == (Fixed("g", D("9.81")), Range("mass", D(2), D(10), D("0.5")))
    assert problem.answer.source == "mass * g"
    assert (problem.tolerance.kind, problem.tolerance.amount) == ("relative", D("0.01"))
    assert problem.units == ("N",) and not problem.units_required
    assert problem.names == ("g", "mass")


def test_every_fault_is_listed_at_once() -> None:
    found = problems(
        {
            "variables": {"mass": {"min": 10, "max": 2, "step": 1}, "sqrt": {"value": 1}, "2x": {"value": 1}},
            "answer": "mass ^ 2 + x",
            "tolerance": {"relative": 5},
            "units_required": True,
            "text": "{weight}",
            "colour": "red",
        }
    )

    assert found == (
        "unknown key 'colour'",
        "variable name '2x' must be a letter then letters, digits or _ (at most 40)",
        "variable 'mass': max (2) is below min (10)",
        "variable name 'sqrt' is taken by the function",
        "'^' is not a power here: write ** (as in x ** 2) (column 1)",
        "unknown name 'x' (column 12); the variables are: mass",
        "relative tolerance is a fraction below 1 (0.01 is 1%), not 5",
        "'units_required' is true but no 'units' are given",
        "the text shows {weight}, which is not a variable",
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"min": 0, "max": 1},
            "variable 'v' must be defined by exactly one of: value; min, max and step; choices (got max, min)",
        ),
        ({}, "variable 'v' must be defined by exactly one of: value; min, max and step; choices (got nothing)"),
        (
            {"value": 1, "choices": [1]},
            "variable 'v' must be defined by exactly one of: value; min, max and step; choices (got choices, value)",
        ),
        ({"min": 2, "max": 10, "step": 3}, "variable 'v': max - min (8) is not a whole number of steps of 3"),
        ({"min": 0, "max": 1, "step": 0}, "variable 'v': step must be above 0, not 0"),
        ({"min": 0, "max": 1, "step": -0.5}, "variable 'v': step must be above 0, not -0.5"),
        ({"value": "lots"}, "variable 'v': value must be a number, not 'lots'"),
        ({"value": True}, "variable 'v': value must be a number, not True"),
        ({"value": float("inf")}, "variable 'v': value must be a number, not inf"),
        ({"value": "NaN"}, "variable 'v': value must be a number, not 'NaN'"),
        ({"value": 10**400}, "variable 'v': value is too large (at most 1,000,000,000,000,000 in absolute value)"),
        (
            {"value": "1e999999999"},
            "variable 'v': value is too large (at most 1,000,000,000,000,000 in absolute value)",
        ),
        ({"value": "0.0000000000001"}, "variable 'v': value has more than 12 decimal places"),
        ({"choices": []}, "variable 'v': choices must be a list of 1 to 1000 numbers"),
        ({"choices": "123"}, "variable 'v': choices must be a list of 1 to 1000 numbers"),
        ({"choices": [1, "x"]}, "variable 'v': choice 2 must be a number, not 'x'"),
        ([1, 2], "variable 'v' must be defined by value, min/max/step or choices"),
    ],
)
def test_bad_variables_are_refused(spec: object, message: str) -> None:
    assert problems(CRATE | {"variables": {"v": spec}, "answer": "1", "text": ""}) == (message,)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("e", "variable name 'e' is taken by the constant"),
        ("pi", "variable name 'pi' is taken by the constant"),
        ("class", "variable name 'class' must be a letter then letters, digits or _ (at most 40)"),
        ("a b", "variable name 'a b' must be a letter then letters, digits or _ (at most 40)"),
        ("x" * 41, f"variable name '{'x' * 41}' must be a letter then letters, digits or _ (at most 40)"),
    ],
)
def test_bad_variable_names_are_refused(name: str, message: str) -> None:
    assert problems(CRATE | {"variables": {name: {"value": 1}}, "answer": "1", "text": ""}) == (message,)


@pytest.mark.parametrize(
    ("tolerance", "message"),
    [
        (None, '\'tolerance\' must be {"absolute": amount} or {"relative": fraction}'),
        ({"absolute": 1, "relative": 0.1}, '\'tolerance\' must be {"absolute": amount} or {"relative": fraction}'),
        ({"percent": 1}, '\'tolerance\' must be {"absolute": amount} or {"relative": fraction}'),
        ({"absolute": -1}, "absolute tolerance must not be negative (-1)"),
        ({"relative": 1}, "relative tolerance is a fraction below 1 (0.01 is 1%), not 1"),
    ],
)
def test_bad_tolerances_are_refused(tolerance: object, message: str) -> None:
    assert problems(CRATE | {"tolerance": tolerance}) == (message,)


def test_bad_units_and_texts_are_refused() -> None:
    assert problems(CRATE | {"units": 5}) == ("'units' must be text or a list of texts",)
    assert problems(CRATE | {"units": ["N", ""]}) == (
        "each unit must be 1 to 20 characters and not start with a digit",
    )
    assert problems(CRATE | {"units": "2N"}) == ("each unit must be 1 to 20 characters and not start with a digit",)
    assert problems(CRATE | {"text": 3}) == ("'text' must be text",)
    assert problems(CRATE | {"units_required": "yes"}) == ("'units_required' must be true or false",)
    assert problems(CRATE | {"answer": "  "}) == ("'answer' must be a formula, such as \"mass * g\"",)
    with pytest.raises(ProblemError, match="an exercise is defined by a mapping, not list"):
        validate_problem([])  # type: ignore[arg-type]


def test_a_formula_without_a_value_for_some_learner_is_refused_at_definition() -> None:
    assert problems(CRATE | {"answer": "g / (mass - 5)", "text": ""}) == (
        "the answer has no value for some learners: with g = 9.81, mass = 5, the formula divides by zero for these values",
    )
    assert problems(CRATE | {"answer": "sqrt(mass - 3)", "text": ""}) == (
        "the answer has no value for some learners: with g = 9.81, mass = 2, sqrt(-1) has no value",
    )
    # Too many combinations to try them all: the extremes and a sample are tried.
    wide = {"a": {"min": 0, "max": 1000, "step": 1}, "b": {"min": 0, "max": 1000, "step": 1}}
    assert problems({"variables": wide, "answer": "1 / (a - 1000)", "tolerance": {"absolute": 0}}) == (
        "the answer has no value for some learners: with a = 1000, b = 1000, the formula divides by zero for these values",
    )
    assert validate_problem({"variables": wide, "answer": "a / (b + 1)", "tolerance": {"absolute": 0}})


# -- the formula -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os').system('ls')", "__import__('os').system() is not an allowed function (column 1)"),
        ("__import__('os')", "__import__() is not an allowed function (column 1)"),
        ("().__class__.__bases__[0].__subclasses__()", "__subclasses__() is not an allowed function (column 1)"),
        ("(1).__class__", "attribute access ('.') not allowed in a formula (column 1)"),
        ("open('/etc/passwd')", "open() is not an allowed function (column 1)"),
        ("eval('1')", "eval() is not an allowed function (column 1)"),
        ("__builtins__", "unknown name '__builtins__' (column 1)"),
        ("globals()", "globals() is not an allowed function (column 1)"),
        ("x.real", "attribute access ('.') not allowed in a formula (column 1)"),
        ("x[0]", "indexing ('[...]') not allowed in a formula (column 1)"),
        ("[i for i in (1, 2)]", "comprehensions not allowed in a formula (column 1)"),
        ("lambda: 1", "lambda not allowed in a formula (column 1)"),
        ("x if x else 1", "'if ... else' not allowed in a formula (column 1)"),
        ("x == 1", "comparisons not allowed in a formula (column 1)"),
        ("x and 1", "'and'/'or' not allowed in a formula (column 1)"),
        ("not x", "'not' is not allowed (column 1)"),
        ("~x", "'~' is not allowed (column 1)"),
        ("x, 1", "tuples (a stray comma?) not allowed in a formula (column 1)"),
        ("'text'", "str values such as 'text' are not allowed (column 1)"),
        ("b'x'", "bytes values such as b'x' are not allowed (column 1)"),
        ("1j", "complex values such as 1j are not allowed (column 1)"),
        ("True", "bool values such as True are not allowed (column 1)"),
        ("f'{x}'", "f-strings not allowed in a formula (column 1)"),
        ("(y := 2)", "':=' not allowed in a formula (column 2)"),
        ("{1: 2}", "dictionaries not allowed in a formula (column 1)"),
        ("x ^ 2", "'^' is not a power here: write ** (as in x ** 2) (column 1)"),
        ("x % 2", "'%' (remainder) is not allowed (column 1)"),
        ("x // 2", "'//' (whole division) is not allowed: use / and round() (column 1)"),
        ("x << 2", "'<<' is not allowed (column 1)"),
        ("x ** 101", "the exponent 101 is too large (at most 100) (column 1)"),
        ("x ** -101", "the exponent -101 is too large (at most 100) (column 1)"),
        ("2 ** 10 ** 10", "the exponent 1e+10 is too large (at most 100) (column 1)"),
        ("x ** (10 ** 10)", "the exponent 1e+10 is too large (at most 100) (column 1)"),
        ("x ** -(5 * 30)", "the exponent -150 is too large (at most 100) (column 1)"),
        ("x + 1 / 0", "the formula divides by zero for these values (column 5)"),
        ("x + sqrt(-1)", "sqrt(-1) has no value (column 5)"),
        ("x * exp(1000)", "exp() gives a number too large (column 5)"),
        ("x + 10.0 ** 99 * 10 ** 99 * 10 ** 99 * 10 ** 99", "the formula gives a number too large"),
        ("1e999", "the number is too large (column 1)"),
        ("sqrt", "sqrt is a function: write sqrt(...) (column 1)"),
        ("sqrt(4, 2)", "sqrt() takes 1 argument(s), not 2 (column 1)"),
        ("min(x)", "min() takes 2 to 20 argument(s), not 1 (column 1)"),
        ("round(x, ndigits=2)", "round() takes no named arguments (column 1)"),
        ("sqrt(*[4])", "'*' unpacking not allowed in a formula (column 6)"),
        ("import os", "the answer formula cannot be read at column 1: invalid syntax"),
        ("x; 1", "the answer formula cannot be read at column 2: invalid syntax"),
        ("(x", "the answer formula cannot be read at column 1: '(' was never closed"),
        ("x" + " + x" * 120, "the answer formula has more than 200 parts"),
        ("1" * 501, "the answer formula is longer than 500 characters"),
    ],
)
def test_unsafe_or_unknown_formulas_are_refused(formula: str, message: str) -> None:
    with pytest.raises(ProblemError) as raised:
        compile_formula(formula, {"x"})
    assert any(message in problem for problem in raised.value.problems), raised.value.problems


def test_a_formula_may_use_the_whitelist() -> None:
    problem = crate(
        variables={"a": {"value": 16}, "b": {"value": -2.5}},
        answer="sqrt(a) + log(100, 10) + log(e) + exp(0) + sin(pi / 2) + cos(0) + tan(0) + abs(b)"
        " + round(2.345, 2) + round(b) + min(a, b, 3) + max(a, 3) + -b ** 2 + +a / (a - 12) * 2 ** -1",
        text="",
    )

    expected = 4 + 2 + 1 + 1 + 1 + 1 + 0 + 2.5 + round(2.345, 2) + round(-2.5) + -2.5 + 16 + -6.25 + 16 / 4 / 2
    assert expected_answer(problem, instantiate(problem, 0)) == D(format(expected, ".12g"))


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("a / (b - b)", "the formula divides by zero for these values"),
        ("sqrt(b)", "sqrt(-2.5) has no value"),
        ("log(a - 16)", "log(0) has no value"),
        ("log(a, 1)", "log(16, 1) has no value"),
        ("b ** 0.5", "a negative number (-2.5) to a fractional power (0.5) is not real"),
        ("0 ** b", "the formula divides by zero for these values (0 to a negative power)"),
        ("a ** a ** a", "the exponent 1.84467e+19 is too large (at most 100)"),
        ("exp(a * 100)", "exp() gives a number too large"),
        ("(a * 1e300) * 1e300", "the formula gives a number too large, or not a real number, for these values"),
        ("(a * 10) ** 99 * 10 ** 99", "the formula gives a number too large"),
        ("round(a, 0.5)", "round(16, 0.5) has no value"),
    ],
)
def test_a_formula_without_a_value_raises_a_clear_error(formula: str, message: str) -> None:
    variables = (Fixed("a", D(16)), Fixed("b", D("-2.5")))
    # Built by hand: validation would refuse it, having tried the values (below).
    problem = Problem(variables, compile_formula(formula, {"a", "b"}), Tolerance("absolute", D(0)))

    with pytest.raises(EvaluationError) as raised:
        expected_answer(problem, {"a": D(16), "b": D("-2.5")})
    assert message in str(raised.value)
    assert raised.value.code == "problem_evaluation_failed"
    refused = problems(CRATE | {"variables": {"a": {"value": 16}, "b": {"value": -2.5}}, "answer": formula, "text": ""})
    assert refused == (f"the answer has no value for some learners: with a = 16, b = -2.5, {raised.value}",)


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('true')",
        "(1).__class__",
        "x % 2",
        "not x",
        "'text'",
        "True",
        "y",
        "open('f')",
        "sqrt(x=4)",
        "sqrt(1, 2)",
        "[x]",
        "10 ** 400",
    ],
)
def test_a_formula_built_by_hand_around_an_unchecked_tree_is_refused_when_evaluated(source: str) -> None:
    """Defence in depth: the evaluator itself walks only the whitelist, whatever tree it is given."""
    unchecked = Formula(source, ast.parse(source, mode="eval"))
    problem = Problem((Fixed("x", D(4)),), unchecked, Tolerance("absolute", D(0)))

    with pytest.raises(EvaluationError):
        expected_answer(problem, {"x": D(4)})


def test_expected_answer_removes_binary_noise() -> None:
    problem = crate()

    assert 10 * 9.81 != 98.1
    assert expected_answer(problem, {"mass": D(10), "g": D("9.81")}) == D("98.1")
    assert expected_answer(crate(answer="0.1 + 0.2", text=""), {"mass": D(2), "g": D(1)}) == D("0.3")
    assert expected_answer(crate(answer="mass - mass", text=""), {"mass": D(2), "g": D(1)}) == D(0)
    assert expected_answer(crate(answer="mass / 3", text=""), {"mass": D(2), "g": D(1)}) == D("0.666666666667")


def test_expected_answer_needs_exactly_the_problems_values() -> None:
    with pytest.raises(EvaluationError, match="the values do not fit the exercise: missing mass; unknown m"):
        expected_answer(crate(), {"g": D(1), "m": D(2)})
    with pytest.raises(EvaluationError, match="the value of mass must be a number"):
        expected_answer(crate(), {"g": D(1), "mass": D("1e30")})


# -- values ------------------------------------------------------------------------------------


def test_values_replay_exactly_and_stay_on_the_grid() -> None:
    problem = crate()
    grid = {D(2) + D("0.5") * i for i in range(17)}
    seen = Counter()
    for seed in range(3000):
        values = instantiate(problem, seed)
        assert values == instantiate(problem, seed)
        assert values["g"] == D("9.81")
        assert values["mass"] in grid
        seen[values["mass"]] += 1
    # Every value is drawn, and none far more than others (3000 / 17 is about 176).
    assert set(seen) == grid
    assert max(seen.values()) < 250 and min(seen.values()) > 110


def test_values_for_a_seed_are_pinned() -> None:
    """Stored attempts are replayed: a seed must give the same values in every version."""
    problem = crate()

    assert [instantiate(problem, seed)["mass"] for seed in range(5)] == [D(7), D("5.5"), D(6), D("6.5"), D("5.5")]
    assert instantiate(problem, "attempt-17:problem-3")["mass"] == instantiate(problem, "attempt-17:problem-3")["mass"]


def test_a_new_variable_leaves_the_others_alone() -> None:
    one = crate()
    two = crate(variables=CRATE["variables"] | {"angle": {"choices": [30, 45, 60]}})  # type: ignore[operator]

    for seed in range(50):
        assert instantiate(two, seed)["mass"] == instantiate(one, seed)["mass"]


def test_choices_and_text_seeds() -> None:
    problem = crate(variables={"mass": {"choices": [1, "2.5", 4.75]}, "g": {"value": 10}})
    assert problem.variables[1] == Choices("mass", (D(1), D("2.5"), D("4.75")))

    drawn = {instantiate(problem, f"learner-{i}")["mass"] for i in range(100)}

    assert drawn == {D(1), D("2.5"), D("4.75")}
    assert all(instantiate(problem, seed) == instantiate(problem, str(seed)) for seed in range(20))
    with pytest.raises(EvaluationError, match="the seed must be an integer or text"):
        instantiate(problem, 1.5)  # type: ignore[arg-type]


# -- answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "rest"),
    [
        ("98.1", "98.1", ""),
        ("  98.1  ", "98.1", ""),
        ("98,1", "98.1", ""),
        ("-3", "-3", ""),
        ("\u22123", "-3", ""),
        ("+ 3", "3", ""),
        (".5", "0.5", ""),
        (",5", "0.5", ""),
        ("98.", "98", ""),
        ("1 234.5", "1234.5", ""),
        ("1\u00a0234,5", "1234.5", ""),
        ("1\u202f234\u202f567", "1234567", ""),
        ("1'234.5", "1234.5", ""),
        ("1,234.5", "1234.5", ""),
        ("1.234,5", "1234.5", ""),
        ("1,234,567", "1234567", ""),
        ("1.234.567", "1234567", ""),
        ("1.234", "1.234", ""),
        ("0,123", "0.123", ""),
        ("1234,567", "1234.567", ""),
        ("12,3456", "12.3456", ""),
        ("9.81e2", "981", ""),
        ("9.81E-2", "0.0981", ""),
        ("9,81 × 10^2", "981", ""),
        ("9.81x10^-2", "0.0981", ""),
        ("9.81*10^2 N", "981", "N"),
        ("98.1 N", "98.1", "N"),
        ("98.1N", "98.1", "N"),
        ("98.1  m / s", "98.1", "m / s"),
        ("5 eV", "5", "eV"),
    ],
)
def test_numbers_are_read_as_people_write_them(text: str, number: str, rest: str) -> None:
    assert parse_number(text) == (D(number), rest)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an answer."),
        ("   ", "Enter an answer."),
        ("abc", "Enter a number, in digits."),
        ("N 98", "Enter a number, in digits."),
        ("nan", "Enter a number, in digits."),
        ("inf", "Enter a number, in digits."),
        ("1,234", "'1,234' could mean 1234 or 1.234: write 1234 or 1.234."),
        ("12,345", "'12,345' could mean 12345 or 12.345: write 12345 or 12.345."),
        ("1 23", "'1 23' is not a number as written: write it like 1234.5 or 1 234,5."),
        ("12,34,567", "'12,34,567' is not a number as written"),
        ("1.2,3.4", "'1.2,3.4' is not a number as written"),
        ("1,234.5.6", "'1,234.5.6' is not a number as written"),
        ("1 234'567", "is not a number as written"),
        ("1" * 31, "The number is too long or too large."),
        ("1e301", "The number is too long or too large."),
        ("1e99999999", "The number is too long or too large."),
        ("1" * 101, "The answer is longer than 100 characters."),
    ],
)
def test_unreadable_numbers_get_a_message(text: str, message: str) -> None:
    with pytest.raises(AnswerFormatError) as raised:
        parse_number(text)
    assert message in str(raised.value)


def test_the_answer_is_checked_within_the_tolerance() -> None:
    problem = crate()
    values = {"mass": D(10), "g": D("9.81")}

    def verdict(answer: str, on: Problem = problem) -> Verdict:
        return check_answer(on, values, answer).verdict

    assert verdict("98.1") is Verdict.CORRECT
    assert verdict("98,1 N") is Verdict.CORRECT
    assert verdict("99.081") is Verdict.CORRECT  # 1% of 98.1 is 0.981: the edge is inside
    assert verdict("97.119") is Verdict.CORRECT
    assert verdict("99.082") is Verdict.INCORRECT
    assert verdict("-98.1") is Verdict.INCORRECT
    absolute = crate(tolerance={"absolute": "0.1"})
    assert verdict("98.2", absolute) is Verdict.CORRECT  # exact in Decimal: 98.2 - 98.1 is 0.1
    assert verdict("98.0", absolute) is Verdict.CORRECT
    assert verdict("98.21", absolute) is Verdict.INCORRECT
    exact = crate(tolerance={"absolute": 0})
    assert verdict("98.10", exact) is Verdict.CORRECT
    assert verdict("98.1000001", exact) is Verdict.INCORRECT


def test_a_relative_tolerance_on_zero_needs_zero() -> None:
    problem = crate(answer="mass - mass", text="")
    values = instantiate(problem, 0)

    assert check_answer(problem, values, "0").correct
    assert check_answer(problem, values, "-0.0").correct
    assert not check_answer(problem, values, "0.0001").correct


def test_the_check_never_gives_the_answer_away_in_its_message() -> None:
    problem = crate()
    values = {"mass": D(10), "g": D("9.81")}

    for answer in ("98.1", "12", "12 kg", "x", "", "1,234", "98.1 N N", "1 23", "1e999"):
        check = check_answer(problem, values, answer)
        assert "98.1" not in check.message.replace(answer, "")
        assert check.expected == D("98.1")


@pytest.mark.parametrize(
    ("definition", "answer", "verdict", "message"),
    [
        ({}, "98.1 N", Verdict.CORRECT, "Correct."),
        ({}, "98.1", Verdict.CORRECT, "Correct."),
        ({}, "98.1 kg", Verdict.UNREADABLE, "Give the answer in N, not 'kg'."),
        ({}, "12 N", Verdict.INCORRECT, "Incorrect."),
        ({"units_required": True}, "98.1", Verdict.UNREADABLE, "Give the unit too, in N."),
        ({"units_required": True}, "98.1N", Verdict.CORRECT, "Correct."),
        ({"units": ["m/s²", "m/s^2", "m s^-2"]}, "98.1 m / s^2", Verdict.CORRECT, "Correct."),
        ({"units": ["m/s²", "m/s^2"]}, "98.1 m/s", Verdict.UNREADABLE, "Give the answer in m/s², not 'm/s'."),
        ({"units": []}, "98.1 N", Verdict.UNREADABLE, "Enter a number only, without 'N'."),
        ({}, "98.1 n", Verdict.UNREADABLE, "Give the answer in N, not 'n'."),
        ({}, "", Verdict.UNREADABLE, "Enter an answer."),
    ],
)
def test_units(definition: dict[str, object], answer: str, verdict: Verdict, message: str) -> None:
    check = check_answer(crate(**definition), {"mass": D(10), "g": D("9.81")}, answer)

    assert (check.verdict, check.message) == (verdict, message)
    assert check.correct == (verdict is Verdict.CORRECT)


def test_random_learners_answering_their_own_values_are_right() -> None:
    problem = crate(
        variables={"v": {"min": "0.5", "max": 30, "step": "0.25"}, "t": {"choices": [1, 2, 3, 7.5]}},
        answer="v * t + 0.5 * 9.81 * t ** 2",
        units=["m"],
        tolerance={"absolute": "0.005"},
        text="",
    )
    rng = random.Random(2)
    for seed in range(300):
        values = instantiate(problem, seed)
        exact = float(values["v"]) * float(values["t"]) + 0.5 * 9.81 * float(values["t"]) ** 2
        assert math.isclose(float(expected_answer(problem, values)), exact, rel_tol=1e-11)
        written = f"{exact:.2f}"
        if rng.random() < 0.5:
            written = written.replace(".", ",") + " m"
        assert check_answer(problem, values, written).correct, (values, written)
        assert not check_answer(problem, values, f"{exact + 0.02:.2f}").correct


# -- the text ----------------------------------------------------------------------------------


def test_the_text_shows_the_learners_values() -> None:
    problem = crate()

    assert render_text(problem.text, {"mass": D("7.50"), "g": D("9.81")}) == (
        "A crate of 7.5 kg rests on the floor (g = 9.81 m/s²). What is its weight?"
    )
    assert render_text("{{mass}} is {mass}; { mass } and {mass.real} stay", {"mass": D(2)}) == (
        "{mass} is 2; { mass } and {mass.real} stay"
    )
    with pytest.raises(EvaluationError, match=r"the text shows \{speed\}, which has no value"):
        render_text("{speed}", {"mass": D(2)})


@pytest.mark.parametrize(
    ("value", "shown"),
    [(D("2.50"), "2.5"), (D("1E+2"), "100"), (D("-0.0"), "0"), (D("0.000001"), "0.000001"), (D(-3), "-3")],
)
def test_values_are_shown_plainly(value: Decimal, shown: str) -> None:
    assert format_value(value) == shown
