"""Golden credentials: the same inputs, clock, key and random draws give byte-identical
credentials, through the single path (``credential_issue``) and the cohort path
(``credentials_issue_cohort``), now and after any refactoring of issuing.

Every source of variation is pinned: the clock (``django.utils.timezone.now``, which
``core.clock.now`` and ``auto_now`` read), the issuer's Ed25519 key (``Ed25519PrivateKey.generate``
returns one made from a fixed seed, so the key is still created by ``issuer_key_active``), and the
randomness of issuing (credential UUIDs, recipient salts, status-list indexes) drawn from seeded
streams, one per function (``uuid.uuid4``, ``secrets.token_hex``, ``secrets.randbelow``,
``secrets.token_bytes``) and re-seeded just before issuing, so a change in how many draws the
set-up makes cannot shift what issuing draws. The inputs (provider, micro-credential, learners,
completions) have fixed values; the achievement's random public id is pinned after set-up.

The golden files hold each credential's signed JSON (keys sorted: PostgreSQL's ``jsonb`` keeps
its own key order, so the sorted text is what both databases can compare) and its VC-JWT (the
issuer's own key order, byte for byte), plus the status list credentials published for them.
Regenerate them only for an intended change: ``MICROCRED_GOLDEN_WRITE=1 pytest tests/credentials/test_golden.py``.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import secrets
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.db import models
from django.utils import timezone

from microcred.accounts.models import LearnerProfile, Organisation, OrganisationKind, User
from microcred.catalog.models import MicroCredential
from microcred.credentials.models import Credential, StatusList
from microcred.credentials.resolver import local_key_resolver
from microcred.credentials.services import credential_issue, credentials_issue_cohort
from microcred.credentials.statuslists import list_url
from microcred.credentials.vc import verify, verify_vc_jwt
from microcred.credentials.vc.schema import validate_ob3_credential
from microcred.learning.models import Completion
from tests.factories import published_microcredential

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("MICROCRED_GOLDEN_WRITE") == "1"

KEY_SEED = bytes(range(32))
SET_UP_AT = datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=UTC)
COMPLETED_AT = datetime(2026, 3, 9, 14, 5, 42, 123456, tzinfo=UTC)
ISSUED_AT = datetime(2026, 3, 10, 8, 0, 7, 654321, tzinfo=UTC)
PUBLIC_ID = uuid.UUID("6f1c2a4e-8b3d-4c5e-9f10-2a3b4c5d6e7f")
FAMILY = uuid.UUID("0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b")


class Clock:
    """A clock that reads what the test sets, for every caller of ``timezone.now``."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


class SeededRandom:
    """Seeded stand-ins for the random functions issuing calls, one stream per function."""

    def __init__(self) -> None:
        self.reseed("set-up")

    def reseed(self, phase: str) -> None:
        self.streams = {
            name: random.Random(f"{phase}:{name}") for name in ("uuid4", "token_hex", "token_bytes", "rand")
        }

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self.streams["uuid4"].getrandbits(128), version=4)

    def token_bytes(self, nbytes: int | None = None) -> bytes:
        return self.streams["token_bytes"].randbytes(32 if nbytes is None else nbytes)

    def token_hex(self, nbytes: int | None = None) -> str:
        return self.streams["token_hex"].randbytes(32 if nbytes is None else nbytes).hex()

    def randbelow(self, exclusive_upper_bound: int) -> int:
        return self.streams["rand"].randrange(exclusive_upper_bound)


def _uuid_fields() -> Iterator[models.UUIDField]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.UUIDField) and field.default is uuid.uuid4:
                yield field


@pytest.fixture
def pinned(monkeypatch, settings) -> Iterator[tuple[Clock, SeededRandom]]:
    settings.SITE_URL = SITE
    clock = Clock(SET_UP_AT)
    seeded = SeededRandom()
    # Model fields captured ``uuid.uuid4`` itself when their class was defined (and Django caches
    # the default callable per field): found before ``uuid.uuid4`` is replaced.
    fields = list(_uuid_fields())
    assert Credential._meta.get_field("uuid") in fields
    for field in fields:
        monkeypatch.setattr(field, "default", seeded.uuid4)
        monkeypatch.setattr(field, "_get_default", seeded.uuid4)
    monkeypatch.setattr(timezone, "now", clock)
    monkeypatch.setattr(uuid, "uuid4", seeded.uuid4)
    monkeypatch.setattr(secrets, "token_hex", seeded.token_hex)
    monkeypatch.setattr(secrets, "token_bytes", seeded.token_bytes)
    monkeypatch.setattr(secrets, "randbelow", seeded.randbelow)
    seed = Ed25519PrivateKey.from_private_bytes(KEY_SEED)
    monkeypatch.setattr(Ed25519PrivateKey, "generate", classmethod(lambda cls: seed))
    yield clock, seeded


def _provider() -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.PROVIDER,
        provider_type="university",
        name="Golden Academy",
        slug="golden-academy",
        country="IE",
        website="https://golden.example",
        email="badges@golden.example",
    )


def _learner(email: str, name: str) -> User:
    learner = User.objects.create_user(email=email, password="correct horse battery staple", full_name=name)
    LearnerProfile.objects.get_or_create(user=learner)
    return learner


