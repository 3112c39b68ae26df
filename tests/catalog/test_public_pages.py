"""Home, catalog, micro-credential, comparison and provider pages, as an anonymous visitor sees them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory
from tests.pages import build_microcredential

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    """Titles of the result cards, in page order."""
    html = response.content.decode()
    return re.findall(r'<h3><a href="/providers/[^"]+">([^<]+)</a></h3>', html)


def test_home_shows_featured_industries_and_accredited_providers(client, catalog):
    response = client.get(reverse("catalog:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Data Analysis with Python" in html
    assert "Unreleased Draft Course" not in html
    assert "?industry=energy" in html
    assert "European Quality Agency" in html  # accreditation badge on Northbridge
    assert 'action="/catalog/"' in html and 'name="q"' in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html


def test_catalog_lists_only_published_with_card_details(client, catalog):
    response = client.get(reverse("catalog:catalog"))
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted(mc.title for mc in catalog.mcs.values())
    html = response.content.decode()
    assert "Accredited" in html and "€650" in html and "Free" in html and "Python programming" in html
    assert "Blended" in html and "5 ECTS" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "pandas"}, {"python"}),
        ({"q": "machine learning"}, {"ml"}),
        ({"industry": "energy"}, {"solar"}),
        ({"level": "expert"}, {"ml"}),
        ({"skill": "python"}, {"python", "ml"}),
        ({"provider": "forge"}, {"solar", "terraform"}),
        ({"accredited": "on"}, {"python", "ml"}),
        ({"min_hours": "60"}, {"ml", "terraform"}),
        ({"max_hours": "50"}, {"python", "solar"}),
        ({"min_hours": "40", "max_hours": "70"}, {"python", "terraform"}),
        ({"max_price": "300"}, {"python", "solar"}),
        ({"free": "on"}, {"python"}),
        ({"language": "nl"}, {"solar"}),
        ({"participation_form": "onsite"}, {"solar"}),
        ({"participation_form": "blended", "accredited": "on"}, {"ml"}),
    ],
)
def test_catalog_search_and_each_filter_narrow_the_results(client, catalog, params, expected):
    response = client.get(reverse("catalog:catalog"), params)
    assert response.status_code == 200
    assert set(titles(response)) == {catalog.mcs[key].title for key in expected}


@pytest.mark.parametrize(("sort", "first"), [("price", "python"), ("workload", "solar"), ("title", "ml")])
def test_catalog_sorts(client, catalog, sort, first):
    response = client.get(reverse("catalog:catalog"), {"sort": sort})
    assert titles(response)[0] == catalog.mcs[first].title


def test_catalog_empty_state_and_bad_filter_values_are_reported_not_fatal(client, catalog):
    response = client.get(reverse("catalog:catalog"), {"q": "quantum basket weaving"})
    assert response.status_code == 200
    assert titles(response) == []
    assert "No micro-credentials match" in response.content.decode()

    response = client.get(reverse("catalog:catalog"), {"min_hours": "lots", "level": "wizard", "industry": "energy"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were not understood" in html
    assert set(titles(response)) == {catalog.mcs["solar"].title}  # the valid filter still applies


def test_catalog_paginates_twelve_per_page(client, catalog):
    provider = OrganisationFactory(slug="bulk")
    for n in range(10):
        build_microcredential(provider=provider, slug=f"bulk-{n}", title=f"Bulk course {n:02d}", summary="Bulk.")
    first = client.get(reverse("catalog:catalog"), {"sort": "title"})
    second = client.get(reverse("catalog:catalog"), {"sort": "title", "page": "2"})
    assert len(titles(first)) == 12
    assert len(titles(second)) == 2
    assert not set(titles(first)) & set(titles(second))
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?sort=title&amp;page=2"' in first.content.decode()


def test_catalog_htmx_request_gets_only_the_results_fragment(client, catalog):
    response = client.get(reverse("catalog:catalog"), {"level": "expert"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Filters" not in html
    assert titles(response) == [catalog.mcs["ml"].title]
    assert "HX-Request" in response["Vary"]


def test_catalog_query_count_does_not_grow_with_results(client, catalog, django_assert_max_num_queries):
    provider = OrganisationFactory(slug="bulk")
    for n in range(10):
        build_microcredential(provider=provider, slug=f"bulk-{n}", title=f"Bulk course {n:02d}", summary="Bulk.")
    # choices (4) + count + page + skill prefetch + accreditations
    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalog:catalog"), {"accredited": "", "sort": "title"})
    assert len(titles(response)) == 12


def test_microcredential_page_shows_every_element(client, catalog):
    mc = catalog.mcs["python"]
    response = client.get(reverse("catalog:microcredential", args=["northbridge", "data-python"]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        mc.title,
        "Clean a data set",
        "Foundations",
        "Reading the data",
        "Optional",
        "EQF level",
        "50 h",
        "Internal review by the academic board",
        "Unsupervised",
        "No identity check",
        "Does not expire",
        "Python programming",
        "European Quality Agency",
        "Short programmes up to EQF 7",
        "31 Dec 2099",
        "<strong>short</strong>",
        'name="compare"',
    ]:
        assert text in html, text
    assert f'action="/enrol/{mc.pk}/"' in html
    # Lesson bodies are for enrolled learners only.
    assert "Each variable is a" not in html


def test_unknown_or_draft_microcredential_is_a_404_with_the_designed_page(client, catalog):
    response = client.get(reverse("catalog:microcredential", args=["forge", "draft-only"]))
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    assert client.get(reverse("catalog:provider", args=["nope"])).status_code == 404


def test_compare_shows_two_to_four_side_by_side(client, catalog):
    ids = [catalog.mcs["python"].pk, catalog.mcs["ml"].pk, catalog.mcs["solar"].pk]
    response = client.get(reverse("catalog:compare"), {"ids": ids})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<th scope="col">') == 3
    for text in [
        "Learning outcomes",
        "Assessment",
        "Accreditation",
        "EQF level",
        "€650",
        "Free",
        "European Quality Agency",
    ]:
        assert text in html
    one = client.get(reverse("catalog:compare"), {"ids": [catalog.mcs["python"].pk]})
    assert "Pick at least two" in one.content.decode()


def test_compare_toggle_keeps_a_selection_in_the_session(client, catalog):
    url = reverse("catalog:compare_toggle")
    for key in ("python", "terraform"):
        client.post(url, {"id": catalog.mcs[key].pk, "compare": "on", "next": "/catalog/"})
    response = client.get(reverse("catalog:compare"))
    assert response.content.decode().count('<th scope="col">') == 2
    client.post(url, {"id": catalog.mcs["python"].pk})  # unticked box: removed
    assert "Pick at least two" in client.get(reverse("catalog:compare")).content.decode()
    fragment = client.post(url, {"id": catalog.mcs["ml"].pk, "compare": "on"}, headers={"HX-Request": "true"})
    assert 'id="compare-tray"' in fragment.content.decode() and "checked" in fragment.content.decode()


def test_providers_list_and_page(client, catalog):
    response = client.get(reverse("catalog:providers"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Northbridge University" in html and "Forge Academy" in html and "European Quality Agency" in html
    response = client.get(reverse("catalog:provider", args=["northbridge"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Data Analysis with Python" in html and "Applied Machine Learning" in html
    assert "Cloud Infrastructure" not in html
    assert "Short programmes up to EQF 7" in html and "Dublin" in html and "https://provider.example" in html


def test_free_price_and_decimal_rendering(client, catalog):
    build_microcredential(provider=catalog.plain, slug="odd-price", title="Odd price", price=Decimal("19.50"))
    assert "€19.50" in client.get(reverse("catalog:catalog"), {"q": "Odd"}).content.decode()


def test_compare_selection_is_capped_at_four(client, catalog):
    extra = build_microcredential(provider=catalog.plain, slug="fifth", title="Fifth course")
    url = reverse("catalog:compare_toggle")
    for mc in catalog.mcs.values():
        client.post(url, {"id": mc.pk, "compare": "on"})
    fragment = client.post(url, {"id": extra.pk, "compare": "on"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "You can compare up to 4" in html and "checked" not in html
    assert client.session["compare_ids"] == [mc.pk for mc in catalog.mcs.values()]
    response = client.get(reverse("catalog:compare"), {"ids": [*client.session["compare_ids"], extra.pk]})
    assert response.content.decode().count('<th scope="col">') == 4
