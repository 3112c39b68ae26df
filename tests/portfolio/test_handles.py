"""The portfolio's address: chosen by the learner, validated, unique, and never broken when it moves."""

from __future__ import annotations

import pytest

from microcred.core.errors import PermissionDenied, ValidationFailed
from microcred.core.models import AuditLog
from microcred.portfolio.models import FormerHandle, Portfolio
from microcred.portfolio.services import portfolio_save

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("handle", "problem"),
    [
        ("ab", "Use 3 to 40 characters; this has 2."),
        ("a" * 41, "Use 3 to 40 characters; this has 41."),
        ("ada_lovelace", "Use lowercase letters, digits and single hyphens"),
        ("ada--lovelace", "Use lowercase letters, digits and single hyphens"),
        ("-ada", "Use lowercase letters, digits and single hyphens"),
        ("ada-", "Use lowercase letters, digits and single hyphens"),
        ("adà", "Use lowercase letters, digits and single hyphens"),
        ("ada lovelace", "Use lowercase letters, digits and single hyphens"),
        ("admin", "“admin” is reserved"),
        ("record", "“record” is reserved"),
        ("Staff", "“staff” is reserved"),
    ],
)
def test_a_handle_that_cannot_be_an_address_is_refused_with_the_reason(careers, handle, problem):
    with pytest.raises(ValidationFailed) as refused:
        portfolio_save(actor=careers.learner, owner=careers.learner, handle=handle)
    assert refused.value.errors["handle"][0].startswith(problem)
    assert not Portfolio.objects.exists()


def test_a_new_portfolio_is_off_and_its_handle_is_lower_cased(careers):
    portfolio = portfolio_save(actor=careers.learner, owner=careers.learner, handle="  Ada-Lovelace ")
    assert (portfolio.handle, portfolio.published) == ("ada-lovelace", False)
    assert AuditLog.objects.filter(action="portfolio.save", target_id=str(portfolio.pk)).exists()


def test_only_the_owner_changes_their_portfolio(careers):
    with pytest.raises(PermissionDenied):
        portfolio_save(actor=careers.other, owner=careers.learner, handle="ada")


def test_a_handle_is_unique_and_a_former_handle_is_never_handed_to_someone_else(careers):
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada")
    with pytest.raises(ValidationFailed) as taken:
        portfolio_save(actor=careers.other, owner=careers.other, handle="ada")
    assert taken.value.errors["handle"] == ["“ada” is taken; choose another."]
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada-lovelace")
    assert list(FormerHandle.objects.values_list("handle", flat=True)) == ["ada"]
    with pytest.raises(ValidationFailed):
        portfolio_save(actor=careers.other, owner=careers.other, handle="ada")


def test_taking_back_ones_former_handle_ends_its_redirect_and_keeps_the_other(careers):
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada")
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada-lovelace")
    portfolio = portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada")
    assert portfolio.handle == "ada"
    assert list(FormerHandle.objects.values_list("handle", flat=True)) == ["ada-lovelace"]


def test_a_moved_portfolio_redirects_from_its_old_address_page_and_record(careers, signed_in):
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada", published=True)
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada-lovelace", published=True)
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="lovelace", published=True)
    visitor = signed_in(careers.other)
    for old in ("ada", "ada-lovelace", "ADA"):
        response = visitor.get(f"/p/{old}")
        assert (response.status_code, response["Location"]) == (301, "/p/lovelace")
        response = visitor.get(f"/p/{old}/record")
        assert (response.status_code, response["Location"]) == (301, "/p/lovelace/record")
    assert visitor.get("/p/lovelace").status_code == 200
    assert visitor.get("/p/nobody-here").status_code == 404


def test_the_settings_page_shows_the_refusal_on_the_field(careers, signed_in):
    client = signed_in(careers.learner)
    page = client.get("/me/portfolio/")
    assert page.status_code == 200
    assert page.context["settings_form"].initial["handle"] == "ada-lovelace"  # suggested from the name
    response = client.post("/me/portfolio/settings/", {"handle": "api", "display_name": "", "headline": ""})
    assert response.status_code == 422
    assert response.context["settings_form"].errors["handle"] == [
        "“api” is reserved for the site's own pages; choose another."
    ]
    response = client.post("/me/portfolio/settings/", {"handle": "ada-l", "headline": "Data analyst"})
    assert response.status_code == 302
    assert Portfolio.objects.get(user=careers.learner).headline == "Data analyst"
    # A changed address says where it moved.
    response = client.post("/me/portfolio/settings/", {"handle": "ada-2"}, follow=True)
    assert "its old address leads there" in response.content.decode()


def test_the_portfolio_forms_need_a_csrf_token(careers, csrf_client):
    client = csrf_client(careers.learner)
    assert client.post("/me/portfolio/settings/", {"handle": "ada"}).status_code == 403
    assert client.post("/me/portfolio/choices/", {}).status_code == 403
    assert client.post("/me/portfolio/import/", {"credential": "{}"}).status_code == 403
    assert not Portfolio.objects.exists()


def test_the_editor_needs_a_signed_in_learner(client):
    response = client.get("/me/portfolio/")
    assert response.status_code == 302 and "/login/" in response["Location"]
