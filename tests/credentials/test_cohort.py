"""Issuing a cohort's credentials in bulk: the service, the command line, the page and the API."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from microcred.core.actors import SYSTEM
from microcred.core.errors import AuthenticationRequired, NotFound, ValidationFailed
from microcred.core.models import AuditLog
from microcred.credentials import links
from microcred.credentials.cohort import CohortCheckFailed, signing
from microcred.credentials.cohort.services import COHORT_LIST_SIZE
from microcred.credentials.issuing import CredentialDocuments, build_unsigned_credential
from microcred.credentials.models import Credential, StatusEntry, StatusList
from microcred.credentials.resolver import local_key_resolver
from microcred.credentials.services import credential_issue, credentials_issue_cohort
from microcred.credentials.statuslists.services import status_list_publish
from microcred.credentials.vc import validate_ob3_credential, verify, verify_vc_jwt
from microcred.credentials.vc.errors import SchemaInvalid
from microcred.credentials.vc.statuslist import StatusList as Bitstring
from microcred.credentials.vc.statuslist import status_of
from microcred.learning.models import Completion
from tests.api.conftest import API, assert_problem
from tests.factories import UserFactory, published_microcredential
from tests.subscriptions import NO_AWARDING

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db
ISSUER = f"{SITE}/issuers/example-academy"


@pytest.fixture
def no_awarding(settings):
    # Completions stay pending: otherwise the awarder issues each one as it is recorded.
    settings.MICROCRED_EVENT_SUBSCRIBERS = NO_AWARDING


def learners_complete(mc, count: int) -> list[Completion]:
    return [complete(mc, UserFactory()) for _ in range(count)]


@pytest.fixture
def cohort(world, no_awarding) -> list[Completion]:
    return learners_complete(world.mc, 30)


def assert_fully_valid(credential: Credential, issuer: str = ISSUER) -> None:
    document = credential.document
    validate_ob3_credential(document)  # the strict OB 3.0 schema
    verify(document, resolve_key=local_key_resolver, expected_controller=issuer)  # full JSON-LD path
    from_jwt = verify_vc_jwt(credential.jwt, resolve_key=lambda kid, _h: local_key_resolver(kid)[0])
    assert from_jwt["id"] == document["id"] == links.credential_url(credential.uuid)


def assert_no_leaked_slots() -> None:
    """Every allocated index is an entry: held by a credential or an endorsement, or burnt by an
    issuance that failed after reserving it (no holder, its bit clear, never handed out again)."""
    for status_list in StatusList.objects.all():
        assert status_list.allocated == status_list.entries.count(), status_list
        bits = Bitstring.from_bytes(bytes(status_list.bits))
        for entry in status_list.entries.filter(credential__isnull=True, endorsement__isnull=True):
            assert bits.get(entry.index) == 0, entry


def held_entries() -> int:
    return StatusEntry.objects.filter(credential__isnull=False).count()


def burnt_entries() -> int:
    return StatusEntry.objects.filter(credential__isnull=True, endorsement__isnull=True).count()


def test_a_cohort_is_issued_signed_verifiable_and_status_listed(world, cohort):
    progress: list[tuple[int, int]] = []
    report = credentials_issue_cohort(
        actor=world.instructor,
        microcredential=world.mc,
        workers=2,
        chunk_size=7,
        progress=lambda *a: progress.append(a),
    )
    assert (report.pending, report.issued, report.chunks, report.not_issued) == (30, 30, 5, 0)
    assert progress == [(7, 30), (14, 30), (21, 30), (28, 30), (30, 30)]

    credentials = list(Credential.objects.filter(microcredential=world.mc).prefetch_related("status_entries"))
    assert {c.completion_id for c in credentials} == {c.pk for c in cohort}
    published: dict[int, dict[str, Any]] = {}
    indexes: dict[str, list[int]] = {"revocation": [], "suspension": []}
    for credential in credentials:
        assert_fully_valid(credential)
        assert credential.user_id == credential.completion.enrolment.user_id
        entries = {e.status_list.purpose: e for e in credential.status_entries.select_related("status_list")}
        assert set(entries) == {"revocation", "suspension"}
        for purpose, entry in entries.items():
            indexes[purpose].append(entry.index)
        # The credential names its revocation entry; the published list says "not revoked".
        status = credential.document["credentialStatus"]
        assert status["statusListIndex"] == str(entries["revocation"].index)
        revocation_list = entries["revocation"].status_list
        if revocation_list.pk not in published:
            published[revocation_list.pk] = status_list_publish(status_list=revocation_list, now=timezone.now())
        assert status_of(status, published[revocation_list.pk]) == 0
    for purpose, taken in indexes.items():
        assert len(set(taken)) == 30, purpose  # distinct
        assert sorted(taken) != list(range(min(taken), min(taken) + 30)), purpose  # random, not sequential
    # A fresh issuer gets the large cohort lists.
    assert set(StatusList.objects.values_list("size", flat=True)) == {COHORT_LIST_SIZE}
    assert_no_leaked_slots()

    # One audit row per chunk, naming every credential it issued, and the completions are awarded.
    rows = AuditLog.objects.filter(action="credential.issue_bulk").order_by("id")
    assert [row.data["count"] for row in rows] == [7, 7, 7, 7, 2]
    assert all(row.actor_id == world.instructor.pk and row.target_id == str(world.mc.pk) for row in rows)
    listed = [uuid for row in rows for uuid in row.data["credentials"]]
    assert sorted(listed) == sorted(str(c.uuid) for c in credentials)
    assert rows[0].data["first"] == listed[0] == report.first_uuid
    assert not Completion.objects.filter(pk__in=[c.pk for c in cohort], awarded_at__isnull=True).exists()


def test_running_again_issues_nothing_new(world, cohort):
    credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0)
    before = (Credential.objects.count(), StatusEntry.objects.count(), AuditLog.objects.count())
    allocated = list(StatusList.objects.values_list("allocated", flat=True))
    report = credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0)
    assert (report.pending, report.issued) == (0, 0)
    assert (Credential.objects.count(), StatusEntry.objects.count(), AuditLog.objects.count()) == before
    assert list(StatusList.objects.values_list("allocated", flat=True)) == allocated

    # A learner who completes later is the only one the next run issues.
    late = complete(world.mc, UserFactory())
    report = credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0)
    assert report.issued == 1 and Credential.objects.get(completion=late)


def test_only_the_providers_owners_and_instructors_may_issue(world, no_awarding):
    learners_complete(world.mc, 2)
    for refused in (world.learner, world.grader, world.outsider_instructor):
        with pytest.raises(NotFound):
            credentials_issue_cohort(actor=refused, microcredential=world.mc)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AuthenticationRequired):
        credentials_issue_cohort(actor=AnonymousUser(), microcredential=world.mc)
    assert not Credential.objects.exists() and not StatusList.objects.exists()
    assert credentials_issue_cohort(actor=world.owner, microcredential=world.mc).issued == 2


def test_given_completions_must_be_the_micro_credentials_own(world, no_awarding):
    mine = learners_complete(world.mc, 3)
    other_mc = published_microcredential(provider=world.provider, slug="other")
    (foreign,) = learners_complete(other_mc, 1)
    with pytest.raises(ValidationFailed):
        credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, completions=[mine[0], foreign])
    report = credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, completions=mine[:2])
    assert report.issued == 2 and not Credential.objects.filter(completion=mine[2]).exists()


def test_a_version_is_its_own_cohort(world, no_awarding):
    from microcred.catalog.services import microcredential_new_version, microcredential_publish

    (old,) = learners_complete(world.mc, 1)
    new_version = microcredential_publish(
        actor=SYSTEM, microcredential=microcredential_new_version(actor=SYSTEM, microcredential=world.mc)
    )
    (new,) = learners_complete(new_version, 1)
    assert credentials_issue_cohort(actor=SYSTEM, microcredential=new_version).issued == 1
    credential = Credential.objects.get(completion=new)
    assert credential.document["credentialSubject"]["achievement"]["version"] == str(new_version.version)
    assert not Credential.objects.filter(completion=old).exists()


def test_cohort_documents_equal_the_single_issue_builder(world, no_awarding):
    scored = complete(world.mc, UserFactory(email="Grace@Example.org"))
    unscored = complete(published_microcredential(provider=world.provider, slug="no-quiz-score"), UserFactory())
    Completion.objects.filter(pk=unscored.pk).update(score=None)
    unscored.refresh_from_db()
    issued_at = timezone.now().replace(microsecond=0)
    for completion in (scored, unscored):
        mc = completion.enrolment.microcredential
        entry = {
            "id": f"{SITE}/status/example-academy/revocation/1#42",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "42",
            "statusListCredential": f"{SITE}/status/example-academy/revocation/1",
        }
        common = {"credential_id": f"{SITE}/credentials/x", "salt": "s4lt", "status_entry": entry}
        valid_until = completion.completed_at + timedelta(days=365)
        single = build_unsigned_credential(
            completion=completion,
            email=completion.enrolment.user.email,
            issued_at=issued_at,
            valid_until=valid_until,
            **common,
        )
        bulk = CredentialDocuments.for_microcredential(mc, issued_at=issued_at).unsigned(
            email=completion.enrolment.user.email,
            completed_at=completion.completed_at,
            score=completion.score,
            valid_until=valid_until,
            **common,
        )
        assert bulk == single
        assert ("result" in bulk["credentialSubject"]) is (completion.score is not None)


def _shape(value: Any, path: str = "") -> Any:
    """``value`` with what differs between two learners' credentials blanked out."""
    volatile = {
        "id",
        "credentialSubject.identifier.identityHash",
        "credentialSubject.identifier.salt",
        "credentialStatus.id",
        "credentialStatus.statusListIndex",
        "proof.proofValue",
        "validFrom",
    }
    if path in volatile:
        return "<varies>"
    if isinstance(value, dict):
        return {key: _shape(item, f"{path}.{key}" if path else key) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item, path) for item in value]
    return value


