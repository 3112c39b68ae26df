"""Micro-credentials and their versions: create, edit (a published one gets a new draft
version), publish, archive, delete."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.accounts.permissions import Actor, require_org_role
from microcred.core import events
from microcred.core.clock import now
from microcred.core.errors import Conflict, ValidationFailed
from microcred.core.services import audit_record
from microcred.skills.models import Level, Skill

from ..models import Lesson, MicroCredential, MicroCredentialSkill, Status
from ._common import EDITABLE_FIELDS, _check_fields, _clean_and_save, _normalise, _require_draft
from .content import lessons_removing
from .links import prerequisites_copy, prerequisites_replace


@transaction.atomic
def microcredential_create(
    *,
    actor: Actor,
    provider: Organisation,
    skills: list[tuple[Skill, str]] | None = None,
    builds_on: Sequence[MicroCredential] | None = None,
    **fields: Any,
) -> MicroCredential:
    """``builds_on``: the structured prerequisites (other offers); ``prerequisites`` stays the EU free text."""
    require_org_role(actor, provider)
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationFailed("Only a provider offers micro-credentials.")
    _check_fields(fields, EDITABLE_FIELDS, "micro-credential")
    fields = _normalise(fields)
    fields.setdefault("awarding_body", provider.name)
    fields.setdefault("country", provider.country)
    if MicroCredential.objects.filter(provider=provider, slug=fields.get("slug", "")).exists():
        raise ValidationFailed(
            "This provider already has a micro-credential with that slug.", errors={"slug": ["Already used."]}
        )
    mc = MicroCredential(provider=provider, **fields)
    _clean_and_save(mc)
    for skill, level in skills or []:
        _link_skill(mc, skill, level)
    if builds_on:
        prerequisites_replace(mc=mc, required=builds_on)
    audit_record(actor=actor, action="microcredential.create", target=mc, title=mc.title)
    return mc


def _link_skill(mc: MicroCredential, skill: Skill, level: str) -> None:
    if level not in Level.values:
        raise ValidationFailed(f"Unknown level {level!r}.", errors={"target_level": ["Unknown level."]})
    MicroCredentialSkill.objects.update_or_create(microcredential=mc, skill=skill, defaults={"target_level": level})


def microcredential_has_learners(*, mc: MicroCredential) -> bool:
    return mc.enrolments.exists()


@transaction.atomic
def microcredential_update(
    *,
    actor: Actor,
    microcredential: MicroCredential,
    skills: list[tuple[Skill, str]] | None = None,
    builds_on: Sequence[MicroCredential] | None = None,
    **fields: Any,
) -> MicroCredential:
    """Edit a micro-credential. A published one is never changed in place: the edit goes to a
    new draft version (or the existing newer draft), which must be published to replace it."""
    mc = MicroCredential.objects.select_for_update().get(pk=microcredential.pk)
    require_org_role(actor, mc.provider)
    _check_fields(fields, EDITABLE_FIELDS, "micro-credential")
    fields = _normalise(fields)
    if mc.status != Status.DRAFT:
        mc = microcredential_new_version(actor=actor, microcredential=mc)
    if "slug" in fields and fields["slug"] != mc.slug:
        raise ValidationFailed("The slug of a micro-credential cannot change.", errors={"slug": ["Read only."]})
    for key, value in fields.items():
        setattr(mc, key, value)
    _clean_and_save(mc)
    if skills is not None:
        MicroCredentialSkill.objects.filter(microcredential=mc).delete()
        for skill, level in skills:
            _link_skill(mc, skill, level)
    if builds_on is not None:
        prerequisites_replace(mc=mc, required=builds_on)
    changed = sorted(fields) + (["builds_on"] if builds_on is not None else [])
    audit_record(actor=actor, action="microcredential.update", target=mc, fields=changed)
    return mc


@transaction.atomic
def microcredential_fingerprint_record(*, actor: Actor, microcredential: MicroCredential, fingerprint: str) -> None:
    """Remember which import document this version was made from, so re-importing it is a no-op.
    Not audited: the create or update it follows is."""
    require_org_role(actor, microcredential.provider)
    MicroCredential.objects.filter(pk=microcredential.pk).update(import_fingerprint=fingerprint)
    microcredential.import_fingerprint = fingerprint


@transaction.atomic
def microcredential_new_version(*, actor: Actor, microcredential: MicroCredential) -> MicroCredential:
    """Copy a version with its skills, modules and lessons into a new draft version; ``LessonsCopied``
    lets assessment copy each quiz lesson's quiz."""
    require_org_role(actor, microcredential.provider)
    existing_draft = (
        MicroCredential.objects.filter(family=microcredential.family, status=Status.DRAFT).order_by("-version").first()
    )
    if existing_draft is not None:
        return existing_draft
    source = microcredential
    latest = MicroCredential.objects.filter(family=source.family).aggregate(v=Max("version"))["v"] or 0
    new = MicroCredential.objects.get(pk=source.pk)
    new.pk = None
    new.id = None
    new.version = latest + 1
    new.public_id = uuid.uuid4()  # each version is its own achievement, at its own URL
    new.status = Status.DRAFT
    new.published_at = None
    new._state.adding = True
    new.save()
    for link in source.skill_links.all():
        MicroCredentialSkill.objects.create(microcredential=new, skill_id=link.skill_id, target_level=link.target_level)
    prerequisites_copy(source=source, target=new)
    copies: list[tuple[int, int]] = []
    for module in source.modules.prefetch_related("lessons"):
        lessons = list(module.lessons.all())
        module.pk = None
        module.id = None
        module.microcredential = new
        module._state.adding = True
        module.save()
        for lesson in lessons:
            source_id = lesson.pk
            lesson.pk = None
            lesson.id = None
            lesson.module = module
            lesson._state.adding = True
            lesson.save()
            copies.append((source_id, lesson.pk))
    if copies:
        events.emit(events.LessonsCopied(actor=actor, copies=tuple(copies)))
    audit_record(actor=actor, action="microcredential.new_version", target=new, source_version=source.version)
    return new


