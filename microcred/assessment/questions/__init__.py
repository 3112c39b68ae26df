"""Question kinds, one module each, found by ``Question.kind`` through this registry.

Adding a kind: write a ``QuestionType`` (``base.py``; ``choice.py`` for kinds answered by
picking choices) in a module of its own and register it below."""

from typing import Final

from .base import (
    Answer,
    Grade,
    QuestionType,
    StoredQuestion,
    question_kind_choices,
    question_kinds,
    question_type,
    register,
    unregister,
    validate_question,
)
from .multiple import MultipleChoice
from .single import SingleChoice

# The keys of a question spec (docs/catalog-format.md): what ``quiz_create``, the catalog importer
# and the workspace's quiz form accept.
QUESTION_KEYS: Final[frozenset[str]] = frozenset({"kind", "text", "explanation", "points", "choices"})
CHOICE_KEYS: Final[frozenset[str]] = frozenset({"text", "correct"})

register(SingleChoice())
register(MultipleChoice())

__all__ = [
    "CHOICE_KEYS",
    "QUESTION_KEYS",
    "Answer",
    "Grade",
    "QuestionType",
    "StoredQuestion",
    "question_kind_choices",
    "question_kinds",
    "question_type",
    "register",
    "unregister",
    "validate_question",
]
