"""The public, unauthenticated documents that let anyone verify our credentials without asking
us: issuer profiles (CID documents), did:web documents, JWKS, credentials, status lists, our
JSON-LD context and achievements.

Every machine-readable response is cacheable (strong ETag + Cache-Control, 304 on a match) and
carries ``Access-Control-Allow-Origin: *`` so browser-based verifiers and wallets can fetch it.
Content negotiation picks JSON for machines and HTML for people (``Vary: Accept``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid as uuid_module
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.messages import get_messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_GET, require_http_methods

from microcred.accounts.models import Organisation
from microcred.catalog.models import MicroCredential, Status
from microcred.catalog.selectors import microcredential_get_by_public_id
from microcred.core.clock import now
from microcred.core.errors import NotFound

from .. import links
from ..documents import badge_svg, issuer_did_document, issuer_profile_document, jwks_document
from ..engagement.views import count_view, holder_panel
from ..forms import CredentialSharingForm, sharing_initial
from ..issuing import achievement_document
from ..models import IssuerKey, StatusList
from ..resolver import CONTEXT_FILE
from ..selectors import (
    credential_for_viewer,
    credential_get_public,
    credential_page_version,
    display_status,
    endorsement_get_public,
    learner_name_for,
    linkedin_share_url,
    microcredential_get_by_legacy_achievement_url,
    name_others_see,
    proven_recipient,
    verify_page_url,
)
from ..statuslists import status_list_document, ttl_seconds
from ..vc.errors import KeyResolutionError
from ..vc.verifier.memo import ContentMemo

JSON_LD = "application/ld+json"
DOCUMENT_MAX_AGE = 300
BADGE_MAX_AGE = 24 * 3600
# A versioned context never changes (a change is a new version, ADR 0041): cache it for a year.
IMMUTABLE_MAX_AGE = 365 * 24 * 3600
CREDENTIAL_MAX_AGE = 3600
CREDENTIAL_JSON_TYPES = ["application/vc+ld+json", "application/vc", "application/ld+json", "application/json"]


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    candidates = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    return etag in candidates or "*" in candidates


def cacheable(
    request: HttpRequest,
    body: bytes,
    *,
    content_type: str,
    max_age: int,
    last_modified: datetime | None = None,
    vary_accept: bool = False,
    filename: str | None = None,
    immutable: bool = False,
) -> HttpResponse:
    etag = _etag(body + content_type.encode())
    if _not_modified(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}" + (", immutable" if immutable else "")
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Link"
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if vary_accept:
        response["Vary"] = "Accept"
    return response


def _json_bytes(document: Any) -> bytes:
    # Sorted keys: PostgreSQL's jsonb does not keep key order, and the bytes (hence the ETag)
    # must not depend on the database. Key order means nothing to JSON-LD or the proofs.
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _wants_html(request: HttpRequest, machine_types: list[str]) -> bool:
    """HTML only when the client prefers it; ``*/*`` and no Accept mean a machine."""
    if "format" in request.GET:
        return False
    if "Accept" not in request.headers:
        return False
    preferred = request.get_preferred_type([*machine_types, "text/html"])
    return preferred == "text/html"


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


@require_GET
def issuer(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    if _wants_html(request, [JSON_LD, "application/json"]):
        keys = list(IssuerKey.objects.filter(organisation=organisation).order_by("created_at"))
        response = render(
            request,
            "credentials/issuer.html",
            {
                "organisation": organisation,
                "issuer_id": links.issuer_url(slug),
                "keys": [(key, links.verification_method_url(slug, key.key_id)) for key in keys],
                "did_url": links.did_document_url(slug),
                "jwks_url": links.issuer_jwks_url(slug),
            },
        )
        response["Vary"] = "Accept"
        return response
    document = issuer_profile_document(organisation, today=now().date())
    content_type = (
        "application/json"
        if request.get_preferred_type([JSON_LD, "application/json"]) == "application/json"
        else JSON_LD
    )
    return cacheable(
        request, _json_bytes(document), content_type=content_type, max_age=DOCUMENT_MAX_AGE, vary_accept=True
    )


@require_GET
def issuer_did(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    try:
        document = issuer_did_document(organisation)
    except KeyResolutionError as exc:
        # No key yet, or SITE_URL (plain http, an IP address) cannot carry a did:web.
        raise Http404(str(exc)) from exc
    return cacheable(request, _json_bytes(document), content_type="application/did+ld+json", max_age=DOCUMENT_MAX_AGE)


@require_GET
def issuer_jwks(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    keys = list(
        IssuerKey.objects.filter(organisation=organisation).select_related("organisation").order_by("created_at")
    )
    return cacheable(
        request, _json_bytes(jwks_document(keys)), content_type="application/json", max_age=DOCUMENT_MAX_AGE
    )


@require_GET
def site_jwks(request: HttpRequest) -> HttpResponse:
    keys = list(IssuerKey.objects.select_related("organisation").order_by("organisation__slug", "created_at"))
    return cacheable(
        request, _json_bytes(jwks_document(keys)), content_type="application/json", max_age=DOCUMENT_MAX_AGE
    )


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def context(request: HttpRequest) -> HttpResponse:
    """Our extension context at ``{SITE_URL}/ns/microcred/v1.jsonld``, the URL our credentials
    name (ADR 0041): byte for byte the pinned file the signer loads, so a fetching verifier
    gets exactly what we signed under."""
    if request.method == "OPTIONS":
        # A browser wallet's CORS preflight (a loader that sends headers beyond Accept).
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = request.headers.get("Access-Control-Request-Headers", "Accept")
        response["Access-Control-Max-Age"] = str(24 * 3600)
        return response
    return cacheable(
        request, CONTEXT_FILE.read_bytes(), content_type=JSON_LD, max_age=IMMUTABLE_MAX_AGE, immutable=True
    )


@require_GET
def status_list(request: HttpRequest, slug: str, purpose: str, number: int) -> HttpResponse:
    row = get_object_or_404(
        StatusList.objects.select_related("organisation"), organisation__slug=slug, purpose=purpose, number=number
    )
    # Read only: writers keep the signed copy current (``statuslists``).
    document = status_list_document(status_list=row, now=now())
    content_type = request.get_preferred_type(CREDENTIAL_JSON_TYPES) or CREDENTIAL_JSON_TYPES[0]
    return cacheable(
        request,
        _json_bytes(document),
        content_type=content_type,
        max_age=ttl_seconds(),
        last_modified=row.published_at,
        vary_accept=True,
    )


def _credential_format(request: HttpRequest) -> str:
    requested = request.GET.get("format", "").lower()
    if requested in ("json", "jwt"):
        return requested
    if requested:
        raise Http404("Unknown format; use json or jwt.")
    preferred = request.get_preferred_type([*CREDENTIAL_JSON_TYPES, "application/vc+jwt", "text/html"])
    if "Accept" in request.headers and preferred == "text/html":
        return "html"
    if preferred == "application/vc+jwt":
        return "vc+jwt"
    return "json"


@require_GET
def credential(request: HttpRequest, uuid: str) -> HttpResponse:
    wanted = _credential_format(request)
    if wanted == "html":
        page = _anonymous_credential_page(request, uuid)
        if page is not None:
            return page
    try:
        record = credential_for_viewer(uuid=uuid, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    download = request.GET.get("download") == "1"
    if wanted == "html":
        response = credential_page(request, record)
        count_view(request, response, credential_id=record.pk, holder_id=record.user_id)
        return response
    if wanted in ("jwt", "vc+jwt"):
        content_type = "application/vc+jwt" if wanted == "vc+jwt" else "text/plain; charset=utf-8"
        return cacheable(
            request,
            record.jwt.encode("ascii"),
            content_type=content_type,
            max_age=CREDENTIAL_MAX_AGE,
            vary_accept=True,
            filename=f"{record.uuid}.jwt" if download else None,
        )
    if request.GET.get("format") == "json":
        content_type = "application/json"
    else:
        content_type = request.get_preferred_type(CREDENTIAL_JSON_TYPES) or CREDENTIAL_JSON_TYPES[0]
    return cacheable(
        request,
        _json_bytes(record.document),
        content_type=content_type,
        max_age=CREDENTIAL_MAX_AGE,
        vary_accept=True,
        filename=f"{record.uuid}.json" if download else None,
    )


@require_GET
def endorsement(request: HttpRequest, uuid: str) -> HttpResponse:
    """An accreditor's signed EndorsementCredential, at its id. Revoked ones are still served:
    the document is what was signed, and its status list says it no longer holds."""
    try:
        record = endorsement_get_public(uuid=uuid)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    content_type = request.get_preferred_type(CREDENTIAL_JSON_TYPES) or CREDENTIAL_JSON_TYPES[0]
    return cacheable(
        request,
        _json_bytes(record.document),
        content_type=content_type,
        max_age=CREDENTIAL_MAX_AGE,
        vary_accept=True,
    )


def credential_page(request: HttpRequest, record: Any) -> HttpResponse:
    response = render(request, "credentials/credential.html", _credential_page_context(request, record, now()))
    return _credential_page_headers(response)


def _credential_page_context(request: HttpRequest, record: Any, moment: datetime) -> dict[str, Any]:
    is_holder = request.user.is_authenticated and request.user.pk == record.user_id
    mc = record.microcredential
    status = display_status(record, now=moment)
    # Only a credential that holds is put on LinkedIn: a revoked or expired one is never promoted.
    shareable = is_holder and status.is_valid
    catalog_url = None
    if mc.status == Status.PUBLISHED:
        catalog_url = reverse("catalog:microcredential", args=[record.issuer.slug, mc.slug])
    return {
        "credential": record,
        "mc": mc,
        "document": record.document,
        "achievement": record.document.get("credentialSubject", {}).get("achievement", {}),
        "status": status,
        "recipient": proven_recipient(record.document),
        # Unsigned and changeable by the holder at any time: shown only as their own claim.
        "holder_claimed_name": learner_name_for(record, viewer=request.user),
        "is_holder": is_holder,
        # The holder is told what everyone else sees, and may change it.
        "name_others_see": name_others_see(record) if is_holder else None,
        "sharing_form": CredentialSharingForm(initial=sharing_initial(record)) if is_holder else None,
        "credential_url": links.credential_url(record.uuid),
        "issuer_url": links.issuer_url(record.issuer.slug),
        "verify_url": verify_page_url(record),
        # Through our counting redirect to linkedin_add_url (ADR 0047); the API gives the direct URL.
        "linkedin_url": reverse("credentials:linkedin_add", args=[record.uuid]) if shareable else None,
        "engagement": holder_panel(record) if is_holder else None,
        "linkedin_share_url": linkedin_share_url(record) if shareable else None,
        "catalog_url": catalog_url,
        "skills": signed_skills(record.document),
        "accreditors": signed_accreditors(record.document),
        "live_check_url": reverse("verification:live") + "?" + urlencode({"url": links.credential_url(record.uuid)}),
        "preview_description": _preview_description(record, status),
        "preview_image": _preview_image(record.document),
        **shown_results(record.document),
    }


def signed_skills(document: dict[str, Any]) -> list[dict[str, str]]:
    """The skills the achievement is aligned to, as signed (the EQF level is shown as the level)."""
    alignments = document.get("credentialSubject", {}).get("achievement", {}).get("alignment", [])
    return [
        {"name": item["targetName"], "url": item.get("targetUrl", ""), "framework": item.get("targetFramework", "")}
        for item in alignments
        if isinstance(item, dict)
        and isinstance(item.get("targetName"), str)
        and item.get("targetType") != "ext:EQFLevel"
    ]


def signed_accreditors(document: dict[str, Any]) -> list[str]:
    """Who the issuer's accreditations signed into the credential name as accreditor; the page's
    live check verifies them (and says if one was revoked since)."""
    issuer = document.get("issuer")
    endorsements = issuer.get("endorsement", []) if isinstance(issuer, dict) else []
    names = []
    for endorsement in endorsements if isinstance(endorsements, list) else []:
        endorser = endorsement.get("issuer") if isinstance(endorsement, dict) else None
        name = endorser.get("name") if isinstance(endorser, dict) else None
        if isinstance(name, str) and name not in names:
            names.append(name)
    return names


def _preview_description(record: Any, status: Any) -> str:
    """The line link previews show under the title: who issued it, and its status first when it
    does not hold. Never the holder's name (a preview travels further than the page)."""
    issuer = record.document.get("issuer", {}).get("name") or record.issuer.name
    issued = f"A verifiable credential issued by {issuer} on {record.valid_from:%-d %b %Y}."
    if status.is_valid:
        return issued
    reason = status.reason.strip().rstrip(".")
    return f"{status.label}: {reason}. {issued}" if reason else f"{status.label}. {issued}"


def _preview_image(document: dict[str, Any]) -> str | None:
    """The achievement's image for link previews, when it is a raster image on the web: the
    previewers (LinkedIn, X, chat apps) do not show SVG."""
    image = document.get("credentialSubject", {}).get("achievement", {}).get("image")
    url = image.get("id") if isinstance(image, dict) else image
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    return None if urlsplit(url).path.lower().endswith(".svg") else url


def shown_results(document: dict[str, Any]) -> dict[str, Any]:
    """The signed results and evidence as the page lists them (ADR 0029): each result under its
    description's name, a score in percent, a rubric level by its name with its points."""
    subject = document.get("credentialSubject", {})
    descriptions = {rd.get("id"): rd for rd in subject.get("achievement", {}).get("resultDescription", [])}
    rows = []
    for result in subject.get("result", []):
        description = descriptions.get(result.get("resultDescription"), {})
        name = description.get("name", "Result")
        if "achievedLevel" in result:
            levels = {level.get("id"): level for level in description.get("rubricCriterionLevel", [])}
            level = levels.get(result["achievedLevel"], {})
            detail = ", ".join(
                part
                for part in (
                    f"level {level['level']}" if level.get("level") else "",
                    f"{level['points']} points" if level.get("points") else "",
                    level.get("description", ""),
                )
                if part
            )
            rows.append({"name": name, "value": level.get("name", "—"), "detail": detail, "kind": "level"})
        elif "value" in result:
            percent = description.get("resultType") == "Percent"
            value = f"{result['value']} %" if percent else result["value"]
            required = description.get("requiredValue")
            detail = f"pass mark {required} %" if percent and required else ""
            rows.append({"name": name, "value": value, "detail": detail, "kind": "score"})
    evidence = [
        {
            "name": item.get("name") or item.get("genre") or "Evidence",
            "description": item.get("description", ""),
            "narrative": item.get("narrative", ""),
            "url": item["id"] if str(item.get("id", "")).startswith(("https://", "http://")) else None,
            "genre": item.get("genre", ""),
        }
        for item in document.get("evidence", [])
    ]
    return {"results": rows, "evidence": evidence}


def _credential_page_headers(response: HttpResponse) -> HttpResponse:
    response["Vary"] = "Accept, Cookie"
    # The page shows the live status; keep shared caches from serving a stale verdict.
    response["Cache-Control"] = "no-cache"
    return response


# Public credential pages as rendered for anonymous visitors, by everything they show (see
# _anonymous_credential_page). Process-local and bounded: ~20 KB a page.
CREDENTIAL_PAGES = ContentMemo(size=256)
# Stands for the visitor's CSRF token in a remembered page (the page's forms and htmx headers
# carry one); random per process, so no text a page shows can contain it by design.
_CSRF_PLACEHOLDER = "csrf" + secrets.token_hex(30)


def _anonymous_credential_page(request: HttpRequest, uuid: str) -> HttpResponse | None:
    """The credential page for an anonymous visitor, rendered once per version of what it shows.

    The key is read fresh from the database on every request (``credential_page_version``: the
    credential's status and dates, the version it awards, the issuer, the holder's name and
    profile visibility) together with the clock's verdict on its validity window, so a
    revocation, a suspension or a renamed holder shows on the very next request. The visitor's
    own CSRF token is put in for each answer. ``If-None-Match`` with the page's ETag (which
    covers the version and the visitor's CSRF cookie) gets a 304. None: render as usual
    (signed-in viewers, pending messages, query strings, unknown credentials).
    """
    if request.user.is_authenticated or request.GET or len(get_messages(request)):
        return None
    version = credential_page_version(uuid=uuid)
    if version is None or version.private:
        return None
    moment = now()
    session = getattr(request, "session", None)
    compare_ids = tuple(session.get("compare_ids", ())) if session is not None and session.session_key else ()
    key = (
        str(uuid).lower(),
        version.stamp,
        moment < version.valid_from,
        version.valid_until is not None and moment > version.valid_until,
        compare_ids,
    )

    def render_page() -> str:
        try:
            record = credential_get_public(uuid=uuid)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        context = {**_credential_page_context(request, record, moment), "csrf_token": _CSRF_PLACEHOLDER}
        return render_to_string("credentials/credential.html", context, request)

    html = CREDENTIAL_PAGES.get_or_compute(key, render_page)
    token = get_token(request)  # this visitor's, as a fresh render would carry (and its cookie)
    etag = '"' + hashlib.sha256(f"{key!r} {request.META.get('CSRF_COOKIE', '')}".encode()).hexdigest()[:32] + '"'
    if _not_modified(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(html.replace(_CSRF_PLACEHOLDER, token))
    response["ETag"] = etag
    count_view(request, response, credential_id=version.credential_id, holder_id=None)  # anonymous: not the holder
    return _credential_page_headers(response)


def _achievement_response(request: HttpRequest, mc: MicroCredential, *, achievement_id: str) -> HttpResponse:
    """The Achievement as JSON under the id the URL names; people are sent to its catalog page."""
    if _wants_html(request, [JSON_LD, "application/json"]):
        if mc.status == Status.PUBLISHED:
            return redirect("catalog:microcredential", provider_slug=mc.provider.slug, slug=mc.slug)
        raise Http404("This micro-credential is no longer in the catalog.")
    content_type = (
        "application/json"
        if request.get_preferred_type([JSON_LD, "application/json"]) == "application/json"
        else JSON_LD
    )
    return cacheable(
        request,
        _json_bytes(achievement_document(mc, achievement_id=achievement_id)),
        content_type=content_type,
        max_age=DOCUMENT_MAX_AGE,
        vary_accept=True,
    )


def _image_response(request: HttpRequest, mc: MicroCredential) -> HttpResponse:
    return cacheable(request, badge_svg(mc).encode("utf-8"), content_type="image/svg+xml", max_age=BADGE_MAX_AGE)


def _public_achievement(public_id: uuid_module.UUID) -> MicroCredential:
    try:
        return microcredential_get_by_public_id(public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _legacy_achievement(pk: int) -> MicroCredential:
    try:
        return microcredential_get_by_legacy_achievement_url(pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
def achievement(request: HttpRequest, public_id: uuid_module.UUID) -> HttpResponse:
    mc = _public_achievement(public_id)
    return _achievement_response(request, mc, achievement_id=links.achievement_url(mc.public_id))


@require_GET
def achievement_image(request: HttpRequest, public_id: uuid_module.UUID) -> HttpResponse:
    return _image_response(request, _public_achievement(public_id))


@require_GET
def legacy_achievement(request: HttpRequest, pk: int) -> HttpResponse:
    """The id credentials issued before public ids carry; served with that same id."""
    mc = _legacy_achievement(pk)
    return _achievement_response(request, mc, achievement_id=links.legacy_achievement_url(pk))


@require_GET
def legacy_achievement_image(request: HttpRequest, pk: int) -> HttpResponse:
    return _image_response(request, _legacy_achievement(pk))