def test_bulk_credentials_match_what_single_issuing_produces(world, no_awarding):
    moment = timezone.now().replace(microsecond=0)
    first, second = learners_complete(world.mc, 2)
    single = Credential.objects.get(pk=credential_issue(actor=SYSTEM, completion=first, now=moment).pk)
    credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, now=moment, workers=0)
    bulk = Credential.objects.get(completion=second)
    assert _shape(bulk.document) == _shape(single.document)
    assert list(bulk.document) == list(single.document)  # same key order: same JSON text layout
    assert (bulk.issued_at, bulk.issuer_key_id, bulk.status) == (single.issued_at, single.issuer_key_id, single.status)
    assert bulk.valid_from == second.completed_at.replace(microsecond=0)
    assert bulk.status_entries.count() == single.status_entries.count() == 2
    assert_fully_valid(bulk)


def test_a_failed_check_rolls_back_its_chunk_and_burns_its_status_slots(world, no_awarding, monkeypatch):
    learners_complete(world.mc, 6)
    real = signing.validate_ob3_credential
    calls = {"n": 0}

    def fail_second_chunk(document: dict[str, Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise SchemaInvalid("injected failure")
        real(document)

    monkeypatch.setattr(signing, "validate_ob3_credential", fail_second_chunk)
    with pytest.raises(CohortCheckFailed, match="injected failure"):
        credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0, chunk_size=3)
    assert Credential.objects.count() == 3  # the first chunk stands, complete
    assert held_entries() == 6
    # The failed chunk's slots were reserved (and committed) before it signed: they stay burnt.
    burnt = set(StatusEntry.objects.filter(credential__isnull=True).values_list("status_list_id", "index"))
    assert len(burnt) == burnt_entries() == 6
    assert AuditLog.objects.filter(action="credential.issue_bulk").count() == 1  # the first chunk only
    assert_no_leaked_slots()
    monkeypatch.setattr(signing, "validate_ob3_credential", real)
    assert credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0).issued == 3
    assert held_entries() == 12 and burnt_entries() == 6
    assert not burnt & set(StatusEntry.objects.filter(credential__isnull=False).values_list("status_list_id", "index"))
    assert_no_leaked_slots()


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_and_single_awards_make_one_credential_per_completion(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises every writer, so the race this guards against cannot happen there.")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MICROCRED_EVENT_SUBSCRIBERS", NO_AWARDING)
        completions = learners_complete(world.mc, 24)
    # An issuer that has issued before: its key and first lists exist. (Two first-ever issuances
    # at once race to create the key: ``keys.issuer_key_active``, outside this feature.)
    credential_issue(actor=SYSTEM, completion=completions[0])
    barrier = threading.Barrier(3)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def run_cohort() -> None:
        try:
            barrier.wait()
            reports.append(credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0, chunk_size=4))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def award_singly() -> None:
        try:
            barrier.wait()
            for completion in reversed(completions):
                credential_issue(actor=SYSTEM, completion=completion)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_cohort), threading.Thread(target=run_cohort)]
    threads.append(threading.Thread(target=award_singly))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Credential.objects.count() == 24
    assert set(Credential.objects.values_list("completion_id", flat=True)) == {c.pk for c in completions}
    # Issuers that signed a completion another wrote first burnt their reserved slots.
    assert held_entries() == 48
    assert_no_leaked_slots()
    assert sum(report.issued for report in reports) <= 24


