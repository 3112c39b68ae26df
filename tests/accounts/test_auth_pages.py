"""Sign up, log in by email, log out, and CSRF protection."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from microcred.accounts.models import LearnerProfile
from tests.pages import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def same_page(response, typed_email: str) -> str:
    """A page's text with what differs per request blanked: the address typed, random tokens."""
    return re.sub(r"[A-Za-z0-9+/=_-]{32,}", "T", response.content.decode().replace(typed_email, "X"))


def confirmation_link(message) -> str:
    """The path (and query) of the confirmation link in a sign-up e-mail."""
    match = re.search(r"https?://\S+/signup/confirm/\S+", message.body)
    assert match, message.body
    parts = urlsplit(match.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_signup_emails_a_link_that_confirms_the_account_and_logs_in(client):
    response = client.post(
        reverse("accounts:signup"), {"full_name": "Grace Hopper", "email": "Grace@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Check your inbox to continue" in response.content.decode()
    assert "grace@example.org" in response.content.decode()
    user = User.objects.get(email="grace@example.org")
    assert user.full_name == "Grace Hopper" and not user.is_active and user.awaiting_confirmation
    assert LearnerProfile.objects.filter(user=user).exists()
    assert "_auth_user_id" not in client.session
    # Not confirmed yet: the password alone does not sign in.
    refused = client.post(reverse("accounts:login"), {"username": "grace@example.org", "password": PASSWORD})
    assert "do not match an account" in refused.content.decode()

    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    link = confirmation_link(mail.outbox[0])
    # Opening the link (as a mail scanner would) changes nothing; the button does.
    page = client.get(link)
    assert page.status_code == 200 and "Confirm and log in" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_active and "_auth_user_id" not in client.session
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == reverse("learning:dashboard")
    user.refresh_from_db()
    assert user.is_active and not user.awaiting_confirmation
    dashboard = client.get(reverse("learning:dashboard"))
    assert dashboard.status_code == 200
    assert "Hello, Grace Hopper" in dashboard.content.decode()
    # The link works once.
    again = Client().post(link)
    assert again.status_code == 400 and "expired or has already been used" in again.content.decode()


def test_signup_with_a_registered_address_answers_the_same_and_tells_its_owner(client, learner):
    before = User.objects.count()
    password_before = User.objects.get(pk=learner.pk).password
    registered = client.post(
        reverse("accounts:signup"), {"full_name": "Copy Cat", "email": "LEARNER@example.org", "password": PASSWORD}
    )
    fresh = Client().post(
        reverse("accounts:signup"), {"full_name": "Copy Cat", "email": "newcomer@example.org", "password": PASSWORD}
    )
    assert registered.status_code == fresh.status_code == 200
    # Identical pages apart from the address typed in (and per-response CSRF tokens or nonces).
    assert same_page(registered, "learner@example.org") == same_page(fresh, "newcomer@example.org")
    assert "Already registered" not in registered.content.decode()
    assert User.objects.count() == before + 1  # only the newcomer's pending account
    learner.refresh_from_db()
    assert learner.password == password_before and learner.full_name != "Copy Cat"
    assert "_auth_user_id" not in client.session
    to_owner = [m for m in mail.outbox if m.to == ["learner@example.org"]]
    assert len(to_owner) == 1 and len(mail.outbox) == 2
    assert to_owner[0].subject == "Someone tried to sign up with your address"
    assert "You already have an account" in to_owner[0].body and "/login/" in to_owner[0].body
    assert "/password-reset/" in to_owner[0].body
    assert "/signup/confirm/" not in to_owner[0].body


def test_signing_up_again_before_confirming_sends_a_new_link_and_the_old_one_dies(client):
    data = {"full_name": "Ada", "email": "ada@example.org", "password": PASSWORD}
    client.post(reverse("accounts:signup"), data)
    client.post(
        reverse("accounts:signup"), {**data, "full_name": "Ada Lovelace", "password": "another fine passphrase"}
    )
    assert User.objects.filter(email="ada@example.org").count() == 1
    first, second = (confirmation_link(m) for m in mail.outbox)
    assert client.post(first).status_code == 400
    assert client.post(second).status_code == 302
    user = User.objects.get(email="ada@example.org")
    assert user.full_name == "Ada Lovelace" and user.check_password("another fine passphrase")


def test_signing_up_with_a_deactivated_address_does_not_reactivate_it(client, learner):
    learner.is_active = False
    learner.save()
    client.post(reverse("accounts:signup"), {"full_name": "Back", "email": "learner@example.org", "password": PASSWORD})
    learner.refresh_from_db()
    assert not learner.is_active
    assert [m.subject for m in mail.outbox] == ["Someone tried to sign up with your address"]


def test_signup_follows_a_safe_next_and_ignores_an_external_one(client):
    client.post(
        reverse("accounts:signup"),
        {"full_name": "A", "email": "a@example.org", "password": PASSWORD, "next": "/providers/"},
    )
    link = confirmation_link(mail.outbox[-1])
    assert client.get(link).content.decode().count('name="next" value="/providers/"') == 1
    assert client.post(link)["Location"] == "/providers/"
    other = Client()
    other.post(
        reverse("accounts:signup"),
        {"full_name": "B", "email": "b@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    link = confirmation_link(mail.outbox[-1])
    assert "evil" not in link
    assert other.post(link)["Location"] == reverse("learning:dashboard")


def test_a_forged_confirmation_link_is_refused(client):
    assert client.get("/signup/confirm/MQ/bad-token/").status_code == 400
    assert client.post("/signup/confirm/not-base64/x/").status_code == 400


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
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_login_by_email_and_wrong_password(client, learner):
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert '<label for="id_username">Email</label>' in page.content.decode()
    bad = client.post(reverse("accounts:login"), {"username": "learner@example.org", "password": "nope"})
    assert bad.status_code == 200
    assert "do not match an account" in bad.content.decode()
    good = client.post(
        reverse("accounts:login"), {"username": "learner@example.org", "password": PASSWORD, "next": "/catalog/"}
    )
    assert good.status_code == 302 and good["Location"] == "/catalog/"
    assert int(client.session["_auth_user_id"]) == learner.pk


def test_logout_is_post_only(learner_client):
    assert learner_client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in learner_client.session
    response = learner_client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("catalog:home")
    assert "_auth_user_id" not in learner_client.session


def test_header_shows_user_menu_with_logout_form_when_signed_in(learner_client, client):
    html = learner_client.get(reverse("catalog:home")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in html and "Dashboard" in html and "/api/v1/docs" in html


def test_csrf_is_enforced_on_posts(learner):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("accounts:signup"), {"full_name": "X", "email": "x@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()
    # With the token from the form, the same request goes through.
    page = strict.get(reverse("accounts:signup"))
    token = page.cookies["csrftoken"].value
    response = strict.post(
        reverse("accounts:signup"),
        {"full_name": "X", "email": "x@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert User.objects.filter(email="x@example.org").exists()


def test_password_reset_answers_the_same_for_any_address_and_mails_only_an_owner(client, learner):
    known = client.post(reverse("accounts:password_reset"), {"email": "learner@example.org"}, follow=True)
    unknown = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("accounts:password_reset_sent"), 302)]
    assert same_page(known, "") == same_page(unknown, "")
    [message] = mail.outbox
    assert message.to == ["learner@example.org"] and message.subject == "Reset your Microcred password"
    link = urlsplit(re.search(r"https?://\S+/password-reset/\S+", message.body).group(0)).path
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    learner.refresh_from_db()
    assert learner.check_password("a brand new passphrase")
    assert "Forgot your password?" in client.get(reverse("accounts:login")).content.decode()
