"""GIFT files from Moodle itself and from a real Moodle course export read as Moodle reads them
(the files and where they come from: data/README.md)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from microcred.assessment.formats import (
    Essay,
    Kind,
    Matching,
    MultiChoice,
    Numerical,
    ParsedBank,
    ShortAnswer,
    TextFormat,
    TrueFalse,
    parse_gift,
)

DATA = Path(__file__).parent / "data"


def read(name: str) -> ParsedBank:
    return parse_gift((DATA / name).read_text(encoding="utf-8"))


def test_moodle_unit_test_fixture() -> None:
    bank = read("moodle_questions.gift.txt")

    assert [q.kind for q in bank.questions] == [
        Kind.ESSAY,
        Kind.MATCHING,
        Kind.MULTICHOICE,
        Kind.MULTICHOICE,
        Kind.NUMERICAL,
        Kind.SHORTANSWER,
        Kind.TRUEFALSE,
        Kind.TRUEFALSE,
        Kind.TRUEFALSE,
    ]
    assert [q.line for q in bank.questions] == [2, 5, 14, 22, 31, 34, 41, 46, 49]
    assert [q.name for q in bank.questions][:3] == ["Q8", "Moodle activities", "Q2"]
    essay, matching, single, multiple, numerical, short, false, true_t, true_word = bank.questions

    assert isinstance(essay, Essay)
    assert essay.text.text == "How are you?"

    # Per-prompt formats, and "= -> Chat": an extra answer with no prompt.
    assert isinstance(matching, Matching)
    assert matching.text.format is TextFormat.HTML
    assert matching.text.text == "Match the <b>activity</b> to the description."
    assert [p.prompt.format for p in matching.pairs] == [
        TextFormat.HTML,
        TextFormat.MOODLE,
        TextFormat.PLAIN,
        TextFormat.MARKDOWN,
        TextFormat.HTML,
    ]
    assert [p.answer for p in matching.pairs] == ["Forum", "Choice", "Database", "Wiki", "Chat"]
    assert matching.pairs[-1].prompt.text == ""

    # Feedback formats as in Moodle's test_import_multichoice: a tag applies to the part it starts.
    assert isinstance(single, MultiChoice) and single.single
    assert [c.text.text for c in single.choices] == ["yellow", "red", "blue"]
    assert [c.fraction for c in single.choices] == [1, 0, 0]
    assert [c.text.format for c in single.choices] == [TextFormat.MOODLE, TextFormat.MOODLE, TextFormat.PLAIN]
    feedback = [c.feedback for c in single.choices]
    assert [(f.text, f.format) for f in feedback if f] == [
        ("right; good!", TextFormat.MOODLE),
        ("wrong, it's yellow", TextFormat.HTML),
        ("wrong, it's yellow", TextFormat.MOODLE),
    ]

    assert isinstance(multiple, MultiChoice) and not multiple.single
    assert [c.fraction for c in multiple.choices] == [Decimal("0.5"), -1, Decimal("0.5"), -1]

    # The fixture keeps '";' after the block (pasted from PHP): Moodle reads that as a missing word.
    assert isinstance(numerical, Numerical)
    assert numerical.text.text == 'What is a number from 1 to 5? _____";'
    assert numerical.gap == len("What is a number from 1 to 5? ")
    answer, other = numerical.answers
    assert (answer.value, answer.tolerance, answer.minimum, answer.maximum) == (3, 2, 1, 5)
    assert other.value is None and other.fraction == 0
    assert other.feedback is not None and other.feedback.text == "Completely wrong"

    assert isinstance(short, ShortAnswer)
    assert [(a.text, a.fraction) for a in short.alternatives] == [("Frog", 1), ("Cat", Decimal("0.5")), ("*", 0)]
    assert short.alternatives[1].feedback is not None
    assert short.alternatives[1].feedback.text == "What is it with Moodlers and cats?"

    assert isinstance(false, TrueFalse) and false.correct is False
    assert false.wrong_feedback is not None and false.wrong_feedback.text == "42 is the Ultimate Answer."
    assert false.right_feedback is not None and false.right_feedback.text == "You gave the right answer."
    assert false.general_feedback is not None
    assert false.general_feedback.text == "This is, of course, a Hitchiker's Guide to the Galaxy reference."

    for question in (true_t, true_word):
        assert isinstance(question, TrueFalse) and question.correct is True
        assert (question.name, question.text.text) == ("2-08 TSL", "TSL is blablabla.")


def test_moodle_category_fixture_restores_escapes_in_html() -> None:
    bank = read("moodle_questions_in_category.gift.txt")

    assert bank.categories == (("Default for New Features",),)
    assert [q.name for q in bank.questions] == ["Moodle activities", "Greeting", "Moodle user", "Moodle acronym"]
    greeting = bank.questions[1]
    assert isinstance(greeting, MultiChoice)
    assert greeting.text.format is TextFormat.HTML
    assert greeting.text.text.startswith(
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
    )
    assert [(c.text.text, c.fraction) for c in greeting.choices] == [
        ("English", 0),
        ("French", 1),
        ("German", 0),
        ("Spanish", 0),
    ]
    user = bank.questions[2]
    assert isinstance(user, ShortAnswer)
    assert [(a.text, a.fraction, a.feedback) for a in user.alternatives] == [("Moodler", 1, None)]
    acronym = bank.questions[3]
    assert isinstance(acronym, TrueFalse) and acronym.correct
    assert '<span style="font-style: italic;">' in acronym.text.text


def test_moodle_documentation_examples() -> None:
    bank = read("moodle_examples.gift.txt")
    questions = bank.questions

    assert len(questions) == 43
    assert Counter(q.kind for q in questions) == {
        Kind.MULTICHOICE: 18,
        Kind.SHORTANSWER: 9,
        Kind.NUMERICAL: 8,
        Kind.TRUEFALSE: 5,
        Kind.MATCHING: 3,
    }
    by_line = {q.line: q for q in questions}

    # Answers in the middle of the text: the text around the gap is kept.
    thanksgiving = by_line[29]
    assert isinstance(thanksgiving, MultiChoice)
    assert (
        thanksgiving.text.text
        == "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November."
    )
    assert thanksgiving.text.text[thanksgiving.gap or 0 :].startswith("_____ Thursday")
    two_plus_two = by_line[45]
    assert isinstance(two_plus_two, ShortAnswer)
    assert two_plus_two.text.text == "Two plus two equals _____."
    assert [a.text for a in two_plus_two.alternatives] == ["four", "4"]

    # Numerical: a tolerance, a range, and partial credit for a wider one.
    tolerance, interval = by_line[72], by_line[74]
    assert isinstance(tolerance, Numerical) and isinstance(interval, Numerical)
    assert tolerance.answers == interval.answers
    assert (interval.answers[0].minimum, interval.answers[0].maximum) == (Decimal("3.141"), Decimal("3.142"))
    partial = by_line[76]
    assert isinstance(partial, Numerical)
    assert [(a.value, a.tolerance, a.fraction) for a in partial.answers] == [(1822, 0, 1), (1822, 2, Decimal("0.5"))]

    # A title, and a question text over two lines.
    kanji = by_line[90]
    assert kanji.name == "Kanji Origins"
    assert kanji.text.text == "Japanese characters originally\ncame from what country?"

    markdown = by_line[108]
    assert isinstance(markdown, ShortAnswer)
    assert markdown.text == markdown.text.__class__("Who's buried in **Grant's tomb**?", TextFormat.MARKDOWN)
    assert all(a.feedback and a.feedback.format is TextFormat.MARKDOWN for a in markdown.alternatives)

    hometown = by_line[117]
    assert isinstance(hometown, MultiChoice)
    assert [(c.text.text, c.fraction) for c in hometown.choices] == [
        ("Jerusalem", 0),
        ("Bethlehem", Decimal("0.25")),
        ("Galilee", Decimal("0.5")),
        ("Nazareth", 1),
    ]
    assert hometown.text.text == "Jesus Christ was from _____."

    penalties = by_line[136]
    assert isinstance(penalties, MultiChoice) and not penalties.single
    assert [c.fraction for c in penalties.choices] == [Decimal("-0.5"), Decimal("0.5"), Decimal("0.5"), Decimal("-0.5")]

    # Escapes: \= in answers, every control character, and \\ for a backslash.
    equals = by_line[143]
    assert isinstance(equals, MultiChoice)
    assert [(c.text.text, c.fraction) for c in equals.choices] == [("= 2 + 2", 0), ("= 2 + 3", 1), ("= 2 + 4", 0)]
    control = by_line[148]
    assert isinstance(control, MultiChoice)
    assert [c.text.text for c in control.choices] == ["~", "=", "#", "{", "}", "\\"]
    assert [c.fraction for c in control.choices] == [0, 0, 0, 0, 0, 1]
    last = control.choices[-1].feedback
    assert last is not None
    assert last.text.startswith("Correct! \\ (backslash) is not a control character. BUT,\nit is used to escape")

    # Feedback over two lines: lines are trimmed and joined, as Moodle does.
    numerical = by_line[202]
    assert isinstance(numerical, Numerical) and numerical.name == "Numerical example"
    close = numerical.answers[1].feedback
    assert close is not None and close.text == "He was born in 1822.\nYou get 50% credit for being close."


def test_real_course_export() -> None:
    """An excerpt of a bank a course at UCLouvain exported from Moodle: HTML everywhere, escaped
    ``=`` and ``:`` in attributes, ``\\n`` in texts, ``####`` general feedback, partial credit."""
    bank = read("uclouvain_export_excerpt.gift.txt")

    assert bank.categories == (("Défaut pour Louv23x", "Module 2"),)
    assert [(q.name, q.line) for q in bank.questions] == [
        ("Cert1", 9),
        ("Cert10", 19),
        ("Cert4", 28),
        ("Cert8", 36),
        ("S1Q3", 50),
        ("S2Q3", 59),
        ("S3Q5", 70),
    ]
    assert all(isinstance(q, MultiChoice) and q.text.format is TextFormat.HTML for q in bank.questions)
    cert1, cert10, cert4, cert8, s1q3, s2q3, s3q5 = bank.questions
    assert isinstance(cert1, MultiChoice) and cert1.single
    assert [c.fraction for c in cert1.choices] == [0, 1, 0, 0]
    assert cert1.general_feedback is not None
    assert cert1.general_feedback.format is TextFormat.HTML
    assert cert1.general_feedback.text.startswith('<p dir="ltr" style="text-align: left;">Le peer-review')
    assert cert10.text.text.endswith("<strong>incorrecte</strong> :<br></p>")

    assert "ménages \nbelges (2016)" in cert4.text.text
    assert '<a href="https://statbel.fgov.be/fr/themes/menages/budget-des-menages#figures"' in cert4.text.text

    assert isinstance(cert8, MultiChoice) and not cert8.single
    assert [c.fraction for c in cert8.choices] == [Decimal("0.2"), 0, 0, 0, *[Decimal("0.2")] * 4]

    # Choices in plain words inside an HTML question take the question's format.
    assert isinstance(s1q3, MultiChoice)
    assert s1q3.choices[0].text.format is TextFormat.HTML
    assert s1q3.choices[0].text.text.startswith("Avec Internet")

    # 3 x 33.33333% is 99.99999%: Moodle accepts it (to two places), and we keep it exact.
    assert isinstance(s2q3, MultiChoice) and not s2q3.single
    assert [c.fraction for c in s2q3.choices] == [
        0,
        Decimal("0.3333333"),
        0,
        Decimal("0.3333333"),
        Decimal("0.3333333"),
    ]
    assert "Ce document est : <i>(3 bonnes réponses à cocher)</i>" in s2q3.text.text
    assert isinstance(s3q5, MultiChoice)
    assert sum(c.fraction for c in s3q5.choices) == 1


def test_parser_test_files() -> None:
    """Files from the GIFT-grammar-PEG.js test suite: ranges, every escape, Moodle's category header."""
    numerical = read("peg_numerical1.gift").questions
    assert len(numerical) == 5
    one_to_five = numerical[3]
    assert isinstance(one_to_five, Numerical)
    assert one_to_five.text.text == "Give me a number from 1 to 5. _____."
    assert [(a.value, a.tolerance) for a in one_to_five.answers] == [(3, 2)]

    (control,) = read("peg_escapeAll.gift").questions
    assert isinstance(control, MultiChoice)
    # "\ " is no escape: the backslash stays, and is the right answer.
    assert [c.text.text for c in control.choices] == ["~", "=", "#", "{", "}", ":", "\\"]
    assert [c.fraction for c in control.choices][-1] == 1

    category = read("peg_category1.gift")
    assert category.categories == (("Default for LING-373-2194-B",),)
    (question,) = category.questions
    assert isinstance(question, TrueFalse) and question.correct and question.text.text == "a"
