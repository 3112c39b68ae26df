"""Reads of credentials: a learner's own, an issuer's issued ones, and what a viewer may see."""

from __future__ import annotations

import contextlib
import uuid as uuid_module
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.db.models import Q, QuerySet

from microcred.accounts.models import Membership, Organisation, OrganisationKind, Visibility
from microcred.accounts.permissions import STAFF_ROLES, has_org_role
from microcred.accreditation.models import Accreditation
from microcred.accreditation.selectors import current_accreditations_q
from microcred.catalog.models import MicroCredential
from microcred.catalog.selectors import ACHIEVEMENT_NOT_FOUND
from microcred.core.errors import NotFound
from microcred.learning.models import Completion

from . import links
from .models import AccreditationEndorsement, Credential, CredentialStatus, HolderName, IssuerKey, PageVisibility


def _parse_uuid(value: Any) -> uuid_module.UUID:
    try:
        return value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(str(value))
    except ValueError as exc:
        raise NotFound("Credential not found.") from exc


def _with_related(qs: QuerySet[Credential]) -> QuerySet[Credential]:
    return qs.select_related("microcredential", "issuer", "issuer_key", "user__profile")


def current_endorsement_documents(*, provider: Organisation, today: date) -> list[dict[str, Any]]:
    """The signed endorsements of the provider's accreditations that are current on ``today``
    (the same ones its description names), by accreditor; one query."""
    current = Accreditation.objects.filter(current_accreditations_q(today), provider=provider).values("pk")
    rows = AccreditationEndorsement.objects.filter(accreditation__in=current, revoked_at__isnull=True).order_by(
        "accreditation__accreditor__name", "accreditation_id"
    )
    return [row.document for row in rows.only("document")]


def endorsement_get_public(*, uuid: Any) -> AccreditationEndorsement:
    """Any endorsement by its id (revoked ones too: their status list says so)."""
    try:
        key = _parse_uuid(uuid)
    except NotFound as exc:
        raise NotFound("Endorsement not found.") from exc
    endorsement = AccreditationEndorsement.objects.filter(uuid=key).first()
    if endorsement is None:
        raise NotFound("Endorsement not found.")
    return endorsement


def credential_get_public(*, uuid: Any) -> Credential:
    """Any credential by its unguessable id: holders share its URL, anyone may look it up."""
    # The id is unique: ``get`` asks for no ORDER BY (``first`` would), and what its public page
    # and documents show needs no signing key.
    related = Credential.objects.select_related("microcredential", "issuer", "user__profile")
    try:
        return related.get(uuid=_parse_uuid(uuid))
    except Credential.DoesNotExist as exc:
        raise NotFound("Credential not found.") from exc


def credential_for_viewer(*, uuid: Any, viewer: Any) -> Credential:
    """A credential's page and documents as ``viewer`` may open them: a private one only for its
    holder, and the same not-found as an unknown id for anyone else (nothing tells it exists)."""
    record = credential_get_public(uuid=uuid)
    if record.page_visibility == PageVisibility.PRIVATE and not _is_holder(record, viewer):
        raise NotFound("Credential not found.")
    return record


def _is_holder(credential: Credential, viewer: Any) -> bool:
    return bool(getattr(viewer, "is_authenticated", False)) and viewer.pk == credential.user_id


# What the public page of a credential shows, beyond the credential's own immutable document:
# its status, the version it awards, the issuer, and the holder's name with their profile's
# visibility. Any change to one of these is a new version of the page.
_PAGE_VERSION_FIELDS = (
    "updated_at",
    "status",
    "status_reason",
    "status_changed_at",
    "valid_from",
    "valid_until",
    "microcredential__updated_at",
    "microcredential__status",
    "microcredential__slug",
    "microcredential__title",
    "microcredential__eqf_level",
    "microcredential__workload_hours",
    "microcredential__ects",
    "microcredential__assessment_type",
    "microcredential__participation_form",
    "microcredential__quality_assurance",
    "microcredential__country",
    "issuer__updated_at",
    "issuer__slug",
    "issuer__name",
    "user__full_name",
    "user__email",
    "user__profile__visibility",
    "holder_name",
    "page_visibility",
)


class CredentialPageVersion(NamedTuple):
    stamp: tuple[Any, ...]  # the values of _PAGE_VERSION_FIELDS
    valid_from: datetime
    valid_until: datetime | None
    private: bool
    credential_id: int  # the row's id, which the page's view counter is kept under


