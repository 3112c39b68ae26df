"""Every write of the careers app: declared skills, credentials from elsewhere, the career goal.

A learner changes only their own rows; the platform (``SYSTEM``, the demo) may write anyone's.
An uploaded credential is verified by the verification app first and stored only when valid;
accepting, re-checking and removing one write an audit row."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from xml.sax.saxutils import quoteattr

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.dateparse import parse_datetime
from django_tasks import default_task_backend, task

from microcred.accounts.models import Organisation, OrganisationKind, User
from microcred.accounts.permissions import Actor
from microcred.assessment.models import Attempt
from microcred.catalog.models import ParticipationForm
from microcred.catalog.selectors import microcredential_get
from microcred.core import clock, events
from microcred.core.actors import SYSTEM, is_system
from microcred.core.errors import Conflict, PermissionDenied, ValidationFailed, full_clean_or_fail
from microcred.core.services import audit_record
from microcred.credentials.models import Credential
from microcred.credentials.vc.baking import PNG_SIGNATURE, detect_and_extract
from microcred.credentials.vc.errors import MalformedCredential
from microcred.credentials.vc.ob2.documents import is_http_url
from microcred.credentials.vc.pdf import is_pdf
from microcred.credentials.vc.verifier import VerificationReport
from microcred.learning.models import Enrolment
from microcred.learning.services import enrolment_create
from microcred.pathways import Level as PathwaysLevel
from microcred.skills.models import Level, Occupation, Skill
from microcred.verification.services import verify_credential

from .models import (
    EXTERNAL_DOCUMENT_MAX_BYTES,
    EXTERNAL_FILE_MAX_BYTES,
    POSTING_MAX_CHARS,
    CareerGoal,
    DeclaredSkill,
    ExternalCredential,
    ExternalCredentialSkill,
    GoalKind,
    GoalSkill,
    GoalSkillSource,
    LearningPlan,
    Objective,
    PlanStatus,
    SkillEvidence,
)
from .planning import LearnerPlan, learner_plan
from .selectors import VALID_OUTCOME, occupation_by_reference, skill_by_reference, skills_in_text, skills_named

# A learner's own lists stay a size a page can show; a script cannot grow them without bound.
MAX_DECLARED_SKILLS: Final = 300
MAX_EXTERNAL_CREDENTIALS: Final = 100
MAX_GOAL_SKILLS: Final = 100
# A posting rarely asks for more; beyond this the extraction is finding noise.
MAX_POSTING_SKILLS: Final = 60
# A posting says which skills, seldom how well: we read it as asking for working competence.
POSTING_SKILL_LEVEL: Final = Level.INTERMEDIATE
MAX_HOURS_PER_WEEK: Final = 80
# Another issuer's revocation is noticed within a day: each check of an import queues the next
# (ADR 0051), and a page showing one unchecked for longer queues one at once.
RECHECK_EVERY: Final = timedelta(days=1)
# A queued re-check this long overdue is taken as lost (its worker died, the queue was emptied)
# and is queued again; one merely late behind a busy worker is left alone.
RECHECK_LOST_AFTER: Final = timedelta(hours=1)
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z]{2})?$", re.IGNORECASE)


def _require_self(actor: Actor, learner: User) -> None:
    """A learner acts on their own profile only; the platform may act on anyone's."""
    if is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False) or actor.pk != learner.pk:
        raise PermissionDenied("You can change only your own skills and goal.")


def _level(value: str, *, field: str = "level") -> str:
    if value not in Level.values:
        raise ValidationFailed(
            f"Unknown level “{value}”.", errors={field: ["Choose beginner, intermediate or expert."]}
        )
    return value


# -- declared skills ------------------------------------------------------------------------


def declared_skill_set(*, actor: Actor, learner: User, skill: Skill, level: str, note: str = "") -> DeclaredSkill:
    """Say the learner has ``skill`` at ``level`` (again: the level and note are replaced)."""
    _require_self(actor, learner)
    _level(level)
    with transaction.atomic():
        declared = DeclaredSkill.objects.select_for_update().filter(user=learner, skill=skill).first()
        if declared is None:
            if DeclaredSkill.objects.filter(user=learner).count() >= MAX_DECLARED_SKILLS:
                raise Conflict(f"You can declare up to {MAX_DECLARED_SKILLS} skills; remove one first.")
            declared = DeclaredSkill(user=learner, skill=skill)
        declared.level = level
        declared.note = note.strip()
        full_clean_or_fail(declared, validate_unique=False)
        declared.save()
    return declared


def declared_skill_remove(*, actor: Actor, learner: User, skill: Skill) -> bool:
    """Take back a declared skill; False when it was not declared."""
    _require_self(actor, learner)
    with transaction.atomic():
        deleted, _ = DeclaredSkill.objects.filter(user=learner, skill=skill).delete()
    return deleted > 0


