"""An import revoked by its issuer is noticed on its own (ADR 0051): each check queues the next one
(a day on, or at the credential's stated end when sooner) without piling up tasks, and a page
that shows an import unchecked for a day queues a check at once, never verifying on the spot.
An import past its stated end stops counting without any check.

The issuer is a foreign did:key whose status list the test serves (``served``); the tasks run on
the test settings' immediate backend, or on the database backend where a task must wait for its
time (the worker is played by calling the queued task)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import TestCase
from django_tasks_db.models import DBTaskResult

from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import skill_profile
from microcred.careers.services import RECHECK_EVERY, external_credential_recheck_task, external_credential_upload
from microcred.core.clock import now, shifted_to
from microcred.portfolio.selectors import portfolio_page
from microcred.portfolio.services import portfolio_choices_set, portfolio_save
from tests.portfolio.test_imports import LIST_URL, foreign_badge, status_list
from tests.portfolio.test_imports import served as served
from tests.verification.builders import Issuer, did_key_issuer

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def badge(issuer: Issuer, careers, *, valid_until: datetime) -> dict:
    """Another issuer's OB 3.0 badge to Ada, aligned with "Data cleaning", revocable in its list."""
    return foreign_badge(issuer, careers, valid_until=valid_until)


@pytest.fixture
def guild(served, settings):
    settings.MICROCRED_VERIFY_SANDBOX = False
    issuer = did_key_issuer(seed=11, name="Data Guild")
    served[LIST_URL] = status_list(issuer, revoked=False)

    def revoke() -> None:
        served[LIST_URL] = status_list(issuer, revoked=True)

    issuer.revoke = revoke  # type: ignore[attr-defined]
    return issuer


def shown_import(careers, issuer: Issuer, *, valid_until: datetime | None = None) -> ExternalCredential:
    """Ada's published portfolio at /p/ada showing the import and the skill it verifies."""
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada", published=True)
    document = badge(issuer, careers, valid_until=valid_until or now() + timedelta(days=700))
    external = external_credential_upload(actor=careers.learner, learner=careers.learner, document=document)
    portfolio_choices_set(
        actor=careers.learner, owner=careers.learner, externals=[external.pk], skills=[careers.cleaning.pk]
    )
    return external


def queued_checks() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path=external_credential_recheck_task.module_path).order_by("run_after")
    )


def shown_on(client) -> tuple[list[str], list[str]]:
    page = client.get("/p/ada").context["page"]
    return [entry.title for entry in page.entries], [item.skill.label for item in page.skills]


def test_a_public_view_after_a_day_queues_the_check_and_the_revocation_then_shows(careers, guild, client):
    shown_import(careers, guild)
    guild.revoke()
    # Checked at upload: the stored outcome stands, and a view queues nothing.
    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        assert shown_on(client) == (["Clean Data Practitioner"], ["Data cleaning"])
    assert queued == []

    with shifted_to(now() + RECHECK_EVERY + timedelta(minutes=5)):
        # The view that finds it a day old still shows the stored outcome: the check is a task
        # queued after it (the immediate backend runs it as the view's transaction commits).
        with TestCase.captureOnCommitCallbacks(execute=True) as queued:
            assert shown_on(client) == (["Clean Data Practitioner"], ["Data cleaning"])
        assert len(queued) == 1
        external = ExternalCredential.objects.get(user=careers.learner)
        assert (external.outcome, external.headline, external.next_check_at) == (
            "revoked",
            "Revoked by the issuer",
            None,
        )
        assert shown_on(client) == ([], [])
        assert "Clean Data Practitioner" not in client.get("/p/ada/record").content.decode()
        client.force_login(careers.learner)
        editor = client.get("/me/portfolio/").content.decode()
        assert "Revoked" in editor and "Not shown on your portfolio while it is." in editor
        [cleaning] = [
            item for item in skill_profile(careers.learner, today=now().date()) if item.skill == careers.cleaning
        ]
        assert not cleaning.verified


def test_the_learners_own_pages_queue_the_check_too(careers, guild, signed_in):
    shown_import(careers, guild)
    guild.revoke()
    client = signed_in(careers.learner)
    for page in ("/me/skills/", "/me/portfolio/"):
        with shifted_to(now() + timedelta(days=2)), TestCase.captureOnCommitCallbacks(execute=True) as queued:
            assert client.get(page).status_code == 200
        assert len(queued) == 1, page
        assert ExternalCredential.objects.get(user=careers.learner).outcome == "revoked"
        ExternalCredential.objects.update(outcome="valid", checked_at=now() - timedelta(days=1))  # as before