def credential_page_version(*, uuid: Any) -> CredentialPageVersion | None:
    """Everything that can change a credential's public page, read in one light query (no
    document, no model objects); None when there is no such credential."""
    try:
        key = _parse_uuid(uuid)
    except NotFound:
        return None
    found = next(iter(Credential.objects.filter(uuid=key).values_list("pk", *_PAGE_VERSION_FIELDS)[:1]), None)
    if found is None:
        return None
    credential_id, *values = found
    row = tuple(values)
    fields = dict(zip(_PAGE_VERSION_FIELDS, row, strict=True))
    private = fields["page_visibility"] == PageVisibility.PRIVATE
    return CredentialPageVersion(row, fields["valid_from"], fields["valid_until"], private, credential_id)


def microcredential_get_by_legacy_achievement_url(*, pk: int) -> MicroCredential:
    """The version behind ``/achievements/<pk>``, served only because credentials issued before
    public ids were signed with that URL as their achievement id (anything else there answers
    not-found, so counting ids finds nothing new). Every such credential is older than every
    credential naming the public id, so the version's first credential tells."""
    first = (
        Credential.objects.filter(microcredential_id=pk)
        .select_related("microcredential__provider", "microcredential__industry")
        .order_by("pk")
        .first()
    )
    if first is None:
        raise NotFound(ACHIEVEMENT_NOT_FOUND)
    achievement = first.document.get("credentialSubject", {}).get("achievement", {})
    if achievement.get("id") != links.legacy_achievement_url(pk):
        raise NotFound(ACHIEVEMENT_NOT_FOUND)
    return first.microcredential


def credential_of_completion(*, completion: Completion) -> Credential | None:
    """The credential awarded for a completion; None until it is issued."""
    return Credential.objects.filter(completion=completion).first()


def credentials_of(*, actor: Any) -> QuerySet[Credential]:
    if not getattr(actor, "is_authenticated", False):
        return Credential.objects.none()
    return _with_related(Credential.objects.filter(user=actor)).order_by("-issued_at", "-id")


def access_own_credential(*, actor: Any, uuid: Any) -> Credential:
    credential = credentials_of(actor=actor).filter(uuid=_parse_uuid(uuid)).first()
    if credential is None:
        raise NotFound("Credential not found.")
    return credential


def access_issuer_for_staff(*, actor: Any, slug: str, roles: tuple[str, ...] = tuple(STAFF_ROLES)) -> Organisation:
    """The organisation, if the actor is its owner or instructor; else not-found, so the
    management pages of issuers one does not belong to do not even confirm they exist."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if (
        organisation is None
        or not getattr(actor, "is_authenticated", False)
        or not has_org_role(actor, organisation, roles)
    ):
        raise NotFound("Issuer not found.")
    return organisation


def issued_credentials(*, organisation: Organisation, q: str = "", status: str = "") -> QuerySet[Credential]:
    qs = _with_related(Credential.objects.filter(issuer=organisation))
    text = q.strip()
    if text:
        condition = (
            Q(user__email__icontains=text)
            | Q(user__full_name__icontains=text)
            | Q(microcredential__title__icontains=text)
        )
        with contextlib.suppress(ValueError):
            condition |= Q(uuid=uuid_module.UUID(text))
        qs = qs.filter(condition)
    if status in CredentialStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-issued_at", "-id")


def access_issued_credential(*, organisation: Organisation, uuid: Any) -> Credential:
    credential = issued_credentials(organisation=organisation).filter(uuid=_parse_uuid(uuid)).first()
    if credential is None:
        raise NotFound("Credential not found.")
    return credential


def keys_of(*, organisation: Organisation) -> list[IssuerKey]:
    return list(IssuerKey.objects.filter(organisation=organisation).order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class DisplayStatus:
    """What a person should be told about a credential right now."""

    code: str  # valid, revoked, suspended, expired
    label: str
    reason: str
    since: datetime | None

    @property
    def is_valid(self) -> bool:
        return self.code == "valid"

    @property
    def badge_class(self) -> str:
        return {"valid": "badge-success", "suspended": "badge-warning", "expired": "badge-outline"}.get(
            self.code, "badge-danger"
        )

    def no_download(self, thing: str) -> str:
        """Why a download made only for a credential that holds (a ``thing``: certificate, badge
        image) is refused: the status first, the issuer's reason for a revocation or suspension."""
        why = {
            "revoked": "The issuer revoked this credential",
            "suspended": "The issuer has suspended this credential",
            "expired": "This credential has expired",
            "not-yet-valid": "This credential is not valid yet",
        }.get(self.code, f"This credential is {self.label.lower()}")
        reason = self.reason.strip().rstrip(".")
        detail = f" ({reason})" if reason and self.code in ("revoked", "suspended") else ""
        return (
            f"{why}{detail}, so it has no {thing} to download: a {thing} is only made for a credential "
            "that holds. Its page shows its status."
        )


