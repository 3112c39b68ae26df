"""Dated sessions at the learner's pace, and the ICS text they become."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import icalendar
import pytest

from microcred.pathways import Constraints, Gap, InvalidInput, Level, OfferIndex, SkillRequirement, plan_path
from microcred.pathways.calendar import Session, schedule, to_ics

from .builders import TODAY, offer

NOW = datetime(2027, 1, 1, 9, 30, tzinfo=UTC)


def test_self_paced_offers_fill_the_weekly_hours_in_order() -> None:
    first, second = offer("a", {"s": 1}, 1, hours=12), offer("b", {"s": 2}, 1, hours=6)
    planned = schedule([first, second], {"b": ["a"]}, hours_per_week=5, today=TODAY)
    # a: 5 + 5 + 2 hours; b starts in the 3rd week with the 3 hours left, then 3 more.
    assert [(s.offer_id, (s.start - TODAY).days, s.hours) for s in planned.sessions] == [
        ("a", 0, 5),
        ("a", 7, 5),
        ("a", 14, 2),
        ("b", 14, 3),
        ("b", 21, 3),
    ]
    assert planned.finishes == {"a": TODAY + timedelta(days=20), "b": TODAY + timedelta(days=27)}
    assert planned.finish == TODAY + timedelta(days=27)


def test_a_dated_offer_waits_for_its_start_and_runs_at_its_pace() -> None:
    dated = offer("cohort", {"s": 1}, 1, hours=8, weeks=2, start_dates=(TODAY + timedelta(days=16),))
    planned = schedule([dated], {}, hours_per_week=6, today=TODAY)
    assert planned.starts["cohort"] == TODAY + timedelta(days=16)
    assert [(s.start, s.hours) for s in planned.sessions] == [
        (TODAY + timedelta(days=16), 4),
        (TODAY + timedelta(days=21), 4),
    ]
    assert planned.overbooked == ()


def test_the_plan_renders_a_valid_folded_ics() -> None:
    long_title = "Données, analyse; et visualisation \\ avancée — un très long intitulé de cours " * 2
    index = OfferIndex([offer("viz", {"viz": 1}, 100, hours=7, title=long_title)])
    goal = Gap((SkillRequirement("viz", Level(1)),))
    plan = plan_path(goal, index, Constraints(hours_per_week=4), today=TODAY)
    text = plan.ics(now=NOW)
    raw = text.encode("utf-8")
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)  # RFC 5545 3.1: folded at 75 octets
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded
    assert b"SUMMARY:Donn\xc3\xa9es\\, analyse\\; et visualisation \\\\ avanc" in raw.replace(b"\r\n ", b"")
    parsed = icalendar.Calendar.from_ical(text)
    events = list(parsed.walk("VEVENT"))
    assert [(e["DTSTART"].dt, e["DTEND"].dt) for e in events] == [
        (TODAY, TODAY + timedelta(days=7)),
        (TODAY + timedelta(days=7), TODAY + timedelta(days=14)),
    ]
    assert str(events[0]["SUMMARY"]) == f"{long_title}: 4 h of study"
    assert len({str(e["UID"]) for e in events}) == 2
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"].startswith("-//Microcred")


def test_ics_is_the_same_for_the_same_plan_and_stamped_in_utc() -> None:
    sessions = [Session("a", "A", TODAY, TODAY + timedelta(days=7), 3)]
    assert to_ics(sessions, now=NOW) == to_ics(sessions, now=NOW)
    paris = NOW.astimezone(timezone(timedelta(hours=1)))
    assert "DTSTAMP:20270101T093000Z" in to_ics(sessions, now=paris)
    with pytest.raises(InvalidInput, match="time zone"):
        to_ics(sessions, now=NOW.replace(tzinfo=None))


def test_a_dated_offer_in_full_weeks_is_flagged_not_dropped() -> None:
    busy = offer("busy", {"s": 1}, 1, hours=20)  # fills weeks 0 to 3 at 5 h a week
    dated = offer("dated", {"t": 1}, 1, hours=8, weeks=2, start_dates=(TODAY + timedelta(days=7),))
    planned = schedule([busy, dated], {}, hours_per_week=5, today=TODAY)
    assert planned.overbooked == ("dated",)
    assert planned.starts["dated"] == TODAY + timedelta(days=7)
    later = offer(
        "later", {"t": 1}, 1, hours=8, weeks=2, start_dates=(TODAY + timedelta(days=7), TODAY + timedelta(days=14))
    )
    roomy = schedule([busy, later], {}, hours_per_week=9, today=TODAY)  # busy: 9, 9, 2 hours; week 2 has room
    assert roomy.overbooked == () and roomy.starts["later"] == TODAY + timedelta(days=14)
