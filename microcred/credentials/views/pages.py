"""Pages for people: a learner's completion and credentials, and the issuer staff's management page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from microcred.accounts.models import MembershipRole
from microcred.accounts.permissions import has_org_role
from microcred.catalog.models import MicroCredential
from microcred.core.clock import now
from microcred.core.errors import ValidationFailed
from microcred.learning.selectors import access_enrolment, completion_for
from microcred.web.views.common import app_errors

from .. import links
from ..cohort.later import cohort_issue_pending
from ..cohort.runs import run_states
from ..cohort.store import pending_by_microcredential
from ..forms import CredentialSharingForm, sharing_initial
from ..keys.services import issuer_key_rotate
from ..models import PageVisibility
from ..selectors import (
    access_issued_credential,
    access_issuer_for_staff,
    credential_for_viewer,
    credential_of_completion,
    credentials_of,
    display_status,
    issued_credentials,
    keys_of,
    verify_page_url,
)
from ..services import credential_revoke, credential_sharing_update, credential_suspend, credential_unsuspend

PAGE_SIZE = 25
ACTIONS = ("revoke", "suspend", "unsuspend")


@require_GET
@login_required
@app_errors
def completion(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """A learner's completion of a micro-credential, with the credential it earned once issued."""
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    record = completion_for(enrolment=enrolment)
    if record is None:
        messages.info(request, "You have not completed this micro-credential yet — here is where you left off.")
        return redirect("learning:resume", enrolment_id=enrolment.pk)
    issued = credential_of_completion(completion=record)
    return render(
        request,
        "credentials/completion.html",
        {
            "enrolment": enrolment,
            "mc": enrolment.microcredential,
            "completion": record,
            "issued": issued,
            "status": display_status(issued, now=now()) if issued is not None else None,
        },
    )


@require_GET
@login_required
@app_errors
def my_credentials(request: HttpRequest) -> HttpResponse:
    moment = now()
    rows = [
        {
            "credential": credential,
            "status": display_status(credential, now=moment),
            "public_url": links.credential_url(credential.uuid),
            "page_url": reverse("credentials:credential", args=[credential.uuid]),
            "verify_url": verify_page_url(credential),
            # Through the counting redirect (ADR 0047), which sends the holder on to linkedin_add_url.
            "linkedin_url": reverse("credentials:linkedin_add", args=[credential.uuid]),
        }
        for credential in credentials_of(actor=request.user)
    ]
    # A wallet finds the Open Badges API from the site's address (its service description).
    return render(request, "credentials/my_credentials.html", {"rows": rows, "site_url": links.site_url()})


def _manage_url(slug: str) -> str:
    return reverse("credentials:manage", args=[slug])


@require_GET
@login_required
@app_errors
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_issuer_for_staff(actor=request.user, slug=slug)
    q = request.GET.get("q", "")[:200]
    status_filter = request.GET.get("status", "")
    page = Paginator(issued_credentials(organisation=organisation, q=q, status=status_filter), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    moment = now()
    rows = [{"credential": c, "status": display_status(c, now=moment)} for c in page.object_list]
    pending_cohorts = pending_by_microcredential(organisation)
    states = run_states(microcredentials=pending_cohorts, now=moment)
    for mc in pending_cohorts:
        mc.run_state = states.get(mc.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "credentials/manage.html",
        {
            "organisation": organisation,
            "page": page,
            "rows": rows,
            "q": q,
            "status_filter": status_filter,
            "keys": keys_of(organisation=organisation),
            "is_owner": has_org_role(request.user, organisation, (MembershipRole.OWNER,)),
            "issuer_url": links.issuer_url(slug),
            "pending_cohorts": pending_cohorts,
        },
    )


def _back(request: HttpRequest, slug: str) -> HttpResponse:
    # Return to the same search/page the form was posted from.
    query = request.POST.get("return_query", "")
    url = _manage_url(slug)
    return redirect(f"{url}?{query}" if query and "\n" not in query else url)


@require_POST
@login_required
@app_errors
def manage_action(request: HttpRequest, slug: str, uuid: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("Unknown action.")
    organisation = access_issuer_for_staff(actor=request.user, slug=slug)
    credential = access_issued_credential(organisation=organisation, uuid=uuid)
    reason = request.POST.get("reason", "")
    try:
        if action == "revoke":
            credential_revoke(actor=request.user, credential=credential, reason=reason)
            messages.success(request, f"The credential of {credential.user} is revoked.")
        elif action == "suspend":
            credential_suspend(actor=request.user, credential=credential, reason=reason)
            messages.success(request, f"The credential of {credential.user} is suspended.")
        else:
            credential_unsuspend(actor=request.user, credential=credential, reason=reason)
            messages.success(request, f"The credential of {credential.user} is valid again.")
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return _back(request, slug)


@require_POST
@login_required
@app_errors
def rotate_key(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_issuer_for_staff(actor=request.user, slug=slug)
    key = issuer_key_rotate(actor=request.user, organisation=organisation)
    messages.success(
        request, f"New signing key {key.key_id} is active. Earlier keys stay published so existing credentials verify."
    )
    return _back(request, slug)


@require_POST
@login_required
@app_errors
def issue_pending(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = access_issuer_for_staff(actor=request.user, slug=slug)
    microcredential = MicroCredential.objects.filter(provider=organisation, pk=pk).first()
    if microcredential is None:
        raise Http404("Micro-credential not found.")
    outcome = cohort_issue_pending(actor=request.user, microcredential=microcredential)
    label = f"{microcredential.title} v{microcredential.version}"
    if outcome.already_running:
        messages.info(
            request, f"The credentials of {label} are being issued already; they appear here as they are issued."
        )
    elif outcome.report is None:
        messages.success(
            request,
            f"Issuing {outcome.pending} credentials of {label} in the background; they appear here as they are issued.",
        )
    elif outcome.report.issued:
        messages.success(request, f"Issued {outcome.report.issued} credential(s) of {label}.")
    else:
        messages.info(request, f"Every completion of {label} already has its credential.")
    return _back(request, slug)


@require_POST
@login_required
@app_errors
def credential_sharing(request: HttpRequest, uuid: str) -> HttpResponse:
    """The holder's choices for their credential's page: their name on it, and who may open it."""
    record = credential_for_viewer(uuid=uuid, viewer=request.user)
    form = CredentialSharingForm(request.POST, initial=sharing_initial(record))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "Sharing"
            messages.error(request, f"{label}: {' '.join(str(error) for error in errors)}")
        return redirect("credentials:credential", record.uuid)
    try:
        credential_sharing_update(actor=request.user, credential=record, **form.cleaned_data)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        shown = "shows your name" if form.cleaned_data["holder_name"] == "shown" else "does not show your name"
        who = PageVisibility(form.cleaned_data["page_visibility"]).label.split(":")[0].lower()
        messages.success(request, f"Saved: the page is {who} and {shown}.")
    return redirect("credentials:credential", record.uuid)
