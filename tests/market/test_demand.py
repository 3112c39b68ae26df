"""Demand figures against the hand-made postings of ``conftest.HAND_MADE``, worked out by hand.

Latest posting: June 2026, so six months are January to June 2026 (p1–p12, two a month; p0 in
December 2025 falls outside). Python: p1, p3, p7, p8, p9, p10, p11 = 7 of 12, by month 1, 1, 0, 2,
2, 1; Terraform p3, p10, p12; data visualisation p5, p8; working at height p2, p4, p6 (Energy, NL).
"""

from __future__ import annotations

from datetime import date

import pytest

from microcred.market.selectors import DemandFilters, demand_by, demand_weights, skill_demand, skill_series
from microcred.market.trends import Trend

pytestmark = pytest.mark.django_db


def table(**filters):
    return [(row.label, row.postings, round(row.share, 4)) for row in skill_demand(DemandFilters(**filters)).rows]


def test_demand_per_skill_over_six_months(hand_made, django_assert_num_queries):
    with django_assert_num_queries(4):
        demand = skill_demand(DemandFilters(months=6))
    assert (demand.period.first, demand.period.last, demand.postings) == (date(2026, 1, 1), date(2026, 6, 1), 12)
    assert [(row.label, row.postings, round(row.share, 4)) for row in demand.rows] == [
        ("Python (computer programming)", 7, round(7 / 12, 4)),
        ("Terraform", 3, 0.25),
        ("Working at height", 3, 0.25),
        ("Data visualisation", 2, round(2 / 12, 4)),
    ]
    python = demand.rows[0]
    # 2 of 6 postings from January to March, 5 of 6 from April to June.
    assert python.trend.trend is Trend.RISING
    assert (python.trend.earlier_share, python.trend.recent_share) == (pytest.approx(2 / 6), pytest.approx(5 / 6))
    assert python.trend.change == pytest.approx(1.5)
    assert demand.rows[2].trend.trend is Trend.UNKNOWN  # 3 postings in six months


def test_the_period_follows_the_months_asked_for(hand_made):
    assert table(months=12)[0] == ("Python (computer programming)", 8, round(8 / 13, 4))
    assert table(months=3) == [
        ("Python (computer programming)", 5, round(5 / 6, 4)),
        ("Terraform", 2, round(2 / 6, 4)),
        ("Data visualisation", 1, round(1 / 6, 4)),
    ]


def test_demand_filtered_by_region_and_industry(hand_made):
    assert table(months=6, region="DE") == [
        ("Python (computer programming)", 5, round(5 / 6, 4)),
        ("Data visualisation", 1, round(1 / 6, 4)),
        ("Terraform", 1, round(1 / 6, 4)),
    ]
    assert table(months=6, industry="Energy") == [("Working at height", 3, 1.0)]
    assert table(months=6, region="FR") == []


def test_a_skills_monthly_series(hand_made, taxonomy):
    series = skill_series(skill=taxonomy["python"], filters=DemandFilters(months=6))
    assert [(m.month.month, m.postings, m.all_postings) for m in series.months] == [
        (1, 1, 2),
        (2, 1, 2),
        (3, 0, 2),
        (4, 2, 2),
        (5, 2, 2),
        (6, 1, 2),
    ]
    assert (series.postings, series.all_postings, series.trend.trend) == (7, 12, Trend.RISING)


def test_demand_by_region_industry_and_occupation(hand_made, taxonomy):
    filters = DemandFilters(months=6)
    python = taxonomy["python"]
    assert [(g.key, g.postings, g.all_postings) for g in demand_by("region", filters=filters, skill=python)] == [
        ("DE", 5, 6),
        ("NL", 2, 6),
    ]
    assert [(g.key, g.postings, g.all_postings) for g in demand_by("industry", filters=filters, skill=python)] == [
        ("Software", 7, 9)
    ]
    assert [(g.key, g.postings) for g in demand_by("industry", filters=filters)] == [("Software", 9), ("Energy", 3)]
    assert [(g.label, g.postings) for g in demand_by("occupation", filters=filters)] == [("No occupation", 12)]


def test_demand_weights_for_the_gap_analysis(hand_made, taxonomy, django_assert_num_queries):
    ids = {name: skill.pk for name, skill in taxonomy.items()}
    with django_assert_num_queries(3):
        weights = demand_weights(ids.values())
    # Twelve months: 13 postings; Python in 8 (the most), height and Terraform in 3, data visualisation in 2.
    assert weights == {
        ids["python"]: 1.0,
        ids["terraform"]: pytest.approx(3 / 8),
        ids["height"]: pytest.approx(3 / 8),
        ids["dataviz"]: pytest.approx(2 / 8),
        ids["kubernetes"]: 0.0,
    }
    # In NL working at height leads (3 postings), Python and Terraform follow with 2.
    nl = demand_weights([ids["python"], ids["height"]], region="NL")
    assert nl == {ids["python"]: pytest.approx(2 / 3), ids["height"]: 1.0}
    assert demand_weights([ids["python"]], industry="Retail") == {ids["python"]: 0.0}


def test_no_postings_no_demand(taxonomy):
    assert skill_demand(DemandFilters()).rows == []
    assert skill_demand(DemandFilters()).period is None
    assert demand_weights([taxonomy["python"].pk]) == {taxonomy["python"].pk: 0.0}
    assert skill_series(skill=taxonomy["python"], filters=DemandFilters()).months == []
    assert demand_by("region", filters=DemandFilters()) == []
