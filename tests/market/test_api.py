"""The market API: demand by skill with filters, a skill's monthly series and its groups; public,
paged, problem details on bad input."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_demand_by_skill_paged(client, hand_made, taxonomy, django_assert_num_queries):
    with django_assert_num_queries(4):  # the latest posting, monthly totals, monthly mentions, the skills
        response = client.get("/api/v1/market/demand", {"months": 6, "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"first_month": "2026-01-01", "last_month": "2026-06-01", "postings": 12}
    assert (body["count"], body["limit"], body["offset"]) == (4, 2, 0)
    assert response["X-Total-Count"] == "4"
    assert 'rel="next"' in response["Link"]
    python, terraform = body["items"]
    assert python == {
        "skill_id": taxonomy["python"].pk,
        "uri": taxonomy["python"].uri,
        "label": "Python (computer programming)",
        "postings": 7,
        "share": pytest.approx(7 / 12),
        "trend": {
            "word": "rising",
            "recent_share": pytest.approx(5 / 6),
            "earlier_share": pytest.approx(2 / 6),
            "change": pytest.approx(1.5),
        },
    }
    assert (terraform["label"], terraform["trend"]["word"]) == ("Terraform", "too few postings")


def test_demand_filters(client, hand_made):
    body = client.get("/api/v1/market/demand", {"months": 6, "industry": "Energy"}).json()
    assert [(item["label"], item["postings"], item["share"]) for item in body["items"]] == [
        ("Working at height", 3, 1.0)
    ]
    assert body["period"]["postings"] == 3


def test_no_postings(client, taxonomy):
    body = client.get("/api/v1/market/demand").json()
    assert (body["items"], body["count"], body["period"]) == ([], 0, None)


def test_bad_months_is_a_problem(client, hand_made):
    response = client.get("/api/v1/market/demand", {"months": 7})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["loc"] == ["query", "months"]


def test_a_skills_series(client, hand_made, taxonomy):
    response = client.get(f"/api/v1/market/skills/{taxonomy['python'].pk}/demand", {"months": 6, "region": "DE"})
    assert response.status_code == 200
    body = response.json()
    assert [(m["month"], m["postings"], m["all_postings"]) for m in body["months"]] == [
        ("2026-01-01", 1, 1),
        ("2026-02-01", 1, 1),
        ("2026-03-01", 0, 1),
        ("2026-04-01", 1, 1),
        ("2026-05-01", 1, 1),
        ("2026-06-01", 1, 1),
    ]
    assert (body["postings"], body["period"]["postings"], body["trend"]["word"]) == (5, 6, "rising")


def test_a_skills_groups(client, hand_made, taxonomy):
    url = f"/api/v1/market/skills/{taxonomy['python'].pk}/demand/region"
    assert [(g["key"], g["postings"], g["all_postings"]) for g in client.get(url, {"months": 6}).json()] == [
        ("DE", 5, 6),
        ("NL", 2, 6),
    ]
    bad = client.get(f"/api/v1/market/skills/{taxonomy['python'].pk}/demand/planet")
    assert bad.status_code == 422


def test_an_unknown_skill_is_404(client, hand_made):
    response = client.get("/api/v1/market/skills/999999/demand")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
