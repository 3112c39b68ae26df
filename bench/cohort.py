"""Cohort issuing end to end: N credentials signed, stored and status-listed on PostgreSQL.

``python -m bench --only cohort [--cohort N] [--workers W]``. The bench makes a database of its
own with Django's test-database machinery (``test_<name>_<pid>`` of ``DATABASE_URL`` when that is a
PostgreSQL URL, else of ``DEFAULT_URL``), migrates it, creates one provider, one published
micro-credential and N learners with completions (bulk inserts: set-up only, reported apart),
then times ``credentials_issue_cohort`` end to end and drops the database.

Memory is the peak, sampled every 0.2 s while issuing, of the summed resident set of this
process and its children (the signing workers). Forked workers share their parent's pages
copy-on-write and RSS counts shared pages once per process, so this overstates; the summed
PSS (proportional set size) is printed beside it. Afterwards a random sample of the stored
credentials is verified with the full verifier (JSON-LD path, strict schema, VC-JWT), every
status list is published, verified and decoded, and every credential is checked to have its
two status entries at the index its document names.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/microcred_bench"
TARGET_SECONDS_PER_100K = 120.0
TARGET_MB = 500.0
SAMPLE = 50
SETUP_BATCH = 5000

Progress = Callable[[str], None]


class CohortUnavailable(Exception):
    """The cohort bench cannot run here (no PostgreSQL, or Django already set up in-process)."""


@dataclass
class CohortFigures:
    count: int
    workers: int
    database: str
    setup_seconds: float
    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    verified: int
    status_lists: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def projected_seconds(self) -> float:
        """Seconds for 100,000 credentials at this rate (the target is stated for 100,000)."""
        return 100_000 / self.rate if self.rate else float("inf")

    @property
    def time_verdict(self) -> str:
        return "PASS" if self.projected_seconds < TARGET_SECONDS_PER_100K else "FAIL"

    @property
    def memory_verdict(self) -> str:
        return "PASS" if self.peak_rss_mb < TARGET_MB else "FAIL"


# --- memory of the process tree -------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.append(int(child))
            found.extend(_descendants(int(child)))
    return found


def _kib(path: str, label: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(label):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Peak summed RSS and PSS (MiB) of this process and its descendants, sampled."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_rss = 0.0
        self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        pids = [os.getpid(), *_descendants(os.getpid())]
        rss = sum(_kib(f"/proc/{pid}/status", "VmRSS:") for pid in pids) / 1024
        pss = sum(_kib(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids) / 1024
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeMemory:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


# --- database ----------------------------------------------------------------------------------


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_URL


@contextmanager
def own_database() -> Iterator[str]:
    """Configure Django on a fresh PostgreSQL test database of the bench's own; drop it after."""
    from django.conf import settings

    if settings.configured:
        raise CohortUnavailable("Django is already set up in this process; run `python -m bench --only cohort`")
    url = _database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.config.settings.test")
    import django

    django.setup()
    from django.db import OperationalError, connection

    old_name = connection.settings_dict["NAME"]
    # Per process, so two bench runs at once never clobber each other's database.
    connection.settings_dict["TEST"]["NAME"] = f"test_{old_name}_{os.getpid()}"
    try:
        # Connects to the server's maintenance database to CREATE DATABASE test_<name>.
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    except OperationalError as exc:
        raise CohortUnavailable(f"PostgreSQL at {url.rsplit('@', 1)[-1]} is unavailable: {exc}") from exc
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def make_cohort(count: int, *, progress: Progress = lambda _: None) -> Any:
    """One provider, one published micro-credential with a final quiz, ``count`` completions."""
    from django.utils import timezone

    from microcred.accounts.models import Organisation, OrganisationKind, User
    from microcred.learning.models import Completion, Enrolment, EnrolmentStatus
    from tests.factories import published_microcredential

    provider = Organisation.objects.create(
        kind=OrganisationKind.PROVIDER,
        provider_type="university",
        name="Bench Academy",
        slug="bench-academy",
        country="IE",
        website="https://academy.example",
    )
    mc = published_microcredential(provider=provider, slug="bench-cohort")
    rng = random.Random(2025)
    moment = timezone.now().replace(microsecond=0) - timedelta(days=1)
    for start in range(0, count, SETUP_BATCH):
        size = min(SETUP_BATCH, count - start)
        users = User.objects.bulk_create(
            [
                User(email=f"learner{start + i}@bench.example", full_name=f"Learner {start + i}", password="!")
                for i in range(size)
            ]
        )
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    user=user,
                    microcredential=mc,
                    status=EnrolmentStatus.COMPLETED,
                    enrolled_at=moment - timedelta(days=30),
                    completed_at=moment,
                )
                for user in users
            ]
        )
        Completion.objects.bulk_create(
            [
                Completion(
                    enrolment=enrolment,
                    completed_at=moment - timedelta(minutes=index % 1440),
                    score=Decimal(rng.randrange(7000, 10001)) / 100,
                )
                for index, enrolment in enumerate(enrolments, start=start)
            ]
        )
        progress(f"  set-up: {start + size:,} of {count:,} learners")
    return mc


# --- checks ------------------------------------------------------------------------------------


