"""Question kinds, one module each, found by ``Question.kind`` through this registry.

Adding a kind: write a ``QuestionType`` (``base.py``; ``choice.py`` for kinds answered by
picking choices) in a module of its own and register it below."""

from typing import Final

from .base import (
    Answer,
    Grade,
    QuestionType,
    ServedIds,
    StoredQuestion,
    question_kind_choices,
    question_kinds,
    question_type,
    register,
    unregister,
    validate_question,
)
from .calculated import Calculated
from .cloze import Cloze
from .essay import Essay
from .matching import Matching
from .multiple import MultipleChoice
from .numeric import Numeric
from .ordering import Ordering
from .short import ShortAnswer
from .single import SingleChoice
from .truefalse import TrueFalse

# The keys of a question spec (docs/catalog-format.md): what ``quiz_create``, the catalog importer
# and the workspace's quiz form accept.
QUESTION_KEYS: Final[frozenset[str]] = frozenset(
    {"kind", "text", "explanation", "points", "choices", "data", "hints", "category", "tags", "skill"}
)
CHOICE_KEYS: Final[frozenset[str]] = frozenset({"text", "correct", "fraction", "feedback"})

register(SingleChoice())
register(MultipleChoice())
register(TrueFalse())
register(Numeric())
register(ShortAnswer())
register(Matching())
register(Ordering())
register(Cloze())
register(Essay())
register(Calculated())

__all__ = [
    "CHOICE_KEYS",
    "QUESTION_KEYS",
    "Answer",
    "Grade",
    "QuestionType",
    "ServedIds",
    "StoredQuestion",
    "question_kind_choices",
    "question_kinds",
    "question_type",
    "register",
    "unregister",
    "validate_question",
]
