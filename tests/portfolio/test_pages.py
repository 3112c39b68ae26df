"""What the portfolio and the learner record show: only what the learner ticked, only while it
counts, never a revoked, suspended or expired credential; off until turned on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from microcred.core.clock import now
from microcred.core.errors import PermissionDenied, ValidationFailed
from microcred.credentials.services import credential_revoke
from microcred.portfolio.models import ShownCredential
from microcred.portfolio.selectors import portfolio_page
from microcred.portfolio.services import portfolio_choices_set, portfolio_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown(careers):
    """Ada earned Tidy Data, and shows it and its verified skills on a portfolio that is on."""
    careers.complete()
    credential = careers.credential()
    portfolio = portfolio_save(
        actor=careers.learner, owner=careers.learner, handle="ada", headline="Data analyst", published=True
    )
    portfolio_choices_set(
        actor=careers.learner,
        owner=careers.learner,
        credentials=[credential.uuid],
        skills=[careers.cleaning.pk, careers.spreadsheets.pk],
    )
    return portfolio


def test_a_portfolio_is_off_by_default_and_then_only_its_owner_sees_a_preview(careers, signed_in, client):
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada")
    assert client.get("/p/ada").status_code == 404
    assert client.get("/p/ada/record").status_code == 404
    assert signed_in(careers.other).get("/p/ada").status_code == 404
    preview = signed_in(careers.learner).get("/p/ada")
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "only you can see this page" in body and 'name="robots" content="noindex"' in body
    assert preview["Cache-Control"] == "private, no-store"
    assert "Nothing to show yet" in body and "Choose what to show" in body


def test_the_page_shows_the_name_headline_ticked_credential_and_verified_skills(careers, shown, client):
    response = client.get("/p/ada")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ada Lovelace" in body and "Data analyst" in body
    page = response.context["page"]
    [entry] = page.entries
    credential = careers.credential()
    assert (entry.kind, entry.title, entry.issuer, entry.status) == ("ours", "Tidy Data", "Example Academy", "Valid")
    assert entry.page_url == f"https://academy.example/credentials/{credential.uuid}"
    assert entry.verification_url.startswith("https://academy.example/verify/?url=https%3A%2F%2Facademy.example")
    assert [(item.skill.label, item.verified_level) for item in page.skills] == [
        ("Data cleaning", "intermediate"),
        ("Use spreadsheets software", "beginner"),
    ]
    # The owner is told this is what everyone sees.
    assert "only you can see" not in body


def test_the_owner_sees_exactly_what_others_see_with_a_note(careers, shown, client, signed_in):
    visitor = client.get("/p/ada").context["page"]
    owner = signed_in(careers.learner).get("/p/ada")
    assert owner.context["page"].entries == visitor.entries
    assert "This is exactly what everyone sees" in owner.content.decode()


def test_the_record_lists_issuer_dates_level_workload_ects_status_and_verification(careers, shown, client):
    response = client.get("/p/ada/record")
    assert response.status_code == 200
    body = response.content.decode()
    credential = careers.credential()
    mc = credential.microcredential
    for expected in (
        "Tidy Data",
        "Example Academy",
        f"Awarded {credential.valid_from:%-d %b %Y}",
        f"until {credential.valid_until:%-d %b %Y}",
        f"EQF {mc.eqf_level}",
        f"{mc.workload_hours} h",
        "Valid",
        "https://academy.example/verify/?url=",
        "Data cleaning",
        "portfolio/record.css",
    ):
        assert expected in body, expected
    assert 'data-label="ECTS"' in body


def test_a_revoked_credential_leaves_the_page_and_the_record_and_is_never_celebrated(careers, shown, client):
    credential = careers.credential()
    credential_revoke(actor=careers.owner, credential=credential, reason="Issued in error")
    page = client.get("/p/ada")
    assert page.context["page"].entries == ()
    assert "Tidy Data" not in page.content.decode()
    # Its skills were proven only by it: no longer verified, so no longer shown.
    assert page.context["page"].skills == ()
    assert "Tidy Data" not in client.get("/p/ada/record").content.decode()
    # The tick stays: the owner sees why it is not shown.
    assert ShownCredential.objects.filter(credential=credential).exists()


def test_the_owner_is_told_why_a_ticked_credential_is_not_shown(careers, shown, signed_in):
    credential_revoke(actor=careers.owner, credential=careers.credential(), reason="Issued in error")
    body = signed_in(careers.learner).get("/me/portfolio/").content.decode()
    assert "Revoked: not shown on your portfolio while it is." in body


def test_an_expired_credential_is_not_shown(careers, shown):
    credential = careers.credential()
    later = credential.valid_until + timedelta(days=1)
    assert portfolio_page(shown, now=later).entries == ()
    assert len(portfolio_page(shown, now=now()).entries) == 1


def test_a_private_credential_cannot_be_ticked_and_drops_off_when_made_private(careers, shown, client):
    credential = careers.credential()
    credential.page_visibility = "private"
    credential.save(update_fields=["page_visibility"])
    assert client.get("/p/ada").context["page"].entries == ()
    with pytest.raises(ValidationFailed) as refused:
        portfolio_choices_set(actor=careers.learner, owner=careers.learner, credentials=[credential.uuid])
    assert "has a private page" in refused.value.errors["credentials"][0]


def test_only_ones_own_credentials_and_verified_skills_can_be_ticked(careers, shown):
    careers.complete(careers.other)
    others = careers.credential(careers.other)
    with pytest.raises(ValidationFailed) as refused:
        portfolio_choices_set(actor=careers.learner, owner=careers.learner, credentials=[others.uuid])
    assert refused.value.errors["credentials"] == [f"“{others.uuid}” is not one of your credentials."]
    with pytest.raises(ValidationFailed) as refused:
        portfolio_choices_set(actor=careers.learner, owner=careers.learner, skills=[careers.sql.pk])
    assert "Only skills verified" in refused.value.errors["skills"][0]
    with pytest.raises(PermissionDenied):
        portfolio_choices_set(actor=careers.other, owner=careers.learner, credentials=[])


def test_the_choices_form_saves_and_refuses_through_the_page(careers, shown, signed_in):
    client = signed_in(careers.learner)
    credential = careers.credential()
    response = client.post("/me/portfolio/choices/", {"skills": [str(careers.cleaning.pk)]}, follow=True)
    assert "Saved what your portfolio shows." in response.content.decode()
    page = client.get("/p/ada").context["page"]
    assert (page.entries, [item.skill.label for item in page.skills]) == ((), ["Data cleaning"])
    response = client.post("/me/portfolio/choices/", {"skills": ["x"]}, follow=True)
    assert "reload the page and tick again" in response.content.decode()
    response = client.post(
        "/me/portfolio/choices/", {"credentials": [str(credential.uuid)], "skills": [str(careers.sql.pk)]}, follow=True
    )
    assert "Only skills verified on your profile can be shown" in response.content.decode()
    assert client.get("/p/ada").context["page"].entries == ()  # all or nothing


def test_choices_before_an_address_ask_for_one_first(careers, signed_in):
    careers.complete()
    response = signed_in(careers.learner).post("/me/portfolio/choices/", {}, follow=True)
    assert "Choose your portfolio&#x27;s address first." in response.content.decode()


def test_a_visitor_of_an_empty_portfolio_is_told_so(careers, client):
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada", published=True)
    body = client.get("/p/ada").content.decode()
    assert "Ada Lovelace has not chosen any credentials to show yet." in body
    assert "Choose what to show" not in body


def test_the_credential_pages_and_the_account_menu_lead_to_the_portfolio(careers, signed_in):
    careers.complete()
    client = signed_in(careers.learner)
    credential = careers.credential()
    for path in ("/me/credentials/", f"/credentials/{credential.uuid}"):
        body = client.get(path, HTTP_ACCEPT="text/html").content.decode()
        assert "data-portfolio-link" in body and 'href="/me/portfolio/#choices-title"' in body, path
    assert 'href="/me/portfolio/"' in client.get("/me/skills/").content.decode()
