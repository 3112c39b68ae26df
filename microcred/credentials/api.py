"""Credentials in the JSON API: a learner's own credentials, and issuer staff's status changes.

The signed documents themselves are public at their ids (``/credentials/<uuid>``); these
operations add what only the holder or the issuer's staff may see or do.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE, fields_under
from microcred.api.schemas import Page, PageParams, page_of
from microcred.catalog.models import MicroCredential
from microcred.core.clock import now
from microcred.core.errors import NotFound

from . import links
from .cohort.later import cohort_issue_pending
from .engagement.selectors import WEEKS_SHOWN, credential_engagement
from .engagement.services import engagement_day
from .models import Credential
from .selectors import (
    access_issuer_for_staff,
    access_own_credential,
    credential_get_public,
    credentials_of,
    display_status,
    issued_credentials,
    linkedin_add_url,
    linkedin_share_url,
)
from .services import credential_revoke, credential_suspend, credential_unsuspend

router = Router(tags=["credentials"])


class StatusOut(Schema):
    code: str = Field(description="valid, revoked, suspended, expired or not-yet-valid.")
    reason: str = Field(description="Why it is not valid, when the issuer said so.")
    since: datetime | None


class CredentialOut(Schema):
    uuid: str
    id: str = Field(description="The credential's URL: its public page and signed document.")
    title: str
    microcredential_id: int
    issuer: str = Field(description="The issuer's id (URL).")
    issuer_name: str
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    status: StatusOut
    json_url: str
    jwt_url: str
    linkedin_url: str | None = Field(
        description='LinkedIn "Add to profile" for this certification; null unless the credential holds.'
    )
    linkedin_share_url: str | None = Field(description="LinkedIn's share dialog for the public page; null as above.")


class CredentialDetailOut(CredentialOut):
    document: dict[str, Any] = Field(description="The signed OpenBadgeCredential (Data Integrity proof).")
    jwt: str = Field(description="The same credential as a VC-JWT.")


class IssuedCredentialOut(CredentialOut):
    learner_email: str
    learner_name: str


class ReasonIn(Schema):
    reason: str = Field(max_length=500, description="Shown to the learner and to anyone verifying.")


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=500)


def _out_fields(credential: Credential, moment: datetime) -> dict[str, Any]:
    status = display_status(credential, now=moment)
    url = links.credential_url(credential.uuid)
    return {
        "uuid": str(credential.uuid),
        "id": url,
        "title": credential.microcredential.title,
        "microcredential_id": credential.microcredential_id,
        "issuer": links.issuer_url(credential.issuer.slug),
        "issuer_name": credential.issuer.name,
        "issued_at": credential.issued_at,
        "valid_from": credential.valid_from,
        "valid_until": credential.valid_until,
        "status": StatusOut(code=status.code, reason=status.reason, since=status.since),
        "json_url": f"{url}?format=json",
        "jwt_url": f"{url}?format=jwt",
        "linkedin_url": linkedin_add_url(credential) if status.is_valid else None,
        "linkedin_share_url": linkedin_share_url(credential) if status.is_valid else None,
    }


@router.get("/me/credentials", response={200: Page[CredentialOut], **PROBLEMS_AUTH}, summary="My credentials")
def list_my_credentials(request: HttpRequest, response: HttpResponse, page: Query[PageParams]) -> dict[str, Any]:
    rows, count = page_of(request, response, credentials_of(actor=actor_of(request)), page)
    moment = now()
    return {
        "items": [CredentialOut(**_out_fields(c, moment)) for c in rows],
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
    }


class FormatParams(Schema):
    format: Literal["json", "jwt"] = Field("json", description="jwt answers the bare VC-JWT as text/plain.")


@router.get(
    "/me/credentials/{uuid}",
    response={200: CredentialDetailOut, **PROBLEMS_AUTH},
    summary="One of my credentials, with the signed document",
    openapi_extra={
        "responses": {
            200: {  # ninja's own key type, so this merges into the JSON answer's entry
                "description": "The credential as JSON, or with ?format=jwt the bare VC-JWT as text/plain.",
                "content": {"text/plain": {"schema": {"type": "string", "description": "A compact VC-JWT."}}},
            }
        }
    },
)
def get_my_credential(request: HttpRequest, uuid: str, params: Query[FormatParams]) -> Any:
    credential = access_own_credential(actor=actor_of(request), uuid=uuid)
    if params.format == "jwt":
        return HttpResponse(credential.jwt, content_type="text/plain; charset=utf-8")
    return CredentialDetailOut(**_out_fields(credential, now()), document=credential.document, jwt=credential.jwt)


class EngagementCountsOut(Schema):
    view: int = Field(description="Page views by others than the holder (no robots, link previews or HEAD/304).")
    verification: int = Field(description="Verifications of the credential on this installation.")
    pdf_download: int = Field(description="PDF certificates downloaded.")
    badge_download: int = Field(description="Baked badge images downloaded.")
    linkedin_add: int = Field(description='Clicks on the page\'s "Add to LinkedIn profile".')


class EngagementWeekOut(Schema):
    week_start: date = Field(description="The Monday (UTC) that starts the week.")
    counts: EngagementCountsOut


class EngagementOut(Schema):
    uuid: str
    totals: EngagementCountsOut = Field(description="Since counting began.")
    weeks: list[EngagementWeekOut] = Field(description=f"The last {WEEKS_SHOWN} weeks, oldest first, this one last.")


@router.get(
    "/me/credentials/{uuid}/engagement",
    response={200: EngagementOut, **PROBLEMS_AUTH},
    summary="How one of my credentials was viewed, verified, downloaded and added to LinkedIn",
    description="Daily counters added up (ADR 0047): nothing about who viewed or verified it is kept. "
    "Only the holder may read them.",
)
def get_my_credential_engagement(request: HttpRequest, uuid: str) -> EngagementOut:
    credential = access_own_credential(actor=actor_of(request), uuid=uuid)
    summary = credential_engagement(credential=credential, today=engagement_day(now()))
    return EngagementOut(
        uuid=str(credential.uuid),
        totals=EngagementCountsOut(**summary.totals),
        weeks=[
            EngagementWeekOut(week_start=week.monday, counts=EngagementCountsOut(**week.counts))
            for week in summary.weeks
        ],
    )


def _changed(credential: Credential) -> CredentialOut:
    return CredentialOut(**_out_fields(credential_get_public(uuid=credential.uuid), now()))


@router.post(
    "/credentials/{uuid}/revoke",
    response={200: CredentialOut, **PROBLEMS_WRITE},
    summary="Revoke a credential (issuer staff; final)",
)
def revoke(request: HttpRequest, uuid: str, payload: ReasonIn) -> CredentialOut:
    """Owners and instructors of the issuing organisation only. Revoking twice answers 409."""
    with fields_under("body"):
        return _changed(
            credential_revoke(
                actor=actor_of(request), credential=credential_get_public(uuid=uuid), reason=payload.reason
            )
        )


@router.post(
    "/credentials/{uuid}/suspend",
    response={200: CredentialOut, **PROBLEMS_WRITE},
    summary="Suspend a credential (issuer staff)",
)
def suspend(request: HttpRequest, uuid: str, payload: ReasonIn) -> CredentialOut:
    with fields_under("body"):
        return _changed(
            credential_suspend(
                actor=actor_of(request), credential=credential_get_public(uuid=uuid), reason=payload.reason
            )
        )


@router.post(
    "/credentials/{uuid}/unsuspend",
    response={200: CredentialOut, **PROBLEMS_WRITE},
    summary="Reinstate a suspended credential (issuer staff)",
)
def unsuspend(request: HttpRequest, uuid: str, payload: OptionalReasonIn | None = None) -> CredentialOut:
    reason = payload.reason if payload is not None else ""
    with fields_under("body"):
        return _changed(
            credential_unsuspend(actor=actor_of(request), credential=credential_get_public(uuid=uuid), reason=reason)
        )


class IssuedFilter(PageParams):
    q: str = Field("", max_length=200, description="Learner e-mail or name, title, or credential uuid.")
    status: Literal["", "active", "suspended", "revoked"] = ""


@router.get(
    "/issuers/{slug}/credentials",
    response={200: Page[IssuedCredentialOut], **PROBLEMS_AUTH},
    summary="Credentials an issuer has issued (its owners and instructors)",
)
def list_issued(
    request: HttpRequest, response: HttpResponse, slug: str, filters: Query[IssuedFilter]
) -> dict[str, Any]:
    organisation = access_issuer_for_staff(actor=actor_of(request), slug=slug)
    rows, count = page_of(
        request, response, issued_credentials(organisation=organisation, q=filters.q, status=filters.status), filters
    )
    moment = now()
    items = [
        IssuedCredentialOut(
            **_out_fields(c, moment), learner_email=c.user.email, learner_name=c.user.full_name or c.user.display_name
        )
        for c in rows
    ]
    return {"items": items, "count": count, "limit": filters.limit, "offset": filters.offset}


class CohortReportOut(Schema):
    microcredential_id: int
    pending: int = Field(description="Completions that had no credential when the run started.")
    issued: int
    not_issued: int = Field(description="Pending ones another run issued meanwhile.")
    seconds: float
    first_uuid: str | None
    last_uuid: str | None


class CohortQueuedOut(Schema):
    task_id: str = Field(description="The background task issuing them (empty while the run waits for a worker).")
    pending: int
    run_id: int | None = Field(None, description="The cohort run; a run whose worker dies is resumed by the next.")
    already_running: bool = Field(False, description="A run of this version was in hand already: none was added.")


@router.post(
    "/issuers/{slug}/microcredentials/{id}/issue",
    response={200: CohortReportOut, 202: CohortQueuedOut, **PROBLEMS_WRITE},
    summary="Issue the pending credentials of a micro-credential version (issuer staff)",
)
def issue_pending(request: HttpRequest, slug: str, id: int) -> Any:
    """Every completion of this version without a credential gets one. Up to 500 (``SYNC_LIMIT``)
    are issued in the request (200, with the report); more are queued (202, with the task id)."""
    actor = actor_of(request)
    organisation = access_issuer_for_staff(actor=actor, slug=slug)
    microcredential = MicroCredential.objects.filter(provider=organisation, pk=id).first()
    if microcredential is None:
        raise NotFound("Micro-credential not found.")
    outcome = cohort_issue_pending(actor=actor, microcredential=microcredential)
    if outcome.report is None:
        return Status(
            202,
            CohortQueuedOut(
                task_id=outcome.task_id or "",
                pending=outcome.pending,
                run_id=outcome.run_id,
                already_running=outcome.already_running,
            ),
        )
    report = outcome.report
    return CohortReportOut(
        microcredential_id=report.microcredential_id,
        pending=report.pending,
        issued=report.issued,
        not_issued=report.not_issued,
        seconds=round(report.seconds, 3),
        first_uuid=report.first_uuid,
        last_uuid=report.last_uuid,
    )
