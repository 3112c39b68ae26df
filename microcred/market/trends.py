"""The arithmetic of demand, Django-free: months, shares, the trend word and demand weights.

Definitions (the selectors feed these with counts from the database):

- **Postings** of a skill in a period: postings dated in it that mention the skill (once each,
  however often they mention it). **Share**: those postings over all postings of the period
  (under the same region and industry filters), 0–1.
- **Trend**: the share over the last ``TREND_MONTHS`` (3) months of the period against the share
  over the 3 months before. A change of at least +20 % (relative) is *rising*, of at least −20 %
  *falling*, anything between *steady*. With fewer than ``TREND_MIN_POSTINGS`` (5) postings of the
  skill over those 6 months, or no postings at all in the earlier 3, the word is *too few
  postings*: a trend read from two or three postings would be noise.
- **Demand weight** (``demand_weight``): a skill's share divided by the largest share of any skill
  under the same filters, so the most asked-for skill weighs 1 and a skill no posting mentions 0.
  It does not depend on which other skills a caller asks about.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

TREND_MONTHS: Final = 3
TREND_MIN_POSTINGS: Final = 5
TREND_THRESHOLD: Final = 0.2


class Trend(enum.StrEnum):
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    UNKNOWN = "too few postings"


@dataclass(frozen=True, slots=True)
class TrendReading:
    """The trend word, the two shares compared (None when a period had no postings) and the relative
    change between them (None when the earlier share is 0)."""

    trend: Trend
    recent_share: float | None
    earlier_share: float | None
    change: float | None

    def describe(self) -> str:
        """In words: "rising (+35 % over the last 3 months)"."""
        if self.change is None or self.trend is Trend.UNKNOWN:
            return str(self.trend)
        return f"{self.trend} ({self.change * 100:+.0f} % over the last {TREND_MONTHS} months)"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first of the month ``count`` months after (before, when negative) ``month``'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_ending(last: date, count: int) -> list[date]:
    """The first days of the ``count`` months up to and including ``last``'s month, oldest first."""
    end = month_start(last)
    return [add_months(end, offset) for offset in range(1 - count, 1)]


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def trend_of(mentions: Sequence[int], totals: Sequence[int]) -> TrendReading:
    """The trend of a skill from its postings per month and all postings per month (same months,
    oldest first; the last ``2 * TREND_MONTHS`` are compared)."""
    if len(mentions) != len(totals):
        raise ValueError("mentions and totals must cover the same months")
    window = TREND_MONTHS
    if len(mentions) < 2 * window:
        return TrendReading(Trend.UNKNOWN, None, None, None)
    recent_total, earlier_total = sum(totals[-window:]), sum(totals[-2 * window : -window])
    recent_mentions, earlier_mentions = sum(mentions[-window:]), sum(mentions[-2 * window : -window])
    recent = recent_mentions / recent_total if recent_total else None
    earlier = earlier_mentions / earlier_total if earlier_total else None
    if recent is None or earlier is None or recent_mentions + earlier_mentions < TREND_MIN_POSTINGS:
        return TrendReading(Trend.UNKNOWN, recent, earlier, None)
    if earlier == 0:
        return TrendReading(Trend.RISING, recent, earlier, None)
    # Rounded, so a share of 12 % against 10 % is the +20 % it is, not 19.999… %.
    change = round((recent - earlier) / earlier, 9)
    if change >= TREND_THRESHOLD:
        word = Trend.RISING
    elif change <= -TREND_THRESHOLD:
        word = Trend.FALLING
    else:
        word = Trend.STEADY
    return TrendReading(word, recent, earlier, change)


def demand_weight(skill_share: float, largest_share: float) -> float:
    """0–1: the skill's share of postings relative to the most asked-for skill's."""
    if largest_share <= 0:
        return 0.0
    return min(1.0, max(0.0, skill_share / largest_share))
