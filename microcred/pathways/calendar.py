"""A plan as a calendar: weekly study sessions at the learner's pace, and their ICS (RFC 5545) text.

Weeks run from ``today`` in seven-day blocks, each with ``hours_per_week`` of study. Offers are
packed in the plan's order: a self-paced offer fills the hours left in its weeks from the week its
predecessors finish; an offer with fixed start dates runs at its designed pace (workload over
duration) from the first start date whose weeks still have those hours free. The ICS is written
by the ``icalendar`` library (folding at 75 octets, escaping, CRLF); each session is an all-day
event spanning its week, with the hours in its title.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .errors import InvalidInput
from .model import Offer

_EPSILON = 1e-9


@dataclass(frozen=True)
class Session:
    offer_id: str
    title: str
    start: date
    end: date  # exclusive, as DTEND of an all-day event
    hours: float


@dataclass(frozen=True)
class Schedule:
    sessions: tuple[Session, ...]
    starts: Mapping[str, date]
    finishes: Mapping[str, date]
    overbooked: tuple[str, ...]  # offers whose fixed dates found no week with enough free hours

    @property
    def finish(self) -> date | None:
        return max(self.finishes.values()) if self.finishes else None


def schedule(
    ordered: Sequence[Offer], after: Mapping[str, Sequence[str]], *, hours_per_week: float, today: date
) -> Schedule:
    """Dated sessions for the offers in order; ``after`` names the offers each must wait for."""
    free: dict[int, float] = {}
    sessions: list[Session] = []
    starts: dict[str, date] = {}
    finishes: dict[str, date] = {}
    last_week: dict[str, int] = {}
    overbooked: list[str] = []

    def left(week: int) -> float:
        return free.setdefault(week, hours_per_week)

    def week_of(day: date) -> int:
        return (day - today).days // 7

    for offer in ordered:
        ready = max((last_week[d] for d in after.get(offer.id, ()) if d in last_week), default=0)
        weeks: list[tuple[int, float]] = []
        if offer.start_dates:
            ready_day = today + timedelta(weeks=ready)
            dated = [d for d in offer.start_dates if d >= max(today, ready_day)]
            chosen_start = next(
                (
                    d
                    for d in dated
                    if all(left(week_of(d) + i) + _EPSILON >= offer.weekly_hours for i in range(offer.duration_weeks))
                ),
                None,
            )
            if chosen_start is None:
                overbooked.append(offer.id)
                chosen_start = dated[0] if dated else ready_day
            first = week_of(chosen_start)
            weeks = [(first + i, offer.weekly_hours) for i in range(offer.duration_weeks)]
            starts[offer.id] = chosen_start
        else:
            remaining, week = offer.workload_hours, ready
            while remaining > _EPSILON:
                hours = min(left(week), remaining)
                if hours > _EPSILON:
                    weeks.append((week, hours))
                    remaining -= hours
                week += 1
            starts[offer.id] = max(today + timedelta(weeks=weeks[0][0]), today)
        for week, hours in weeks:
            free[week] = left(week) - hours
            begin = max(today + timedelta(weeks=week), starts[offer.id])
            sessions.append(Session(offer.id, offer.title, begin, today + timedelta(weeks=week + 1), round(hours, 2)))
        last_week[offer.id] = weeks[-1][0]
        finishes[offer.id] = today + timedelta(weeks=weeks[-1][0] + 1) - timedelta(days=1)
    sessions.sort(key=lambda s: (s.start, s.offer_id))
    return Schedule(tuple(sessions), starts, finishes, tuple(overbooked))


def weeks_needed(hours: float, hours_per_week: float) -> int:
    return math.ceil(hours / hours_per_week - _EPSILON)


def to_ics(sessions: Sequence[Session], *, now: datetime, name: str = "My learning path") -> str:
    """The sessions as an iCalendar document (RFC 5545 text, CRLF line ends, lines folded at 75 octets)."""
    if now.tzinfo is None:
        raise InvalidInput("the calendar's timestamp needs a time zone (DTSTAMP is written in UTC)")
    now = now.astimezone(UTC)
    import icalendar  # here, not with the module: see planner._solve on what pathways loads at import

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microcred//Learning path planner//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for number, session in enumerate(sessions):
        event = icalendar.Event()
        digest = hashlib.sha256(f"{session.offer_id}|{session.start}|{number}".encode()).hexdigest()[:24]
        event.add("uid", f"{digest}@microcred.path")
        event.add("dtstamp", now)
        event.add("dtstart", session.start)
        event.add("dtend", session.end)
        event.add("summary", f"{session.title}: {session.hours:g} h of study")
        event.add("description", f"Study {session.hours:g} hours this week for {session.title} ({session.offer_id}).")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical()).decode("utf-8")
