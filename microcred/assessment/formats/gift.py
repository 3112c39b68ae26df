"""Moodle GIFT: read a file into a ``ParsedBank`` (``gift_export`` writes one back).

The reader follows what Moodle's own importer does (``question/format/gift/format.php``), not
an idealised grammar, so a file Moodle exported reads the same here: blank lines separate
questions; lines starting with ``//`` are comments (and may carry ``[id:...]`` and
``[tag:...]``); ``$CATEGORY:`` switches category; ``::title::``; ``[html]`` and the other
format tags; the escapes ``\\~ \\= \\# \\{ \\} \\: \\n \\\\``; one ``{...}`` answer block, whose
kind is decided as Moodle decides it; text after the block makes it a missing-word question.

Where Moodle would silently import something its author cannot have meant, this reader reports
a problem instead: a title never closed, a second answer block or a stray brace, a weight
outside -100%..100% or after ``=``, a numerical answer that is not a number, no answer giving
full marks, several-answer weights not adding up to 100%, and a question in the same block as
``$CATEGORY:``. All problems of the file are collected and raised together (``GiftError``);
no bank is returned unless every question reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, NoReturn, TypedDict

from .errors import GiftError, Problem
from .model import (
    GAP_MARK,
    Alternative,
    Choice,
    Description,
    Essay,
    Matching,
    MultiChoice,
    Numerical,
    NumericAnswer,
    Pair,
    ParsedBank,
    Question,
    ShortAnswer,
    Text,
    TextFormat,
    TrueFalse,
)

__all__ = ["parse_gift"]

# What PHP's trim() strips. Not Python's str.strip(): a no-break space is content in HTML text.
_SPACE = " \t\n\r\0\x0b"

# Escaped characters become Unicode noncharacters (reserved for a program's internal use) while
# the structure is read, and turn back into the characters in the finished texts. Unlike
# Moodle's "&&058;" placeholders they cannot collide with what an author wrote.
_ESCAPES = {
    "\\\\": "\ufdd0",  # first, so that \\: is a backslash followed by a control colon
    "\\:": "\ufdd1",
    "\\#": "\ufdd2",
    "\\=": "\ufdd3",
    "\\{": "\ufdd4",
    "\\}": "\ufdd5",
    "\\~": "\ufdd6",
    "\\n": "\ufdd7",
}
_UNESCAPE = str.maketrans(dict(zip(_ESCAPES.values(), "\\:#={}~\n", strict=True)))
_GAP = "\ufdd8"  # where a missing-word question's answer block stood
_RESERVED = re.compile("[\ufdd0-\ufdd8]")

_FORMAT_TAG = re.compile(r"\[(moodle|html|plain|markdown)\]")
_WEIGHT = re.compile(r"%(-?[0-9]+(?:\.[0-9]+)?)%")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CATEGORY = "$CATEGORY:"
_CATEGORY_SEPARATOR = re.compile(r"(?<!/)/(?!/)")  # "//" is a slash inside a name
_CONTEXT = re.compile(r"\$[a-z]+\$")  # Moodle's "$course$", "$module$"...
# Moodle's patterns for an idnumber and tags in a question's comment: no control characters, "\]" escapes "]".
_IDNUMBER = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")
_FULL = Decimal(1)


def parse_gift(text: str) -> ParsedBank:
    """Read a GIFT file; raise ``GiftError`` listing every problem if any question does not read."""
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    problems = [
        Problem(number, "contains a Unicode noncharacter (U+FDD0 to U+FDD8), which a question text cannot hold")
        for number, line in enumerate(lines, start=1)
        if _RESERVED.search(line)
    ]
    if problems:
        raise GiftError(problems)

    questions: list[Question] = []
    category: tuple[str, ...] = ()
    for block in _blocks(lines):
        if block.src.startswith(_CATEGORY):
            category = _read_category(block, problems)
            continue
        reader = _QuestionReader(block, category)
        question = reader.read()
        problems += reader.problems
        if question is not None and not reader.problems:
            questions.append(question)
    if not questions and not problems:
        problems.append(Problem(1, "the file holds no questions"))
    if problems:
        raise GiftError(problems)
    return ParsedBank(questions=tuple(questions), source_format="gift")


@dataclass(frozen=True)
class _Block:
    """One question's lines: comment lines blanked, so that an offset in ``src`` maps to its line."""

    line: int
    src: str
    comments: str

    def line_at(self, offset: int) -> int:
        return self.line + self.src.count("\n", 0, offset)


