"""The catalog search's cost does not grow with the catalog (issue 6, load): a ranked search on
PostgreSQL counts its matches in the query that ranks them, reads an indexed vector kept by
triggers, filter lists probe per option, and pagination links stay few however many pages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microcred.accounts.services import organisation_update
from microcred.catalog.models import MicroCredential
from microcred.catalog.services import microcredential_publish, microcredential_update
from microcred.core.actors import SYSTEM
from tests.factories import OrganisationFactory, SkillFactory
from tests.pages import build_microcredential

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="/providers/[^"]+">([^<]+)</a></h3>', response.content.decode())


def page_links(response) -> list[str]:
    nav = re.search(r'<nav class="pagination".*?</nav>', response.content.decode(), re.S)
    assert nav is not None
    return re.findall(r"<span aria-current=\"page\">(\d+)</span>|Page </span>(\d+)</a>|(…)", nav.group(0))


def bulk(count: int, word: str = "Bulk") -> None:
    provider = OrganisationFactory(slug=f"{word.lower()}-provider")
    for n in range(count):
        build_microcredential(provider=provider, slug=f"{word.lower()}-{n}", title=f"{word} course {n:02d}")


def test_pagination_shows_a_few_numbers_around_the_page_not_every_page(client, catalog, monkeypatch):
    monkeypatch.setattr("microcred.catalog.views.public.PAGE_SIZE", 1)
    bulk(12)  # 16 published offers: 16 pages of one
    response = client.get(reverse("catalog:catalog"), {"sort": "title", "page": "8"})
    html = response.content.decode()
    assert "Page 8 of 16" in html
    shown = ["".join(parts) for parts in page_links(response)]
    assert shown == ["1", "…", "6", "7", "8", "9", "10", "…", "16"]


def test_filter_lists_hold_each_published_language_and_option_once(client, catalog):
    build_microcredential(provider=catalog.plain, slug="draft-fr", title="Brouillon", language="fr", publish=False)
    html = client.get(reverse("catalog:catalog"), {"language": "nl"}).content.decode()
    language_select = re.search(r'<select name="language".*?</select>', html, re.S)
    assert language_select is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?>', language_select.group(0))
    assert options == [("", ""), ("en", ""), ("nl", " selected")]  # sorted, chosen one marked, no draft's fr
    skills = re.search(r'<select name="skill".*?</select>', html, re.S)
    assert skills is not None and skills.group(0).count('value="python"') == 1  # two offers, one option


def test_filter_option_labels_are_escaped(client, catalog):
    organisation_update(actor=SYSTEM, organisation=catalog.plain, name="Forge <b>&</b> Co")
    html = client.get(reverse("catalog:catalog")).content.decode()
    assert "Forge &lt;b&gt;&amp;&lt;/b&gt; Co</option>" in html
    assert "<b>&</b>" not in html


def test_an_offer_matching_several_skills_is_listed_once(client, catalog):
    SkillFactory(label="Python testing", slug="python-testing")
    second = SkillFactory(label="Python packaging", slug="python-packaging")
    build_microcredential(
        provider=catalog.plain, slug="py-tools", title="Tooling", skills=[second, catalog.python_skill]
    )
    response = client.get(reverse("catalog:catalog"), {"q": "python"})
    assert titles(response).count("Tooling") == 1
    assert "<strong>3</strong> micro-credentials" in response.content.decode()


def test_a_page_past_the_last_shows_the_last(client, catalog):
    response = client.get(reverse("catalog:catalog"), {"q": "python", "page": "99"})
    assert response.status_code == 200
    assert set(titles(response)) == {catalog.mcs["python"].title, catalog.mcs["ml"].title}


@pytest.mark.postgres_only
def test_ranked_search_counts_its_matches_without_a_separate_count_query(client, catalog):
    bulk(14, word="Data")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("catalog:catalog"), {"q": "data"})
    html = response.content.decode()
    assert "<strong>15</strong> micro-credentials" in html  # 14 + "Data Analysis with Python"
    assert "Page 1 of 2" in html and len(titles(response)) == 12
    assert titles(response)[0] == "Data Analysis with Python" or titles(response)[0].startswith("Data course")
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert counts == []
    second = client.get(reverse("catalog:catalog"), {"q": "data", "page": "2"})
    assert len(titles(second)) == 3 and not set(titles(second)) & set(titles(response))


@pytest.mark.postgres_only
def test_search_follows_renamed_providers_relabelled_skills_and_edited_offers(client, catalog):
    def found(q: str) -> set[str]:
        return set(titles(client.get(reverse("catalog:catalog"), {"q": q})))

    solar = catalog.mcs["solar"].title
    terraform = catalog.mcs["terraform"].title
    assert found("Zephyrforge") == set()
    organisation_update(actor=SYSTEM, organisation=catalog.plain, name="Zephyrforge Academy")
    assert found("Zephyrforge") == {solar, terraform}

    catalog.safety_skill.label = "Quasarwiring safety"
    catalog.safety_skill.save()
    assert found("quasarwiring") == {solar}

    draft = build_microcredential(provider=catalog.plain, slug="lumen", title="Lumen basics", publish=False)
    assert found("lumen") == set()  # drafts are never listed
    edited = microcredential_update(actor=SYSTEM, microcredential=draft, skills=[(catalog.safety_skill, "beginner")])
    microcredential_publish(actor=SYSTEM, microcredential=edited)
    assert found("quasarwiring") == {solar, "Lumen basics"}
    MicroCredential.objects.filter(pk=edited.pk).update(summary="Now about nebulacraft.")
    assert found("nebulacraft") == {"Lumen basics"}


@pytest.mark.postgres_only
def test_text_search_and_language_list_can_use_their_indexes(catalog):
    """On a few rows the planner rightly prefers a scan; forbidding it shows the index serves the query."""
    from django.contrib.postgres.search import SearchQuery

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            query = SearchQuery("python", search_type="websearch", config="english")  # as the selector asks
            plan = MicroCredential.objects.filter(search_vector=query).explain()
            cursor.execute("EXPLAIN " + _languages_sql(), ["published", "published"])
            languages_plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    assert "mc_search_vector_gin" in plan
    assert "mc_status_language" in languages_plan


def _languages_sql() -> str:
    from microcred.catalog import selectors

    return selectors._PUBLISHED_LANGUAGES
