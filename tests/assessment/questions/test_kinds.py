"""Each question kind, one at a time: what it accepts as a spec, how it reads and grades an
answer (partial credit, tolerances, units, patterns, pairs, order, gaps), and that grading an
author's pattern stays fast whatever the pattern."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from microcred.assessment.questions import question_type, validate_question
from microcred.assessment.questions.cloze import parse_multianswer
from microcred.assessment.questions.short import STAR, compile_pattern, wildcard_match
from microcred.core.errors import ValidationFailed
from tests.assessment.questions.conftest import MIXED
from tests.factories import quiz_for

pytestmark = pytest.mark.django_db


def saved(spec: dict[str, Any]):
    quiz = quiz_for(questions=[spec])
    return quiz.bank.questions.prefetch_related("choices").get()


def spec_of(kind: str) -> dict[str, Any]:
    return next(s for s in MIXED if s["kind"] == kind)


def points(kind: str, answer: Any, spec: dict[str, Any] | None = None) -> Decimal:
    question = saved(spec or spec_of(kind))
    qt = question_type(kind)
    return Decimal(qt.grade(question, None if answer is None else qt.parse_answer(question, answer)).points)


def test_multiple_with_partial_credit_adds_fractions_and_never_goes_below_nothing():
    question = saved(spec_of("multiple"))
    two, three, four, nine = (c.id for c in question.choices.all())
    qt = question_type("multiple")
    assert qt.grade(question, frozenset({two, three})).points == 4
    assert qt.grade(question, frozenset({two})).points == Decimal("2.00")
    # By default a wrong pick takes back what the right ones share: ticking everything earns nothing.
    assert qt.grade(question, frozenset({two, four})).points == 0
    assert qt.grade(question, frozenset({two, three, four, nine})).points == 0
    assert qt.grade(question, frozenset({four, nine})).points == 0
    # Fractions the author sets: +0.5, +0.5, -0.25, -1.
    spec = spec_of("multiple")
    custom = saved(
        {
            **spec,
            "choices": [
                {**c, "fraction": f} for c, f in zip(spec["choices"], ["0.5", "0.5", "-0.25", -1], strict=True)
            ],
        }
    )
    two, three, four, nine = (c.id for c in custom.choices.all())
    assert qt.grade(custom, frozenset({two, four})).points == Decimal("1.00")
    assert qt.grade(custom, frozenset({two, three, four, nine})).points == 0
    # All-or-nothing (the default) gives nothing for half right.
    plain = saved({**spec_of("multiple"), "data": {}})
    assert question_type("multiple").grade(plain, frozenset({plain.choices.all()[0].id})).points == 0


def test_per_choice_feedback_comes_with_the_grade():
    question = saved(spec_of("single"))
    _mars, venus = (c.id for c in question.choices.all())
    assert question_type("single").grade(question, frozenset({venus})).feedback == ("FB-WRONG-VENUS",)


def test_true_false():
    assert points("truefalse", "true") == 1
    assert points("truefalse", False) == 0
    with pytest.raises(ValidationFailed, match="takes true or false"):
        points("truefalse", "maybe")
    with pytest.raises(ValidationFailed, match=r"data\.correct"):
        validate_question({"kind": "truefalse", "text": "t", "data": {"correct": "yes"}}, where="q")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("42.125", "2.00"),
        ("42.18 m", "2.00"),  # within 0.0625
        ("4212.5 cm", "2.00"),  # units with a multiplier
        ("42,1", "2.00"),  # a decimal comma
        ("42.5", "1.00"),  # the second answer: half credit
        ("44", "0.00"),
        ("4212.5", "0.00"),  # no unit: read as metres
    ],
)
def test_numeric_tolerance_units_and_partial_credit(answer, expected):
    assert points("numeric", answer) == Decimal(expected)


def test_numeric_refuses_what_is_not_a_number_and_can_require_a_unit():
    with pytest.raises(ValidationFailed, match="write a number and its unit"):
        points("numeric", "forty")
    required = {**spec_of("numeric"), "data": {**spec_of("numeric")["data"], "unit_required": True}}
    assert points("numeric", "42.125", required) == 0
    assert points("numeric", "42.125 m", required) == 2
    with pytest.raises(ValidationFailed, match="one accepted answer must earn full credit"):
        validate_question(
            {"kind": "numeric", "text": "t", "data": {"answers": [{"value": 1, "fraction": 0.5}]}}, where="q"
        )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("Zanzibar", "1.00"), ("  zanzibAR ", "1.00"), ("Zanzibaaar", "1.00"), ("Unguja", "0.50"), ("Pemba", "0.00")],
)
def test_short_answer_alternatives_wildcards_and_case(answer, expected):
    assert points("short", answer) == Decimal(expected)


def test_short_answer_case_sensitive_and_escaped_star():
    spec = {"kind": "short", "text": "t", "data": {"case_sensitive": True, "alternatives": [{"text": r"C\*"}]}}
    assert points("short", "C*", spec) == 1
    assert points("short", "c*", spec) == 0
    assert points("short", "Cx", spec) == 0


def test_wildcard_matcher():
    assert wildcard_match(compile_pattern("a*b*c", case_sensitive=True), "aXXbYYc")
    assert not wildcard_match(compile_pattern("a*b*c", case_sensitive=True), "aXXbYY")
    assert wildcard_match(STAR, "")
    # A pattern that makes a backtracking regex engine take exponential time is linear here.
    pattern = compile_pattern("*a" * 30 + "*b", case_sensitive=True)
    started = time.perf_counter()
    assert not wildcard_match(pattern, "a" * 2000)
    assert time.perf_counter() - started < 1.0


def test_matching_scores_each_pair():
    options = sorted(["Paris", "Rome", "Madrid", "Lisbon"], key=str.casefold)
    paris, rome, madrid, lisbon = (options.index(x) for x in ("Paris", "Rome", "Madrid", "Lisbon"))
    assert points("matching", {"0": paris, "1": rome, "2": madrid}) == 3
    assert points("matching", {"0": paris, "1": lisbon}) == Decimal("1.00")
    with pytest.raises(ValidationFailed, match="Unknown prompt or option"):
        points("matching", {"0": 99})


def test_ordering_by_positions_or_all_or_nothing():
    # Served ids are places in alphabetical order: Dry 0, Repeat 1, Rinse 2, Wash 3.
    assert points("ordering", [3, 2, 1, 0]) == 4
    assert points("ordering", [3, 2, 0, 1]) == Decimal("2.00")
    strict = {**spec_of("ordering"), "data": {**spec_of("ordering")["data"], "scoring": "all_or_nothing"}}
    assert points("ordering", [3, 2, 0, 1], strict) == 0
    with pytest.raises(ValidationFailed, match="give every item its own position"):
        points("ordering", [3, 3, 1, 0])


def test_ordering_is_never_served_in_order_nor_with_ids_that_give_it_away():
    question = saved(spec_of("ordering"))
    for seed in range(20):
        items = question_type("ordering").served(question, seed=str(seed))["items"]
        assert [i["text"] for i in items] != ["Wash", "Rinse", "Repeat", "Dry"]
        assert {i["id"]: i["text"] for i in items} == {0: "Dry", 1: "Repeat", 2: "Rinse", 3: "Wash"}


def test_cloze_from_moodle_syntax_keeps_no_answer_in_its_text():
    question = saved(spec_of("cloze"))
    assert "quokka" not in question.text and question.text.count("{#") == 3
    assert [g["kind"] for g in question.data["gaps"]] == ["short", "choice", "numeric"]
    assert points("cloze", {"1": "quokka", "2": "0", "3": "3.9"}) == 3
    assert points("cloze", {"1": "quokka"}) == Decimal("1.00")
    served = question_type("cloze").served(question, seed="1")
    assert [p.get("gap") for p in served["parts"] if "gap" in p] == [1, 2, 3]
    assert "quokka" not in str(served) and "3.5" not in str(served)


def test_cloze_spec_errors_and_exported_form():
    with pytest.raises(ValidationFailed, match="gaps"):
        validate_question({"kind": "cloze", "text": "no gaps here"}, where="q")
    with pytest.raises(ValidationFailed, match="unknown gap type"):
        validate_question({"kind": "cloze", "text": "x {1:ESSAY:=a}"}, where="q")
    text, gaps = parse_multianswer("A {2:SA:=b\\}c#well~%50%d} e", where="q")
    assert text == "A {#1} e" and gaps[0]["weight"] == 2
    assert gaps[0]["alternatives"] == [
        {"text": "b}c", "fraction": "1", "feedback": "well"},
        {"text": "d", "fraction": "0.5", "feedback": ""},
    ]
    # The stored form (text with markers and data.gaps) is a valid spec too: exports round-trip.
    question = saved(spec_of("cloze"))
    validate_question({"kind": "cloze", "text": question.text, "data": question.data}, where="q")


def test_essay_waits_for_a_person():
    question = saved(spec_of("essay"))
    grade = question_type("essay").grade(question, "My essay")
    assert grade.pending and grade.points == 0
    assert not question_type("essay").grade(question, None).pending
    assert question_type("essay").served(question, seed="1") == {}
