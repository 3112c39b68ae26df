"""A parsed question bank: what a question file says, before anything is stored.

The kinds follow Moodle's question types, not our question registry (which knows fewer kinds
today); an importer maps one onto the other and refuses what it cannot hold. Credit is a
``Decimal`` fraction of the question's points (``1`` full, ``0.5`` half, ``-0.3333333`` a
penalty), kept exactly as written: ``%33.33333%`` is ``Decimal("0.3333333")``, never a float.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, TypeAlias

#: What a missing-word question shows where its answer block stood (as Moodle does).
GAP_MARK = "_____"


class TextFormat(enum.StrEnum):
    """How a text is written, as GIFT's ``[moodle]`` ``[html]`` ``[plain]`` ``[markdown]`` say."""

    MOODLE = "moodle"
    HTML = "html"
    PLAIN = "plain"
    MARKDOWN = "markdown"


class Kind(enum.StrEnum):
    MULTICHOICE = "multichoice"
    TRUEFALSE = "truefalse"
    SHORTANSWER = "shortanswer"
    NUMERICAL = "numerical"
    MATCHING = "matching"
    ESSAY = "essay"
    DESCRIPTION = "description"


@dataclass(frozen=True)
class Text:
    text: str
    format: TextFormat = TextFormat.MOODLE


@dataclass(frozen=True, kw_only=True)
class QuestionBase:
    """What every kind has.

    ``name`` is the title the file gives (``::title::``), or None. ``category`` is the path of
    names from the last ``$CATEGORY:`` line, without Moodle's ``$course$`` context and ``top``.
    ``gap`` is set for a missing-word question: the offset in ``text.text`` of the ``_____``
    that stands where the answers were written. ``points`` is the default mark when the file
    gives one (GIFT and Aiken never do). ``line`` is where the question starts in the file;
    it is left out of equality, so the same question read from two files compares equal.
    """

    kind: ClassVar[Kind]

    text: Text
    name: str | None = None
    category: tuple[str, ...] = ()
    general_feedback: Text | None = None
    points: Decimal | None = None
    idnumber: str | None = None
    tags: tuple[str, ...] = ()
    gap: int | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, kw_only=True)
class Choice:
    text: Text
    fraction: Decimal
    feedback: Text | None = None


@dataclass(frozen=True, kw_only=True)
class MultiChoice(QuestionBase):
    """Choices with credit each. ``single``: the learner picks one (GIFT: an ``=`` answer is
    present); otherwise several, and the positive fractions add up to one."""

    kind: ClassVar[Kind] = Kind.MULTICHOICE
    choices: tuple[Choice, ...]
    single: bool


@dataclass(frozen=True, kw_only=True)
class TrueFalse(QuestionBase):
    """``right_feedback`` is shown to a learner who answers ``correct``; ``wrong_feedback`` to one who does not."""

    kind: ClassVar[Kind] = Kind.TRUEFALSE
    correct: bool
    wrong_feedback: Text | None = None
    right_feedback: Text | None = None


@dataclass(frozen=True, kw_only=True)
class Alternative:
    """An accepted short answer (``*`` matches anything, as in Moodle)."""

    text: str
    fraction: Decimal
    feedback: Text | None = None


@dataclass(frozen=True, kw_only=True)
class ShortAnswer(QuestionBase):
    kind: ClassVar[Kind] = Kind.SHORTANSWER
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True, kw_only=True)
class NumericAnswer:
    """Accepts ``value ± tolerance``; a range ``min..max`` is its midpoint and half-width.
    ``value`` None is the answer for any other number (GIFT's ``~#feedback``)."""

    value: Decimal | None
    tolerance: Decimal
    fraction: Decimal
    feedback: Text | None = None

    @property
    def minimum(self) -> Decimal | None:
        return None if self.value is None else self.value - self.tolerance

    @property
    def maximum(self) -> Decimal | None:
        return None if self.value is None else self.value + self.tolerance


@dataclass(frozen=True, kw_only=True)
class Numerical(QuestionBase):
    kind: ClassVar[Kind] = Kind.NUMERICAL
    answers: tuple[NumericAnswer, ...]


@dataclass(frozen=True, kw_only=True)
class Pair:
    """A prompt and the answer matched to it. An empty prompt makes the answer an extra, wrong option."""

    prompt: Text
    answer: str


@dataclass(frozen=True, kw_only=True)
class Matching(QuestionBase):
    kind: ClassVar[Kind] = Kind.MATCHING
    pairs: tuple[Pair, ...]


@dataclass(frozen=True, kw_only=True)
class Essay(QuestionBase):
    """Answered in free text and graded by a person."""

    kind: ClassVar[Kind] = Kind.ESSAY


@dataclass(frozen=True, kw_only=True)
class Description(QuestionBase):
    """Text shown between questions; nothing to answer."""

    kind: ClassVar[Kind] = Kind.DESCRIPTION


Question: TypeAlias = MultiChoice | TrueFalse | ShortAnswer | Numerical | Matching | Essay | Description


@dataclass(frozen=True)
class ParsedBank:
    questions: tuple[Question, ...]
    source_format: str

    @property
    def categories(self) -> tuple[tuple[str, ...], ...]:
        """The category paths that hold questions, in order of first appearance."""
        return tuple(dict.fromkeys(question.category for question in self.questions))
