"""Question files in and out: Moodle GIFT and Aiken, read into a ``ParsedBank``.

Django-free and self-contained (standard library only), like ``credentials/vc``: the readers
are pure functions from text to frozen dataclasses, and raise one ``FormatError`` listing every
problem of a file, each with its line, so that nothing is ever half-imported.
"""

from __future__ import annotations

from .aiken import parse_aiken
from .errors import AikenError, FormatError, GiftError, Problem
from .gift import parse_gift
from .gift_export import export_gift
from .model import (
    GAP_MARK,
    Alternative,
    Choice,
    Description,
    Essay,
    Kind,
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

__all__ = [
    "GAP_MARK",
    "AikenError",
    "Alternative",
    "Choice",
    "Description",
    "Essay",
    "FormatError",
    "GiftError",
    "Kind",
    "Matching",
    "MultiChoice",
    "NumericAnswer",
    "Numerical",
    "Pair",
    "ParsedBank",
    "Problem",
    "Question",
    "ShortAnswer",
    "Text",
    "TextFormat",
    "TrueFalse",
    "export_gift",
    "parse_aiken",
    "parse_gift",
]