def declared_skills_replace(*, actor: Actor, learner: User, items: Sequence[Mapping[str, Any]]) -> list[DeclaredSkill]:
    """Make the declared skills exactly ``items`` (each ``skill``: id or URI, ``level``, ``note``),
    all or nothing: one unknown skill or level and nothing changes."""
    _require_self(actor, learner)
    if len(items) > MAX_DECLARED_SKILLS:
        raise ValidationFailed(
            f"Declare at most {MAX_DECLARED_SKILLS} skills.", errors={"skills": [f"{len(items)} given."]}
        )
    errors: dict[str, list[str]] = {}
    wanted: dict[int, tuple[Skill, str, str]] = {}
    for position, item in enumerate(items):
        skill = skill_by_reference(item.get("skill", ""))
        level = str(item.get("level", ""))
        note = str(item.get("note") or "")
        if skill is None:
            errors[f"skills.{position}.skill"] = [f"No skill “{item.get('skill')}”: give its id or URI."]
        if level not in Level.values:
            errors[f"skills.{position}.level"] = ["Choose beginner, intermediate or expert."]
        if len(note) > 300:
            errors[f"skills.{position}.note"] = ["At most 300 characters."]
        if skill is not None:
            if skill.pk in wanted:
                errors[f"skills.{position}.skill"] = [f"“{skill.label}” is listed twice."]
            wanted[skill.pk] = (skill, level, note.strip())
    if errors:
        raise ValidationFailed("Some declared skills are not valid; see errors.", errors=errors)
    with transaction.atomic():
        DeclaredSkill.objects.filter(user=learner).exclude(skill_id__in=list(wanted)).delete()
        existing = {d.skill_id: d for d in DeclaredSkill.objects.select_for_update().filter(user=learner)}
        result = []
        for skill_id, (skill, level, note) in wanted.items():
            declared = existing.get(skill_id) or DeclaredSkill(user=learner, skill=skill)
            declared.level, declared.note = level, note
            full_clean_or_fail(declared, validate_unique=False)
            declared.save()
            result.append(declared)
    return result


# -- credentials from elsewhere ---------------------------------------------------------------


class CredentialNotAccepted(ValidationFailed):
    """The verifier did not find the uploaded credential valid (or not issued to the learner)."""

    code = "credential_not_accepted"


def _document_text(document: str | bytes | Mapping[str, Any]) -> str:
    if isinstance(document, Mapping):
        document = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if isinstance(document, bytes):
        if len(document) > EXTERNAL_DOCUMENT_MAX_BYTES:
            raise _too_large()
        try:
            document = document.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                "The file is not text.",
                errors={
                    "credential": [
                        "Upload the credential as JSON or a VC-JWT, a baked PNG or SVG badge, or a PDF certificate."
                    ]
                },
            ) from exc
    text = document.strip()
    if not text:
        raise ValidationFailed("Nothing was uploaded.", errors={"credential": ["Paste or upload a credential."]})
    if "\x00" in text:
        raise ValidationFailed("The credential holds a NUL character.", errors={"credential": ["Not a credential."]})
    if len(text.encode("utf-8")) > EXTERNAL_DOCUMENT_MAX_BYTES:
        raise _too_large()
    return text


def _is_container(document: str | bytes | Mapping[str, Any]) -> bool:
    """A baked PNG or SVG badge, or a PDF certificate: the credential is inside, not the file."""
    if isinstance(document, bytes):
        return document.startswith(PNG_SIGNATURE) or is_pdf(document) or document.lstrip()[:1] == b"<"
    return isinstance(document, str) and document.lstrip()[:1] == "<"


def _presented_document(document: str | bytes | Mapping[str, Any]) -> tuple[str | bytes, str]:
    """What the verifier reads (the file as uploaded, so its report says where the credential was
    found) and the credential text we keep: a baked image's or a PDF's credential is extracted and
    kept as the JSON or VC-JWT it is, which a re-check verifies again. An Open Badges 2.0 image may
    hold only its hosted assertion's URL; that URL is kept and the re-check reads it there."""
    if not _is_container(document):
        text = _document_text(document)
        return text, text
    raw = document.encode("utf-8") if isinstance(document, str) else document
    assert isinstance(raw, bytes)
    if len(raw) > EXTERNAL_FILE_MAX_BYTES:
        limit = EXTERNAL_FILE_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(
            f"The file is larger than {limit} MB.",
            errors={"credential": [f"Badge images and certificates are far smaller than {limit} MB."]},
        )
    try:
        container, inside = detect_and_extract(raw, max_bytes=EXTERNAL_FILE_MAX_BYTES)
    except MalformedCredential as exc:
        reason = str(exc)
        raise ValidationFailed(
            "The file holds no credential we can read.",
            errors={
                "credential": [f"{reason[:1].upper()}{reason[1:]}. Upload the badge or certificate as you received it."]
            },
        ) from exc
    text = _document_text(inside)
    return (raw if container in ("png", "pdf") else raw.decode("utf-8-sig")), text


def _verified_again(document: str, *, recipient_email: str, now: datetime) -> VerificationReport:
    if is_http_url(document) and not any(char.isspace() for char in document):
        # Only an Open Badges 2.0 image's hosted assertion URL was kept: present it again as such
        # an image carries it, so the verifier takes the same path (an assertion taken down reads
        # as revoked, as it did for the uploaded image).
        document = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
            f"<openbadges:assertion verify={quoteattr(document)}/></svg>"
        )
    return verify_credential(data=document, recipient_email=recipient_email, now=now)


def _too_large() -> ValidationFailed:
    limit = EXTERNAL_DOCUMENT_MAX_BYTES // 1024
    return ValidationFailed(
        f"The credential is larger than {limit} KB.",
        errors={"credential": [f"Credentials are far smaller than {limit} KB; is this the right file?"]},
    )


def _refusal(report: VerificationReport) -> str:
    failed = next((step for step in report.steps if step.status == "failed"), None)
    reason = failed.reason if failed is not None else report.headline
    return f"{report.headline}: {reason}" if failed is not None else reason


def _report_fields(report: VerificationReport, *, now: datetime) -> dict[str, Any]:
    until = parse_datetime(report.valid_until) if report.valid_until else None
    return {
        "outcome": report.outcome.value,
        "headline": report.headline[:100],
        "report_summary": [
            {key: value for key, value in step.to_json().items() if key != "data"} for step in report.steps
        ],
        "valid_until": until if until is not None and until.tzinfo is not None else None,
        "checked_at": now,
    }


