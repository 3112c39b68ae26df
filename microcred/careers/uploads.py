"""The upload and re-check of a credential earned elsewhere, as the pages run them: throttled like
the verify page (each runs the verifier), errors on the form, and the messages a learner reads.
The careers skill page and the portfolio editor both use it; the services do the work."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse

from microcred.accounts.http import AuthenticatedRequest
from microcred.core.errors import AppError
from microcred.verification.throttle import retry_after
from microcred.web.views.common import service_error_to_form

from .forms import ExternalCredentialForm
from .models import ExternalCredential
from .selectors import access_external_credential
from .services import external_credential_recheck, external_credential_upload

# Renders the page the upload form is on again, with the form's errors and this HTTP status.
FormPage = Callable[[ExternalCredentialForm, int], HttpResponse]


def throttled(request: AuthenticatedRequest) -> str | None:
    wait = retry_after(request)
    return None if wait is None else f"You have verified many credentials in a short time; try again in {wait} seconds."


def upload_from_form(request: AuthenticatedRequest, page: FormPage) -> ExternalCredential | HttpResponse:
    """The verified, stored credential, or the page again with what stopped it."""
    form = ExternalCredentialForm(request.POST, request.FILES)
    if not form.is_valid():
        return page(form, 400)
    refusal = throttled(request)
    if refusal:
        form.add_error(None, refusal)
        return page(form, 429)
    try:
        return external_credential_upload(actor=request.user, learner=request.user, document=form.document())
    except AppError as exc:
        service_error_to_form(form, exc)
        return page(form, exc.status)


def recheck_with_messages(request: AuthenticatedRequest, pk: int, *, no_longer_counts: str) -> None:
    """Verify a stored credential again and say what came of it (``no_longer_counts`` ends the
    message when it no longer holds: what the learner loses, in the page's words)."""
    external = access_external_credential(actor=request.user, pk=pk)
    refusal = throttled(request)
    if refusal:
        messages.error(request, refusal)
        return
    checked = external_credential_recheck(actor=request.user, credential=external)
    if checked.outcome == "valid":
        messages.success(request, f"“{checked}” is still valid.")
    else:
        messages.warning(request, f"“{checked}”: {checked.headline}. {no_longer_counts}")
