"""The demo's job postings: reproducible from their generator, every one read with skills and an
occupation against the demo taxonomy, trends the demand page can show, and a second load that
writes nothing."""

from __future__ import annotations

import io

import pytest

from microcred.core.actors import SYSTEM
from microcred.demo.job_postings import DEMO_POSTINGS_FILE, write
from microcred.demo.loader import catalog_files
from microcred.demo.taxonomy import demo_taxonomy_load
from microcred.market.models import JobPosting
from microcred.market.postings_format import read_postings_file
from microcred.market.selectors import DemandFilters, demand_by, skill_demand
from microcred.market.services import postings_import
from microcred.market.trends import Trend


def test_the_file_is_what_the_generator_writes():
    generated = io.StringIO()
    write(generated)
    assert generated.getvalue() == DEMO_POSTINGS_FILE.read_text(encoding="utf-8"), (
        "Write the file again: python -m microcred.demo.job_postings > microcred/demo/data/job-postings.jsonl"
    )


@pytest.mark.django_db
def test_demo_postings_against_the_demo_taxonomy():
    demo_taxonomy_load(catalog_files=catalog_files())
    report = postings_import(actor=SYSTEM, records=read_postings_file(DEMO_POSTINGS_FILE), source="demo")
    assert 300 <= report.created <= 500
    assert not report.unknown_occupations
    assert not JobPosting.objects.filter(skill_links__isnull=True).exists()  # every posting names a skill
    assert not JobPosting.objects.filter(occupation__isnull=True).exists()

    table = skill_demand(DemandFilters(months=12))
    words = {row.label: row.trend.trend for row in table.rows}
    assert words["Kubernetes"] is Trend.RISING
    assert words["CSS"] is Trend.FALLING
    assert {Trend.RISING, Trend.STEADY, Trend.FALLING} <= set(words.values())
    regions = {group.key for group in demand_by("region", filters=DemandFilters(months=18))}
    assert {"DE", "NL", "FR", "ES", "PL"} <= regions
    industries = {group.key for group in demand_by("industry", filters=DemandFilters(months=18))}
    assert industries == {
        "Information technology",
        "Cybersecurity",
        "Energy",
        "Data & AI",
        "Education & research",
        "Health care",
    }

    again = postings_import(actor=SYSTEM, records=read_postings_file(DEMO_POSTINGS_FILE), source="demo")
    assert (again.created, again.updated, again.unchanged) == (0, 0, report.created)
