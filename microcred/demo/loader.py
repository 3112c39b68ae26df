"""Loading the demo data set, step by step, through the services (see the package docstring)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from microcred.accounts.models import Organisation, OrganisationKind, User
from microcred.accounts.services import (
    membership_add,
    organisation_create,
    organisation_update,
    profile_update,
    user_create,
)
from microcred.accreditation.models import Accreditation
from microcred.accreditation.services import accreditation_grant
from microcred.assessment.models import Attempt, Question
from microcred.assessment.questions.calculated import right_answer
from microcred.assessment.selectors import quiz_of, served_seed
from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind, MicroCredential, Status
from microcred.core import clock
from microcred.core.actors import SYSTEM
from microcred.core.errors import AppError
from microcred.credentials.statuslists.services import status_lists_refresh
from microcred.exchange.services import catalog_import, validate_document
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.services import enrolment_create, enrolment_withdraw
from microcred.market.postings_format import read_postings_file
from microcred.market.services import postings_import
from microcred.skills.services import skills_import

from .credentials import credential_rows, issue_credential, replayed_at, set_credential_states
from .dataset import (
    ACCREDITATION_VALID_FROM,
    ACCREDITATION_VALID_UNTIL,
    ACCREDITATIONS,
    ACCREDITOR,
    ACCREDITOR_ORG,
    ADMIN,
    COMPLETED,
    COMPLETED_AFTER_RETRY,
    DEMO_CATALOG_DIR,
    DEMO_PASSWORD,
    EMPLOYER,
    EMPLOYER_ORG,
    FORGE_OWNER,
    HALF,
    INSTRUCTOR,
    LEARNER,
    OTHER_LEARNERS,
    OWNER,
    PROVIDER_CERTIFICATE_DESIGNS,
    PROVIDER_OWNERS,
    STARTED,
    WITHDRAWN,
    DemoLearner,
    DemoPerson,
)
from .job_postings import DEMO_POSTINGS_FILE
from .job_postings import SOURCE as POSTINGS_SOURCE
from .portfolio import demo_portfolio
from .projects import lesson_done, mentor_signoff_states, peer_review_rounds
from .report import DemoLogin, DemoReport, Progress
from .taxonomy import demo_taxonomy_load


def _user(person: DemoPerson | DemoLearner, report: DemoReport, *, is_superuser: bool = False) -> User:
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        # The demo password is deliberately simple and shared, so the common-password check is off.
        user = user_create(
            email=person.email,
            password=DEMO_PASSWORD,
            full_name=person.full_name,
            is_staff=is_superuser,
            is_superuser=is_superuser,
            check_password=False,
        )
        report.users_created += 1
    return user


def _organisation(spec: dict[str, Any], owner: User | None, report: DemoReport) -> Organisation:
    org = Organisation.objects.filter(slug=spec["slug"]).first()
    if org is None:
        fields = {k: v for k, v in spec.items() if k not in {"kind", "name", "slug", "country"}}
        org = organisation_create(
            actor=SYSTEM,
            kind=spec["kind"],
            name=spec["name"],
            slug=spec["slug"],
            country=spec["country"],
            owner=owner,
            **fields,
        )
        report.organisations_created += 1
    elif owner is not None:
        membership_add(actor=SYSTEM, organisation=org, user=owner, role="owner")
    return org


def catalog_files(directory: Path = DEMO_CATALOG_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def _import_catalog(path: Path, users: dict[str, User], report: DemoReport) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    provider_spec = dict(data["provider"])
    owner_person = PROVIDER_OWNERS.get(provider_spec.get("slug", ""))
    owner = users[owner_person.email] if owner_person else None
    # Found the provider first with its owner, so the import itself runs as that owner.
    design = PROVIDER_CERTIFICATE_DESIGNS.get(provider_spec.get("slug", ""), {})
    provider = _organisation({"kind": OrganisationKind.PROVIDER, **provider_spec, **design}, owner, report)
    if design and not provider.brand_colour and not provider.certificate_signatories:
        # A demo loaded before providers had a design gets it; one a person changed keeps theirs.
        organisation_update(actor=SYSTEM, organisation=provider, **design)
    # The shared skill frameworks are curated by the platform: the demo plays the platform's part
    # and adds the skills the catalogs use, so each owner's import only references them.
    validate_document(data)
    skills_import(actor=SYSTEM, provider=None, specs=data.get("skills", []))
    report.catalogs[path.name] = catalog_import(actor=owner or SYSTEM, data=data)


def _published_catalog() -> list[MicroCredential]:
    return list(
        MicroCredential.objects.filter(status=Status.PUBLISHED, provider__kind=OrganisationKind.PROVIDER)
        .select_related("provider")
        .order_by("provider__slug", "slug")
    )


def _required_lessons(mc: MicroCredential) -> tuple[list[Lesson], list[Lesson]]:
    lessons = list(
        Lesson.objects.filter(module__microcredential=mc, required=True)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )
    readings = [l for l in lessons if l.kind != LessonKind.QUIZ]
    quizzes = [l for l in lessons if quiz_of(l) is not None]
    return readings, quizzes


def _answers(attempt: Attempt, *, correct: bool) -> dict[str, Any]:
    """What a learner who knows the material would answer (or, for a failed try, picks wrongly)."""
    answers: dict[str, Any] = {}
    for question in Question.objects.filter(id__in=attempt.question_ids).prefetch_related("choices"):
        if question.kind == "calculated":
            # Worked out with this attempt's own values; a failed try slips a decimal place.
            worked_out = right_answer(question, seed=served_seed(attempt))
            answers[str(question.id)] = worked_out if correct else f"{worked_out}0".replace(".", "", 1)
            continue
        right = [c.id for c in question.choices.all() if c.is_correct]
        wrong = [c.id for c in question.choices.all() if not c.is_correct]
        answers[str(question.id)] = right if correct or not wrong else wrong[:1]
    return answers


def _take_quiz(learner: User, enrolment: Enrolment, lesson: Lesson, *, fail_first: bool) -> None:
    quiz = quiz_of(lesson)
    assert quiz is not None
    submitted = Attempt.objects.filter(quiz=quiz, enrolment=enrolment, submitted_at__isnull=False)
    if submitted.filter(passed=True).exists():
        return
    # Only fail on purpose when the quiz leaves a second try.
    can_retry = quiz.max_attempts is None or quiz.max_attempts >= 2
    if fail_first and can_retry and not submitted.exists():
        attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
        attempt_submit(actor=learner, attempt=attempt, answers=_answers(attempt, correct=False))
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=attempt, answers=_answers(attempt, correct=True))


def _follow_plan(learner: User, mc: MicroCredential, progress: str, report: DemoReport) -> None:
    existing = Enrolment.objects.filter(user=learner, microcredential=mc).first()
    if existing is not None and existing.status in {EnrolmentStatus.WITHDRAWN, EnrolmentStatus.COMPLETED}:
        # Enrolling again would re-activate a withdrawal; a completion is final. Leave both.
        return
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    if existing is None:
        report.enrolments_created += 1
    readings, quizzes = _required_lessons(mc)
    if progress in {COMPLETED, COMPLETED_AFTER_RETRY}:
        for lesson in readings:
            lesson_done(learner, enrolment, lesson, grading="pass" if progress == COMPLETED else "fail_then_regrade")
        for lesson in quizzes:
            _take_quiz(learner, enrolment, lesson, fail_first=progress == COMPLETED_AFTER_RETRY)
    elif progress == HALF:
        for lesson in readings[: max(1, math.ceil(len(readings) / 2))]:
            lesson_done(learner, enrolment, lesson, grading="none")
    elif progress in {STARTED, WITHDRAWN}:
        for lesson in readings[:1]:
            lesson_done(learner, enrolment, lesson, grading="none")
        if progress == WITHDRAWN:
            enrolment_withdraw(actor=learner, enrolment=enrolment)


def demo_logins() -> list[DemoLogin]:
    people: list[tuple[str, str]] = [
        *[
            (l.email, f"Learner, {l.full_name}: {l.tour}" if l.tour else f"Learner, {l.full_name}")
            for l in (LEARNER, *OTHER_LEARNERS)
        ],
        *[(p.email, p.role) for p in (OWNER, FORGE_OWNER, INSTRUCTOR, ACCREDITOR, EMPLOYER, ADMIN)],
    ]
    return [DemoLogin(email, DEMO_PASSWORD, role) for email, role in people]


def demo_load(*, stdout: IO[str] | None = None, catalog_dir: Path | None = None) -> DemoReport:
    """Load (or top up) the demo data set in one transaction: all of it or, on an error, none.

    ``catalog_dir`` holds the "microcred.catalog/1" files to load, every ``*.json`` in name
    order; by default the demo catalogs shipped in ``microcred/demo/data``.
    """
    report = DemoReport(logins=demo_logins())
    step = Progress(stdout).step
    directory = catalog_dir or DEMO_CATALOG_DIR
    files = catalog_files(directory)
    if not files:
        raise AppError(f"No demo catalogs (*.json) found in {directory}.", code="demo_catalogs_missing")
    with transaction.atomic():
        users: dict[str, User] = {}
        for person in (OWNER, FORGE_OWNER, INSTRUCTOR, ACCREDITOR, EMPLOYER, ADMIN):
            users[person.email] = _user(person, report, is_superuser=person.is_superuser)
        step("People with organisation roles")

        # Before the catalogs: their micro-credentials are aligned with the taxonomy's skills.
        demo_taxonomy_load(catalog_files=files, step=step)

        for path in files:
            _import_catalog(path, users, report)
            step(f"Catalog {path.name}: {_describe(report.catalogs[path.name])}")

        # After the taxonomy and the catalogs' skills: each posting's skills are found among them.
        postings = postings_import(actor=SYSTEM, records=read_postings_file(DEMO_POSTINGS_FILE), source=POSTINGS_SOURCE)
        step(f"Job postings: {postings.summary()}")

        forge = Organisation.objects.filter(slug="forge-academy").first()
        if forge is not None:
            membership_add(actor=SYSTEM, organisation=forge, user=users[INSTRUCTOR.email], role="instructor")

        accreditor_user = users[ACCREDITOR.email]
        edsac = _organisation(ACCREDITOR_ORG, accreditor_user, report)
        for spec in ACCREDITATIONS:
            provider = Organisation.objects.filter(slug=spec["provider"], kind=OrganisationKind.PROVIDER).first()
            if provider is None or Accreditation.objects.filter(accreditor=edsac, provider=provider).exists():
                continue
            accreditation_grant(
                actor=accreditor_user,
                accreditor=edsac,
                provider=provider,
                scope=spec["scope"],
                reference=spec["reference"],
                valid_from=ACCREDITATION_VALID_FROM,
                valid_until=ACCREDITATION_VALID_UNTIL,
            )
            report.accreditations_granted += 1
        _organisation(EMPLOYER_ORG, users[EMPLOYER.email], report)
        step("Accreditor EDSAC and employer Lumen Analytics")

        catalog = _published_catalog()
        by_slug = {mc.slug: mc for mc in catalog}
        position = 0
        for learner_spec in (LEARNER, *OTHER_LEARNERS):
            learner = _user(learner_spec, report)
            profile_update(actor=learner, user=learner, **learner_spec.profile)
            for slug, plan in learner_spec.plan:
                mc = by_slug.get(slug) or (catalog[position % len(catalog)] if catalog else None)
                position += 1
                if mc is not None:
                    with replayed_at(learner_spec, slug):
                        _follow_plan(learner, mc, plan, report)
                        issue_credential(learner, mc, report)
            step(f"Learner {learner_spec.full_name}")

        # A peer-review round in every state, on the demo's peer-reviewed capstone (ADR 0030).
        others = {u.email: u for u in User.objects.filter(email__in=[spec.email for spec in OTHER_LEARNERS])}
        peer_review_rounds(list(others.values()))
        # A supervised practical signed off, waiting, declined and withdrawn (ADR 0030, 0033).
        mentor_signoff_states([others[spec.email] for spec in OTHER_LEARNERS if spec.email in others])
        set_credential_states(users, report)
        # The replayed histories signed their issuers' status lists in the past: sign those again
        # now, as the scheduled refresh would on a running site, so every list is current.
        status_lists_refresh(now=clock.now())
        # After her credential's status list is current: the portfolio shows only what holds.
        demo_portfolio(report)
        step(f"Portfolio of {LEARNER.full_name}: {report.portfolio_url}")
        report.completions = Enrolment.objects.filter(
            user__email__endswith="@demo.microcred.org", status=EnrolmentStatus.COMPLETED
        ).count()
        report.credentials = credential_rows()
        states = report.credential_states
        step("Credentials: " + (", ".join(f"{states[s]} {s}" for s in sorted(states)) or "none"))
    return report


def _describe(catalog_report: dict[str, list[str]]) -> str:
    parts = [f"{len(slugs)} {key.replace('_', ' ')}" for key, slugs in catalog_report.items() if slugs]
    return ", ".join(parts) or "empty"
