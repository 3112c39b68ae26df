from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from microcred.accreditation.services import accreditation_grant
from microcred.catalog.services import microcredential_create, microcredential_publish, microcredential_update
from microcred.core.actors import SYSTEM
from tests.factories import (
    AccreditorFactory,
    OrganisationFactory,
    SkillFactory,
    microcredential_fields,
    published_microcredential,
)

from .conftest import API, assert_problem, error_fields

pytestmark = pytest.mark.django_db


def accredit(provider, *, scope="Data programmes"):
    return accreditation_grant(
        actor=SYSTEM,
        accreditor=AccreditorFactory(name="Quality Agency"),
        provider=provider,
        scope=scope,
        valid_from=date.today() - timedelta(days=30),
        valid_until=date.today() + timedelta(days=300),
    )


def many_published(n: int, start: int = 0) -> list:
    return [
        published_microcredential(
            provider=OrganisationFactory(), slug=f"course-{start + i}", title=f"Course {start + i:02d}"
        )
        for i in range(n)
    ]


def test_list_returns_public_summaries_with_absolute_urls(settings):
    settings.SITE_URL = "https://learn.example.org"
    provider = OrganisationFactory(slug="uni", name="Uni")
    accredit(provider)
    skill = SkillFactory(label="Data cleaning", slug="data-cleaning")
    microcredential_create(  # a draft: never listed
        actor=SYSTEM, provider=provider, skills=[(skill, "intermediate")], **microcredential_fields(slug="clean")
    )
    published = published_microcredential(provider=provider, slug="other", title="Other")

    response = Client().get(f"{API}/microcredentials")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["count"] == 1 and body["limit"] == 20 and body["offset"] == 0
    item = body["items"][0]
    assert item["id"] == published.pk
    assert item["provider"] == {"slug": "uni", "name": "Uni", "accredited": True}
    assert item["price"] == {"amount": "0.00", "currency": "EUR"}
    assert item["ects"] == "1.0"
    assert item["industry"] == {"slug": "data-ai", "name": "Data & AI"}
    assert item["url"] == "https://learn.example.org/providers/uni/other/"
    assert set(item) >= {
        "id",
        "slug",
        "version",
        "title",
        "summary",
        "provider",
        "level",
        "industry",
        "workload_hours",
        "ects",
        "eqf_level",
        "price",
        "language",
        "participation_form",
        "skills",
        "url",
    }
    assert response["X-Total-Count"] == "1"


def test_skills_and_filters_match_the_web_catalog():
    provider = OrganisationFactory(slug="acme")
    skill = SkillFactory(label="Statistics", slug="statistics")
    first = published_microcredential(provider=provider, slug="stats", title="Statistics 101", level="intermediate")
    second = microcredential_update(actor=SYSTEM, microcredential=first, skills=[(skill, "expert")])
    microcredential_publish(actor=SYSTEM, microcredential=second)
    published_microcredential(slug="pricey", title="Pricey", price=Decimal("300"), workload_hours=80)
    client = Client()

    def ids(**params):
        response = client.get(f"{API}/microcredentials", params)
        assert response.status_code == 200, response.content
        return [item["slug"] for item in response.json()["items"]]

    assert ids() == ["pricey", "stats"]
    assert ids(q="statistics") == ["stats"]
    assert ids(skill="statistics") == ["stats"]
    assert ids(level="intermediate") == ["stats"]
    assert ids(provider="acme") == ["stats"]
    assert ids(free="true") == ["stats"]
    assert ids(max_price="100") == ["stats"]
    assert ids(min_hours=50) == ["pricey"]
    assert ids(max_hours=50) == ["stats"]
    assert ids(sort="price") == ["stats", "pricey"]
    assert ids(accredited="true") == []
    assert ids(participation_form="online") == ["pricey", "stats"]
    assert ids(language="de") == []
    stats = client.get(f"{API}/microcredentials", {"skill": "statistics"}).json()["items"][0]
    assert stats["version"] == 2
    assert stats["skills"] == [
        {"uri": "https://skills.microcred.org/skill/statistics", "label": "Statistics", "target_level": "expert"}
    ]


def test_pagination_slices_and_links_pages():
    many_published(5)
    client = Client()
    response = client.get(f"{API}/microcredentials", {"limit": 2, "offset": 2, "sort": "title"})
    body = response.json()
    assert [i["title"] for i in body["items"]] == ["Course 02", "Course 03"]
    assert body["count"] == 5 and body["limit"] == 2 and body["offset"] == 2
    assert response["X-Total-Count"] == "5"
    link = response["Link"]
    assert "offset=4" in link and 'rel="next"' in link
    assert "offset=0" in link and 'rel="prev"' in link
    assert "sort=title" in link
    last = client.get(f"{API}/microcredentials", {"limit": 2, "offset": 4})
    assert len(last.json()["items"]) == 1 and 'rel="next"' not in last["Link"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": -1}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"offset": -5}, "query.offset"),
        ({"level": "wizard"}, "query.level"),
        ({"sort": "random"}, "query.sort"),
        ({"min_hours": "lots"}, "query.min_hours"),
        ({"max_price": "-1"}, "query.max_price"),
    ],
)
def test_bad_query_parameters_are_422_problems_naming_the_field(params, field):
    response = Client().get(f"{API}/microcredentials", params)
    body = assert_problem(response, 422, "validation_failed")
    assert field in error_fields(body)
    error = next(e for e in body["errors"] if e["field"] == field)
    assert error["loc"] == field.split(".") and error["message"]


