"""The question editor's compact syntax (``assessment/authoring.py``, pure): each kind's lines read
into its spec, every unreadable line reported with its number, and stored specs written back to
lines that read into the same spec."""

from __future__ import annotations

import pytest

from microcred.assessment import authoring as a
from microcred.assessment.questions.cloze import cloze_source


def problems(call, text: str) -> list[str]:
    with pytest.raises(a.SyntaxProblems) as caught:
        call(text)
    return [str(p) for p in caught.value.problems]


def test_choices_read_marks_weights_feedback_and_escapes():
    text = "= Mars # Right \\# one\n\n~ Venus\n~%25% Jupiter # partly\n~ %-50% Pluto"
    assert a.choices_from_text(text) == [
        {"text": "Mars", "correct": True, "feedback": "Right # one"},
        {"text": "Venus", "correct": False},
        {"text": "Jupiter", "correct": False, "fraction": "0.25", "feedback": "partly"},
        {"text": "Pluto", "correct": False, "fraction": "-0.5"},
    ]


def test_every_bad_line_is_reported_with_its_number():
    assert problems(a.choices_from_text, "= A\nB\n~%150% C\n~") == [
        "Line 2: start the line with “=” or “~”.",
        "Line 3: a weight is a percentage from -100 to 100.",
        "Line 4: the line has no text after its mark.",
    ]
    assert problems(a.numeric_answers_from_text, "= 1\n= x : 1\n= 2 : -1") == [
        "Line 2: “x” is not a number (write 3.14, or * for any other).",
        "Line 3: the tolerance “-1” is not a number of 0 or more.",
    ]
    assert problems(a.units_from_text, "m\ncm = 0") == ["Line 2: the multiplier “0” is not a number above 0."]
    assert problems(a.pairs_from_text, "a -> b\na b") == [
        "Line 2: write “prompt -> answer” (or “-> answer” for an extra answer)."
    ]
    assert problems(a.variables_from_text, "x = 1\nx = 2\ny = a..b\nz") == [
        "Line 2: “x” is defined twice.",
        "Line 3: “a” is not a number (use a decimal point).",
        "Line 4: write “name = value”, “name = min..max step s” or “name = a, b, c”.",
    ]
    assert problems(a.alternatives_from_text, "~ wrong") == ["Line 1: start the line with “=”."]


@pytest.mark.parametrize(
    ("reader", "writer", "text"),
    [
        (a.alternatives_from_text, a.alternatives_to_text, "= zanzib*r # Yes\n=%50% unguja\n=%0% dar # mainland"),
        (a.numeric_answers_from_text, a.numeric_answers_to_text, "= 42.125 : 0.0625 # Exact\n=%50% 42 : 1\n= *"),
        (a.units_from_text, a.units_to_text, "m\ncm = 100"),
        (a.pairs_from_text, a.pairs_to_text, "France -> Paris\n-> Lisbon"),
        (a.variables_from_text, a.variables_to_text, "mass = 2..10 step 0.5\ng = 9.81\nn = 1, 2, 5"),
    ],
)
def test_what_is_written_back_reads_the_same(reader, writer, text):
    read = reader(text)
    assert writer(read) == text
    assert reader(writer(read)) == read


def test_choices_written_back_keep_a_single_choices_partial_credit_and_partial_weights():
    single = a.choices_from_text("= A\n~%50% B\n~ C")
    assert a.choices_to_text(single, weights=False) == "= A\n~%50% B\n~ C"
    partial = [{"text": "2", "correct": True, "fraction": "0.5"}, {"text": "4", "correct": False, "fraction": "-1"}]
    assert a.choices_to_text(partial, weights=True) == "=%50% 2\n~%-100% 4"
    assert a.choices_from_text(a.choices_to_text(partial, weights=True)) == partial


def test_a_stored_cloze_is_written_back_in_moodle_syntax_that_reads_the_same():
    source = (
        "The {1:SHORTANSWER_C:=quokka#Yes~%50%wallaby} lives on\n{2:MULTICHOICE:=Rottnest~Tasmania#No\\: south} "
        "and weighs {1:NUMERICAL:=3.5:0.5~%50%3:1} kg."
    )
    text, gaps = cloze_source({"text": source}, where="q")
    written = a.cloze_to_text(text, gaps)
    assert cloze_source({"text": written}, where="q") == (text, gaps)
    assert a.cloze_gap_line(written, 2) == 2 and a.cloze_gap_line(written, 9) is None
