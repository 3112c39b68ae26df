"""The database-free rules of quiz integrity (``assessment/attempt_rules.py``, ADR 0026)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from microcred.assessment.attempt_rules import (
    CREDENTIAL_REVIEW,
    EVERYTHING,
    PRACTICE_REVIEW,
    Moment,
    Shown,
    attempt_deadline,
    attempt_layout,
    grade_of,
    review_moment,
    review_options_parse,
)
from microcred.core.errors import ValidationFailed

BANK = {q: [q * 10 + n for n in range(4)] for q in range(1, 21)}  # 20 questions of 4 options
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def layout(seed: int, **kw):
    options = {"question_count": None, "shuffle_questions": True, "shuffle_options": True} | kw
    return attempt_layout(seed=seed, choices_by_question=BANK, **options)


def test_a_seed_replays_exactly():
    assert layout(42) == layout(42)
    assert layout(42, question_count=5) == layout(42, question_count=5)


def test_two_seeds_give_different_orders():
    # 20! question orders times 24^20 option orders: equal by chance with negligible probability.
    first, second = layout(1), layout(2)
    assert first.question_ids != second.question_ids
    assert first.choice_orders != second.choice_orders
    assert sorted(first.question_ids) == sorted(BANK)
    assert all(sorted(first.choice_orders[q]) == BANK[q] for q in BANK)


def test_drawing_serves_question_count_distinct_questions_of_the_bank():
    drawn = layout(7, question_count=5)
    assert len(drawn.question_ids) == len(set(drawn.question_ids)) == 5
    assert set(drawn.question_ids) <= set(BANK)
    assert set(drawn.choice_orders) == set(drawn.question_ids)
    draws = {tuple(sorted(layout(seed, question_count=5).question_ids)) for seed in range(20)}
    assert len(draws) > 1  # each attempt draws afresh


def test_without_shuffling_the_authored_order_is_kept():
    plain = layout(3, shuffle_questions=False, shuffle_options=False)
    assert plain.question_ids == list(BANK)
    assert plain.choice_orders == BANK
    drawn = layout(3, question_count=4, shuffle_questions=False)
    assert drawn.question_ids == sorted(drawn.question_ids)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", "90.00"), ("last", "60.00"), ("first", "40.00"), ("average", "63.33")],
)
def test_grading_methods(method, expected):
    assert grade_of(method, [Decimal("40.00"), Decimal("90.00"), Decimal("60.00")]) == Decimal(expected)


def test_no_graded_attempt_has_no_grade():
    assert grade_of("highest", []) is None


def test_the_moments_follow_moodle():
    assert review_moment(submitted_at=None, closes_at=None, at=T0) is Moment.DURING
    assert review_moment(submitted_at=T0, closes_at=None, at=T0 + timedelta(seconds=30)) is Moment.IMMEDIATELY
    assert review_moment(submitted_at=T0, closes_at=None, at=T0 + timedelta(minutes=5)) is Moment.OPEN
    closes = T0 + timedelta(hours=1)
    assert review_moment(submitted_at=T0, closes_at=closes, at=closes) is Moment.CLOSED


def test_the_credential_default_holds_answers_until_settled():
    held = CREDENTIAL_REVIEW.shown(Moment.IMMEDIATELY, settled=False)
    assert held == {Shown.SCORE}
    assert CREDENTIAL_REVIEW.shown(Moment.IMMEDIATELY, settled=True) == EVERYTHING
    assert PRACTICE_REVIEW.shown(Moment.IMMEDIATELY, settled=False) == EVERYTHING
    assert CREDENTIAL_REVIEW.shown(Moment.DURING, settled=True) == frozenset()


def test_review_options_round_trip_and_missing_moments_default():
    options = review_options_parse({"immediately": ["score"], "open": ["score", "correctness"], "closed": []})
    assert options.immediately == {Shown.SCORE} and options.closed == frozenset()
    assert review_options_parse(options.as_json()) == options
    assert review_options_parse({}) == PRACTICE_REVIEW


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be an object"),
        ({"later": ["score"]}, "unknown key(s) later"),
        ({"open": "score"}, "must be a list"),
        ({"open": ["grade"]}, "unknown item(s) grade"),
        ({"during": ["answers"]}, "during must be empty"),
        ({"hold_until_settled": "yes"}, "true or false"),
    ],
)
def test_bad_review_options_are_refused_clearly(data, message):
    with pytest.raises(ValidationFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        review_options_parse(data)


def test_the_deadline_is_the_sooner_of_time_limit_and_close():
    assert attempt_deadline(started_at=T0, time_limit_minutes=None, closes_at=None) is None
    assert attempt_deadline(started_at=T0, time_limit_minutes=30, closes_at=None) == T0 + timedelta(minutes=30)
    closes = T0 + timedelta(minutes=10)
    assert attempt_deadline(started_at=T0, time_limit_minutes=30, closes_at=closes) == closes