def _alignment_targets(report: VerificationReport) -> tuple[list[str], list[str]]:
    """The achievement's alignment targets (URLs and codes), and its name and tags for the matcher."""
    credential = report.credential or {}
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    if not isinstance(achievement, Mapping):
        return [], []
    targets: list[str] = []
    for alignment in _as_list(achievement.get("alignment")):
        if isinstance(alignment, Mapping):
            for key in ("targetUrl", "targetCode"):
                value = alignment.get(key)
                if isinstance(value, str) and value.strip():
                    targets.append(value.strip()[:300])
    phrases = [tag.strip()[:300] for tag in _as_list(achievement.get("tag")) if isinstance(tag, str) and tag.strip()]
    if report.achievement_name:
        phrases.append(report.achievement_name.strip()[:300])
    return targets, phrases


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _named_skills(report: VerificationReport) -> list[tuple[Skill, str, str]]:
    """(skill, evidence, the text that named it): alignments whose URL or code is a skill's URI
    first; the achievement's tags and name through the matcher for the rest."""
    targets, phrases = _alignment_targets(report)
    found: dict[int, tuple[Skill, str, str]] = {}
    for skill in Skill.objects.filter(uri__in=targets).order_by("pk"):
        found[skill.pk] = (skill, SkillEvidence.ALIGNMENT, skill.uri)
    for skill, phrase in skills_named(phrases):
        found.setdefault(skill.pk, (skill, SkillEvidence.MATCHED, phrase))
    return list(found.values())


def external_credential_upload(
    *,
    actor: Actor,
    learner: User,
    document: str | bytes | Mapping[str, Any],
    replacing: ExternalCredential | None = None,
) -> ExternalCredential:
    """Verify a credential the learner earned elsewhere (against their e-mail address: it must have
    been issued to them) and keep it when valid, with the skills it names. Anything else is refused
    with the verifier's reason (``CredentialNotAccepted``) and nothing is stored.

    A credential is one credential whatever file carries it (its ``id``): one issued here to the
    learner is already in My credentials, and one already added as JSON is refused as a PNG, so
    neither is shown or counted twice. ``replacing`` is the kept copy that this one supersedes
    (the OB 3.0 upsert, which removes it once the new one is kept)."""
    _require_self(actor, learner)
    presented, text = _presented_document(document)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if ExternalCredential.objects.filter(user=learner, document_sha256=digest).exists():
        raise Conflict("You have already added this credential.")
    if ExternalCredential.objects.filter(user=learner).count() >= MAX_EXTERNAL_CREDENTIALS:
        raise Conflict(f"You can add up to {MAX_EXTERNAL_CREDENTIALS} credentials; remove one first.")
    moment = clock.now()
    # Outside the transaction: a verification may take a while (a sandboxed worker, fetched keys).
    report = verify_credential(data=presented, recipient_email=learner.email, now=moment)
    if report.outcome.value != VALID_OUTCOME:
        message = _refusal(report)
        raise CredentialNotAccepted(
            f"Not accepted. {message}", errors={"credential": [message]}, outcome=report.outcome.value
        )
    _refuse_a_credential_already_held(learner, (report.credential_id or "")[:500], replacing=replacing)
    named = _named_skills(report)
    with transaction.atomic():
        external = ExternalCredential(
            user=learner,
            document=text,
            document_sha256=digest,
            recipient_email=learner.email,
            credential_id=(report.credential_id or "")[:500],
            issuer_id=(report.issuer_id or "")[:500],
            issuer_name=(report.issuer_name or "")[:300],
            achievement_name=(report.achievement_name or report.credential_name or "")[:300],
            verified_at=moment,
            **_report_fields(report, now=moment),
        )
        external.next_check_at = _next_check(external, after=moment)
        full_clean_or_fail(external, validate_unique=False)
        try:
            with transaction.atomic():
                external.save()
        except IntegrityError as exc:  # the same upload, twice at once
            raise Conflict("You have already added this credential.") from exc
        ExternalCredentialSkill.objects.bulk_create(
            ExternalCredentialSkill(credential=external, skill=skill, evidence=evidence, matched_text=matched[:300])
            for skill, evidence, matched in named
        )
        _enqueue_after_commit(external)
        audit_record(
            actor=actor,
            action="external_credential.accept",
            target=external,
            issuer=external.issuer_id,
            skills=[skill.uri for skill, _, _ in named],
        )
    return external


def _refuse_a_credential_already_held(
    learner: User, credential_id: str, *, replacing: ExternalCredential | None
) -> None:
    if not credential_id:
        return
    if Credential.objects.filter(user=learner, document__id=credential_id).exists():
        raise Conflict("This credential was issued to you here: it is already in My credentials.")
    others = ExternalCredential.objects.filter(user=learner, credential_id=credential_id)
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    if others.exists():
        raise Conflict(
            "You have already added this credential (perhaps as another file: its JSON, VC-JWT, badge or PDF)."
        )


