"""Sign-in throttling (django-axes) on /login/ and /admin/login/: by account and by client, with a
clear 429 page, a cool-off, a reset on success, and one e-mail to the locked account's owner."""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from microcred.web.views.common import client_ip
from tests.factories import UserFactory
from tests.pages import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
LOCKED = (
    f"Too many failed sign-in attempts. Try again in {int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} minutes."
)
LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")


def client_at(address: str, **headers: str) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def sign_in(client: Client, email: str, password: str, path: str = LOGIN):
    return client.post(path, {"username": email, "password": password})


def without_tokens(response) -> str:
    """A page's text with its per-response CSRF token and nonces blanked."""
    return re.sub(r"[A-Za-z0-9+/=_-]{32,}", "T", response.content.decode())


def lockout_mails() -> list:
    return [m for m in mail.outbox if m.subject == "Sign-in to your Microcred account is paused"]


def test_forty_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(learner):
    attacker = client_at("198.51.100.1")
    statuses = [sign_in(attacker, "learner@example.org", f"guess {n}").status_code for n in range(40)]
    assert statuses == [200] * (LIMIT - 1) + [429] * (40 - LIMIT + 1)

    refused = sign_in(attacker, "learner@example.org", PASSWORD)
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    # The owner hears about it once, not once per refused attempt.
    [notice] = lockout_mails()
    assert notice.to == ["learner@example.org"]
    assert "paused for 15 minutes" in notice.body and "/password-reset/" in notice.body


def test_the_account_stays_locked_from_another_client_and_for_other_spellings_of_the_address(learner):
    attacker = client_at("198.51.100.1")
    for n in range(LIMIT):
        # Changing the case of the address does not give it a fresh count.
        sign_in(attacker, "Learner@Example.org" if n % 2 else "learner@example.org", f"guess {n}")
    elsewhere = client_at("203.0.113.9")
    response = sign_in(elsewhere, "learner@example.org", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in elsewhere.session


def test_a_client_trying_many_accounts_is_locked_out_whatever_account_it_tries(learner):
    other = UserFactory(email="other@example.org")
    attacker = client_at("198.51.100.2")
    for n in range(LIMIT - 1):
        assert sign_in(attacker, f"user{n}@example.org", "guess").status_code == 200
    assert sign_in(attacker, "other@example.org", "guess").status_code == 429
    # Locked as a client: even a real account with its right password is refused from there...
    response = sign_in(attacker, "learner@example.org", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    # ...while the accounts themselves are not locked, and nobody was told they were.
    assert lockout_mails() == []
    assert sign_in(client_at("203.0.113.9"), other.email, PASSWORD).status_code == 302
    assert sign_in(client_at("203.0.113.10"), "learner@example.org", PASSWORD).status_code == 302


def test_locking_an_unknown_address_looks_the_same_and_sends_no_mail(learner):
    answers = {}
    for address, email in (("198.51.100.3", "learner@example.org"), ("198.51.100.4", "nobody@example.org")):
        attacker = client_at(address)
        for n in range(LIMIT - 1):
            sign_in(attacker, email, f"guess {n}")
        answers[email] = sign_in(attacker, email, "guess")
    known, unknown = answers["learner@example.org"], answers["nobody@example.org"]
    assert known.status_code == unknown.status_code == 429
    assert without_tokens(known) == without_tokens(unknown)
    assert [m.to for m in lockout_mails()] == [["learner@example.org"]]
    assert all("nobody@example.org" not in m.to for m in mail.outbox)


def test_a_successful_sign_in_clears_the_count(learner):
    user = client_at("198.51.100.5")
    for n in range(LIMIT - 1):
        sign_in(user, "learner@example.org", f"typo {n}")
    assert sign_in(user, "learner@example.org", PASSWORD).status_code == 302
    user.post(reverse("accounts:logout"))
    for n in range(LIMIT - 1):
        assert sign_in(user, "learner@example.org", f"typo {n}").status_code == 200
    assert sign_in(user, "learner@example.org", PASSWORD).status_code == 302
    assert lockout_mails() == []


def test_the_lock_ends_after_the_cool_off(learner):
    attacker = client_at("198.51.100.6")
    for n in range(LIMIT):
        sign_in(attacker, "learner@example.org", f"guess {n}")
    assert sign_in(attacker, "learner@example.org", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )
    assert sign_in(attacker, "learner@example.org", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too():
    UserFactory(email="boss@example.org", is_staff=True, is_superuser=True)
    attacker = client_at("198.51.100.7")
    statuses = [sign_in(attacker, "boss@example.org", f"guess {n}", ADMIN_LOGIN).status_code for n in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]
    refused = sign_in(client_at("203.0.113.11"), "boss@example.org", PASSWORD, ADMIN_LOGIN)
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert [m.to for m in lockout_mails()] == [["boss@example.org"]]


def test_a_forged_forwarded_for_header_does_not_dodge_the_client_lock(learner):
    # Directly exposed (no trusted proxy), X-Forwarded-For is the client's own say-so: ignored.
    for n in range(LIMIT):
        sign_in(client_at("198.51.100.8", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"), f"user{n}@example.org", "guess")
    assert sign_in(client_at("198.51.100.8"), "learner@example.org", PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(settings, learner):
    settings.MICROCRED_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    for n in range(LIMIT):
        # The client may prepend anything; the proxy's own entry is the last one.
        sign_in(client_at(proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9"), f"user{n}@example.org", "guess")
    locked = client_at(proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert sign_in(locked, "learner@example.org", PASSWORD).status_code == 429
    # Someone else behind the same proxy is not locked out.
    neighbour = client_at(proxy, HTTP_X_FORWARDED_FOR="203.0.113.12")
    assert sign_in(neighbour, "learner@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.1", "10.0.0.1"),
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "6.6.6.6, 203.0.113.1", "203.0.113.1"),
        (2, "6.6.6.6, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (2, "203.0.113.1", "10.0.0.1"),  # fewer entries than proxies: not what our proxies send
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip(settings, trusted, forwarded, expected):
    settings.MICROCRED_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_authenticating_without_a_request_is_not_throttled_nor_an_error(learner):
    # Our own code, a shell or the test client's login() is nothing an outsider can repeat.
    from django.contrib.auth import authenticate

    for n in range(LIMIT + 1):
        assert authenticate(email="learner@example.org", password=f"guess {n}") is None
    assert authenticate(email="learner@example.org", password=PASSWORD) == learner
    assert not AccessAttempt.objects.exists()
    # Over HTTP the throttle still applies.
    attacker = client_at("198.51.100.10")
    for n in range(LIMIT):
        sign_in(attacker, "learner@example.org", f"guess {n}")
    assert sign_in(attacker, "learner@example.org", PASSWORD).status_code == 429
