"""Question kinds, one module each, found by ``Question.kind`` through this registry.

Adding a kind: write a ``QuestionType`` (``base.py``; ``choice.py`` for kinds answered by
picking choices) in a module of its own and register it below."""

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

register(SingleChoice())
register(MultipleChoice())

__all__ = [
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