def external_credential_recheck(*, actor: Actor, credential: ExternalCredential) -> ExternalCredential:
    """Verify a kept credential again (its issuer may have revoked or suspended it since) and store
    what the verifier says now; only ``valid`` keeps counting in the profile. The next check is
    queued (a day on, or at its stated end when sooner) unless one already queued comes first."""
    _require_self(actor, credential.user)
    moment = clock.now()
    report = _verified_again(credential.document, recipient_email=credential.recipient_email, now=moment)
    with transaction.atomic():
        locked = ExternalCredential.objects.select_for_update().get(pk=credential.pk)
        before = locked.outcome
        for name, value in _report_fields(report, now=moment).items():
            setattr(locked, name, value)
        due = _next_check(locked, after=moment)
        queued = locked.next_check_at
        if due is not None and not (queued is not None and moment - RECHECK_LOST_AFTER < queued <= due):
            locked.next_check_at = due
            _enqueue_after_commit(locked)
        locked.save()
        audit_record(
            actor=actor, action="external_credential.recheck", target=locked, before=before, outcome=locked.outcome
        )
    return locked


def external_credential_remove(*, actor: Actor, credential: ExternalCredential) -> None:
    _require_self(actor, credential.user)
    with transaction.atomic():
        audit_record(actor=actor, action="external_credential.remove", target=credential, issuer=credential.issuer_id)
        credential.delete()


def _next_check(external: ExternalCredential, *, after: datetime) -> datetime | None:
    """When to verify ``external`` again after a check at ``after``: a day later, or just past its
    stated end when that comes first; never once it is past its end (nothing makes it count
    again). None too where the task backend cannot defer (the immediate one of development and
    tests): there cron (``microcred imports recheck``) and page views do it."""
    if not default_task_backend.supports_defer:
        return None
    if external.valid_until is not None and external.valid_until <= after:
        return None
    due = after + RECHECK_EVERY
    if external.valid_until is not None:
        # A moment after the end, so that the verifier reads it as expired.
        due = min(due, external.valid_until + timedelta(seconds=1))
    return due.replace(microsecond=0)


def _enqueue_after_commit(external: ExternalCredential) -> None:
    """Queue the task for ``external.next_check_at``, once the row saying so is committed."""
    credential_id, due = external.pk, external.next_check_at
    if due is None:
        return

    def enqueue() -> None:
        recheck = external_credential_recheck_task
        if default_task_backend.supports_defer:
            recheck = recheck.using(run_after=due)
        recheck.enqueue(credential_id, due.isoformat())

    transaction.on_commit(enqueue)


def external_credentials_recheck_stale(*, actor: Actor, learner: User, now: datetime) -> int:
    """Queue a re-check of each of the learner's imports last checked over a day ago, unless one
    is queued already: the pages that show them call this on every view, and never verify there
    (a check fetches other issuers' status lists). One past its stated end at its last check is
    left alone: it no longer counts whatever its issuer says. Returns how many were queued."""
    _require_self(actor, learner)
    stale = (
        ExternalCredential.objects.filter(user=learner, checked_at__lt=now - RECHECK_EVERY)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=F("checked_at")))
        .values_list("pk", flat=True)
    )
    due = now.replace(microsecond=0)
    not_queued = (
        Q(next_check_at__isnull=True) | Q(next_check_at__gt=due) | Q(next_check_at__lt=due - RECHECK_LOST_AFTER)
    )
    queued = 0
    with transaction.atomic():
        for credential_id in list(stale):
            # A conditional update: of many views at once, exactly one queues the check.
            if ExternalCredential.objects.filter(not_queued, pk=credential_id).update(next_check_at=due):
                _enqueue_after_commit(ExternalCredential(pk=credential_id, next_check_at=due))
                queued += 1
    return queued


@task()
def external_credential_recheck_task(credential_id: int, due: str) -> dict[str, Any]:
    """Verify one import again when its check is due (queued by each check for the next one, and
    by a page finding it unchecked for a day). A check queued since for an earlier moment
    supersedes this one, which then does nothing; claiming the due moment first means two workers
    never run the same check."""
    moment = datetime.fromisoformat(due)
    claimed = ExternalCredential.objects.filter(pk=credential_id, next_check_at=moment).update(next_check_at=None)
    if not claimed:
        gone = not ExternalCredential.objects.filter(pk=credential_id).exists()
        return {"import": credential_id, "outcome": "gone" if gone else "superseded"}
    external = ExternalCredential.objects.select_related("user").get(pk=credential_id)
    checked = external_credential_recheck(actor=SYSTEM, credential=external)
    return {"import": credential_id, "outcome": checked.outcome}


# -- the career goal ---------------------------------------------------------------------------


def _goal_for_update(learner: User) -> CareerGoal:
    goal, _ = CareerGoal.objects.select_for_update().get_or_create(user=learner)
    return goal


def _resolved_skills(skills: Iterable[tuple[Skill | str | int, str]]) -> list[tuple[Skill, str]]:
    errors: dict[str, list[str]] = {}
    resolved: dict[int, tuple[Skill, str]] = {}
    for position, (reference, level) in enumerate(skills):
        skill = reference if isinstance(reference, Skill) else skill_by_reference(reference)
        if skill is None:
            errors[f"skills.{position}.skill"] = [f"No skill “{reference}”: give its id or URI."]
        if level not in Level.values:
            errors[f"skills.{position}.level"] = ["Choose beginner, intermediate or expert."]
        if skill is not None:
            resolved[skill.pk] = (skill, level)
    if errors:
        raise ValidationFailed("Some chosen skills are not valid; see errors.", errors=errors)
    if not resolved:
        raise ValidationFailed("Choose at least one skill.", errors={"skills": ["Choose at least one skill."]})
    if len(resolved) > MAX_GOAL_SKILLS:
        raise ValidationFailed(
            f"Choose at most {MAX_GOAL_SKILLS} skills.", errors={"skills": [f"{len(resolved)} chosen."]}
        )
    return list(resolved.values())


