"""A micro-credential's skill alignments, one at a time: what the author accepts from the
suggestions panel (``selectors.microcredential_skill_suggestions``) or the API."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from microcred.accounts.permissions import Actor, require_org_role
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.core.services import audit_record
from microcred.skills.models import Level, Skill

from ..models import MicroCredential, MicroCredentialSkill, Status
from .microcredentials import microcredential_new_version


@transaction.atomic
def microcredential_skill_add(
    *, actor: Actor, microcredential: MicroCredential, skill_id: int, level: str
) -> MicroCredential:
    """Align a micro-credential with one more skill at ``level``; returns the version changed.

    The catalog's editing rule holds: a draft changes in place, a published version's change goes
    to its family's draft (made now if there is none), and an archived version never changes. The
    skill must be one the provider may align with: a shared framework's or the provider's own
    (another provider's private framework answers 404, like any foreign object). A skill already
    aligned is a conflict, not a silent change of its level."""
    mc = MicroCredential.objects.select_for_update().get(pk=microcredential.pk)
    require_org_role(actor, mc.provider)
    if level not in Level.values:
        raise ValidationFailed(f"Unknown level {level!r}.", errors={"level": ["Unknown level."]})
    skill = (
        Skill.objects.filter(pk=skill_id)
        .filter(Q(framework__owner__isnull=True) | Q(framework__owner=mc.provider_id))
        .first()
    )
    if skill is None:
        raise NotFound("Skill not found.", id=skill_id)
    if mc.status == Status.ARCHIVED:
        raise Conflict(
            f"v{mc.version} is archived and stays as it was; edit the latest version instead.",
            code="archived_is_read_only",
        )
    if mc.status != Status.DRAFT:
        mc = microcredential_new_version(actor=actor, microcredential=mc)
    if MicroCredentialSkill.objects.filter(microcredential=mc, skill=skill).exists():
        raise Conflict(f"v{mc.version} is already aligned with “{skill.label}”.", code="skill_already_aligned")
    MicroCredentialSkill.objects.create(microcredential=mc, skill=skill, target_level=level)
    audit_record(
        actor=actor, action="microcredential.skill_add", target=mc, skill=skill.uri, level=level, version=mc.version
    )
    return mc
