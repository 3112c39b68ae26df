"""The public verify page: paste, upload or link a credential and see the checklist."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from microcred.core.errors import ValidationFailed
from microcred.credentials.vc.verifier import VerificationReport

from .forms import VerifyForm
from .services import verify_credential


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    report: VerificationReport | None = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    elif request.GET.get("url"):
        # A shared link (/verify/?url=…) verifies straight away; it changes nothing.
        form = VerifyForm({"url": request.GET["url"], "email": request.GET.get("email", "")})
    else:
        form = VerifyForm()
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                report = verify_credential(**form.presented())
            except ValidationFailed as exc:
                for field, messages in exc.errors.items():
                    for message in messages:
                        form.add_error(None if field not in form.fields else field, message)
                status = 400
        else:
            status = 400
    return render(request, "verification/verify.html", {"form": form, "report": report}, status=status)
