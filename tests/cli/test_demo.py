"""`microcred demo`: the demo data set, loaded through the services, idempotently.

Loading takes a few seconds (11 micro-credentials with quizzes), so one test loads it twice
and checks everything on the result."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from microcred.accounts.models import Membership, Organisation, OrganisationKind, User
from microcred.accreditation.models import Accreditation, AccreditationStatus
from microcred.assessment.models import Attempt, Quiz
from microcred.assessment.selectors import quiz_questions
from microcred.catalog.models import Lesson, MicroCredential, MicroCredentialPrerequisite, Programme, Status
from microcred.core.clock import now
from microcred.core.models import AuditLog
from microcred.credentials.models import Credential
from microcred.credentials.selectors import display_status
from microcred.credentials.vc import validate_ob3_credential
from microcred.demo.dataset import DEMO_PASSWORD
from microcred.demo.loader import catalog_files, demo_logins
from microcred.learning.models import Completion, Enrolment, EnrolmentStatus, LessonProgress
from microcred.projects.models import Submission
from microcred.skills.models import Occupation, OccupationSkill, Skill
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
    assert MicroCredential.objects.filter(status=Status.PUBLISHED).count() == 13
    assert not MicroCredential.objects.exclude(status=Status.PUBLISHED).exists()
    # Structured prerequisites (each course on the foundation it builds on) and one stackable
    # programme per provider, whose members are all published.
    builds_on = {
        (link.microcredential.slug, link.required.slug)
        for link in MicroCredentialPrerequisite.objects.select_related("microcredential", "required")
    }
    assert ("front-end-web-accessibility", "web-accessibility-foundations") in builds_on and len(builds_on) == 5
    programmes = Programme.objects.select_related("provider").prefetch_related("members__microcredential")
    assert sorted(p.provider.slug for p in programmes) == sorted(providers)
    assert all(m.microcredential.status == Status.PUBLISHED for p in programmes for m in p.members.all())

    # The skills taxonomy (tests/skills/test_demo_taxonomy.py): every micro-credential is aligned
    # with 3 to 6 of its skills, with levels, and its occupations need them.
    assert 250 <= Skill.objects.count() <= 400 and 18 <= Occupation.objects.count() <= 22
    for mc in MicroCredential.objects.prefetch_related("skill_links"):
        assert 3 <= len(mc.skill_links.all()) <= 6 and all(link.target_level for link in mc.skill_links.all()), mc.slug
    assert OccupationSkill.objects.filter(skill__microcredentials__isnull=False).exists()

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
    assert Credential.objects.count() == Completion.objects.count() == 6
    states = credential_states()
    assert states == {
        "learner@demo.microcred.org data-analysis-with-python": "valid",
        "sofia.rossi@demo.microcred.org front-end-web-accessibility": "valid",
        "sofia.rossi@demo.microcred.org secure-coding-owasp-top-10": "revoked",
        "amara.diallo@demo.microcred.org grid-code-compliance-renewable-plants": "suspended",
        "jonas.weber@demo.microcred.org veilig-werken-aan-pv-installaties": "expired",
        "jonas.weber@demo.microcred.org bess-commissioning": "valid",
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
    assert "Credentials: 1 expired, 1 revoked, 1 suspended, 3 valid" in text
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


def test_the_demos_assessment_is_real(client):
    """Weights, minimums and an overall pass mark on the DevOps credential, shown to a learner
    against the mark; a calculated question in the BESS quiz; a credential carrying its quiz and
    project results (the supervised practical and peer review have their own tests in
    tests/projects/test_demo.py)."""
    call_command("demo", "--quiet", stdout=io.StringIO())

    devops = MicroCredential.objects.get(slug="devops-ci-cd-pipelines", status=Status.PUBLISHED)
    assert devops.overall_pass_mark == 70
    rules = {
        lesson.title: (lesson.weight, lesson.min_score)
        for lesson in Lesson.objects.filter(module__microcredential=devops, weight__isnull=False)
    }
    assert rules == {"Capstone: from commit to canary": (60, 60), "Final quiz": (40, None)}

    # The learner whose capstone the peers graded sees their weighted score against the mark.
    graded = Submission.objects.select_related("enrolment").get(
        assignment__lesson__module__microcredential=devops, grade__source="peer"
    )
    assert graded.grade.passed
    capstone_score = graded.grade.score
    client.force_login(graded.user)
    page = client.get(reverse("learning:lesson", args=[graded.enrolment_id, graded.assignment.lesson_id]))
    expected = (Decimal(60) * capstone_score / 100).quantize(Decimal("0.01"))
    assert f"Weighted score so far: {expected} % of the 70 % needed" in page.content.decode()

    # A parameterised question in a demo quiz: each attempt gets its own values; Jonas answered his.
    bess_quiz = Quiz.objects.get(lesson__module__microcredential__slug="bess-commissioning")
    calculated = quiz_questions(bess_quiz).get(kind="calculated")
    jonas_attempt = Attempt.objects.get(quiz=bess_quiz, user__email="jonas.weber@demo.microcred.org")
    assert jonas_attempt.passed and calculated.pk in jonas_attempt.question_ids

    # Jonas's credential carries that quiz and his practical, signed off by his supervisor.
    bess = Credential.objects.get(microcredential__slug="bess-commissioning").document
    validate_ob3_credential(bess)
    assert any(r["resultDescription"].endswith("/results/final-score") for r in bess["credentialSubject"]["result"])
    practical = next(e for e in bess["evidence"] if e["genre"] == "Project")
    assert "Signed off by a workplace mentor." in practical["description"]
    assert practical["name"].startswith("Supervised practical")
    assert bess["credentialSubject"]["achievement"]["supervision"] == "supervised-onsite-id-check"

    # Aoife's credential carries her final quiz score and her graded project, rubric levels and
    # evidence, valid under the official OB 3.0 schema.
    credential = Credential.objects.get(user__email="learner@demo.microcred.org")
    document = credential.document
    validate_ob3_credential(document)
    results = document["credentialSubject"]["result"]
    assert any(r["resultDescription"].endswith("/results/final-score") for r in results)
    assert any("/results/lesson-" in r["resultDescription"] and "value" in r for r in results)
    assert any("achievedLevel" in r for r in results)
    assert {e["genre"] for e in document["evidence"]} == {"Assessment", "Project"}
