"""Writing GIFT: what Moodle's exporter writes, and read back to the same bank."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from microcred.assessment.formats import (
    Alternative,
    Choice,
    Essay,
    Matching,
    MultiChoice,
    Numerical,
    NumericAnswer,
    Pair,
    ParsedBank,
    ShortAnswer,
    Text,
    TextFormat,
    TrueFalse,
    export_gift,
    parse_gift,
)

DATA = Path(__file__).parent / "data"
GIFT_FILES = sorted(path.name for path in DATA.iterdir() if "aiken" not in path.name and path.suffix != ".md")


@pytest.mark.parametrize("name", GIFT_FILES)
def test_real_files_survive_a_round_trip(name: str) -> None:
    bank = parse_gift((DATA / name).read_text(encoding="utf-8"))
    exported = export_gift(bank)
    again = parse_gift(exported)
    assert again == bank
    # Equality leaves line numbers out; the questions still come back in order, one per block.
    assert [q.name for q in again.questions] == [q.name for q in bank.questions]
    assert export_gift(again) == exported


def test_writes_what_moodles_exporter_writes() -> None:
    """The expected texts of Moodle's test_export_multichoice and test_export_truefalse, without
    the "// question: 666" comment Moodle adds for its own ids."""
    multichoice = (
        "::Q8::What's between orange and green in the spectrum?{\n"
        "\t=yellow#right; good!\n"
        "\t~red#[html]wrong, it's yellow\n"
        "\t~[plain]blue#wrong, it's yellow\n"
        "}\n"
    )
    truefalse = "::Q1::42 is the Absolute Answer to everything.{TRUE#[html]42 is the Ultimate Answer.#You gave the right answer.}\n"
    for gift in (multichoice, truefalse):
        assert export_gift(parse_gift(gift)) == gift


def test_escapes_formats_weights_and_gaps_are_written() -> None:
    bank = ParsedBank(
        questions=(
            MultiChoice(
                name="Escapes: all {of} them",
                text=Text("a ~ b = c # d { e } f : g \\ h\nnext line", TextFormat.PLAIN),
                choices=(
                    Choice(text=Text("[not a tag]", TextFormat.PLAIN), fraction=Decimal("0.5")),
                    Choice(text=Text("%50% is text", TextFormat.PLAIN), fraction=Decimal(0)),
                    Choice(text=Text("<b>third</b>", TextFormat.HTML), fraction=Decimal("0.5"), feedback=Text("ok")),
                    Choice(text=Text("last", TextFormat.PLAIN), fraction=Decimal("-0.3333333")),
                ),
                single=False,
                category=("A/B", "C"),
                idnumber="id]1",
                tags=("t1", "t2"),
                general_feedback=Text("<p>why</p>", TextFormat.HTML),
            ),
            ShortAnswer(
                text=Text("Two plus two equals _____."),
                gap=len("Two plus two equals "),
                alternatives=(
                    Alternative(text="four", fraction=Decimal(1)),
                    Alternative(text="4", fraction=Decimal(1)),
                ),
                category=("A/B", "C"),
            ),
            Numerical(
                text=Text("pi?"),
                category=("A/B", "C"),
                answers=(
                    NumericAnswer(value=Decimal("3.1415"), tolerance=Decimal("0.0005"), fraction=Decimal(1)),
                    NumericAnswer(value=None, tolerance=Decimal(0), fraction=Decimal(0), feedback=Text("no")),
                ),
            ),
            TrueFalse(text=Text("Sky is blue"), correct=True, right_feedback=Text("yes"), category=("A/B", "C")),
            Matching(
                text=Text("Match"),
                category=("A/B", "C"),
                pairs=(
                    Pair(prompt=Text("one"), answer="1"),
                    Pair(prompt=Text("two"), answer="2"),
                    Pair(prompt=Text(""), answer="3"),
                ),
            ),
            Essay(text=Text("Explain"), general_feedback=Text("by a tutor"), category=("A/B", "C")),
        ),
        source_format="test",
    )
    exported = export_gift(bank)
    assert exported.startswith(
        "$CATEGORY: A//B/C\n\n"
        "// [id:id\\]1] [tag:t1] [tag:t2]\n"
        "::Escapes\\: all \\{of\\} them::[plain]a \\~ b \\= c \\# d \\{ e \\} f \\: g \\\\ h\\nnext line{\n"
        "\t~%50%[plain][not a tag]\n"
        "\t~%0%%50% is text\n"
        "\t~%50%[html]<b>third</b>#[moodle]ok\n"
        "\t~%-33.33333%last\n"
        "\t####[html]<p>why</p>\n"
        "}\n"
    )
    assert "Two plus two equals {\n\t=%100%four\n\t=%100%4\n}.\n" in exported
    assert "pi?{#\n\t=%100%3.1415:0.0005\n\t~#no\n}\n" in exported
    assert "Sky is blue{TRUE##yes}\n" in exported
    assert exported.count("$CATEGORY:") == 1
    assert "Match{\n\t=one -> 1\n\t=two -> 2\n\t= -> 3\n}\n" in exported
    assert parse_gift(exported).questions == bank.questions


def test_a_matching_prompt_with_an_arrow_cannot_be_written() -> None:
    bank = ParsedBank(
        questions=(
            Matching(
                text=Text("Match"), pairs=(Pair(prompt=Text("a -> b"), answer="1"), Pair(prompt=Text("c"), answer="2"))
            ),
        ),
        source_format="test",
    )
    with pytest.raises(ValueError, match="->"):
        export_gift(bank)
