"""A small taxonomy and a hand-made set of postings whose demand is worked out by hand in
``test_demand.py``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from microcred.core.actors import SYSTEM
from microcred.market.postings_format import read_postings
from microcred.market.services import PostingsImportReport, postings_import
from microcred.skills.models import Skill
from tests.factories import SkillFactory


@pytest.fixture
def taxonomy(db) -> dict[str, Skill]:
    return {
        "python": SkillFactory(
            label="Python (computer programming)", slug="python", alt_labels=["Python", "python programming"]
        ),
        "terraform": SkillFactory(label="Terraform", slug="terraform"),
        "dataviz": SkillFactory(
            label="Data visualisation", slug="data-visualisation", alt_labels=["data visualization"]
        ),
        "height": SkillFactory(label="Working at height", slug="working-at-height"),
        "kubernetes": SkillFactory(label="Kubernetes", slug="kubernetes"),
    }


def jsonl(*postings: dict[str, Any]) -> list[str]:
    return [json.dumps(posting) + "\n" for posting in postings]


@pytest.fixture
def import_postings(taxonomy) -> Callable[..., PostingsImportReport]:
    def run(*postings: dict[str, Any], source: str = "test") -> PostingsImportReport:
        records = read_postings(jsonl(*postings), format="jsonl", file="postings.jsonl")
        return postings_import(actor=SYSTEM, records=records, source=source)

    return run


# Twelve postings from January to June 2026, two a month, odd ones in DE (software), even ones in
# NL; one more in December 2025. Python: Jan 1, Feb 1, Mar 0, Apr 2, May 2, Jun 1 (and Dec 1).
HAND_MADE = [
    ("p0", "2025-12-10", "DE", "Software", "Backend developer", "Python services."),
    ("p1", "2026-01-05", "DE", "Software", "Python developer", "Build APIs."),
    ("p2", "2026-01-20", "NL", "Energy", "Roofer", "Working at height every day."),
    ("p3", "2026-02-03", "DE", "Software", "Platform engineer", "We use Python and Terraform."),
    ("p4", "2026-02-14", "NL", "Energy", "Solar installer", "Safe working at height is a must."),
    ("p5", "2026-03-02", "DE", "Software", "Data analyst", "Dashboards and data visualization."),
    ("p6", "2026-03-28", "NL", "Energy", "Scaffolder", "Working at height."),
    ("p7", "2026-04-01", "DE", "Software", "Data engineer", "Python pipelines."),
    ("p8", "2026-04-15", "NL", "Software", "Analyst", "Data visualisation in Python."),
    ("p9", "2026-05-06", "DE", "Software", "Developer", "Python programming."),
    ("p10", "2026-05-20", "NL", "Software", "DevOps engineer", "Python; Terraform."),
    ("p11", "2026-06-09", "DE", "Software", "ML engineer", "Python."),
    ("p12", "2026-06-30", "NL", "Software", "Cloud engineer", "Terraform modules."),
]


@pytest.fixture
def hand_made(import_postings) -> PostingsImportReport:
    return import_postings(
        *[
            {"id": pid, "date": day, "region": region, "industry": industry, "title": title, "text": text}
            for pid, day, region, industry, title, text in HAND_MADE
        ]
    )
