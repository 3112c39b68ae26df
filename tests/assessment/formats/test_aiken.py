"""Aiken files as Moodle reads them, and Moodle's own file of bad questions: every problem, with
its line, and nothing imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcred.assessment.formats import AikenError, FormatError, MultiChoice, TextFormat, parse_aiken

DATA = Path(__file__).parent / "data"


def problems(aiken: str) -> list[tuple[int, str]]:
    with pytest.raises(AikenError) as raised:
        parse_aiken(aiken)
    return [(problem.line, problem.message) for problem in raised.value.problems]


def test_moodle_fixture() -> None:
    bank = parse_aiken((DATA / "moodle_questions.aiken.txt").read_text(encoding="utf-8"))

    assert bank.source_format == "aiken"
    first, second = bank.questions
    assert isinstance(first, MultiChoice) and first.single
    assert (first.line, first.text.text, first.text.format) == (
        1,
        "The Moodle project was started by:",
        TextFormat.PLAIN,
    )
    assert [c.text.text for c in first.choices] == ["Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt"]
    assert [c.fraction for c in first.choices] == [0, 1, 0, 0]
    # Kept as written, in the plain format: Moodle would turn it into "&lt;html ...&gt; &amp;".
    assert isinstance(second, MultiChoice) and second.line == 8
    assert (
        second.text.text
        == 'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:'
    )
    assert [(c.text.text, c.fraction) for c in second.choices] == [("True", 1), ("False", 0)]


def test_moodle_error_fixture_reports_each_problem_and_imports_nothing() -> None:
    """Moodle's aiken_errors.txt: Moodle imports its two good questions and prints notices for
    lines 3, 5, 7 and 18; we import nothing and report the same four problems."""
    found = problems((DATA / "moodle_aiken_errors.txt").read_text(encoding="utf-8"))
    assert found == [
        (3, "a question needs at least two choices"),
        (5, "a choice or ANSWER: line comes before any question line"),
        (7, "a choice or ANSWER: line comes before any question line"),
        (14, "the question has no ANSWER: line before the next question, on line 18"),
    ]


def test_its_good_questions_read_alone() -> None:
    bank = parse_aiken(
        "A good question\nA) Correct\nB) Incorrect\nANSWER: A\n\n"
        "A second good question\nA)Incorrect (No space)\nB)Correct (No space)\nANSWER: B"
    )
    assert [[(c.text.text, c.fraction) for c in q.choices] for q in bank.questions if isinstance(q, MultiChoice)] == [
        [("Correct", 1), ("Incorrect", 0)],
        [("Incorrect (No space)", 0), ("Correct (No space)", 1)],
    ]


def test_dots_crlf_and_no_blank_lines_between_questions() -> None:
    bank = parse_aiken("One?\r\nA. yes\r\nB. no\r\nANSWER: A\r\nTwo?\r\nA. yes\r\nB. no\r\nC. maybe\r\nANSWER: C\r\n")
    assert [(q.line, q.text.text) for q in bank.questions] == [(1, "One?"), (5, "Two?")]
    second = bank.questions[1]
    assert isinstance(second, MultiChoice)
    assert [c.fraction for c in second.choices] == [0, 0, 1]


@pytest.mark.parametrize(
    ("aiken", "expected"),
    [
        ("Q?\nA) a\nC) c\nANSWER: A", [(3, "choice C is out of order: B comes next")]),
        ("Q?\nA) a\nB) b\nANSWER: D", [(4, "ANSWER: D names no choice (A to B)")]),
        ("Q?\nA) a\nB) b\nANSWER:", [(4, "ANSWER: (nothing) names no choice (A to B)")]),
        (
            "Q?\nA) a\nB) b\nAnswer: A",
            [(4, "write ANSWER: in capitals, as Aiken requires"), (1, "the question has no ANSWER: line")],
        ),
        ("Q?\nA) a\nB) b", [(1, "the question has no ANSWER: line")]),
        ("\n\n", [(1, "the file holds no questions")]),
    ],
)
def test_problems(aiken: str, expected: list[tuple[int, str]]) -> None:
    assert problems(aiken) == sorted(expected)


def test_error_is_a_format_error_with_a_stable_code() -> None:
    with pytest.raises(FormatError) as raised:
        parse_aiken("Q?\nA) a\nANSWER: A")
    assert raised.value.code == "aiken_invalid"
    assert str(raised.value) == "1 problem in the Aiken file: line 3: a question needs at least two choices"
