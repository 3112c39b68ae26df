"""The PDF certificate of a credential, for whoever may open the credential's page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from microcred.core.clock import now
from microcred.web.views.common import app_errors

from ..certificates.content import certificate_pdf
from ..certificates.layout import PAPERS, Paper
from ..engagement.views import count_download
from ..models import EngagementKind
from ..selectors import credential_for_viewer


@require_GET
@app_errors
def certificate(request: HttpRequest, uuid: str) -> HttpResponse:
    """``?paper=a4`` (the default) or ``letter``. A private credential's certificate is its
    holder's only (others get the not-found of an unknown id); a credential that does not hold
    gets its status as the answer (409), never a certificate."""
    requested = request.GET.get("paper", "a4").lower()
    if requested not in PAPERS:
        raise Http404("Unknown paper size; use a4 or letter.")
    paper: Paper = "letter" if requested == "letter" else "a4"
    record = credential_for_viewer(uuid=uuid, viewer=request.user)
    body = certificate_pdf(credential=record, viewer=request.user, paper=paper, now=now())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{record.uuid}-{paper}.pdf"'
    # The status can change at any time, and the name on it depends on who asks.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    response["X-Content-Type-Options"] = "nosniff"
    count_download(request, response, credential_id=record.pk, kind=EngagementKind.PDF_DOWNLOAD)
    return response