# Every field given here, so a change to the factories' defaults cannot change the golden files.
MICROCREDENTIAL_FIELDS: dict[str, Any] = {
    "title": "Data Basics",
    "summary": "Read, clean and summarise tabular data.",
    "description": "A **short** course.",
    "learning_outcomes": ["Clean a data set", "Summarise a data set"],
    "workload_hours": 25,
    "ects": Decimal("1.0"),
    "eqf_level": 5,
    "assessment_type": "quiz",
    "participation_form": "online",
    "quality_assurance": "Internal review by the academic board",
    "level": "beginner",
    "industry": "Data & AI",
    "language": "en",
    "price": Decimal("0"),
    "currency": "EUR",
    "criteria": "Complete the required lessons and pass the quiz.",
}


def _microcredential(provider: Organisation) -> MicroCredential:
    mc = published_microcredential(provider=provider, slug="golden-data", **MICROCREDENTIAL_FIELDS)
    # Random on creation: the one input the set-up cannot choose, so it is pinned here.
    MicroCredential.objects.filter(pk=mc.pk).update(public_id=PUBLIC_ID, family=FAMILY)
    mc.refresh_from_db()
    return mc


def _complete(mc: MicroCredential, learner: User, clock: Clock) -> Completion:
    clock.moment = COMPLETED_AT
    return complete(mc, learner, award=False)  # each test chooses the path that issues


def _check(credential: Credential) -> None:
    """What every issuing test asks: the strict OB 3.0 schema and both proofs."""
    issuer_id = f"{SITE}/issuers/golden-academy"
    validate_ob3_credential(credential.document)
    verify(credential.document, resolve_key=local_key_resolver, expected_controller=issuer_id)
    payload = verify_vc_jwt(credential.jwt, resolve_key=lambda kid, _header: local_key_resolver(kid)[0])
    assert payload["id"] == credential.document["id"]


def _json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _golden(name: str, produced: str) -> None:
    path = GOLDEN / name
    if WRITE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(produced, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; write it with MICROCRED_GOLDEN_WRITE=1"
    expected = path.read_text(encoding="utf-8")
    if produced != expected:
        diff = difflib.unified_diff(expected.splitlines(), produced.splitlines(), "golden", "issued", lineterm="")
        pytest.fail(f"{name} differs from its golden copy:\n" + "\n".join(diff))


def _compare(prefix: str, credentials: list[Credential]) -> None:
    for number, credential in enumerate(credentials, start=1):
        credential.refresh_from_db()
        _check(credential)
        _golden(f"{prefix}-{number}.json", _json_text(credential.document))
        _golden(f"{prefix}-{number}.jwt", credential.jwt + "\n")


def _compare_status_lists(prefix: str, client: Any) -> None:
    """The status list credentials as the public endpoint serves them after issuing."""
    for status_list in StatusList.objects.select_related("organisation").order_by("purpose", "number"):
        response = client.get(list_url(status_list).removeprefix(SITE), HTTP_ACCEPT="application/vc+ld+json")
        assert response.status_code == 200
        document = response.json()
        verify(document, resolve_key=local_key_resolver, expected_controller=document["issuer"])
        _golden(f"{prefix}-status-{status_list.purpose}-{status_list.number}.json", _json_text(document))


def _issue_at(clock: Clock, seeded: SeededRandom, issue: Callable[[], Any]) -> Any:
    clock.moment = ISSUED_AT
    seeded.reseed("issuing")
    return issue()


def test_single_issuing_is_byte_identical_to_its_golden_copy(pinned, client):
    clock, seeded = pinned
    provider = _provider()
    mc = _microcredential(provider)
    learner = _learner("Grace.Hopper@Example.org", "Grace Hopper")
    completion = _complete(mc, learner, clock)

    credential = _issue_at(clock, seeded, lambda: credential_issue(actor=learner, completion=completion))

    assert credential.issued_at == ISSUED_AT.replace(microsecond=0)
    _compare("single", [credential])
    _compare_status_lists("single", client)


def test_cohort_issuing_is_byte_identical_to_its_golden_copy(pinned, client):
    clock, seeded = pinned
    provider = _provider()
    owner = User.objects.create_user(email="owner@golden.example", password="x" * 12, full_name="Olive Owner")
    provider.memberships.create(user=owner, role="owner")
    mc = _microcredential(provider)
    learners = [
        _learner("Grace.Hopper@Example.org", "Grace Hopper"),
        _learner("katherine.johnson@example.org", "Katherine Johnson"),
    ]
    completions = [_complete(mc, learner, clock) for learner in learners]

    report = _issue_at(
        clock, seeded, lambda: credentials_issue_cohort(actor=owner, microcredential=mc, workers=0, chunk_size=1000)
    )

    assert report.issued == 2
    credentials = [Credential.objects.get(completion=completion) for completion in completions]
    _compare("cohort", credentials)
    _compare_status_lists("cohort", client)


def test_the_golden_files_are_what_the_tests_compare_against():
    """A guard against a golden test that compares nothing: the files are committed."""
    names = sorted(path.name for path in GOLDEN.iterdir())
    assert {"single-1.json", "single-1.jwt", "cohort-1.json", "cohort-2.jwt"} <= set(names)
