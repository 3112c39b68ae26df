"""`microcred demo`: the demo data set, loaded through the services, idempotently.

Loading takes a few seconds (11 micro-credentials with quizzes), so one test loads it twice
and checks everything on the result."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from microcred.accounts.models import Membership, Organisation, OrganisationKind, User
from microcred.accreditation.models import Accreditation, AccreditationStatus
from microcred.assessment.models import Attempt
from microcred.catalog.models import MicroCredential, Status
from microcred.core.clock import now
from microcred.core.models import AuditLog
from microcred.credentials.models import Credential
from microcred.credentials.selectors import display_status
from microcred.demo.dataset import DEMO_PASSWORD
from microcred.demo.loader import catalog_files, demo_logins
from microcred.learning.models import Completion, Enrolment, EnrolmentStatus, LessonProgress
from microcred.verification.services import verify_credential

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def row_counts() -> dict[str, int]:
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("microcred.") and model._meta.db_table in tables
    }


def roles(email: str) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user__email=email).values_list("organisation__slug", "role"))


def credential_states() -> dict[str, str]:
    """Each demo credential's state as people see it, by learner and micro-credential."""
    moment = now()
    return {
        f"{c.user.email} {c.microcredential.slug}": display_status(c, now=moment).code
        for c in Credential.objects.select_related("user", "microcredential")
    }


def test_demo_loads_everything_and_a_second_run_duplicates_nothing():
    first_out = io.StringIO()
    call_command("demo", stdout=first_out)
    after_first = row_counts()
    states_after_first = credential_states()
    second_out = io.StringIO()
    call_command("demo", "--quiet", stdout=second_out)

    # Idempotent: every table has exactly the rows it had, the audit log included, and no
    # credential changed state.
    assert row_counts() == after_first
    assert credential_states() == states_after_first
    assert second_out.getvalue() == ""

    # The three provider catalogs, every micro-credential published.
    assert len(catalog_files()) == 3
    providers = set(Organisation.objects.filter(kind=OrganisationKind.PROVIDER).values_list("slug", flat=True))
    assert providers == {"northbridge-university", "forge-academy", "helix-energy"}
    assert MicroCredential.objects.filter(status=Status.PUBLISHED).count() == 11
    assert not MicroCredential.objects.exclude(status=Status.PUBLISHED).exists()

    # Accreditor, accreditations and employer.
    edsac = Organisation.objects.get(slug="edsac")
    assert (edsac.kind, edsac.name, edsac.country) == (
        OrganisationKind.ACCREDITOR,
        "European Digital Skills Accreditation Council",
        "BE",
    )
    accredited = Accreditation.objects.filter(accreditor=edsac, status=AccreditationStatus.ACTIVE)
    assert {a.provider.slug for a in accredited} == {"northbridge-university", "forge-academy"}
    assert all(
        a.reference and a.scope and str(a.valid_from) == "2025-01-01" and str(a.valid_until) == "2028-12-31"
        for a in accredited
    )
    lumen = Organisation.objects.get(slug="lumen-analytics")
    assert (lumen.kind, lumen.country) == (OrganisationKind.EMPLOYER, "NL")

    # Everyone can sign in with the demo password, and has the role the table promises.
    for login in demo_logins():
        assert login.password == DEMO_PASSWORD
        assert authenticate(email=login.email, password=DEMO_PASSWORD) is not None, login.email
    assert roles("owner@demo.microcred.org") == {("northbridge-university", "owner"), ("helix-energy", "owner")}
    assert roles("instructor@demo.microcred.org") == {("forge-academy", "instructor")}
    assert roles("accreditor@demo.microcred.org") == {("edsac", "owner")}
    assert roles("employer@demo.microcred.org") == {("lumen-analytics", "owner")}
    admin = User.objects.get(email="admin@demo.microcred.org")
    assert admin.is_staff and admin.is_superuser

    # The main learner: one completed (by real, graded attempts), one half done, one just started.
    aoife = User.objects.get(email="learner@demo.microcred.org")
    assert aoife.full_name == "Aoife Byrne"
    assert aoife.profile.visibility == "public" and aoife.profile.headline and aoife.profile.languages
    enrolments = {e.microcredential.slug: e for e in Enrolment.objects.filter(user=aoife)}
    assert len(enrolments) == 3
    completions = Completion.objects.filter(enrolment__user=aoife)
    assert completions.count() == 1
    done = completions.get().enrolment
    assert done.status == EnrolmentStatus.COMPLETED
    assert Attempt.objects.filter(enrolment=done, passed=True).exists()
    progress = sorted(
        LessonProgress.objects.filter(enrolment=e).count() for e in enrolments.values() if e.pk != done.pk
    )
    assert progress[0] >= 1 and progress[1] > progress[0]  # just started, half done
    assert all(e.status == EnrolmentStatus.ACTIVE for e in enrolments.values() if e.pk != done.pk)

    # Other learners give every provider some activity, including a failed then passed quiz
    # and a withdrawal.
    learners = User.objects.filter(enrolments__isnull=False).distinct()
    assert learners.count() == 5
    for slug in providers:
        assert Enrolment.objects.filter(microcredential__provider__slug=slug).exists(), slug
    assert Attempt.objects.filter(passed=False).exists()
    assert Enrolment.objects.filter(status=EnrolmentStatus.WITHDRAWN).exists()
    assert Completion.objects.count() >= 4

    # Every completion has its signed credential, and the credentials show every state.
    assert Credential.objects.count() == Completion.objects.count() == 5
    states = credential_states()
    assert states == {
        "learner@demo.microcred.org data-analysis-with-python": "valid",
        "sofia.rossi@demo.microcred.org front-end-web-accessibility": "valid",
        "sofia.rossi@demo.microcred.org secure-coding-owasp-top-10": "revoked",
        "amara.diallo@demo.microcred.org grid-code-compliance-renewable-plants": "suspended",
        "jonas.weber@demo.microcred.org veilig-werken-aan-pv-installaties": "expired",
    }
    # Revoked and suspended by the provider's owner, with the reason on record.
    revoked = Credential.objects.get(status="revoked")
    assert revoked.status_reason
    assert AuditLog.objects.get(action="credential.revoke").actor.email == "forge@demo.microcred.org"
    suspended = Credential.objects.get(status="suspended")
    assert suspended.status_reason
    assert AuditLog.objects.get(action="credential.suspend").actor.email == "owner@demo.microcred.org"
    # The expired one is a real history from the past: completed, issued and awarded over two
    # years ago, so its 24-month validity has run out; its dates agree with each other.
    expired = Credential.objects.select_related("completion__enrolment").get(microcredential__validity_months=24)
    completion = expired.completion
    assert expired.valid_until is not None and expired.valid_until < now()
    assert (now() - completion.completed_at).days > 2 * 365
    assert expired.valid_from == completion.completed_at.replace(microsecond=0)
    assert expired.issued_at >= expired.valid_from
    assert completion.enrolment.enrolled_at <= completion.completed_at <= completion.awarded_at
    assert expired.document["validUntil"].startswith(str(expired.valid_until.year))
    # A verifier reaches the same verdicts from the signed documents alone.
    for credential in Credential.objects.select_related("user", "microcredential"):
        report = verify_credential(data=credential.document)
        assert report.outcome == states[f"{credential.user.email} {credential.microcredential.slug}"]

    # What the first run printed: the logins, where to go and the credentials in each state.
    text = first_out.getvalue()
    assert "Demo data loaded." in text
    for login in demo_logins():
        assert login.email in text
    for path in ("http://127.0.0.1:8000/", "/dashboard/", "/me/credentials/", "/verify/", "/admin/", "/api/v1/docs"):
        assert path in text
    assert "Credentials: 1 expired, 1 revoked, 1 suspended, 2 valid" in text
    for state in ("valid", "revoked", "suspended", "expired"):
        assert state in text.split("Demo credentials", 1)[1]
    assert revoked.status_reason.split(":")[0] in text