def career_goal_set(
    *,
    actor: Actor,
    learner: User,
    kind: str,
    occupation: Occupation | str | int | None = None,
    posting_text: str = "",
    posting_title: str = "",
    skills: Iterable[tuple[Skill | str | int, str]] = (),
) -> CareerGoal:
    """Set the learner's target, replacing the previous one (the constraints stay):

    - ``occupation``: an occupation (or its id, URI or code), whose skills the taxonomy lists;
    - ``posting``: a pasted job posting; the skills it mentions are extracted with the matcher and
      kept, each asked for at ``POSTING_SKILL_LEVEL``;
    - ``skills``: (skill or its id/URI, level) pairs the learner chose."""
    _require_self(actor, learner)
    chosen: list[tuple[Skill, str]] = []
    found_in_posting: list[tuple[Skill, Any]] = []
    target: Occupation | None = None
    if kind == GoalKind.OCCUPATION:
        target = occupation if isinstance(occupation, Occupation) else None
        if target is None and occupation not in (None, ""):
            target = occupation_by_reference(occupation)  # type: ignore[arg-type]
        if target is None:
            raise ValidationFailed(
                "Choose an occupation.",
                errors={"occupation": [f"No occupation “{occupation}”." if occupation else "Choose an occupation."]},
            )
    elif kind == GoalKind.POSTING:
        posting_text = posting_text.strip()
        if not posting_text:
            raise ValidationFailed("Paste the job posting.", errors={"posting_text": ["Paste the job posting."]})
        if len(posting_text) > POSTING_MAX_CHARS:
            raise ValidationFailed(
                "The posting is too long.",
                errors={"posting_text": [f"At most {POSTING_MAX_CHARS:,} characters; paste the advert itself."]},
            )
        found_in_posting = skills_in_text(posting_text)[:MAX_POSTING_SKILLS]
    elif kind == GoalKind.SKILLS:
        chosen = _resolved_skills(skills)
    else:
        raise ValidationFailed(
            f"Unknown goal kind “{kind}”.", errors={"kind": ["Choose occupation, posting or skills."]}
        )
    with transaction.atomic():
        goal = _goal_for_update(learner)
        goal.kind = kind
        goal.occupation = target
        goal.posting_text = posting_text if kind == GoalKind.POSTING else ""
        goal.posting_title = posting_title.strip()[:200] if kind == GoalKind.POSTING else ""
        full_clean_or_fail(goal, validate_unique=False)
        goal.save()
        goal.skill_links.all().delete()
        GoalSkill.objects.bulk_create(
            [GoalSkill(goal=goal, skill=skill, level=level, source=GoalSkillSource.CHOSEN) for skill, level in chosen]
            + [
                GoalSkill(
                    goal=goal,
                    skill=skill,
                    level=POSTING_SKILL_LEVEL,
                    source=GoalSkillSource.POSTING,
                    matched_text=mention.text[:300],
                    mentions=min(mention.count, 32767),
                )
                for skill, mention in found_in_posting
            ]
        )
        _refresh_after_commit(learner, "Your goal changed.")
    return goal


def career_goal_skill_add(*, actor: Actor, learner: User, skill: Skill, level: str) -> CareerGoal:
    """Add one chosen skill (or change its level); a goal of another kind becomes a chosen-skills goal."""
    _require_self(actor, learner)
    _level(level)
    with transaction.atomic():
        goal = _goal_for_update(learner)
        kept = []
        if goal.kind == GoalKind.SKILLS:
            kept = [
                (link.skill, link.level) for link in goal.skill_links.select_related("skill") if link.skill != skill
            ]
        return career_goal_set(actor=actor, learner=learner, kind=GoalKind.SKILLS, skills=[*kept, (skill, level)])


def career_goal_skill_remove(*, actor: Actor, learner: User, skill: Skill) -> CareerGoal:
    """Remove one chosen skill; removing the last one leaves no target."""
    _require_self(actor, learner)
    with transaction.atomic():
        goal = _goal_for_update(learner)
        if goal.kind != GoalKind.SKILLS:
            return goal
        goal.skill_links.filter(skill=skill).delete()
        if not goal.skill_links.exists():
            goal.kind = GoalKind.UNSET
            goal.save(update_fields=["kind", "updated_at"])
        _refresh_after_commit(learner, "Your goal changed.")
    return goal


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("NaN")


def career_goal_constraints_set(
    *,
    actor: Actor,
    learner: User,
    hours_per_week: int | None = None,
    budget_eur: Decimal | str | int | None = None,
    deadline: date | None = None,
    languages: Sequence[str] = (),
    participation_forms: Sequence[str] = (),
    accredited_only: bool = False,
    preferred_providers: Sequence[Organisation] = (),
    objective: str = Objective.LEAST_WORKLOAD,
) -> CareerGoal:
    """Set the limits a plan must keep (empty: no limit) and what it should optimise. All are
    checked before anything is written."""
    _require_self(actor, learner)
    errors: dict[str, list[str]] = {}
    if hours_per_week is not None and not 1 <= hours_per_week <= MAX_HOURS_PER_WEEK:
        errors["hours_per_week"] = [f"Between 1 and {MAX_HOURS_PER_WEEK} hours a week."]
    budget = _decimal(budget_eur)
    if budget is not None and (not budget.is_finite() or budget < 0 or budget >= Decimal("10000000")):
        errors["budget_eur"] = ["A budget in euros, zero or more."]
    if deadline is not None and deadline <= clock.now().date():
        errors["deadline"] = ["The deadline must be in the future."]
    codes = [str(code).strip() for code in languages if str(code).strip()]
    bad = [code for code in codes if not _LANGUAGE_CODE.match(code)]
    if bad or len(codes) > 10:
        errors["languages"] = [
            f"Language codes such as en or de (at most 10); not {', '.join(bad)}." if bad else "At most 10 languages."
        ]
    forms = list(dict.fromkeys(participation_forms))
    if any(form not in ParticipationForm.values for form in forms):
        errors["participation_forms"] = ["Choose from online, blended and onsite."]
    if objective not in Objective.values:
        errors["objective"] = ["Choose least_workload, least_cost or most_coverage."]
    providers = list(preferred_providers)
    if any(org.kind != OrganisationKind.PROVIDER for org in providers) or len(providers) > 20:
        errors["preferred_providers"] = ["Choose up to 20 providers."]
    if errors:
        raise ValidationFailed("Some constraints are not valid; see errors.", errors=errors)
    with transaction.atomic():
        goal = _goal_for_update(learner)
        goal.hours_per_week = hours_per_week
        goal.budget_eur = budget
        goal.deadline = deadline
        goal.languages = list(dict.fromkeys(code.lower() for code in codes))
        goal.participation_forms = forms
        goal.accredited_only = accredited_only
        goal.objective = objective
        full_clean_or_fail(goal, validate_unique=False)
        goal.save()
        goal.preferred_providers.set(providers)
        _refresh_after_commit(learner, "Your constraints changed.")
    return goal