def _blocks(lines: list[str]) -> Iterator[_Block]:
    # Moodle trims every line before splitting at blank lines, so indentation is never content.
    run: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        line = line.strip(_SPACE)
        if line:
            run.append((number, line))
            continue
        body = [(n, "" if text.startswith("//") else text) for n, text in run]
        while body and not body[0][1]:
            body.pop(0)
        while body and not body[-1][1]:
            body.pop()
        if body:
            comments = "\n".join(text for _, text in run if text.startswith("//"))
            src = "\n".join(_protect(text) for _, text in body)
            yield _Block(line=body[0][0], src=src, comments=comments)
        run = []


def _protect(line: str) -> str:
    for escaped, placeholder in _ESCAPES.items():
        line = line.replace(escaped, placeholder)
    return line


def _unescape(raw: str) -> str:
    return raw.translate(_UNESCAPE)


def _text(raw: str, default: TextFormat) -> Text:
    raw = raw.strip(_SPACE)
    tag = _FORMAT_TAG.match(raw)
    if tag:
        return Text(_unescape(raw[tag.end() :]).strip(_SPACE), TextFormat(tag[1]))
    return Text(_unescape(raw).strip(_SPACE), default)


def _feedback(raw: str | None, default: TextFormat) -> Text | None:
    if raw is None:
        return None
    feedback = _text(raw, default)
    return feedback if feedback.text else None


def _read_category(block: _Block, problems: list[Problem]) -> tuple[str, ...]:
    first, _, rest = block.src.partition("\n")
    if rest.strip(_SPACE):
        problems.append(Problem(block.line_at(len(first) + 1), "a $CATEGORY: line must be followed by a blank line"))
    path = _unescape(first.removeprefix(_CATEGORY)).strip(_SPACE)
    names = [name.replace("//", "/").strip(_SPACE) for name in _CATEGORY_SEPARATOR.split(path)]
    # Moodle's context ("$course$") and its root category "top" say where in Moodle, not what.
    if names and _CONTEXT.fullmatch(names[0]):
        names.pop(0)
    if names and names[0] == "top":
        names.pop(0)
    return tuple(name for name in names if name)


class _Piece(NamedTuple):
    """An answer inside the block: the marker before it ("~", "=" or "" for text before any) and its span."""

    marker: str
    start: int
    end: int


class _Common(TypedDict):
    text: Text
    name: str | None
    category: tuple[str, ...]
    general_feedback: Text | None
    idnumber: str | None
    tags: tuple[str, ...]
    gap: int | None
    line: int


class _Stop(Exception):
    """Reading this question cannot go on; the reason is already in the problems."""


