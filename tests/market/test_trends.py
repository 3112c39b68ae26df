"""The demand arithmetic (Django-free): months, the trend word and demand weights."""

from __future__ import annotations

from datetime import date

import pytest

from microcred.market.trends import Trend, add_months, demand_weight, months_ending, trend_of


def test_months():
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2025, 11, 1), 14) == date(2027, 1, 1)
    assert months_ending(date(2026, 2, 17), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


@pytest.mark.parametrize(
    ("mentions", "totals", "word", "change"),
    [
        # 2 of 30 postings, then 6 of 30: the share tripled.
        ([1, 1, 0, 2, 2, 2], [10] * 6, Trend.RISING, 2.0),
        ([3, 3, 3, 2, 2, 2], [10] * 6, Trend.FALLING, -1 / 3),
        ([3, 3, 3, 3, 3, 3], [10] * 6, Trend.STEADY, 0.0),
        # Twice the postings, twice the mentions: the share, and so the word, is steady.
        ([3, 3, 3, 6, 6, 6], [10, 10, 10, 20, 20, 20], Trend.STEADY, 0.0),
        # +19 % is steady, +20 % rising.
        ([10, 10, 10, 12, 12, 11.9], [100] * 6, Trend.STEADY, None),
        ([10, 10, 10, 12, 12, 12], [100] * 6, Trend.RISING, None),
        ([0, 0, 0, 2, 2, 2], [10] * 6, Trend.RISING, None),  # from nothing
        ([1, 0, 0, 1, 1, 1], [10] * 6, Trend.UNKNOWN, None),  # 4 postings in 6 months
        ([5, 5, 5, 5, 5], [10] * 5, Trend.UNKNOWN, None),  # under 6 months
        ([0, 0, 0, 5, 5, 5], [0, 0, 0, 10, 10, 10], Trend.UNKNOWN, None),  # no earlier postings at all
    ],
)
def test_trend_words(mentions, totals, word, change):
    reading = trend_of(mentions, totals)
    assert reading.trend is word
    if change is not None:
        assert reading.change == pytest.approx(change)


def test_trend_described_plainly():
    assert trend_of([1, 1, 0, 2, 2, 2], [10] * 6).describe() == "rising (+200 % over the last 3 months)"
    assert trend_of([1], [1]).describe() == "too few postings"


def test_demand_weight():
    assert demand_weight(0.25, 0.5) == 0.5
    assert demand_weight(0.0, 0.5) == 0.0
    assert demand_weight(0.3, 0.0) == 0.0
