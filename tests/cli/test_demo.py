"""`microcred demo`: the demo data set, loaded through the services, idempotently.

Loading takes a few seconds (11 micro-credentials with quizzes), so one test loads it twice
and checks everything on the result."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from microcred.accounts.models import Membership, Organisation, OrganisationKind, User
from microcred.accreditation.models import Accreditation, AccreditationStatus
from microcred.assessment.models import Attempt
from microcred.catalog.models import MicroCredential, Status
from microcred.core.demo import DEMO_PASSWORD, catalog_files, demo_logins
from microcred.learning.models import Completion, Enrolment, EnrolmentStatus, LessonProgress

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("microcred.") and model._meta.db_table in tables
    }


def roles(email: str) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user__email=email).values_list("organisation__slug", "role"))


def test_demo_loads_everything_and_a_second_run_duplicates_nothing():
    first_out = io.StringIO()
    call_command("demo", stdout=first_out)
    after_first = row_counts()
    second_out = io.StringIO()
    call_command("demo", "--quiet", stdout=second_out)

    # Idempotent: every table has exactly the rows it had, the audit log included.
    assert row_counts() == after_first
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

    # What the first run printed: the logins and where to go.
    text = first_out.getvalue()
    assert "Demo data loaded." in text
    for login in demo_logins():
        assert login.email in text
    for path in ("http://127.0.0.1:8000/", "/dashboard/", "/admin/", "/api/v1/docs"):
        assert path in text