@transaction.atomic
def microcredential_publish(*, actor: Actor, microcredential: MicroCredential) -> MicroCredential:
    mc = MicroCredential.objects.select_for_update().get(pk=microcredential.pk)
    require_org_role(actor, mc.provider)
    if mc.status == Status.PUBLISHED:
        return mc
    if mc.status == Status.ARCHIVED:
        raise Conflict("An archived version cannot be published again; edit the latest version instead.")
    lessons = Lesson.objects.filter(module__microcredential=mc)
    if not lessons.exists():
        raise ValidationFailed("Add at least one lesson before publishing.")
    if not mc.learning_outcomes:
        raise ValidationFailed("Add learning outcomes before publishing.", errors={"learning_outcomes": ["Required."]})
    if mc.overall_pass_mark is not None and not lessons.filter(required=True, weight__isnull=False).exists():
        # Only quizzes and assignments carry a weight (``Lesson.clean``): without one there is no
        # weighted score, and a pass mark on it could never be met nor checked.
        raise ValidationFailed(
            "An overall pass mark needs a weight on at least one required quiz or assignment.",
            errors={"overall_pass_mark": ["Give a required quiz or assignment a weight, or clear the pass mark."]},
            code="pass_mark_without_weights",
        )
    # What hangs on the lessons (a quiz's attempt rules) may refuse the publication.
    events.emit(events.MicroCredentialPublishing(actor=actor, microcredential_id=mc.pk))
    MicroCredential.objects.filter(family=mc.family, status=Status.PUBLISHED).exclude(pk=mc.pk).update(
        status=Status.ARCHIVED
    )
    mc.status = Status.PUBLISHED
    mc.published_at = now()
    mc.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="microcredential.publish", target=mc, version=mc.version)
    return mc


@transaction.atomic
def microcredential_archive(*, actor: Actor, microcredential: MicroCredential) -> MicroCredential:
    require_org_role(actor, microcredential.provider)
    microcredential.status = Status.ARCHIVED
    microcredential.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="microcredential.archive", target=microcredential)
    return microcredential


@transaction.atomic
def microcredential_delete(*, actor: Actor, microcredential: MicroCredential) -> None:
    """Remove a draft version nobody is enrolled in, with its modules, lessons and their quizzes.
    Published and archived versions are evidence for issued credentials and stay."""
    mc = MicroCredential.objects.select_for_update().get(pk=microcredential.pk)
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    if microcredential_has_learners(mc=mc) or mc.credentials.exists():
        raise Conflict("Learners are enrolled in this micro-credential; it is kept.", code="has_learners")
    lessons_removing(
        actor=actor, lesson_ids=list(Lesson.objects.filter(module__microcredential=mc).values_list("pk", flat=True))
    )
    audit_record(actor=actor, action="microcredential.delete", target=mc, title=mc.title, version=mc.version)
    mc.delete()
