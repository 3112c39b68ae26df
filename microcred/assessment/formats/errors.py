"""Errors of the question-file readers: every problem of a file at once, each with its line.

A reader never returns part of a bank. It collects the problems of every question and raises
one error for the whole file, so the author can fix them all in one pass and nothing is
half-imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: the 1-based line it was found on and what is wrong, in words."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class FormatError(ValueError):
    """A question file that cannot be read; ``problems`` lists each one, in line order."""

    code = "question_file_invalid"
    format_name = "question"

    def __init__(self, problems: Iterable[Problem]) -> None:
        # A stable sort keeps problems found on the same line in the order they were found.
        self.problems = tuple(sorted(problems, key=lambda problem: problem.line))
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        listed = "; ".join(str(problem) for problem in self.problems)
        return f"{count} problem{'s' if count != 1 else ''} in the {self.format_name} file: {listed}"


class GiftError(FormatError):
    """A Moodle GIFT file that cannot be read."""

    code = "gift_invalid"
    format_name = "GIFT"


class AikenError(FormatError):
    """A Moodle Aiken file that cannot be read."""

    code = "aiken_invalid"
    format_name = "Aiken"
