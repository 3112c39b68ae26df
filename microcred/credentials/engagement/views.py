"""Engagement on pages: the counting LinkedIn redirect, the holder's panel on their credential
page and the issuer staff's page (aggregates only), and the one call the other views make to
count an event."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from microcred.core.clock import now
from microcred.web.charts import HistogramChart, bar_chart, column_chart
from microcred.web.views.common import app_errors

from ..models import Credential, EngagementKind
from ..selectors import access_issuer_for_staff, access_own_credential, display_status, linkedin_add_url
from .rules import counts_as_download, counts_as_view
from .selectors import KINDS, EngagementSummary, credential_engagement, issuer_engagement
from .services import engagement_count, engagement_count_soon, engagement_day

#: The issuer's bar chart shows the most engaged versions; the table below it lists them all.
BARS_SHOWN = 10


def count_view(request: HttpRequest, response: HttpResponse, *, credential_id: int, holder_id: int | None) -> None:
    """Count a credential page answered to someone other than its holder (rules.counts_as_view)."""
    viewer_is_holder = holder_id is not None and request.user.is_authenticated and request.user.pk == holder_id
    if counts_as_view(
        method=request.method or "",
        status_code=response.status_code,
        user_agent=request.headers.get("User-Agent", ""),
        viewer_is_holder=viewer_is_holder,
    ):
        engagement_count_soon(credential_id=credential_id, kind=EngagementKind.VIEW, now=now())


def count_download(request: HttpRequest, response: HttpResponse, *, credential_id: int, kind: EngagementKind) -> None:
    """Count a PDF certificate or badge image sent to anyone but an obvious robot."""
    if counts_as_download(
        method=request.method or "", status_code=response.status_code, user_agent=request.headers.get("User-Agent", "")
    ):
        engagement_count(credential_id=credential_id, kind=kind, now=now())


def weekly_chart(summary: EngagementSummary) -> HistogramChart:
    """A column per week (labelled by its Monday): every kind of engagement together."""
    return column_chart([(week.monday.strftime("%d %b"), week.total) for week in summary.weeks])


def holder_panel(credential: Credential) -> dict[str, Any]:
    """What the holder's own credential page shows of its engagement."""
    summary = credential_engagement(credential=credential, today=engagement_day(now()))
    return {"summary": summary, "chart": weekly_chart(summary), "kinds": [kind.label for kind in KINDS]}


@require_GET
@login_required
@app_errors
def linkedin_add(request: HttpRequest, uuid: str) -> HttpResponse:
    """The holder's "Add to LinkedIn profile": counted, then sent on to LinkedIn's own URL,
    unchanged. Only the holder may (it adds to their profile), and only while the credential
    holds: a revoked, suspended or expired one is never promoted."""
    credential = access_own_credential(actor=request.user, uuid=uuid)
    moment = now()
    status = display_status(credential, now=moment)
    if not status.is_valid:
        messages.error(request, f"This credential is {status.label.lower()}: it cannot be added to LinkedIn.")
        return redirect("credentials:credential", credential.uuid)
    engagement_count(credential_id=credential.pk, kind=EngagementKind.LINKEDIN_ADD, now=moment)
    response = HttpResponseRedirect(linkedin_add_url(credential))
    response["Cache-Control"] = "no-store"  # every click is a visit here, so each one counts
    return response


@require_GET
@login_required
@app_errors
def issuer_engagement_page(request: HttpRequest, slug: str) -> HttpResponse:
    """How an issuer's credentials are viewed, verified, downloaded and added, in aggregate per
    micro-credential version and week; for its staff only (others get not-found)."""
    organisation = access_issuer_for_staff(actor=request.user, slug=slug)
    figures = issuer_engagement(organisation=organisation, today=engagement_day(now()))
    return render(
        request,
        "credentials/manage_engagement.html",
        {
            "organisation": organisation,
            "figures": figures,
            "summary": figures.summary,
            "chart": weekly_chart(figures.summary),
            "by_microcredential_chart": bar_chart(
                [(f"{row.title} v{row.version}", row.total) for row in figures.by_microcredential[:BARS_SHOWN]]
            ),
            "kinds": [kind.label for kind in KINDS],
        },
    )
