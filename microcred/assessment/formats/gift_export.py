"""Write a ``ParsedBank`` as Moodle GIFT, as Moodle's exporter writes it.

``parse_gift(export_gift(bank)) == bank`` for any bank ``parse_gift`` returned: texts are
escaped, a format tag is written where the format differs from the question's, weights are
written as percentages, and a missing-word question gets its answer block back in its gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .model import (
    GAP_MARK,
    Choice,
    Description,
    Essay,
    Matching,
    MultiChoice,
    Numerical,
    NumericAnswer,
    ParsedBank,
    Question,
    ShortAnswer,
    Text,
    TextFormat,
    TrueFalse,
)

__all__ = ["export_gift"]

_FULL = Decimal(1)
_ESCAPE = str.maketrans({"\\": "\\\\", "#": "\\#", "=": "\\=", "~": "\\~", "{": "\\{", "}": "\\}", ":": "\\:"})


def export_gift(bank: ParsedBank) -> str:
    """Write a bank as GIFT that Moodle imports, and that ``parse_gift`` reads back to the same bank.

    Raises ``ValueError`` for what GIFT cannot say (a matching prompt containing ``->``).
    """
    chunks = []
    category: tuple[str, ...] = ()
    for question in bank.questions:
        if question.category != category:
            chunks.append(f"$CATEGORY: {'/'.join(name.replace('/', '//') for name in question.category)}\n")
            category = question.category
        chunks.append(_write_question(question))
    return "\n".join(chunks)


def _escape(text: str) -> str:
    return text.translate(_ESCAPE).replace("\r", "").replace("\n", "\\n")


def _write_text(text: Text, default: TextFormat) -> str:
    # A text starting with "[" gets its tag even when the format is the default, or "[html]..."
    # written as plain words would read back as a tag.
    tag = f"[{text.format}]" if text.format != default or text.text.startswith("[") else ""
    return tag + _escape(text.text)


def _write_feedback(feedback: Text | None, default: TextFormat) -> str:
    return "" if feedback is None else "#" + _write_text(feedback, default)


def _percent(fraction: Decimal) -> str:
    return f"{fraction.scaleb(2).normalize():f}"


def _write_question(question: Question) -> str:
    form = question.text.format
    head = ""
    marks = [f"[id:{_bracketed(question.idnumber)}]"] if question.idnumber else []
    marks += [f"[tag:{_bracketed(tag)}]" for tag in question.tags]
    if marks:
        head += "// " + " ".join(marks) + "\n"
    if question.name:
        head += f"::{_escape(question.name)}::"
    general = "" if question.general_feedback is None else "####" + _write_text(question.general_feedback, form)

    if isinstance(question, Description):
        return head + _write_text(question.text, TextFormat.MOODLE) + "\n"
    if isinstance(question, Essay):
        block = "{" + general + "}"
    elif isinstance(question, TrueFalse):
        feedback = ""
        if question.wrong_feedback or question.right_feedback:
            feedback = "#" + ("" if question.wrong_feedback is None else _write_text(question.wrong_feedback, form))
            feedback += _write_feedback(question.right_feedback, form)
        block = "{" + ("TRUE" if question.correct else "FALSE") + feedback + general + "}"
    else:
        lines = _answer_lines(question, form) + ([general] if general else [])
        opening = "{#" if isinstance(question, Numerical) else "{"
        block = opening + "\n" + "".join(f"\t{line}\n" for line in lines) + "}"

    if question.gap is None:
        return head + _write_text(question.text, TextFormat.MOODLE) + block + "\n"
    before = Text(question.text.text[: question.gap], form)
    after = question.text.text[question.gap + len(GAP_MARK) :]
    return head + _write_text(before, TextFormat.MOODLE) + block + _escape(after) + "\n"


def _bracketed(mark: str) -> str:
    return mark.replace("]", "\\]")


def _answer_lines(question: MultiChoice | ShortAnswer | Numerical | Matching, form: TextFormat) -> list[str]:
    if isinstance(question, MultiChoice):
        return [
            _choice_marker(choice, question.single)
            + _write_text(choice.text, form)
            + _write_feedback(choice.feedback, form)
            for choice in question.choices
        ]
    if isinstance(question, ShortAnswer):
        return [
            f"=%{_percent(answer.fraction)}%"
            + _write_text(Text(answer.text, form), form)
            + _write_feedback(answer.feedback, form)
            for answer in question.alternatives
        ]
    if isinstance(question, Numerical):
        return [_numeric_line(answer, is_last, form) for answer, is_last in _with_last(question.answers)]
    lines = []
    for pair in question.pairs:
        if "->" in pair.prompt.text:
            raise ValueError(f"GIFT cannot write a matching prompt containing '->': {pair.prompt.text!r}")
        lines.append("=" + _write_text(pair.prompt, form) + " -> " + _escape(pair.answer))
    return lines


def _with_last(answers: tuple[NumericAnswer, ...]) -> Iterator[tuple[NumericAnswer, bool]]:
    for index, answer in enumerate(answers):
        yield answer, index == len(answers) - 1


def _numeric_line(answer: NumericAnswer, is_last: bool, form: TextFormat) -> str:
    # GIFT's "~#feedback" is the answer for any other number; it can only come last.
    if answer.value is None and answer.fraction == 0 and is_last:
        return "~" + _write_feedback(answer.feedback, form)
    value = "*" if answer.value is None else f"{answer.value}:{answer.tolerance}"
    return f"=%{_percent(answer.fraction)}%{value}" + _write_feedback(answer.feedback, form)


def _choice_marker(choice: Choice, single: bool) -> str:
    if choice.fraction == _FULL and single:
        return "="
    # A choice whose text starts with "%" gets its weight written, or it would read as one.
    if choice.fraction == 0 and not choice.text.text.startswith("%"):
        return "~"
    return f"~%{_percent(choice.fraction)}%"
