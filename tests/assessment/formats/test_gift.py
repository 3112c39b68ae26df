"""The GIFT reader on the cases Moodle's own tests pin, and on bad files: every problem, with its
line, and never part of a bank."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microcred.assessment.formats import (
    Description,
    Essay,
    FormatError,
    GiftError,
    Matching,
    MultiChoice,
    Numerical,
    Question,
    ShortAnswer,
    Text,
    TextFormat,
    TrueFalse,
    parse_gift,
)


def only(gift: str) -> Question:
    (question,) = parse_gift(gift).questions
    return question


def problems(gift: str) -> list[tuple[int, str]]:
    with pytest.raises(GiftError) as raised:
        parse_gift(gift)
    return [(problem.line, problem.message) for problem in raised.value.problems]


# Reading ----------------------------------------------------------------------------------


def test_backslash_escapes_as_in_moodle_mdl_34171() -> None:
    question = only("::double backslash:: A \\\\ B \\\\\\\\ C{}")
    assert isinstance(question, Essay)
    assert question.text.text == "A \\ B \\\\ C"


def test_escaped_braces_and_newlines_inside_html() -> None:
    question = only(
        "::Q001::[html]<p>What would running the test method print?</p>\n"
        "<pre>\n    public void test() \\{\n        method1();\n    \\}\n</pre>\n{}"
    )
    assert question.text == Text(
        "<p>What would running the test method print?</p>\n<pre>\npublic void test() {\nmethod1();\n}\n</pre>",
        TextFormat.HTML,
    )
    assert only("Line one\\nline two \\: \\# \\= \\~{T}").text.text == "Line one\nline two : # = ~"


def test_idnumber_and_tags_from_the_comment_as_in_moodle() -> None:
    question = only("// [tag:  basic] Here is  \n// a [id:   four   ] que[tag:add   ]stion.\n::Q:: How are you? {}")
    assert (question.idnumber, question.tags) == ("four", ("basic", "add"))
    escaped = only("// [id:i\\]d] [tag:t\\]ag]\nHow are you? {}")
    assert (escaped.idnumber, escaped.tags) == ("i]d", ("t]ag",))
    # A comment in a block of its own belongs to no question.
    assert only("// [id:lost]\n\nHow are you? {}").idnumber is None


def test_categories_drop_moodle_context_and_top_and_keep_escaped_slashes() -> None:
    bank = parse_gift(
        "Before any category {T}\n\n"
        "$CATEGORY: $course$/top/Parent//Child/Leaf\n\n"
        "First {T}\n\n"
        "Second {F}\n\n"
        "$CATEGORY: Plain/Path\n\n"
        "Third {T}\n"
    )
    assert [q.category for q in bank.questions] == [
        (),
        ("Parent/Child", "Leaf"),
        ("Parent/Child", "Leaf"),
        ("Plain", "Path"),
    ]
    assert bank.categories == ((), ("Parent/Child", "Leaf"), ("Plain", "Path"))


def test_kinds_are_decided_in_moodles_order() -> None:
    assert isinstance(only("Just words, nothing to answer."), Description)
    assert isinstance(only("Tell us. {####Think about it.}"), Essay)
    assert isinstance(only("A number {#4}"), Numerical)
    assert isinstance(only("Pick {~a =b}"), MultiChoice)
    assert isinstance(only("Match {=a -> 1 =b -> 2}"), Matching)
    assert isinstance(only("True? {TRUE#no#yes}"), TrueFalse)
    # Moodle compares T/F in capitals only: {true} is a short answer "true".
    lower = only("True? {true}")
    assert isinstance(lower, ShortAnswer) and lower.alternatives[0].text == "true"


def test_essay_keeps_general_feedback_and_description_has_no_points() -> None:
    essay = only("::E::[markdown]Explain **why**. {####[html]<p>Graded by a tutor.</p>}")
    assert essay.general_feedback == Text("<p>Graded by a tutor.</p>", TextFormat.HTML)
    assert essay.text == Text("Explain **why**.", TextFormat.MARKDOWN)
    description = only("::Intro::[html]<h2>Part two</h2>")
    assert (description.name, description.text.text, description.points) == ("Intro", "<h2>Part two</h2>", None)


def test_weights_are_exact_decimals_with_penalties() -> None:
    question = only(
        "Which are prime? {\n~%33.33333%2\n~%33.33333%3\n~%33.33334%5\n~%-33.33333%4 # four is 2x2\n~%-100%1\n}"
    )
    assert isinstance(question, MultiChoice) and not question.single
    assert [c.fraction for c in question.choices] == [
        Decimal("0.3333333"),
        Decimal("0.3333333"),
        Decimal("0.3333334"),
        Decimal("-0.3333333"),
        Decimal(-1),
    ]
    assert question.choices[3].feedback == Text("four is 2x2")


def test_numerical_answers_ranges_and_the_answer_for_any_other_number() -> None:
    question = only("Between -5 and -1? {#\n=-5..-1#inside\n=%50%-3:4#close\n~#far off\n####Think of a ruler.}")
    assert isinstance(question, Numerical)
    inside, close, other = question.answers
    assert (inside.value, inside.tolerance, inside.minimum, inside.maximum) == (-3, 2, -5, -1)
    assert (close.value, close.tolerance, close.fraction) == (-3, 4, Decimal("0.5"))
    assert (other.value, other.fraction, other.feedback) == (None, 0, Text("far off"))
    assert question.general_feedback == Text("Think of a ruler.")
    # "*" accepts any number, as in Moodle, wherever it stands.
    star = only("Any number? {#=%0%*#anything else =42}")
    assert isinstance(star, Numerical)
    assert [(a.value, a.fraction) for a in star.answers] == [(None, 0), (42, 1)]


def test_true_false_feedback_goes_wrong_then_right() -> None:
    question = only("The sun rises in the west. {F#It rises in the east.#Yes.}")
    assert isinstance(question, TrueFalse)
    assert (question.correct, question.wrong_feedback, question.right_feedback) == (
        False,
        Text("It rises in the east."),
        Text("Yes."),
    )


def test_crlf_and_a_byte_order_mark_do_not_change_lines() -> None:
    bank = parse_gift("\ufeff// header\r\n\r\n::A:: One {T}\r\n\r\n::B:: Two {F}\r\n")
    assert [(q.name, q.line) for q in bank.questions] == [("A", 3), ("B", 5)]


# Bad files ---------------------------------------------------------------------------------


def test_every_problem_of_the_file_is_reported_and_no_bank_is_returned() -> None:
    gift = (
        "::good:: Fine {T}\n"  # 1
        "\n"
        "::no end:: Braces {~a =b\n"  # 3
        "\n"
        "::also good:: Fine {=yes =ok}\n"  # 5
        "\n"
        "::bad weight:: Pick {\n"  # 7
        "  ~%50%a\n"
        "  ~%150%b\n"  # 9: the problem is on the answer's own line
        "  =c\n"
        "}\n"
        "\n"
        "$CATEGORY: somewhere\n"  # 13
        "::same block:: Not allowed {T}\n"  # 14
    )
    with pytest.raises(GiftError) as raised:
        parse_gift(gift)
    error = raised.value
    assert isinstance(error, FormatError) and isinstance(error, ValueError)
    assert error.code == "gift_invalid"
    assert [problem.line for problem in error.problems] == [3, 9, 14]
    assert "'{' is never closed" in error.problems[0].message
    assert "%150%" in error.problems[1].message
    assert "blank line" in error.problems[2].message
    assert str(error).startswith("3 problems in the GIFT file: line 3: ")


@pytest.mark.parametrize(
    ("gift", "line", "words"),
    [
        ("::Title Text {T}", 1, "never closed with '::'"),
        ("Text } with {T}", 1, "'}' without an opening '{'"),
        ("Two {T} blocks {F}", 1, "a second answer block"),
        ("Nested {~a {b} =c}", 1, "'{' inside the answers"),
        ("::Only a title::", 1, "has no text"),
        ("Pick\n{\n~a\n=%50%b\n}", 4, "'=' always gives full credit"),
        ("Pick {~a}", 1, "at least two choices"),
        ("Pick {~a ~#oops =b}", 1, "a choice has no text"),
        ("Pick several {~%50%a ~%40%b ~c}", 1, "add up to 90%, not 100%"),
        ("Say it {=%50%half =%20%less}", 1, "no answer gives full marks"),
        ("How many? {#\n=%100%12\n=twelve\n}", 3, "'twelve' is not a number"),
        ("How many? {#5..1}", 1, "not a range"),
        ("How many? {#5:-1}", 1, "not a number and a tolerance"),
        ("How many? {#~#no answer at all}", 1, "at least one answer"),
        ("Match {=a -> 1 =b 2 =c -> 3}", 1, "needs '->'"),
        ("Match {=a -> 1 = -> 2}", 1, "at least two prompts"),
        ("Match {=a -> 1 =b -> }", 1, "no answer after '->'"),
        ("// only a comment\n\n$CATEGORY: empty", 1, "holds no questions"),
        ("Reserved \ufdd1 character {T}", 1, "noncharacter"),
    ],
)
def test_each_problem_names_its_line(gift: str, line: int, words: str) -> None:
    found = problems(gift)
    assert [found_line for found_line, _ in found] == [line]
    assert words in found[0][1]


def test_lines_count_comments_and_blank_lines_before_the_question() -> None:
    gift = "// comment\n\n\n// another\n::Q:: Pick {\n  ~a\n  ~%-200%b\n  =c\n}\n"
    assert problems(gift) == [(7, "the weight %-200% is outside -100%..100%")]


def test_a_valid_file_with_one_bad_question_imports_nothing() -> None:
    good = "\n\n".join(f"::Q{n}:: Is {n} even? {{{'T' if n % 2 == 0 else 'F'}}}" for n in range(1, 21))
    assert len(parse_gift(good).questions) == 20
    assert problems(good + "\n\n::Q21:: Broken {T") == [
        (41, "'{' is never closed with '}' (write \\{ for a literal brace)")
    ]