def test_a_completion_issued_while_the_cohort_signs_keeps_that_credential(world, no_awarding, monkeypatch):
    completions = learners_complete(world.mc, 3)
    real = signing.sign_batch

    def someone_else_meanwhile(items: list[dict[str, Any]], check_first: bool, state: Any = None) -> Any:
        # Between the cohort's claim and its write, the learner's own award comes through.
        monkeypatch.setattr(signing, "sign_batch", real)
        credential_issue(actor=SYSTEM, completion=completions[1])
        return real(items, check_first, state)

    monkeypatch.setattr(signing, "sign_batch", someone_else_meanwhile)
    report = credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0)
    assert (report.pending, report.issued, report.not_issued) == (3, 2, 1)
    alone = Credential.objects.get(completion=completions[1])
    assert Credential.objects.count() == 3
    assert AuditLog.objects.get(action="credential.issue").target_id == str(alone.pk)
    bulk = AuditLog.objects.get(action="credential.issue_bulk")
    assert bulk.data["count"] == 2 and str(alone.uuid) not in bulk.data["credentials"]
    assert held_entries() == 6 and burnt_entries() == 2  # the cohort's two slots for it
    assert_no_leaked_slots()
    for credential in Credential.objects.all():
        assert_fully_valid(credential)


def _status_lists_free_elsewhere() -> bool:
    """Whether another connection could lock the issuer's status lists at once (PostgreSQL)."""
    outcome: list[bool] = []

    def look() -> None:
        try:
            with transaction.atomic():
                list(StatusList.objects.select_for_update(nowait=True).values_list("pk", flat=True))
            outcome.append(True)
        except OperationalError:
            outcome.append(False)
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return outcome == [True]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("alone", [True, False], ids=["alone", "cohort"])
def test_signing_runs_outside_any_transaction_and_status_list_lock(world, monkeypatch, alone):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MICROCRED_EVENT_SUBSCRIBERS", NO_AWARDING)
        first, second = learners_complete(world.mc, 2)
    credential_issue(actor=SYSTEM, completion=first)  # the issuer's key and lists exist
    real = signing.sign_batch
    seen: list[tuple[bool, bool]] = []

    def watched(items: list[dict[str, Any]], check_first: bool, state: Any = None) -> Any:
        free = _status_lists_free_elsewhere() if connection.vendor == "postgresql" else True
        seen.append((connection.in_atomic_block, free))
        return real(items, check_first, state)

    monkeypatch.setattr(signing, "sign_batch", watched)
    if alone:
        credential_issue(actor=SYSTEM, completion=second)
    else:
        assert credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0).issued == 1
    assert seen == [(False, True)]  # signed once, in no transaction, while anyone could lock the lists
    assert held_entries() == 4 and burnt_entries() == 0
    assert_no_leaked_slots()


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("credentials", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_line_issues_a_cohort_with_a_progress_bar(world, no_awarding):
    learners_complete(world.mc, 5)
    with pytest.raises(CommandError, match="Micro-credential not found"):
        run("issue-cohort", "example-academy", "data-basics", "--as", world.learner.email)
    with pytest.raises(CommandError, match="No micro-credential example-academy/nope"):
        run("issue-cohort", "example-academy", "nope")
    with pytest.raises(CommandError, match="No user"):
        run("issue-cohort", "example-academy", "data-basics", "--as", "nobody@example.org")
    assert not Credential.objects.exists()

    out, err = run("issue-cohort", "example-academy", "data-basics", "--as", world.instructor.email, "--workers", "2")
    assert "Data Basics v1: issued 5 credential(s)" in out
    assert "Data Basics v1" in err and "5/5" in err and "credentials/s" in err  # the progress bar
    for credential in Credential.objects.all():
        assert_fully_valid(credential)
    out, _ = run("issue-cohort", "example-academy", "data-basics")
    assert "Nothing to issue" in out
    out, _ = run("issue-cohort", "example-academy", "data-basics", "--version", "1")
    assert "issued 0 credential(s)" in out


def test_api_issues_small_cohorts_in_the_request_and_queues_large_ones(world, no_awarding, client, monkeypatch):
    learners_complete(world.mc, 3)
    url = f"{API}/issuers/example-academy/microcredentials/{world.mc.pk}/issue"
    assert_problem(client.post(url), 401, "authentication_required")
    client.force_login(world.learner)
    assert_problem(client.post(url), 404, "not_found")
    client.force_login(world.outsider_instructor)
    assert_problem(client.post(url), 404, "not_found")
    client.force_login(world.instructor)
    other_mc = published_microcredential(provider=world.provider, slug="other")
    foreign = published_microcredential(slug="foreign")
    assert_problem(client.post(f"{API}/issuers/example-academy/microcredentials/{foreign.pk}/issue"), 404, "not_found")

    response = client.post(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["pending"], body["issued"], body["not_issued"]) == (3, 3, 0)
    assert Credential.objects.filter(uuid=body["first_uuid"]).exists()
    assert client.post(url).json()["issued"] == 0

    # Past the limit the run is queued (the test settings run tasks at once).
    monkeypatch.setattr("microcred.credentials.cohort.later.SYNC_LIMIT", 1)
    learners_complete(other_mc, 2)
    queued = client.post(f"{API}/issuers/example-academy/microcredentials/{other_mc.pk}/issue")
    assert queued.status_code == 202, queued.content
    assert queued.json()["pending"] == 2 and queued.json()["task_id"]
    assert Credential.objects.filter(microcredential=other_mc).count() == 2


def test_manage_page_lists_pending_cohorts_and_issues_them(world, no_awarding, client):
    learners_complete(world.mc, 2)
    page_url = "/issuers/example-academy/manage/"
    action = f"/issuers/example-academy/manage/microcredentials/{world.mc.pk}/issue/"
    client.force_login(world.outsider_instructor)
    assert client.post(action).status_code == 404
    client.force_login(world.instructor)
    page = client.get(page_url).content.decode()
    assert "Waiting for their credential" in page and "Issue pending credentials" in page and action in page

    response = client.post(action, follow=True)
    assert response.status_code == 200
    assert "Issued 2 credential(s) of Data Basics v1." in response.content.decode()
    assert Credential.objects.filter(microcredential=world.mc).count() == 2
    assert "Waiting for their credential" not in client.get(page_url).content.decode()


def test_cohort_bench_quick_smoke(capsys):
    # The bench's own measurement, in this test database, with forked signers: it cannot rot.
    from bench import cohort as bench_cohort
    from bench.__main__ import main

    figures = bench_cohort.measure(120, workers=2, progress=lambda _: None, database="test")
    assert figures.count == 120 and figures.seconds > 0 and figures.verified == 50
    assert figures.peak_rss_mb > 0 and figures.status_lists == 2
    assert {"claim", "wait", "insert", "sign", "jwt"} <= set(figures.timings)
    bench_cohort.print_figures(figures)
    out = capsys.readouterr().out
    assert "credentials/s" in out and "target: 100,000 in < 120 s" in out
    # The command line refuses to make its own database inside an already configured process.
    assert main(["--only", "cohort", "--cohort", "10"]) == 0
    assert "cohort: skipped (Django is already set up" in capsys.readouterr().out


def test_cohort_rows_written_with_copy_get_every_column_default(world, no_awarding, monkeypatch):
    # On PostgreSQL a chunk of COPY_AT_LEAST rows or more is written with COPY, which leaves out
    # the columns a row does not name: their model defaults must still be written (the table has
    # none of its own). Lowered here so a small cohort takes that path.
    from microcred.credentials.cohort.services import slots

    monkeypatch.setattr(slots, "COPY_AT_LEAST", 2)
    learners_complete(world.mc, 4)
    report = credentials_issue_cohort(actor=world.instructor, microcredential=world.mc, workers=0, chunk_size=4)
    assert report.issued == 4
    credentials = Credential.objects.filter(microcredential=world.mc)
    assert {(c.holder_name, c.page_visibility) for c in credentials} == {("shown", "unlisted")}
    for credential in credentials:
        assert_fully_valid(credential)