def test_list_query_count_is_constant(django_assert_num_queries):
    for provider_index, batch in enumerate((2, 6)):
        created = many_published(batch, start=provider_index * 10)
        accredit(created[0].provider)
    client = Client()
    # count, page, skill links, current accreditations of the page's providers
    with django_assert_num_queries(4):
        small = client.get(f"{API}/microcredentials", {"limit": 2})
    with django_assert_num_queries(4):
        large = client.get(f"{API}/microcredentials", {"limit": 8})
    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) == 8
    assert sum(item["provider"]["accredited"] for item in large.json()["items"]) == 2


def test_detail_has_every_eu_element_outline_and_accreditations():
    provider = OrganisationFactory(slug="uni", name="Uni")
    accredit(provider, scope="Bachelor-level short courses")
    mc = published_microcredential(provider=provider, validity_months=24, prerequisites="Basic maths")

    response = Client().get(f"{API}/microcredentials/{mc.pk}")

    assert response.status_code == 200
    body = response.json()
    for key in (
        "title",
        "awarding_body",
        "country",
        "learning_outcomes",
        "workload_hours",
        "ects",
        "eqf_level",
        "assessment_type",
        "participation_form",
        "quality_assurance",
        "prerequisites",
        "supervision",
        "identity_verified",
        "stackable",
        "stackability",
        "validity_months",
        "duration_weeks",
        "criteria",
    ):
        assert key in body, key
    assert body["awarding_body"] == "Uni" and body["country"] == "IE"
    assert body["learning_outcomes"] == ["Clean a data set", "Summarise a data set"]
    assert body["validity_months"] == 24 and body["prerequisites"] == "Basic maths"
    assert body["status"] == "published"
    assert "<strong>short</strong>" in body["description_html"]
    accreditation = body["provider"]["accreditations"][0]
    assert accreditation["accreditor"]["name"] == "Quality Agency"
    assert accreditation["scope"] == "Bachelor-level short courses"
    assert accreditation["valid_from"] and accreditation["valid_until"]
    assert body["provider"]["accredited"] is True
    assert [m["title"] for m in body["outline"]] == ["Getting started", "Assessment"]
    lessons = body["outline"][0]["lessons"]
    assert lessons[0] == {
        "id": lessons[0]["id"],
        "title": "What is tidy data?",
        "kind": "reading",
        "estimated_minutes": 10,
        "required": True,
        "weight": None,  # completion rules of scored lessons only (ADR 0029)
        "min_score": None,
    }
    assert lessons[1]["required"] is False
    assert "Rows and columns" not in response.content.decode()  # no lesson bodies in the public outline


def test_detail_of_a_draft_or_unknown_id_is_404_and_non_integer_id_is_422():
    draft = microcredential_create(actor=SYSTEM, provider=OrganisationFactory(), **microcredential_fields(slug="draft"))
    client = Client()
    assert_problem(client.get(f"{API}/microcredentials/{draft.pk}"), 404, "not_found")
    assert_problem(client.get(f"{API}/microcredentials/999999"), 404, "not_found")
    body = assert_problem(client.get(f"{API}/microcredentials/abc"), 422, "validation_failed")
    assert "path.microcredential_id" in error_fields(body)


def test_providers_list_and_detail():
    provider = OrganisationFactory(slug="uni", name="A Uni")
    accredit(provider)
    published_microcredential(provider=provider, slug="one", title="One")
    published_microcredential(provider=provider, slug="two", title="Two")
    microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="draft"))
    OrganisationFactory(slug="quiet", name="B Quiet")
    AccreditorFactory()  # not a provider: never listed
    client = Client()

    listing = client.get(f"{API}/providers").json()
    assert [p["slug"] for p in listing["items"]] == ["uni", "quiet"]
    assert listing["items"][0]["published_count"] == 2 and listing["items"][0]["accredited"] is True
    assert listing["items"][1]["published_count"] == 0 and listing["items"][1]["accreditations"] == []

    detail = client.get(f"{API}/providers/uni").json()
    assert detail["published_count"] == 2
    assert [m["slug"] for m in detail["microcredentials"]] == ["one", "two"]
    assert detail["accreditations"][0]["scope"] == "Data programmes"
    assert_problem(client.get(f"{API}/providers/nobody"), 404, "not_found")


def test_providers_query_count_is_constant(django_assert_num_queries):
    providers = [OrganisationFactory() for _ in range(8)]
    for provider in providers[:3]:
        accredit(provider)
    published_microcredential(provider=providers[0])
    client = Client()
    # count, page with offer counts, current accreditations of the page
    with django_assert_num_queries(3):
        small = client.get(f"{API}/providers", {"limit": 2})
    with django_assert_num_queries(3):
        large = client.get(f"{API}/providers", {"limit": 8})
    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) == 8