class _QuestionReader:
    def __init__(self, block: _Block, category: tuple[str, ...]) -> None:
        self.block = block
        self.src = block.src
        self.category = category
        self.problems: list[Problem] = []

    def problem(self, offset: int, message: str) -> None:
        self.problems.append(Problem(self.block.line_at(offset), message))

    def stop(self, offset: int, message: str) -> NoReturn:
        self.problem(offset, message)
        raise _Stop

    def read(self) -> Question | None:
        try:
            return self._read()
        except _Stop:
            return None

    def _read(self) -> Question:
        src = self.src
        name, start = self._title()
        opening, closing = src.find("{", start), src.find("}", start)
        if opening < 0 and closing < 0:
            return Description(**self._common(name, start, None, None))
        self._check_braces(opening, closing)

        answers_start, answers_end = _strip(src, opening + 1, closing)
        separator = src.rfind("####", answers_start, answers_end)
        general_raw = None
        if separator >= 0:
            general_raw = src[separator + 4 : answers_end]
            answers_start, answers_end = _strip(src, answers_start, separator)
        common = self._common(name, start, (opening, closing), general_raw)
        form = common["text"].format
        answers = src[answers_start:answers_end]

        # The order of these tests is Moodle's, and decides the kind exactly as Moodle does.
        if not answers:
            return Essay(**common)
        if answers.startswith("#"):
            return Numerical(**common, answers=self._numeric_answers(answers_start + 1, answers_end, form))
        if "~" in answers:
            single = "=" in answers
            return MultiChoice(**common, choices=self._choices(answers_start, answers_end, form, single), single=single)
        if "=" in answers and "->" in answers:
            return Matching(**common, pairs=self._pairs(answers_start, answers_end, form))
        value, *feedbacks = answers.split("#", 2)
        if value.strip(_SPACE) in _TRUE_FALSE:
            wrong, right = [*feedbacks, None, None][:2]
            return TrueFalse(
                **common,
                correct=_TRUE_FALSE[value.strip(_SPACE)],
                wrong_feedback=_feedback(wrong, form),
                right_feedback=_feedback(right, form),
            )
        return ShortAnswer(**common, alternatives=self._alternatives(answers_start, answers_end, form))

    def _title(self) -> tuple[str | None, int]:
        if not self.src.startswith("::"):
            return None, 0
        end = self.src.find("::", 2)
        if end < 0:
            self.stop(0, "the title opened with '::' is never closed with '::'")
        return _unescape(self.src[2:end]).strip(_SPACE) or None, end + 2

    def _check_braces(self, opening: int, closing: int) -> None:
        if closing < 0:
            self.stop(opening, "'{' is never closed with '}' (write \\{ for a literal brace)")
        if opening < 0 or closing < opening:
            self.stop(closing, "'}' without an opening '{' (write \\} for a literal brace)")
        nested = self.src.find("{", opening + 1, closing)
        if nested >= 0:
            self.stop(nested, "'{' inside the answers (write \\{ for a literal brace)")
        later = [found for found in (self.src.find("{", closing), self.src.find("}", closing + 1)) if found >= 0]
        if later:
            self.stop(min(later), "a second answer block or a stray brace: a question has one {...} (write \\{ \\})")

    def _common(self, name: str | None, start: int, block: tuple[int, int] | None, general_raw: str | None) -> _Common:
        if block is None:
            raw = self.src[start:]
        else:
            opening, closing = block
            after = self.src[closing + 1 :]
            raw = self.src[start:opening] + (_GAP + after if after.strip(_SPACE) else "")
        text = _text(raw, TextFormat.MOODLE)
        gap = text.text.find(_GAP)
        if gap >= 0:
            text = Text(text.text.replace(_GAP, GAP_MARK), text.format)
        if not text.text:
            self.problem(start, "the question has no text")
        idnumber = _IDNUMBER.search(self.block.comments)
        return _Common(
            text=text,
            name=name,
            category=self.category,
            general_feedback=_feedback(general_raw, text.format),
            idnumber=idnumber[1].strip(_SPACE).replace("\\]", "]") if idnumber else None,
            tags=tuple(tag.strip(_SPACE).replace("\\]", "]") for tag in _TAG.findall(self.block.comments)),
            gap=gap if gap >= 0 else None,
            line=self.block.line,
        )

    def _pieces(self, start: int, end: int, markers: str) -> list[_Piece]:
        pieces: list[_Piece] = []
        marker, piece_start = "", start
        for offset in range(start, end):
            if self.src[offset] in markers:
                pieces.append(_Piece(marker, *_strip(self.src, piece_start, offset)))
                marker, piece_start = self.src[offset], offset + 1
        pieces.append(_Piece(marker, *_strip(self.src, piece_start, end)))
        if not pieces[0].marker and pieces[0].start == pieces[0].end:
            pieces.pop(0)
        return pieces

    def _weight(self, start: int, end: int) -> tuple[Decimal | None, int]:
        """A leading ``%50%``: the fraction it gives, and where the answer after it starts."""
        weight = _WEIGHT.match(self.src, start, end)
        if weight is None:
            return None, start
        percent = Decimal(weight[1])
        if not -100 <= percent <= 100:
            self.problem(start, f"the weight {weight[0]} is outside -100%..100%")
        return percent.scaleb(-2), weight.end()

    def _split_feedback(self, start: int, end: int) -> tuple[str, str | None]:
        mark = self.src.find("#", start, end)
        if mark < 0:
            return self.src[start:end], None
        return self.src[start:mark], self.src[mark + 1 : end]

    def _choices(self, start: int, end: int, form: TextFormat, single: bool) -> tuple[Choice, ...]:
        choices = []
        for piece in self._pieces(start, end, "~="):
            weight, answer_start = self._weight(piece.start, piece.end)
            if piece.marker == "=" and weight is not None:
                self.problem(piece.start, "'=' always gives full credit: write ~%50%... for a partly right choice")
            fraction = _FULL if piece.marker == "=" else (weight if weight is not None else Decimal(0))
            raw, feedback = self._split_feedback(answer_start, piece.end)
            text = _text(raw, form)
            if not text.text:
                self.problem(piece.start, "a choice has no text")
            choices.append(Choice(text=text, fraction=fraction, feedback=_feedback(feedback, form)))
        if len(choices) < 2:
            self.problem(start, "a multiple-choice question needs at least two choices")
        elif not single:
            # Several answers: Moodle requires the positive weights to add up to 100% (to 2 places).
            positive = sum((choice.fraction for choice in choices if choice.fraction > 0), Decimal(0))
            if positive.quantize(Decimal("0.01")) != _FULL:
                self.problem(start, f"the positive weights add up to {positive.scaleb(2).normalize():f}%, not 100%")
        return tuple(choices)

    def _alternatives(self, start: int, end: int, form: TextFormat) -> tuple[Alternative, ...]:
        alternatives = []
        for piece in self._pieces(start, end, "="):
            weight, answer_start = self._weight(piece.start, piece.end)
            raw, feedback = self._split_feedback(answer_start, piece.end)
            text = _text(raw, form).text
            if not text:
                self.problem(piece.start, "an answer has no text")
            fraction = _FULL if weight is None else weight
            alternatives.append(Alternative(text=text, fraction=fraction, feedback=_feedback(feedback, form)))
        self._require_full_marks(start, [alternative.fraction for alternative in alternatives])
        return tuple(alternatives)

    def _numeric_answers(self, start: int, end: int, form: TextFormat) -> tuple[NumericAnswer, ...]:
        answers = []
        other_answer = None
        other = self.src.find("~", start, end)
        if other >= 0:
            # Everything after "~" is the feedback for any other number; Moodle ignores an answer there.
            _, feedback = self._split_feedback(other + 1, end)
            other_answer = NumericAnswer(
                value=None, tolerance=Decimal(0), fraction=Decimal(0), feedback=_feedback(feedback, form)
            )
            end = other
        pieces = self._pieces(start, end, "=")
        if not pieces:
            self.stop(start, "a numerical question needs at least one answer")
        for piece in pieces:
            weight, answer_start = self._weight(piece.start, piece.end)
            raw, feedback = self._split_feedback(answer_start, piece.end)
            value, tolerance = self._number(piece.start, _text(raw, form).text)
            fraction = _FULL if weight is None else weight
            answers.append(
                NumericAnswer(value=value, tolerance=tolerance, fraction=fraction, feedback=_feedback(feedback, form))
            )
        self._require_full_marks(start, [answer.fraction for answer in answers])
        if other_answer is not None:
            answers.append(other_answer)
        return tuple(answers)

    def _number(self, offset: int, written: str) -> tuple[Decimal | None, Decimal]:
        """``value``, ``value:tolerance`` or ``minimum..maximum``, as a value and a tolerance."""
        if written == "*":
            return None, Decimal(0)
        if written.find("..") > 0:
            low, _, high = written.partition("..")
            minimum, maximum = _decimal(low), _decimal(high)
            if minimum is None or maximum is None or minimum > maximum:
                self.stop(offset, f"{written!r} is not a range of numbers minimum..maximum")
            middle = (minimum + maximum) / 2
            return middle, maximum - middle
        if written.find(":") > 0:
            value_text, _, tolerance_text = written.partition(":")
            value, tolerance = _decimal(value_text), _decimal(tolerance_text)
            if value is None or tolerance is None or tolerance < 0:
                self.stop(offset, f"{written!r} is not a number and a tolerance, value:tolerance")
            return value, tolerance
        value = _decimal(written)
        if value is None:
            self.stop(offset, f"{written!r} is not a number")
        return value, Decimal(0)

    def _pairs(self, start: int, end: int, form: TextFormat) -> tuple[Pair, ...]:
        pairs = []
        for piece in self._pieces(start, end, "="):
            raw = self.src[piece.start : piece.end]
            arrow = raw.find("->")
            if arrow < 0:
                self.problem(piece.start, "a matching pair needs '->' between the prompt and its answer")
                continue
            answer = _unescape(raw[arrow + 2 :]).strip(_SPACE)
            if not answer:
                self.problem(piece.start, "a matching pair has no answer after '->'")
            pairs.append(Pair(prompt=_text(raw[:arrow], form), answer=answer))
        if sum(1 for pair in pairs if pair.prompt.text) < 2:
            self.problem(start, "a matching question needs at least two prompts")
        return tuple(pairs)

    def _require_full_marks(self, start: int, fractions: list[Decimal]) -> None:
        if fractions and max(fractions) != _FULL:
            self.problem(start, "no answer gives full marks (100%)")


def _strip(src: str, start: int, end: int) -> tuple[int, int]:
    while start < end and src[start] in _SPACE:
        start += 1
    while end > start and src[end - 1] in _SPACE:
        end -= 1
    return start, end


def _decimal(written: str) -> Decimal | None:
    written = written.strip(_SPACE)
    return Decimal(written) if _NUMBER.fullmatch(written) else None