def verify_issued(mc: Any, count: int, *, sample: int = SAMPLE) -> tuple[int, int]:
    """Full verification of a random sample; every credential's two entries; every list decodes.
    Returns (credentials verified, status lists checked); raises AssertionError otherwise."""
    from django.db.models import Count
    from django.utils import timezone

    from microcred.credentials import links
    from microcred.credentials.keys import public_key_of
    from microcred.credentials.models import Credential, IssuerKey, StatusEntry, StatusList
    from microcred.credentials.statuslists.services import status_list_publish
    from microcred.credentials.vc import dataintegrity
    from microcred.credentials.vc.jwt import verify_vc_jwt
    from microcred.credentials.vc.schema import validate_ob3_credential
    from microcred.credentials.vc.statuslist import MIN_ENTRIES, status_of
    from microcred.credentials.vc.statuslist import StatusList as Bitstring

    organisation = mc.provider
    issuer_id = links.issuer_url(organisation.slug)
    keys = {
        links.verification_method_url(organisation.slug, key.key_id): public_key_of(key)
        for key in IssuerKey.objects.filter(organisation=organisation)
    }

    def resolve(vm: str) -> tuple[Any, str]:
        return keys[vm], issuer_id

    issued = Credential.objects.filter(microcredential=mc)
    assert issued.count() == count, f"{issued.count()} credentials stored, {count} expected"
    incomplete = issued.annotate(entries=Count("status_entries")).exclude(entries=2).count()
    assert incomplete == 0, f"{incomplete} credentials lack a status entry"
    assert StatusEntry.objects.filter(credential__microcredential=mc).count() == 2 * count

    ids = list(issued.values_list("pk", flat=True))
    chosen = random.sample(ids, min(sample, len(ids)))
    published: dict[int, dict[str, Any]] = {}
    moment = timezone.now()
    for credential in Credential.objects.filter(pk__in=chosen):
        document = credential.document
        validate_ob3_credential(document)
        dataintegrity.verify(document, resolve_key=resolve, expected_controller=issuer_id)
        verify_vc_jwt(credential.jwt, resolve_key=lambda kid, header: keys[kid or ""])
        entry = credential.status_entries.select_related("status_list__organisation").get(
            status_list__purpose="revocation"
        )
        assert document["credentialStatus"]["statusListIndex"] == str(entry.index)
        status_list = entry.status_list
        if status_list.pk not in published:
            published[status_list.pk] = status_list_publish(status_list=status_list, now=moment)
        assert status_of(document["credentialStatus"], published[status_list.pk]) == 0
    lists = list(StatusList.objects.filter(organisation=organisation))
    for status_list in lists:
        signed = status_list_publish(status_list=status_list, now=moment)
        dataintegrity.verify(signed, resolve_key=resolve, expected_controller=issuer_id)
        decoded = Bitstring.decode(signed["credentialSubject"]["encodedList"])
        assert len(decoded) >= MIN_ENTRIES and len(decoded) == status_list.size
    return len(chosen), len(lists)


# --- the run -----------------------------------------------------------------------------------


def run_cohort(
    count: int, *, workers: int | None = None, progress: Progress = lambda _: None, bar: bool = False
) -> CohortFigures:
    """Issue ``count`` credentials in a database made for the purpose (see the module doc)."""
    with own_database() as name:
        return measure(count, workers=workers, progress=progress, database=name, bar=bar)


def measure(count: int, *, workers: int | None, progress: Progress, database: str, bar: bool = False) -> CohortFigures:
    """Set up ``count`` completions in the current database and issue them (importable by tests)."""
    from microcred.core.actors import SYSTEM
    from microcred.credentials.cohort import credentials_issue_cohort, default_workers

    started = time.perf_counter()
    mc = make_cohort(count, progress=progress)
    setup = time.perf_counter() - started
    progress(f"  set-up took {setup:.1f} s; issuing {count:,} credentials ...")
    step = max(count // 10, 1)
    last = [0]

    def report(done: int, total: int) -> None:
        if bar and (done - last[0] >= step or done == total):
            last[0] = done
            progress(f"  issued {done:,} of {total:,} ({time.perf_counter() - issuing:.1f} s)")

    with TreeMemory() as memory:
        issuing = time.perf_counter()
        result = credentials_issue_cohort(actor=SYSTEM, microcredential=mc, workers=workers, progress=report)
        seconds = time.perf_counter() - issuing
    if result.issued != count:
        raise AssertionError(f"issued {result.issued} of {count}")
    verified, lists = verify_issued(mc, count)
    return CohortFigures(
        count=count,
        workers=default_workers(count) if workers is None else workers,
        database=database,
        setup_seconds=setup,
        seconds=seconds,
        peak_rss_mb=memory.peak_rss,
        peak_pss_mb=memory.peak_pss,
        verified=verified,
        status_lists=lists,
        timings=dict(result.timings),
    )


def print_figures(figures: CohortFigures) -> None:
    print()
    print(f"cohort issuing end to end ({figures.database}, {figures.workers} signing worker(s) + the writer)")
    print(f"  credentials          {figures.count:>12,}")
    print(f"  set-up (not timed)   {figures.setup_seconds:>12.1f} s")
    print(f"  issuing              {figures.seconds:>12.1f} s")
    print(f"  rate                 {figures.rate:>12,.0f} credentials/s")
    print(f"  peak memory (RSS)    {figures.peak_rss_mb:>12,.0f} MB   (PSS {figures.peak_pss_mb:,.0f} MB)")
    print(f"  verified in full     {figures.verified:>12} sampled credentials, {figures.status_lists} status lists")
    parent = ("claim", "reserve", "prepare", "wait", "insert", "finish", "commit")
    signers = ("build", "sign", "jwt", "check", "serialise")
    for label, stages in (("writer (parent)", parent), ("signers (summed)", signers)):
        parts = ", ".join(f"{stage} {figures.timings.get(stage, 0.0):.1f}" for stage in stages)
        print(f"  {label:<20} {parts} s")
    print(
        f"  target: 100,000 in < {TARGET_SECONDS_PER_100K:.0f} s "
        f"(projected {figures.projected_seconds:.0f} s) {figures.time_verdict}; "
        f"memory < {TARGET_MB:.0f} MB {figures.memory_verdict}"
    )