def career_goal_update(
    *,
    actor: Actor,
    learner: User,
    kind: str | None,
    occupation: Occupation | str | int | None = None,
    posting_text: str = "",
    posting_title: str = "",
    skills: Iterable[tuple[Skill | str | int, str]] = (),
    constraints: Mapping[str, Any] | None = None,
) -> CareerGoal:
    """The target (unless ``kind`` is None) and the constraints (when given) in one transaction:
    either both change or neither. Constraint errors are keyed ``constraints.<field>``."""
    _require_self(actor, learner)
    if kind is None and constraints is None:
        raise ValidationFailed("Give a goal kind or constraints.", errors={"kind": ["Give a kind or constraints."]})
    with transaction.atomic():
        goal = None
        if kind is not None:
            goal = career_goal_set(
                actor=actor,
                learner=learner,
                kind=kind,
                occupation=occupation,
                posting_text=posting_text,
                posting_title=posting_title,
                skills=skills,
            )
        if constraints is not None:
            try:
                goal = career_goal_constraints_set(actor=actor, learner=learner, **constraints)
            except ValidationFailed as exc:
                exc.errors = {f"constraints.{key}": messages for key, messages in exc.errors.items()}
                raise
    assert goal is not None
    return goal


# -- the learning plan (ADR 0037) -------------------------------------------------------------


