"""Errors of the review cores. Each is a ``ValueError`` with a stable ``code`` (as the question-file
readers' errors are), so the services above can map them onto ``AppError`` without parsing messages."""

from __future__ import annotations

from collections.abc import Iterable


class ReviewError(ValueError):
    """Something the review cores were asked to do cannot be done; the message says why, in words."""

    code = "review_invalid"


class AllocationError(ReviewError):
    """Reviewers cannot be allocated as asked: a bad count, a reviewer listed twice, a self-review kept."""

    code = "review_allocation_invalid"


class RubricError(ReviewError):
    """A rubric that is not well formed, or a choice of levels that does not fit it."""

    code = "rubric_invalid"


class ScoreError(ReviewError):
    """Scores that cannot be combined: none at all, not a number, a bad trim fraction."""

    code = "review_scores_invalid"


class ProblemError(ReviewError):
    """A parameterised problem that is not well formed; ``problems`` lists every fault at once, so the
    author can fix them in one pass."""

    code = "problem_invalid"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        return f"{count} problem{'s' if count != 1 else ''} in the exercise: " + "; ".join(self.problems)


class EvaluationError(ReviewError):
    """A valid formula that has no answer for these values: a division by zero, the square root of a
    negative number, a result too large to be meaningful."""

    code = "problem_evaluation_failed"