def display_status(credential: Credential, *, now: datetime) -> DisplayStatus:
    """Revocation wins over suspension, which wins over expiry (the most final reason first)."""
    if credential.status == CredentialStatus.REVOKED:
        return DisplayStatus("revoked", "Revoked", credential.status_reason, credential.status_changed_at)
    if credential.status == CredentialStatus.SUSPENDED:
        return DisplayStatus("suspended", "Suspended", credential.status_reason, credential.status_changed_at)
    if credential.valid_until is not None and now > credential.valid_until:
        return DisplayStatus("expired", "Expired", "Its validity period has ended.", credential.valid_until)
    if now < credential.valid_from:
        return DisplayStatus("not-yet-valid", "Not yet valid", "", credential.valid_from)
    return DisplayStatus("valid", "Valid", "", None)


IDENTITY_TYPE_NAMES = {"emailAddress": "e-mail address", "telephone": "telephone number", "url": "web address"}


@dataclass(frozen=True)
class ProvenRecipient:
    """Who a credential's signature says it was awarded to, in words: the identity it carries."""

    description: str
    identity_type: str  # as signed, e.g. "emailAddress"; "" when the subject has none

    @property
    def checkable_by_email(self) -> bool:
        return self.identity_type == "emailAddress"


def proven_recipient(document: dict[str, Any]) -> ProvenRecipient:
    """The recipient as the signed ``credentialSubject`` names it. Ours carry a salted hash of
    the e-mail address and no name, so a name on a page is never something the issuer proved."""
    subject = document.get("credentialSubject") or {}
    for identity in subject.get("identifier") or []:
        identity_type = str(identity.get("identityType") or "")
        kind = IDENTITY_TYPE_NAMES.get(identity_type, identity_type or "identifier")
        article = "a hashed" if identity.get("hashed") else ("an" if kind[:1] in "aeiou" else "a")
        return ProvenRecipient(f"the holder of {article} {kind}", identity_type)
    if subject.get("id"):
        return ProvenRecipient(f"the holder of {subject['id']}", "")
    return ProvenRecipient("an unnamed recipient", "")


def learner_name_for(credential: Credential, *, viewer: Any) -> str | None:
    """The name ``viewer`` sees on the credential's page: the holder always sees their own; others
    see it as the holder chose for this credential (for older ones, as their profile says)."""
    if _is_holder(credential, viewer):
        return _name_of(credential)
    return _name_shown_to(credential, viewer)


def name_others_see(credential: Credential) -> str | None:
    """What a visitor who is not signed in sees in place of the holder's name (None: no name), so
    the holder is told, on their own page, what others are shown."""
    return _name_shown_to(credential, None)


def _name_of(credential: Credential) -> str:
    return credential.user.full_name or credential.user.display_name


def _name_shown_to(credential: Credential, viewer: Any) -> str | None:
    if credential.holder_name == HolderName.SHOWN:
        return _name_of(credential)
    if credential.holder_name == HolderName.HIDDEN:
        return None
    profile = getattr(credential.user, "profile", None)
    visibility = profile.visibility if profile is not None else Visibility.PRIVATE
    if visibility == Visibility.PUBLIC:
        return _name_of(credential)
    if visibility == Visibility.EMPLOYERS and getattr(viewer, "is_authenticated", False):
        is_employer = Membership.objects.filter(user=viewer, organisation__kind=OrganisationKind.EMPLOYER).exists()
        if is_employer:
            return _name_of(credential)
    return None


def linkedin_add_url(credential: Credential) -> str:
    """LinkedIn "Add to profile" for a certification (DIGEST §6); months are 1-12.

    ``organizationId`` links the certification to the issuer's LinkedIn page (and shows its
    logo); LinkedIn then ignores a name, so ``organizationName`` is sent only without an id."""
    params: dict[str, str | int] = {"startTask": "CERTIFICATION_NAME", "name": credential.microcredential.title}
    if credential.issuer.linkedin_organization_id:
        params["organizationId"] = credential.issuer.linkedin_organization_id
    else:
        params["organizationName"] = credential.issuer.name
    params["issueYear"] = credential.valid_from.year
    params["issueMonth"] = credential.valid_from.month
    if credential.valid_until is not None:
        params["expirationYear"] = credential.valid_until.year
        params["expirationMonth"] = credential.valid_until.month
    params["certUrl"] = links.credential_url(credential.uuid)
    params["certId"] = str(credential.uuid)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def linkedin_share_url(credential: Credential) -> str:
    """LinkedIn's share dialog for the public credential page (its preview comes from the page's
    Open Graph tags)."""
    page = links.credential_url(credential.uuid)
    return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": page})


def verify_page_url(credential: Credential) -> str:
    return "/verify/?" + urlencode({"url": links.credential_url(credential.uuid)})