def _plan_fingerprint(planned: LearnerPlan) -> str:
    """What a plan was computed from: the goal's requirements, the verified levels, the limits and
    the completed micro-credentials. Equal fingerprints make the same plan, so nothing is re-proposed."""
    goal = planned.gap.goal
    assert goal is not None
    inputs = {
        "gap": [[i.skill.pk, i.required_level, i.verified_level] for i in planned.gap.items],
        "objective": planned.objective.value,
        "constraints": [
            goal.hours_per_week,
            str(goal.budget_eur) if goal.budget_eur is not None else None,
            goal.deadline.isoformat() if goal.deadline else None,
            sorted(goal.languages),
            sorted(goal.participation_forms),
            goal.accredited_only,
            sorted(p.pk for p in goal.preferred_providers.all()),
        ],
        "completed": sorted(planned.completed),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def _level_name(level: int) -> str:
    return PathwaysLevel(level).name.lower()


def _plan_rows(planned: LearnerPlan, *, fingerprint: str) -> dict[str, Any]:
    plan, catalogue, gap = planned.plan, planned.catalogue, planned.gap
    goal = gap.goal
    assert goal is not None
    labels = {str(item.skill.pk): item.skill.label for item in gap.items}
    extra = {c.skill for s in plan.steps for c in s.closes if c.skill not in labels}
    labels.update({str(pk): label for pk, label in Skill.objects.filter(pk__in=extra).values_list("pk", "label")})
    # The planner names offers and skills by id; the learner reads titles and labels.
    titles = {offer_id: mc.title for offer_id, mc in catalogue.microcredentials.items()}
    steps = []
    for step in plan.steps:
        mc = catalogue.microcredentials[step.offer.id]
        steps.append(
            {
                "position": step.position,
                "microcredential_id": mc.pk,
                "title": mc.title,
                "provider": mc.provider.name,
                "provider_slug": mc.provider.slug,
                "slug": mc.slug,
                "price": str(step.price),
                "currency": mc.currency,
                "hours": step.hours,
                "start": step.start.isoformat(),
                "finish": step.finish.isoformat(),
                "closes": [
                    {
                        "skill_id": int(c.skill),
                        "skill": labels.get(c.skill, c.skill),
                        "before": _level_name(c.before),
                        "after": _level_name(c.after),
                        "in_goal": c.in_goal,
                    }
                    for c in step.closes
                ],
                "why": [_words(text, titles, labels) for text in step.why_here],
                "after": [int(i) for i in step.after],
                "skipped": [{"title": s.title, "reason": s.reason} for s in step.skipped],
            }
        )
    return {
        "objective": planned.objective.value,
        "goal_snapshot": {
            "kind": goal.kind,
            "target": gap.target,
            "occupation_uri": goal.occupation.uri if goal.occupation else "",
            "fingerprint": fingerprint,
            "gap": [
                {
                    "skill_id": item.skill.pk,
                    "skill": item.skill.label,
                    "required": item.required_level,
                    "verified": item.verified_level,
                    "status": item.status,
                    "weight": item.weight,
                }
                for item in gap.items
            ],
        },
        "steps": steps,
        "totals": {
            "price": str(plan.total_price),
            "hours": plan.total_hours,
            "coverage": round(plan.coverage, 4),
            "closes_gap": plan.closes_gap,
            "finish": plan.schedule.finish.isoformat() if plan.schedule.finish else None,
            "meets_deadline": plan.meets_deadline,
            "method": plan.method,
            "optimality_gap": round(plan.optimality_gap, 6),
            "notes": [_words(n, titles, labels) for n in plan.notes],
            "programmes": [str(p) for p in plan.programmes],
            "sessions": [
                {
                    "offer_id": s.offer_id,
                    "title": s.title,
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "hours": s.hours,
                }
                for s in plan.schedule.sessions
            ],
        },
        "quality": plan.quality,
        "uncoverable": [
            {
                "skill_id": int(u.step.skill),
                "skill": labels.get(u.step.skill, u.step.skill),
                "level": _level_name(u.step.level),
                "reason": _words(u.reason, titles, labels),
            }
            for u in plan.uncoverable
        ],
    }


_ID_WORD = re.compile(r"\b\d+\b")


def _words(text: str, titles: Mapping[str, str], labels: Mapping[str, str]) -> str:
    """The planner's sentences name skills by id (``teach 12 at level``, ``needs 12 at beginner``):
    put the labels in. Numbers that name neither (step numbers, counts) stay."""
    text = re.sub(r"teach (\d+) at", lambda m: f"teach {labels.get(m.group(1), m.group(1))} at", text)
    text = re.sub(
        r"(needs|level order:) (\d+) at", lambda m: f"{m.group(1)} {labels.get(m.group(2), m.group(2))} at", text
    )
    return re.sub(r"prerequisite (\d+) is", lambda m: f"prerequisite {titles.get(m.group(1), m.group(1))} is", text)


def _plan_changes(old: LearningPlan, new: Mapping[str, Any]) -> list[str]:
    """What a learner should know about the plan that replaces theirs."""
    changes = []
    before = {s["microcredential_id"]: s["title"] for s in old.steps}
    after = {s["microcredential_id"]: s["title"] for s in new["steps"]}
    changes += [f"Added: {after[i]}." for i in after if i not in before]
    changes += [f"Dropped: {before[i]}." for i in before if i not in after]
    old_gap = {g["skill_id"]: g for g in old.goal_snapshot.get("gap", [])}
    for item in new["goal_snapshot"]["gap"]:
        previous = old_gap.get(item["skill_id"])
        if previous is not None and previous["status"] != "met" and item["status"] == "met":
            changes.append(f"{item['skill']} is now met by your verified evidence.")
        if previous is None:
            changes.append(f"Your goal now needs {item['skill']}.")
    gone = [g["skill"] for k, g in old_gap.items() if k not in {i["skill_id"] for i in new["goal_snapshot"]["gap"]}]
    if gone:
        changes.append(f"Your goal no longer needs {', '.join(gone)}.")
    if old.totals.get("price") != new["totals"]["price"]:
        changes.append(f"Total price: €{old.totals.get('price')} → €{new['totals']['price']}.")
    if old.totals.get("hours") != new["totals"]["hours"]:
        changes.append(f"Total workload: {old.totals.get('hours'):g} h → {new['totals']['hours']:g} h.")
    return changes or ["The path itself did not change."]


def plan_propose(
    *, actor: Actor, learner: User | None = None, today: date, objective: str | None = None, trigger: str = ""
) -> LearningPlan:
    """Compute the best path to the learner's goal and store it as their current plan; the plan it
    replaces is marked superseded, and the new one lists what changed."""
    learner = learner or actor  # type: ignore[assignment]
    assert learner is not None
    _require_self(actor, learner)
    if objective is not None and objective not in Objective.values:
        raise ValidationFailed(
            f"Unknown objective “{objective}”.",
            errors={"objective": ["Choose least_workload, least_cost or most_coverage."]},
        )
    planned = learner_plan(user=learner, today=today, objective=objective)
    if planned is None:
        raise Conflict("Choose a goal that names skills first: an occupation, a posting or skills.", code="no_goal")
    return _plan_store(learner, planned, trigger=trigger or "You asked for a plan.")


def _plan_store(learner: User, planned: LearnerPlan, *, trigger: str, note: str = "") -> LearningPlan:
    rows = _plan_rows(planned, fingerprint=_plan_fingerprint(planned))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=learner.pk).first()  # one proposal at a time per learner
        previous = LearningPlan.objects.filter(user=learner, status=PlanStatus.CURRENT).order_by("-pk").first()
        changes = _plan_changes(previous, rows) if previous is not None else []
        plan = LearningPlan.objects.create(
            user=learner, trigger=trigger, changes=[*changes, note] if note else changes, **rows
        )
        if previous is not None:
            LearningPlan.objects.filter(user=learner, status=PlanStatus.CURRENT).exclude(pk=plan.pk).update(
                status=PlanStatus.SUPERSEDED, superseded_by=plan, updated_at=clock.now()
            )
    return plan


def plan_accept(*, actor: Actor, plan: LearningPlan) -> LearningPlan:
    """The learner takes this plan on; only their current plan can be accepted, and once."""
    _require_self(actor, plan.user)
    with transaction.atomic():
        locked = LearningPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != PlanStatus.CURRENT:
            raise Conflict("A newer plan replaced this one: accept that one instead.", code="plan_superseded")
        if locked.accepted_at is None:
            locked.accepted_at = clock.now()
            locked.save(update_fields=["accepted_at", "updated_at"])
            audit_record(actor=actor, action="learning_plan.accept", target=locked)
    return locked


