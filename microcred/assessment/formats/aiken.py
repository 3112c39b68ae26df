"""Moodle Aiken: single-answer multiple-choice questions, one line each, read into a ``ParsedBank``.

    The Moodle project was started by:
    A) Petr Skoda
    B) Martin Dougiamas
    ANSWER: B

As Moodle's importer (``question/format/aiken/format.php``) reads it: a line that is neither a
choice (a capital letter, ``)`` or ``.``, the text) nor ``ANSWER:`` starts a question; lines
shorter than two characters are skipped. Texts are kept as written, in the plain format
(Moodle escapes them into HTML instead). Where Moodle drops a broken question with a notice and
imports the rest, this reader collects every problem and raises ``AikenError``: a choice or
``ANSWER:`` outside a question, fewer than two choices, labels out of order, an answer naming no
choice, and a question never given its ``ANSWER:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import AikenError, Problem
from .model import Choice, MultiChoice, ParsedBank, Question, Text, TextFormat

__all__ = ["parse_aiken"]

_SPACE = " \t\n\r\0\x0b"  # PHP's trim(), as Moodle reads the lines
_CHOICE = re.compile(r"([A-Z])[).][ \t]?")
_ANSWER = "ANSWER:"


@dataclass
class _Open:
    """A question read up to its choices, waiting for its ANSWER: line."""

    line: int
    text: str
    choices: list[str] = field(default_factory=list)


def parse_aiken(text: str) -> ParsedBank:
    """Read an Aiken file; raise ``AikenError`` listing every problem if any question does not read."""
    problems: list[Problem] = []
    questions: list[Question] = []
    current: _Open | None = None
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    for number, raw in enumerate(lines, start=1):
        line = raw.strip(_SPACE)
        if len(line) < 2:
            continue
        choice = _CHOICE.match(line)
        if choice or line.startswith(_ANSWER):
            if current is None:
                problems.append(Problem(number, "a choice or ANSWER: line comes before any question line"))
            elif choice:
                _add_choice(current, choice[1], line[choice.end() :].strip(_SPACE), number, problems)
            else:
                question = _finish(current, line.removeprefix(_ANSWER), number, problems)
                if question is not None:
                    questions.append(question)
                current = None
            continue
        if line.upper().startswith(_ANSWER):
            problems.append(Problem(number, f"write {_ANSWER} in capitals, as Aiken requires"))
            continue
        if current is not None:
            problems.append(
                Problem(current.line, f"the question has no ANSWER: line before the next question, on line {number}")
            )
        current = _Open(line=number, text=line)
    if current is not None:
        problems.append(Problem(current.line, "the question has no ANSWER: line"))
    if not questions and not problems:
        problems.append(Problem(1, "the file holds no questions"))
    if problems:
        raise AikenError(problems)
    return ParsedBank(questions=tuple(questions), source_format="aiken")


def _add_choice(current: _Open, label: str, text: str, number: int, problems: list[Problem]) -> None:
    expected = chr(ord("A") + len(current.choices))
    if label != expected:
        problems.append(Problem(number, f"choice {label} is out of order: {expected} comes next"))
    if not text:
        problems.append(Problem(number, f"choice {label} has no text"))
    current.choices.append(text)


def _finish(current: _Open, written: str, number: int, problems: list[Problem]) -> MultiChoice | None:
    letter = written.strip(_SPACE)[:1]
    labels = [chr(ord("A") + index) for index in range(len(current.choices))]
    if len(current.choices) < 2:
        problems.append(Problem(number, "a question needs at least two choices"))
        return None
    if letter not in labels:
        problems.append(Problem(number, f"ANSWER: {letter or '(nothing)'} names no choice (A to {labels[-1]})"))
        return None
    return MultiChoice(
        text=Text(current.text, TextFormat.PLAIN),
        choices=tuple(
            Choice(text=Text(choice, TextFormat.PLAIN), fraction=Decimal(1 if label == letter else 0))
            for label, choice in zip(labels, current.choices, strict=True)
        ),
        single=True,
        line=current.line,
    )
