"""Cohort runs outlive their runner: leases, takeover, and signing processes that die with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench.cohort import _descendants
from microcred.core.actors import SYSTEM
from microcred.credentials.cohort.runs import (
    LeaseLost,
    cohort_run_create,
    cohort_run_enqueue,
    cohort_run_take,
    lease_duration,
    stale_runs,
)
from microcred.credentials.cohort.services.runs import Lease
from microcred.credentials.models import CohortRun, CohortRunStatus, Credential, StatusEntry
from microcred.credentials.services import credentials_issue_cohort
from microcred.learning.models import Completion
from tests.api.conftest import API
from tests.subscriptions import NO_AWARDING

from .test_cohort import assert_fully_valid, assert_no_leaked_slots, learners_complete

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_awarding(settings):
    settings.MICROCRED_EVENT_SUBSCRIBERS = NO_AWARDING


def interrupted_run(mc, completions, *, issued: int) -> CohortRun:
    """A run whose runner took it, committed ``issued`` completions' credentials and died: its
    lease, taken long ago, was never renewed again."""
    run = cohort_run_create(actor=SYSTEM, microcredential=mc, workers=0, chunk_size=3)
    long_ago = timezone.now() - lease_duration() * 10
    assert cohort_run_take(run=run, owner="worker-host:4242:dead", now=long_ago)
    lease = Lease(run=run, owner="worker-host:4242:dead")
    credentials_issue_cohort(actor=SYSTEM, microcredential=mc, completions=completions[:issued], on_chunk=lease.renew)
    CohortRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago)
    run.refresh_from_db()
    return run


def test_a_lease_expires_only_after_its_duration_and_its_loser_stops(world, no_awarding, settings):
    settings.MICROCRED_COHORT_LEASE_SECONDS = 60
    t0 = timezone.now()
    run = cohort_run_create(actor=SYSTEM, microcredential=world.mc)
    assert list(stale_runs(now=t0)) == []  # queued is waiting, not stale
    assert cohort_run_take(run=run, owner="a", now=t0)
    assert not cohort_run_take(run=run, owner="b", now=t0)  # held
    assert not cohort_run_take(run=run, owner="b", now=t0 + timedelta(seconds=59))
    assert list(stale_runs(now=t0 + timedelta(seconds=59))) == []
    assert list(stale_runs(now=t0 + timedelta(seconds=61))) == [run]
    assert cohort_run_take(run=run, owner="b", now=t0 + timedelta(seconds=61))
    run.refresh_from_db()
    assert (run.lease_owner, run.attempts, run.status) == ("b", 2, CohortRunStatus.RUNNING)
    # The runner that only looked dead finds out at its next chunk, which it cannot commit.
    with pytest.raises(LeaseLost):
        Lease(run=run, owner="a").renew(5)
    Lease(run=run, owner="b").renew(5)
    run.refresh_from_db()
    assert run.issued == 5 and run.heartbeat_at != t0 + timedelta(seconds=61)  # renewed
    # A finished run is never taken again, however old.
    CohortRun.objects.filter(pk=run.pk).update(status=CohortRunStatus.FINISHED)
    assert not cohort_run_take(run=run, owner="c", now=t0 + timedelta(days=1))


def test_resume_stale_finishes_an_interrupted_run_with_one_credential_per_completion(world, no_awarding):
    completions = learners_complete(world.mc, 8)
    run = interrupted_run(world.mc, completions, issued=3)
    assert Credential.objects.count() == 3 and run.issued == 3

    out = StringIO()
    call_command("credentials", "resume-stale", stdout=out)
    assert f"Resuming cohort run {run.pk} of Data Basics v1 (3 issued before it stopped)." in out.getvalue()
    assert "Data Basics v1: issued 5 credential(s)" in out.getvalue()
    run.refresh_from_db()
    assert (run.status, run.issued, run.attempts) == (CohortRunStatus.FINISHED, 8, 2)
    assert sorted(Credential.objects.values_list("completion_id", flat=True)) == sorted(c.pk for c in completions)
    assert StatusEntry.objects.count() == 16
    assert_no_leaked_slots()
    for credential in Credential.objects.all():
        assert_fully_valid(credential)

    out = StringIO()
    call_command("credentials", "resume-stale", stdout=out)
    assert "No interrupted cohort runs." in out.getvalue()


def test_issue_cohort_on_the_command_line_resumes_the_interrupted_run(world, no_awarding):
    completions = learners_complete(world.mc, 5)
    run = interrupted_run(world.mc, completions, issued=2)
    out = StringIO()
    call_command("credentials", "issue-cohort", "example-academy", "data-basics", "--chunk-size", "2", stdout=out)
    assert "issued 3 credential(s)" in out.getvalue()
    assert CohortRun.objects.get() == run  # no second run beside it
    run.refresh_from_db()
    assert (run.status, run.issued, run.chunk_size) == (CohortRunStatus.FINISHED, 5, 2)
    assert Credential.objects.count() == 5


def test_manage_page_shows_an_interrupted_run_and_issuing_resumes_it(world, no_awarding, client):
    completions = learners_complete(world.mc, 4)
    run = interrupted_run(world.mc, completions, issued=1)
    client.force_login(world.instructor)
    page = client.get("/issuers/example-academy/manage/").content.decode()
    assert "Interrupted after 1 credential(s): its worker stopped." in page

    response = client.post(f"/issuers/example-academy/manage/microcredentials/{world.mc.pk}/issue/", follow=True)
    assert "Issued 3 credential(s) of Data Basics v1." in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.issued, CohortRun.objects.count()) == (CohortRunStatus.FINISHED, 4, 1)
    assert Credential.objects.count() == 4


def test_the_api_does_not_double_a_run_that_is_alive(world, no_awarding, client):
    learners_complete(world.mc, 2)
    alive = cohort_run_create(actor=SYSTEM, microcredential=world.mc)
    assert cohort_run_take(run=alive, owner="busy-worker", now=timezone.now(), task_id="t-1")
    client.force_login(world.instructor)
    response = client.post(f"{API}/issuers/example-academy/microcredentials/{world.mc.pk}/issue")
    assert response.status_code == 202, response.content
    assert response.json() == {"task_id": "t-1", "pending": 2, "run_id": alive.pk, "already_running": True}
    assert not Credential.objects.exists() and CohortRun.objects.count() == 1
    page = client.get("/issuers/example-academy/manage/").content.decode()
    assert "Being issued: 0 so far." in page


def test_a_run_handed_to_the_queue_records_its_task_and_finishes(world, no_awarding):
    learners_complete(world.mc, 3)
    run = cohort_run_create(actor=world.instructor, microcredential=world.mc, workers=0)
    task_id = cohort_run_enqueue(run=run)  # the test settings run tasks at once
    run.refresh_from_db()
    assert (run.status, run.issued, run.task_id, run.attempts) == (CohortRunStatus.FINISHED, 3, task_id, 1)


# --- processes --------------------------------------------------------------------------------


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def kill_survivors(pids: list[int]) -> None:
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def wait_until(condition, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


SIGNING_PARENT = textwrap.dedent(
    """
    import os, sys, time, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "microcred.config.settings.test"
    django.setup()
    from microcred.credentials.cohort.signing import signer
    with signer(object(), workers=2) as pool:
        print(os.getpid(), flush=True)
        time.sleep(120)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_signing_processes_die_with_their_parent():
    parent = subprocess.Popen([sys.executable, "-c", SIGNING_PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        assert int(parent.stdout.readline()) == parent.pid
        workers = _descendants(parent.pid)
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    try:
        assert wait_until(lambda: not any(alive(pid) for pid in workers), 5), "signing processes outlived their parent"
    finally:
        kill_survivors(workers)


# --- the real worker, killed mid-cohort (PostgreSQL) -------------------------------------------


def worker(database: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.credentials.worker_settings",
        "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}"
        f":{connection.settings_dict['PORT']}/{database}",
        "MICROCRED_COHORT_LEASE_SECONDS": "2",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "microcred.cli", "db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_cohort_whose_worker_is_killed_is_resumed_and_finishes_exactly_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a second process works on the same test database")
    from django_tasks_db.models import DBTaskResult

    from bench.cohort import make_cohort

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MICROCRED_COHORT_LEASE_SECONDS = 2
    settings.MICROCRED_EVENT_SUBSCRIBERS = NO_AWARDING
    count = 300
    mc = make_cohort(count)
    run = cohort_run_create(actor=SYSTEM, microcredential=mc, workers=2, chunk_size=20)
    cohort_run_enqueue(run=run)
    database = connection.settings_dict["NAME"]

    first = worker(database)
    try:
        assert wait_until(lambda: Credential.objects.filter(microcredential=mc).count() >= 60, 120), (
            first.stderr.read() if first.poll() is not None else "no credentials within 120 s"
        )
        signers = _descendants(first.pid)
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    try:
        assert signers and wait_until(lambda: not any(alive(pid) for pid in signers), 5), "orphaned signing processes"
    finally:
        kill_survivors(signers)

    issued_before = Credential.objects.filter(microcredential=mc).count()
    assert issued_before < count, "the cohort finished before the worker was killed: make it larger"
    run.refresh_from_db()
    assert run.status == CohortRunStatus.RUNNING and run.issued == issued_before  # counted with each chunk
    killed_task = DBTaskResult.objects.get(id=run.task_id)
    assert killed_task.status == "RUNNING"  # what django-tasks alone would show for ever
    assert wait_until(lambda: run in stale_runs(now=timezone.now()), 10)

    # A worker starting again picks up the watchdog the killed task queued, once it is due.
    due = DBTaskResult.objects.filter(status="READY").order_by("-run_after").values_list("run_after", flat=True)
    assert due and due[0] is not None
    wait_until(lambda: timezone.now() > due[0], 10)
    second = worker(database)
    _, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors.decode()

    run.refresh_from_db()
    assert (run.status, run.attempts, run.issued) == (CohortRunStatus.FINISHED, 2, count)
    killed_task.refresh_from_db()
    assert killed_task.status == "FAILED" and killed_task.exception_class_path.endswith("WorkerLost")
    credentials = list(Credential.objects.filter(microcredential=mc))
    assert len(credentials) == count
    completions = Completion.objects.filter(enrolment__microcredential=mc)
    assert sorted(c.completion_id for c in credentials) == sorted(completions.values_list("pk", flat=True))
    assert StatusEntry.objects.filter(credential__microcredential=mc).count() == 2 * count
    assert_no_leaked_slots()
    for credential in credentials:
        assert_fully_valid(credential, issuer=f"{settings.SITE_URL}/issuers/bench-academy")