def plan_refresh(*, actor: Actor, learner: User, today: date, trigger: str) -> LearningPlan | None:
    """Re-propose the learner's plan when what it was computed from changed (their goal, their
    verified skills); a learner who never asked for a plan gets none, and an unchanged input
    changes nothing. A goal with no skills left supersedes the plan without a successor."""
    current = LearningPlan.objects.filter(user=learner, status=PlanStatus.CURRENT).order_by("-pk").first()
    if current is None:
        return None
    planned = learner_plan(user=learner, today=today)
    if planned is None:
        with transaction.atomic():
            LearningPlan.objects.filter(pk=current.pk).update(status=PlanStatus.SUPERSEDED, updated_at=clock.now())
        return None
    if _plan_fingerprint(planned) == current.goal_snapshot.get("fingerprint"):
        return current
    # A learner who had accepted the old path accepts the new one themselves.
    note = "You had accepted the previous plan: review this one and accept it." if current.accepted_at else ""
    return _plan_store(learner, planned, trigger=trigger, note=note)


def _refresh_after_commit(learner: User, trigger: str) -> None:
    """Re-plan once the change commits: a slow or failing planner never undoes the change, and the
    nested goal services (an update sets the target, then the limits) plan once (equal inputs
    change nothing)."""

    def refresh() -> None:
        plan_refresh(actor=SYSTEM, learner=learner, today=clock.now().date(), trigger=trigger)

    transaction.on_commit(refresh, robust=True)


# Credentials whose learners may need a new plan, gathered in the issuing transaction and looked up
# together once it commits: a cohort of thousands costs one query per chunk it commits, not one per
# credential, and queues no task. Per thread, as Django's connections are.
_gathering = threading.local()
LOOKUP_BATCH: Final = 1000


def _refresh_for_credential(credential_id: int, trigger: str) -> None:
    connection = transaction.get_connection()
    gathered = getattr(_gathering, "current", None)
    # Still this transaction's look-up? Django keeps the callbacks waiting for the commit in
    # ``run_on_commit`` as (savepoints, callback, robust) and drops them on a rollback, so a
    # rolled-back transaction's credentials are never looked up.
    if (
        gathered is not None
        and connection.in_atomic_block
        and any(waiting[1] is gathered[0] for waiting in connection.run_on_commit)
    ):
        gathered[1][credential_id] = trigger
        return
    triggers = {credential_id: trigger}
    callback = functools.partial(_refresh_for_changed_credentials, triggers)
    _gathering.current = (callback, triggers)
    transaction.on_commit(callback)


def _refresh_for_changed_credentials(triggers: dict[int, str]) -> None:
    gathered = getattr(_gathering, "current", None)
    if gathered is not None and gathered[1] is triggers:
        _gathering.current = None  # looked up: a later change gathers anew
    ids = list(triggers)
    planners = LearningPlan.objects.filter(status=PlanStatus.CURRENT).values("user_id")
    for start in range(0, len(ids), LOOKUP_BATCH):
        batch = ids[start : start + LOOKUP_BATCH]
        for credential in Credential.objects.filter(pk__in=batch, user_id__in=planners).select_related(
            "user", "microcredential"
        ):
            _refresh_after_commit(
                credential.user,
                triggers[credential.pk].format(title=credential.microcredential.title, credential=credential),
            )


def plan_refresh_on_credential_issued(event: events.CredentialIssued) -> None:
    """Subscribes to ``CredentialIssued`` (``config/events.py``): a new credential may close part
    of the gap, so the learner's current plan is proposed again once the credential is committed."""
    _refresh_for_credential(event.credential_id, "You earned “{title}”.")


def plan_refresh_on_credential_status_changed(event: events.CredentialStatusChanged) -> None:
    """Subscribes to a credential's revocation, suspension and reinstatement: the skills it proves
    stop (or start again) counting, so the current plan is proposed again after the change commits."""
    _refresh_for_credential(event.credential_id, "Your credential “{title}” is now {credential.status}.")


def plan_refresh_on_placement_passed(event: events.AttemptGraded) -> None:
    """Subscribes to ``AttemptGraded`` in the transaction: a passed placement quiz proves its
    micro-credential's skills (issue 9 §7), so a learner with a plan is re-planned once the grade
    commits, and the plan page says why. Any other attempt costs nothing more than this check."""
    if not event.passed:
        return
    attempt = (
        Attempt.objects.filter(pk=event.attempt_id, quiz__placement=True)
        .select_related("user", "quiz__lesson__module__microcredential")
        .first()
    )
    if attempt is None or not LearningPlan.objects.filter(user=attempt.user, status=PlanStatus.CURRENT).exists():
        return
    microcredential = attempt.quiz.lesson.module.microcredential
    _refresh_after_commit(
        attempt.user, f"You passed the placement quiz of “{microcredential.title}”: you can skip that course."
    )


def plan_step_enrol(*, actor: Actor, plan: LearningPlan, microcredential_id: int) -> Enrolment:
    """Enrol the learner in a step of their plan through the learning service (which refuses a
    micro-credential no longer open); a micro-credential that is not a step of the plan is refused."""
    _require_self(actor, plan.user)
    if microcredential_id not in {step["microcredential_id"] for step in plan.steps}:
        raise ValidationFailed("That is not a step of this plan.", errors={"step": ["Not a step of this plan."]})
    microcredential = microcredential_get(pk=microcredential_id)
    return enrolment_create(actor=actor, microcredential=microcredential)