def test_each_check_queues_the_next_one_and_never_a_second(careers, guild, settings, signed_in):
    settings.TASKS = DATABASE_TASKS
    with TestCase.captureOnCommitCallbacks(execute=True):
        external = shown_import(careers, guild)
    [first] = queued_checks()
    tomorrow = external.checked_at.replace(microsecond=0) + RECHECK_EVERY
    assert (first.args_kwargs["args"], first.run_after) == ([external.pk, tomorrow.isoformat()], tomorrow)

    # The learner checks again, and again: the check already queued for tomorrow stands.
    client = signed_in(careers.learner)
    for _ in range(3):
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(f"/me/portfolio/imports/{external.pk}/recheck/")
    assert queued_checks() == [first]
    # Pages viewed while it is recent queue nothing either.
    with TestCase.captureOnCommitCallbacks(execute=True):
        shown_on(client)
        client.get("/me/skills/")
    assert queued_checks() == [first]

    # The worker runs it the next day: the issuer has revoked it, and the following check is queued.
    guild.revoke()
    with shifted_to(tomorrow + timedelta(seconds=30)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            result = external_credential_recheck_task.call(*first.args_kwargs["args"])
        assert result == {"import": external.pk, "outcome": "revoked"}
        assert shown_on(client) == ([], [])
    [_, following] = queued_checks()
    checked = ExternalCredential.objects.get(pk=external.pk)
    assert following.run_after == checked.next_check_at == checked.checked_at.replace(microsecond=0) + RECHECK_EVERY
    # A copy of a task already run (a retry) finds its moment claimed and does nothing.
    assert external_credential_recheck_task.call(*first.args_kwargs["args"])["outcome"] == "superseded"


def test_many_views_of_a_stale_import_queue_one_check_and_it_supersedes_the_later_one(careers, guild, settings, client):
    settings.TASKS = DATABASE_TASKS
    with TestCase.captureOnCommitCallbacks(execute=True):
        external = shown_import(careers, guild)
    [daily] = queued_checks()
    # Its worker was down for two days: the daily check never ran.
    with shifted_to(now() + timedelta(days=2)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            for _ in range(5):
                shown_on(client)
                client.get("/p/ada/record")
        [_, at_once] = queued_checks()
        assert now() - at_once.run_after < timedelta(minutes=1)
        guild.revoke()
        assert external_credential_recheck_task.call(*daily.args_kwargs["args"])["outcome"] == "superseded"
        assert ExternalCredential.objects.get(pk=external.pk).outcome == "valid"
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert external_credential_recheck_task.call(*at_once.args_kwargs["args"])["outcome"] == "revoked"
        assert shown_on(client) == ([], [])
    [*_, next_daily] = queued_checks()
    assert next_daily.run_after == ExternalCredential.objects.get(pk=external.pk).next_check_at
    assert len(queued_checks()) == 3


def test_an_import_ending_before_tomorrow_is_checked_at_its_end_and_stops_counting_then(careers, guild, settings):
    settings.TASKS = DATABASE_TASKS
    ends = (now() + timedelta(hours=3)).replace(microsecond=0)
    with TestCase.captureOnCommitCallbacks(execute=True):
        external = shown_import(careers, guild, valid_until=ends)
    [check] = queued_checks()
    assert check.run_after == ends + timedelta(seconds=1)
    portfolio = external.user.portfolio
    assert [entry.title for entry in portfolio_page(portfolio, now=ends).entries] == ["Clean Data Practitioner"]
    # Past its end it counts no more, whether or not a check has run since.
    later = ends + timedelta(days=1)
    assert ExternalCredential.objects.get(pk=external.pk).outcome == "valid"
    page = portfolio_page(portfolio, now=later)
    assert (page.entries, page.skills) == ((), ())
    with shifted_to(ends + timedelta(seconds=5)), TestCase.captureOnCommitCallbacks(execute=True):
        outcome = external_credential_recheck_task.call(*check.args_kwargs["args"])["outcome"]
    assert outcome == "expired"
    # Nothing brings an expired credential back: no further check is queued.
    assert queued_checks() == [check]
    assert ExternalCredential.objects.get(pk=external.pk).next_check_at is None
