"""Sign up, log in by email, log out, and CSRF protection."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from microcred.accounts.models import LearnerProfile

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_signup_creates_account_with_profile_and_logs_in(client):
    response = client.post(
        reverse("web:signup"), {"full_name": "Grace Hopper", "email": "Grace@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    user = User.objects.get(email="grace@example.org")
    assert user.full_name == "Grace Hopper"
    assert LearnerProfile.objects.filter(user=user).exists()
    dashboard = client.get(reverse("web:dashboard"))
    assert dashboard.status_code == 200
    assert "Hello, Grace Hopper" in dashboard.content.decode()


def test_signup_follows_a_safe_next_and_ignores_an_external_one(client):
    response = client.post(
        reverse("web:signup"),
        {"full_name": "A", "email": "a@example.org", "password": PASSWORD, "next": "/providers/"},
    )
    assert response["Location"] == "/providers/"
    other = Client()
    response = other.post(
        reverse("web:signup"),
        {"full_name": "B", "email": "b@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("web:dashboard")


def test_signup_with_an_existing_email_shows_an_error_and_writes_nothing(client, learner):
    before = User.objects.count()
    response = client.post(
        reverse("web:signup"), {"full_name": "Copy Cat", "email": "LEARNER@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Already registered." in response.content.decode()
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"full_name": "Weak", "email": "weak@example.org", "password": "12345678"},
            "This password is entirely numeric.",
        ),
        ({"full_name": "", "email": "noname@example.org", "password": PASSWORD}, "This field is required."),
        ({"full_name": "Bad", "email": "not-an-email", "password": PASSWORD}, "Enter a valid email address."),
    ],
)
def test_signup_bad_input_shows_message_and_writes_nothing(client, data, message):
    response = client.post(reverse("web:signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_login_by_email_and_wrong_password(client, learner):
    page = client.get(reverse("web:login"))
    assert page.status_code == 200
    assert '<label for="id_username">Email</label>' in page.content.decode()
    bad = client.post(reverse("web:login"), {"username": "learner@example.org", "password": "nope"})
    assert bad.status_code == 200
    assert "do not match an account" in bad.content.decode()
    good = client.post(
        reverse("web:login"), {"username": "learner@example.org", "password": PASSWORD, "next": "/catalog/"}
    )
    assert good.status_code == 302 and good["Location"] == "/catalog/"
    assert int(client.session["_auth_user_id"]) == learner.pk


def test_logout_is_post_only(learner_client):
    assert learner_client.get(reverse("web:logout")).status_code == 405
    assert "_auth_user_id" in learner_client.session
    response = learner_client.post(reverse("web:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert "_auth_user_id" not in learner_client.session


def test_header_shows_user_menu_with_logout_form_when_signed_in(learner_client, client):
    html = learner_client.get(reverse("web:home")).content.decode()
    assert f'action="{reverse("web:logout")}"' in html and "Dashboard" in html and "/api/v1/docs" in html


def test_csrf_is_enforced_on_posts(learner):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("web:signup"), {"full_name": "X", "email": "x@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()
    # With the token from the form, the same request goes through.
    page = strict.get(reverse("web:signup"))
    token = page.cookies["csrftoken"].value
    response = strict.post(
        reverse("web:signup"),
        {"full_name": "X", "email": "x@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="x@example.org").exists()
