"""The grading bench grades what the services grade: its quiz is built by the kinds' own
cleaning, a perfect attempt scores 100 and an empty one 0, and a small run completes."""

from __future__ import annotations

import json
from decimal import Decimal

from bench.grading import build_quiz, grade_all, run_grading
from microcred.assessment.questions.calculated import right_answer


def test_the_bench_quiz_grades_a_perfect_and_an_empty_attempt():
    questions = build_quiz()
    assert len(questions) == 20 and len({q.kind for q in questions}) == 9
    perfect = {
        str(q.id): (
            [c.id for c in q.choices.all() if c.is_correct]
            if q.kind in ("single", "multiple")
            else {
                "truefalse": "true" if q.data.get("correct") else "false",
                "numeric": "981 cm/s2",
                "short": "photosynthesis",
                "matching": {"0": 2, "1": 4, "2": 3, "3": 1},
                "ordering": [3, 4, 0, 2, 1],
                "cloze": {"1": "Paris", "2": "0", "3": "2.1"},
                "calculated": right_answer(q, seed="7") if q.kind == "calculated" else "",
            }[q.kind]
        )
        for q in questions
    }
    attempts = [json.dumps({"answers": perfect, "seed": "7"}), json.dumps({"answers": {}, "seed": "7"})]
    assert grade_all(questions, attempts) == [Decimal("100.00"), Decimal("0.00")]
    # The same numbers in another attempt are graded against that attempt's values.
    calculated = sum(q.points for q in questions if q.kind == "calculated")
    elsewhere = grade_all(questions, [json.dumps({"answers": perfect, "seed": "8"})])
    assert elsewhere == [Decimal(100 - calculated * 100 / sum(q.points for q in questions)).quantize(Decimal("0.01"))]


def test_a_small_run():
    figures = run_grading(200)
    assert figures.attempts == 200 and figures.rate > 0 and 0 < figures.mean_score < 100
