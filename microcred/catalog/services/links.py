"""Links between offers: structured prerequisites ("builds on") and stackable programmes.

Both name an offer by one of its versions and mean the offer (its ``family``): a new version of a
prerequisite or a member keeps the link. A version's prerequisites belong to the version, as its
skills do (copied into a new draft version); a programme is not versioned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from django.db import transaction

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.accounts.permissions import Actor, require_org_role
from microcred.core.actors import is_system
from microcred.core.errors import AuthenticationRequired, PermissionDenied, ValidationFailed
from microcred.core.services import audit_record

from ..models import MicroCredential, MicroCredentialPrerequisite, Programme, ProgrammeMember, Status
from ._common import _clean_and_save

PROGRAMME_FIELDS: Final[frozenset[str]] = frozenset({"slug", "title", "description", "leads_to"})
# A stack of one is not a programme.
PROGRAMME_MIN_MEMBERS: Final = 2


def _distinct_families(mcs: Iterable[MicroCredential]) -> list[MicroCredential]:
    seen: set[Any] = set()
    distinct = []
    for mc in mcs:
        if mc.family not in seen:
            seen.add(mc.family)
            distinct.append(mc)
    return distinct


def _builds_on_family(start_families: set[Any], target: Any) -> bool:
    """Whether an offer of ``start_families`` already builds on ``target``, directly or not (any version)."""
    seen: set[Any] = set()
    frontier = set(start_families)
    while frontier:
        if target in frontier:
            return True
        seen |= frontier
        links = MicroCredentialPrerequisite.objects.filter(microcredential__family__in=frontier)
        frontier = set(links.values_list("required__family", flat=True)) - seen
    return False


def _refuse(message: str, code: str) -> None:
    raise ValidationFailed(message, errors={"builds_on": [message]}, code=code)


def prerequisites_replace(*, mc: MicroCredential, required: Sequence[MicroCredential]) -> None:
    """Set a draft version's prerequisites (called inside the micro-credential services, which have
    checked the actor's role on ``mc``). A prerequisite is a published offer (or one of the same
    provider's, which may still be a draft in an import), never the offer itself, and never one
    that already builds on it: a cycle could never be started."""
    chosen = _distinct_families(required)
    for other in chosen:
        if other.family == mc.family:
            _refuse("A micro-credential cannot build on itself.", "self_prerequisite")
        if other.status != Status.PUBLISHED and other.provider_id != mc.provider_id:
            _refuse(
                f"{other.title} is not published; only published micro-credentials can be prerequisites.",
                "prerequisite_not_published",
            )
        if _builds_on_family({other.family}, mc.family):
            _refuse(
                f"{other.title} already builds on {mc.title}: the two cannot require each other.",
                "prerequisite_cycle",
            )
    MicroCredentialPrerequisite.objects.filter(microcredential=mc).delete()
    MicroCredentialPrerequisite.objects.bulk_create(
        MicroCredentialPrerequisite(microcredential=mc, required=other, position=i) for i, other in enumerate(chosen)
    )


def prerequisites_copy(*, source: MicroCredential, target: MicroCredential) -> None:
    """Into a new draft version, with its skills."""
    MicroCredentialPrerequisite.objects.bulk_create(
        MicroCredentialPrerequisite(microcredential=target, required_id=link.required_id, position=link.position)
        for link in source.prerequisite_links.all()
    )


# -- programmes ---------------------------------------------------------------------------------


def _require_programme_manager(actor: Actor, provider: Organisation | None) -> None:
    """A provider's staff manage its programmes; shared ones belong to the platform's administrators."""
    if provider is not None:
        require_org_role(actor, provider)
        return
    if is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only the platform's administrators manage shared programmes.")


def _replace_members(programme: Programme, microcredentials: Sequence[MicroCredential]) -> None:
    members = _distinct_families(microcredentials)
    if len(members) < PROGRAMME_MIN_MEMBERS:
        message = f"A programme stacks at least {PROGRAMME_MIN_MEMBERS} micro-credentials."
        raise ValidationFailed(message, errors={"microcredentials": [message]}, code="programme_too_small")
    if programme.provider_id is not None:
        foreign = [mc.title for mc in members if mc.provider_id != programme.provider_id]
        if foreign:
            message = f"A provider's programme stacks its own micro-credentials; not: {', '.join(foreign)}."
            raise ValidationFailed(message, errors={"microcredentials": [message]}, code="programme_foreign_member")
    ProgrammeMember.objects.filter(programme=programme).delete()
    ProgrammeMember.objects.bulk_create(
        ProgrammeMember(programme=programme, microcredential=mc, position=i) for i, mc in enumerate(members)
    )


@transaction.atomic
def programme_create(
    *,
    actor: Actor,
    provider: Organisation | None,
    microcredentials: Sequence[MicroCredential],
    **fields: Any,
) -> Programme:
    _require_programme_manager(actor, provider)
    if provider is not None and provider.kind != OrganisationKind.PROVIDER:
        raise ValidationFailed("Only a provider offers programmes.")
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown programme fields: {', '.join(sorted(unknown))}.")
    if Programme.objects.filter(provider=provider, slug=fields.get("slug", "")).exists():
        raise ValidationFailed("A programme with that slug exists already.", errors={"slug": ["Already used."]})
    programme = Programme(provider=provider, **fields)
    _clean_and_save(programme, validate_constraints=False)
    _replace_members(programme, microcredentials)
    audit_record(actor=actor, action="programme.create", target=programme, title=programme.title)
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: Actor,
    programme: Programme,
    microcredentials: Sequence[MicroCredential] | None = None,
    **fields: Any,
) -> Programme:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_programme_manager(actor, programme.provider)
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown programme fields: {', '.join(sorted(unknown))}.")
    if "slug" in fields and fields["slug"] != programme.slug:
        raise ValidationFailed("The slug of a programme cannot change.", errors={"slug": ["Read only."]})
    for key, value in fields.items():
        setattr(programme, key, value)
    _clean_and_save(programme, validate_constraints=False)
    if microcredentials is not None:
        _replace_members(programme, microcredentials)
    audit_record(actor=actor, action="programme.update", target=programme, fields=sorted(fields))
    return programme


@transaction.atomic
def programme_delete(*, actor: Actor, programme: Programme) -> None:
    _require_programme_manager(actor, programme.provider)
    audit_record(actor=actor, action="programme.delete", target=programme, title=programme.title)
    programme.delete()
