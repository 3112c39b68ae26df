"""A catalogue for planning beside the careers fixture's Tidy Data (data cleaning at intermediate,
spreadsheets at beginner): SQL at beginner and at intermediate (the analyst's essential skill), a
dearer SQL course in German, and one course that does nothing for the analyst goal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from microcred.catalog.models import MicroCredential
from tests.careers.conftest import aligned_microcredential


@dataclass
class PlanWorld:
    sql_basics: MicroCredential
    sql_practice: MicroCredential
    sql_german: MicroCredential
    python_intro: MicroCredential


def _published(careers, slug, title, skills, price, hours, **fields) -> MicroCredential:
    return aligned_microcredential(
        provider=careers.provider,
        skills=skills,
        question_skill=skills[0][0],
        slug=slug,
        title=title,
        price=Decimal(price),
        workload_hours=hours,
        **fields,
    )


def build_world(careers) -> PlanWorld:
    return PlanWorld(
        sql_basics=_published(careers, "sql-basics", "SQL Basics", [(careers.sql, "beginner")], 100, 20),
        sql_practice=_published(careers, "sql-practice", "SQL in Practice", [(careers.sql, "intermediate")], 200, 30),
        sql_german=_published(
            careers, "sql-deutsch", "SQL auf Deutsch", [(careers.sql, "intermediate")], 90, 35, language="de"
        ),
        python_intro=_published(careers, "python-intro", "Python Intro", [(careers.python, "beginner")], 50, 10),
    )
