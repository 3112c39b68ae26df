"""The public verify page: paste, upload or link a credential and see the checklist."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from microcred.core.errors import ValidationFailed
from microcred.credentials.vc.verifier import VerificationReport

from .fetching import is_local
from .forms import VerifyForm
from .services import MAX_PRESENTED_BYTES, verify_credential
from .throttle import retry_after


@csrf_exempt  # checked by _verify once the body is known to be readable
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """A paste over the request size limit is answered on this page, not by the generic error
    page: Django's CSRF check would otherwise fail reading the body before the view runs."""
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - reading it is the check
        except RequestDataTooBig:
            message = (
                f"What you sent is larger than {filesizeformat(MAX_PRESENTED_BYTES)}; credentials are far "
                "smaller. Is this the right text? A baked badge image can be uploaded as a file instead."
            )
            return _page(request, VerifyForm.refused(message), status=413)
    return _verify(request)


@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
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
            wait = retry_after(request)
            if wait is not None:
                message = f"You have verified many credentials in a short time; try again in {wait} seconds."
                response = _page(request, VerifyForm.refused(message), status=429)
                response["Retry-After"] = str(wait)
                return response
            try:
                report = verify_credential(**form.presented())
            except ValidationFailed as exc:
                for field, messages in exc.errors.items():
                    for message in messages:
                        form.add_error(None if field not in form.fields else field, message)
                status = 400
        else:
            status = 400
    return _page(request, form, report=report, status=status)


def _page(
    request: HttpRequest, form: VerifyForm, *, report: VerificationReport | None = None, status: int
) -> HttpResponse:
    return render(request, "verification/verify.html", {"form": form, "report": report}, status=status)


@require_GET
def live_checklist(request: HttpRequest) -> HttpResponse:
    """The checklist a credential page of ours loads as it opens (htmx): the credential at its
    address, verified now, as a verifier would. Only for this installation's own addresses, so the
    page cannot be made to fetch anything else; throttled like the verify page."""
    url = request.GET.get("url", "")
    if not is_local(url):
        return render(
            request,
            "verification/_live.html",
            {"problem": "Only this site's credentials are checked here."},
            status=400,
        )
    wait = retry_after(request)
    if wait is not None:
        problem = f"Checked many credentials in a short time; the check runs again in {wait} seconds."
        response = render(request, "verification/_live.html", {"problem": problem, "url": url}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        report = verify_credential(url=url, counted=False)
    except ValidationFailed as exc:
        return render(request, "verification/_live.html", {"problem": exc.message}, status=400)
    response = render(request, "verification/_live.html", {"report": report, "url": url})
    response["Cache-Control"] = "no-store"  # the answer is the state now: a revocation shows at once
    return response
