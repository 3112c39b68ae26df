"""The "Skills in demand" pages: public, filtered, with an empty state and bad filters shown, not
a 500."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_empty_state_before_any_posting(client, taxonomy):
    response = client.get(reverse("market:demand"))
    assert response.status_code == 200
    assert "No job postings yet" in text_of(response)
    assert "microcred market import-postings FILE" in text_of(response)


def test_top_skills_chart_table_and_trend(client, hand_made):
    response = client.get(reverse("market:demand"), {"months": "6"})
    assert response.status_code == 200
    page = text_of(response)
    assert "12 job postings from January 2026 to June 2026" in page
    assert 'id="top-skills-title"' in response.content.decode()
    # The table: Python in 7 of 12 postings, rising; the top skill's months are drawn by default.
    assert "Python (computer programming) 7 58.3 % rising (+150 % over the last 3 months)" in page
    assert "Month by month: Python (computer programming)" in page
    assert "Working at height 3 25.0 % too few postings" in page


def test_filters_narrow_the_postings_and_a_chosen_skills_trend_is_drawn(client, hand_made):
    response = client.get(reverse("market:demand"), {"months": "6", "industry": "Energy", "skill": "working-at-height"})
    page = text_of(response)
    assert "3 job postings from January 2026 to June 2026 (the month of the latest posting), industry Energy." in page
    assert "Month by month: Working at height" in page
    assert "Python (computer programming)" not in page
    # The region choices list each region with its postings.
    assert '<option value="DE">DE (7)</option>' in response.content.decode()


def test_a_filter_that_matches_nothing_says_so(client, hand_made):
    response = client.get(reverse("market:demand"), {"region": "NL", "industry": "Energy", "months": "3"})
    assert "No posting matches these filters" in text_of(response)


def test_bad_filter_values_are_shown_beside_the_field(client, hand_made):
    response = client.get(reverse("market:demand"), {"months": "7", "region": "XX"})
    assert response.status_code == 200
    page = text_of(response)
    assert page.count("Select a valid choice.") == 2
    assert "13 job postings from July 2025 to June 2026" in page  # the defaults: all regions, 12 months


def test_a_skills_demand_page(client, hand_made):
    response = client.get(reverse("market:skill", args=["python"]), {"months": "6"})
    assert response.status_code == 200
    page = text_of(response)
    assert "7 of 12 job postings (58.3 %) mention it. Trend: rising (+150 % over the last 3 months)" in page
    assert "DE 5 6 83.3 %" in page
    assert "Software 7 9 77.8 %" in page
    assert "ML engineer" in page  # the latest posting asking for it
    assert "Backend developer" not in page  # December 2025, outside the six months


def test_unknown_skill_is_a_404(client, hand_made):
    assert client.get(reverse("market:skill", args=["no-such-skill"])).status_code == 404


def test_a_skill_page_before_any_posting(client, taxonomy):
    response = client.get(reverse("market:skill", args=["python"]))
    assert response.status_code == 200
    assert "No job postings yet" in text_of(response)


def test_the_pages_hold_nothing_the_content_security_policy_blocks(client, hand_made):
    from tests.web.test_csp import assert_strict_policy, inline_code

    for path in (reverse("market:demand") + "?months=6&skill=terraform", reverse("market:skill", args=["python"])):
        response = client.get(path)
        assert_strict_policy(response, path)
        assert inline_code(response.content.decode()) == [], path