def test_the_demo_names_the_site_url_it_runs_under(settings):
    # `make run PORT=8123` sets SITE_URL to http://127.0.0.1:8123 for `microcred demo` and `serve`.
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    places = text.split("Open", 1)[1]
    for path in ("/", "/dashboard/", "/me/credentials/", "/verify/", "/admin/", "/api/v1/docs"):
        assert f"http://127.0.0.1:8123{path}" in places, path
    assert "127.0.0.1:8000" not in text
    ids = [c.document["id"] for c in Credential.objects.all()]
    assert ids and all(i.startswith("http://127.0.0.1:8123/credentials/") for i in ids), ids
    for credential in Credential.objects.all():
        assert urlsplit(credential.document["id"]).path in text


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("arguments", "site_url"),
    [
        (["PORT=8123"], "http://127.0.0.1:8123"),
        (["PORT=8123", "HOST=0.0.0.0"], "http://0.0.0.0:8123"),
        (["PORT=8123", "SITE_URL=https://credentials.example.org"], "https://credentials.example.org"),
    ],
)
def test_make_run_gives_the_demo_and_the_server_the_site_url_of_the_port_it_serves(arguments, site_url):
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "MAKEFLAGS", "MFLAGS")}
    # -n prints the commands without running them.
    result = subprocess.run(
        ["make", "-n", "run", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    commands = result.stdout.splitlines()
    demo = next(line for line in commands if line.rstrip().endswith("microcred demo"))
    serve = next(line for line in commands if " serve " in line)
    assert f'SITE_URL="{site_url}"' in demo
    assert f'SITE_URL="{site_url}"' in serve and "--port 8123" in serve
