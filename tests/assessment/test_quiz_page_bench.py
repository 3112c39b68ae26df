"""The quiz-page bench (``python -m bench --only quizpage``) runs: its world builds through the
services and its page is the learner's form, in progress; the figure itself is the bench's."""

from __future__ import annotations

import pytest

from bench.quiz_page import QUESTIONS, make_quiz_in_progress, measure, print_figures

pytestmark = pytest.mark.django_db


def test_the_quiz_page_bench_measures_a_quiz_in_progress(capsys):
    learner, path = make_quiz_in_progress()
    figures = measure(learner, path, 5)
    assert figures.renders == 5 and figures.median_ms > 0 and figures.p95_ms >= figures.median_ms
    # A bounded number of queries, whatever the number of questions.
    assert 0 < figures.queries < QUESTIONS
    print_figures(figures)
    assert "target median < 50 ms" in capsys.readouterr().out
