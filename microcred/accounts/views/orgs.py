"""“Your organisations”: every membership of the signed-in person, with the pages their role opens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from microcred.web.views.common import app_errors

from ..http import AuthenticatedRequest
from ..selectors import memberships_of
from ..workspace import workspace_links


@require_GET
@login_required
@app_errors
def organisations(request: AuthenticatedRequest) -> HttpResponse:
    rows = [
        {"membership": m, "links": workspace_links(m.organisation, m.role)} for m in memberships_of(user=request.user)
    ]
    return render(request, "accounts/workspace/index.html", {"rows": rows})
