"""Peer review and practical exercises, as Django-free cores (standard library only).

- ``allocation``: who reviews whom (no self-review, balanced loads, reallocation on drop-out);
- ``rubric``: rubrics of criteria and levels, and the score of one marking;
- ``aggregation``: peer scores combined (median, trimmed mean, mean) in ``Decimal``;
- ``calibration``: a reviewer's accuracy on calibration examples and the quality of their reviews;
- ``parameters``: parameterised problems, each learner with their own values, checked safely
  (``formula``: the safe answer formula; ``answers``: numbers read as learners write them).

Functions take plain data and an explicit seed, so every result replays exactly; the services
of the assessment app store what they return.
"""

from __future__ import annotations

from .aggregation import AggregatedRubric, Method, aggregate, aggregate_rubric, mean, median, trimmed_mean
from .allocation import Allocation, Assignment, Shortfall, allocate, reallocate
from .answers import AnswerFormatError, parse_number
from .calibration import agreement, calibration_accuracy, review_quality
from .errors import AllocationError, EvaluationError, ProblemError, ReviewError, RubricError, ScoreError
from .formula import Formula, compile_formula, evaluate
from .parameters import (
    AnswerCheck,
    Problem,
    Verdict,
    check_answer,
    expected_answer,
    format_value,
    instantiate,
    render_text,
    validate_problem,
)
from .rubric import Criterion, CriterionScore, Level, Rubric, RubricScore, rubric_from_points, score_rubric

__all__ = [
    "AggregatedRubric",
    "Allocation",
    "AllocationError",
    "AnswerCheck",
    "AnswerFormatError",
    "Assignment",
    "Criterion",
    "CriterionScore",
    "EvaluationError",
    "Formula",
    "Level",
    "Method",
    "Problem",
    "ProblemError",
    "ReviewError",
    "Rubric",
    "RubricError",
    "RubricScore",
    "ScoreError",
    "Shortfall",
    "Verdict",
    "aggregate",
    "aggregate_rubric",
    "agreement",
    "allocate",
    "calibration_accuracy",
    "check_answer",
    "compile_formula",
    "evaluate",
    "expected_answer",
    "format_value",
    "instantiate",
    "mean",
    "median",
    "parse_number",
    "reallocate",
    "render_text",
    "review_quality",
    "rubric_from_points",
    "score_rubric",
    "trimmed_mean",
    "validate_problem",
]
