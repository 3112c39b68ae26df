"""The OB 3.0 API's HTTP face: thin views over obapi's services and selectors.

The resource endpoints take only a bearer token (never the session), so they are CSRF-exempt;
errors are ``imsx_StatusInfo`` JSON with the HTTP code the spec names (401 with a
``WWW-Authenticate`` challenge, 403 ``insufficient_scope``…). Registration errors are RFC 7591's
``{"error", "error_description"}``. The consent page is ours (login required, CSRF on)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from microcred.accounts.models import User
from microcred.core.errors import AppError, AuthenticationRequired, NotFound
from microcred.credentials.views.hosting import cacheable
from microcred.web.views.common import app_errors, client_ip

from . import selectors, services
from .discovery import absolute, authorization_server_metadata, issuer, issuer_path, service_description
from .scopes import CONSENT_WORDS, CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE
from .selectors import COMPACT_JWS

REALM: Final = "Open Badges API"
SYSTEM_NAME: Final = "Microcred"
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100
# The discovery documents change only with the settings: caches may keep them an hour.
DISCOVERY_MAX_AGE: Final = 3600
JSON_TYPES: Final = frozenset({"application/json", "application/ld+json", "application/vc+ld+json", "application/vc"})


# -- imsx_StatusInfo errors --------------------------------------------------------------------


def status_info(description: str, *, status: int, minor: str, headers: dict[str, str] | None = None) -> JsonResponse:
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [{"imsx_codeMinorFieldName": SYSTEM_NAME, "imsx_codeMinorFieldValue": minor}]
        },
    }
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _app_error(error: AppError) -> JsonResponse:
    if isinstance(error, NotFound):
        return status_info(error.message, status=404, minor="not_found")
    if isinstance(error, AuthenticationRequired):
        return _unauthorised("Send an access token.", error=None)
    # Invalid input, a credential that does not verify, the wallet's limits: the spec's 400.
    return status_info(error.message, status=400, minor="invalid_data")


def _unauthorised(description: str, *, error: str | None) -> JsonResponse:
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}", error_description="{description}"'
    return status_info(description, status=401, minor="unauthorizedrequest", headers={"WWW-Authenticate": challenge})


def _not_allowed(allowed: str) -> JsonResponse:
    return status_info(f"Use {allowed}.", status=405, minor="not_allowed", headers={"Allow": allowed})


def _token_holder(request: HttpRequest, scope: str) -> User | JsonResponse:
    """The learner a valid bearer token with ``scope`` acts for, or the error response (RFC 6750 §3)."""
    if not request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
        return _unauthorised("Send an access token: Authorization: Bearer <token>.", error=None)
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None)
    if not valid or token is None or token.user is None or not token.user.is_active:
        return _unauthorised("The access token is expired, revoked or unknown.", error="invalid_token")
    if not token.allow_scopes([scope]):
        challenge = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'
        return status_info(
            f"The access token was not granted {scope}.",
            status=403,
            minor="forbidden",
            headers={"WWW-Authenticate": challenge},
        )
    return token.user


# -- discovery and registration ----------------------------------------------------------------


def _public_json(request: HttpRequest, document: dict[str, Any]) -> HttpResponse:
    """Cacheable (ETag, 304) and readable from any origin: a browser-based wallet reads it too."""
    body = json.dumps(document, indent=2).encode("utf-8")
    return cacheable(request, body, content_type="application/json", max_age=DISCOVERY_MAX_AGE)


@require_GET
def discovery(request: HttpRequest) -> HttpResponse:
    return _public_json(request, service_description())


@require_GET
def oauth_metadata(request: HttpRequest, inserted_path: str = "") -> HttpResponse:
    """RFC 8414 metadata, at ``/.well-known/oauth-authorization-server`` and, for an issuer with a
    path (a ``SITE_URL`` like ``https://host/badges``), also at the §3 form
    ``/.well-known/oauth-authorization-server/badges``; any other path names another issuer."""
    if inserted_path and inserted_path.strip("/") != issuer_path():
        raise Http404("No authorization server has that issuer here.")
    return _public_json(request, authorization_server_metadata())


@csrf_exempt  # an API for programs with no cookies: nothing a browser could be tricked into sending
def register(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "invalid_request", "error_description": "POST the client metadata."}, status=405)
    if is_ratelimited(
        request,
        group="obapi.register",
        key=lambda group, request: client_ip(request) or "unknown",
        rate=settings.MICROCRED_OBAPI_REGISTRATION_RATE,
        increment=True,
    ):
        return JsonResponse(
            {"error": "invalid_request", "error_description": "Too many registrations from this address; try later."},
            status=429,
        )
    if request.content_type != "application/json":
        return JsonResponse(
            {"error": "invalid_client_metadata", "error_description": "Send the metadata as application/json."},
            status=400,
        )
    try:
        metadata = json.loads(request.body)
    except ValueError:
        return JsonResponse(
            {"error": "invalid_client_metadata", "error_description": "The body is not JSON."}, status=400
        )
    try:
        registered = services.client_register(metadata=metadata, registered_from=client_ip(request))
    except services.RegistrationRefused as refused:
        return JsonResponse({"error": refused.code, "error_description": refused.message}, status=400)
    response = JsonResponse(registered.to_json(), status=201)
    response["Cache-Control"] = "no-store"
    return response


class ConsentView(AuthorizationView):
    """django-oauth-toolkit's authorization endpoint with our consent page (login required)."""

    template_name = "obapi/authorize.html"

    def validate_authorization_request(self, request: HttpRequest) -> tuple[list[str], dict[str, Any]]:
        """PKCE with S256 only (OB 3.0 §7.1.2.1, RFC 9700 §2.1.1): a request without an explicit
        S256 challenge goes back to the client as ``invalid_request`` before the consent page
        shows (django-oauth-toolkit itself refuses "plain" only when the code is made)."""
        scopes, credentials = super().validate_authorization_request(request)
        if credentials.get("code_challenge_method") not in services.CODE_CHALLENGE_METHODS:
            raise OAuthToolkitError(
                error=oauth_errors.InvalidRequestError(
                    description="PKCE is required with code_challenge_method=S256.", state=credentials.get("state")
                ),
                redirect_uri=credentials.get("redirect_uri"),
            )
        return scopes, credentials

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> tuple[str, dict[str, str], str, int]:
        """django-oauth-toolkit names the request's own origin in the RFC 9207 ``iss`` parameter;
        a wallet compares it with the metadata's ``issuer``, which is ``SITE_URL``: answer that."""
        uri, headers, body, status = super().create_authorization_response(request, scopes, credentials, allow)
        parts = urlsplit(uri)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(name == "iss" for name, _ in query):
            query = [(name, value) for name, value in query if name != "iss"] + [("iss", issuer())]
            uri = urlunsplit(parts._replace(query=urlencode(query)))
            headers["Location"] = uri
        return uri, headers, body, status

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().get(request, *args, **kwargs)
        redirect_uri = getattr(self, "oauth2_data", {}).get("redirect_uri")
        if response.status_code == 200 and redirect_uri:
            # Our CSP's form-action 'self' also covers where the form's answer redirects: the
            # client's redirect URI (already checked against its registration) must be allowed,
            # or the browser stops the learner's "Allow" at our door.
            target = urlsplit(redirect_uri)
            response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}  # type: ignore[attr-defined]
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        context["registration"] = getattr(application, "ob_registration", None) if application else None
        context["scope_words"] = [CONSENT_WORDS.get(scope, scope) for scope in context.get("scopes", [])]
        return context


def policy(request: HttpRequest) -> HttpResponse:
    seconds = int(oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    return render(request, "obapi/policy.html", {"access_hours": max(1, seconds // 3600)})


# -- credentials -------------------------------------------------------------------------------


class BadQuery(ValueError):
    pass


def _integer(request: HttpRequest, name: str, *, default: int, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadQuery(f"{name} must be an integer.") from exc
    if value < minimum:
        raise BadQuery(f"{name} must be at least {minimum}.")
    return value


def _since(request: HttpRequest) -> datetime | None:
    raw = request.GET.get("since")
    if raw is None:
        return None
    try:
        moment = parse_datetime(raw.strip())
    except ValueError:
        moment = None
    if moment is None:
        raise BadQuery("since must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _page_link(request: HttpRequest, *, limit: int, offset: int, rel: str) -> str:
    query: dict[str, str | int] = {"limit": limit, "offset": offset}
    if "since" in request.GET:
        query["since"] = request.GET["since"]
    return f'<{absolute("obapi:credentials")}?{urlencode(query)}>; rel="{rel}"'


def _paging_headers(request: HttpRequest, *, total: int, limit: int, offset: int) -> dict[str, str]:
    """X-Total-Count and an RFC 8288 Link header with first, last, and next/prev where they exist."""
    last = max(0, (total - 1) // limit * limit)
    links = [
        _page_link(request, limit=limit, offset=0, rel="first"),
        _page_link(request, limit=limit, offset=last, rel="last"),
    ]
    if offset + limit < total:
        links.append(_page_link(request, limit=limit, offset=offset + limit, rel="next"))
    if offset > 0:
        links.append(_page_link(request, limit=limit, offset=max(0, min(offset - limit, last)), rel="prev"))
    return {"X-Total-Count": str(total), "Link": ", ".join(links)}


def _get_credentials(request: HttpRequest, learner: User) -> JsonResponse:
    try:
        limit = min(_integer(request, "limit", default=DEFAULT_LIMIT, minimum=1), MAX_LIMIT)
        offset = _integer(request, "offset", default=0, minimum=0)
        since = _since(request)
    except BadQuery as bad:
        return status_info(str(bad), status=400, minor="invalid_query_parameter")
    entries = selectors.wallet_entries(learner)
    if since is not None:
        entries = [entry for entry in entries if entry.changed_at > since]
    page = entries[offset : offset + limit]
    body = {
        "credential": [entry.document for entry in page if entry.document is not None],
        "compactJwsString": [entry.compact_jws for entry in page if entry.compact_jws is not None],
    }
    response = JsonResponse(body)
    for name, value in _paging_headers(request, total=len(entries), limit=limit, offset=offset).items():
        response[name] = value
    return response


def _upsert(request: HttpRequest, learner: User) -> HttpResponse:
    try:
        text = request.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return status_info("The body is not UTF-8 text.", status=400, minor="invalid_data")
    content_type = request.content_type or ""
    if content_type in JSON_TYPES:
        try:
            parsed = json.loads(text)
        except ValueError:
            return status_info("The body is not JSON.", status=400, minor="invalid_data")
        if not isinstance(parsed, dict):
            return status_info("Send one credential, a JSON object.", status=400, minor="invalid_data")
    elif content_type == "text/plain":
        if not COMPACT_JWS.match(text.strip()):
            return status_info(
                "A text/plain body must be one compact JWS (a VC-JWT).", status=400, minor="invalid_data"
            )
    else:
        return status_info(
            "Send the credential as application/json, or a VC-JWT as text/plain.", status=400, minor="invalid_data"
        )
    try:
        upserted = services.wallet_credential_upsert(actor=learner, learner=learner, document=text)
    except AppError as error:
        return _app_error(error)
    # The spec: the response body is the credential in the request.
    return HttpResponse(
        text.strip(),
        status=201 if upserted.created else 200,
        content_type="text/plain" if content_type == "text/plain" else "application/json",
    )


@csrf_exempt  # bearer tokens only; the session is never read here
def credentials(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        learner = _token_holder(request, CREDENTIAL_READONLY)
        return learner if isinstance(learner, HttpResponse) else _get_credentials(request, learner)
    if request.method == "POST":
        learner = _token_holder(request, CREDENTIAL_UPSERT)
        return learner if isinstance(learner, HttpResponse) else _upsert(request, learner)
    return _not_allowed("GET, POST")


@csrf_exempt  # bearer tokens only; the session is never read here
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        learner = _token_holder(request, PROFILE_READONLY)
        return learner if isinstance(learner, HttpResponse) else JsonResponse(selectors.profile_of(learner))
    if request.method == "PUT":
        learner = _token_holder(request, PROFILE_UPDATE)
        if isinstance(learner, HttpResponse):
            return learner
        if request.content_type not in JSON_TYPES:
            return status_info("Send the Profile as application/json.", status=400, minor="invalid_data")
        try:
            document = json.loads(request.body)
        except ValueError:
            return status_info("The body is not JSON.", status=400, minor="invalid_data")
        try:
            updated = services.wallet_profile_update(actor=learner, learner=learner, profile=document)
        except AppError as error:
            return _app_error(error)
        return JsonResponse(selectors.profile_of(updated))
    return _not_allowed("GET, PUT")


# -- the learner's connected applications ------------------------------------------------------


@login_required
@require_GET
def connections(request: HttpRequest) -> HttpResponse:
    rows = [
        {"connection": connection, "scope_words": [CONSENT_WORDS.get(scope, scope) for scope in connection.scopes]}
        for connection in selectors.connections_of(request.user)  # type: ignore[arg-type]
    ]
    return render(request, "obapi/connections.html", {"rows": rows})


@login_required
@require_POST
@app_errors
def disconnect(request: HttpRequest, client_id: str) -> HttpResponse:
    learner = request.user
    ended = services.connection_end(actor=learner, learner=learner, client_id=client_id)  # type: ignore[arg-type]
    messages.success(request, f"Disconnected: its {ended} token{'s' if ended != 1 else ''} no longer work.")
    return redirect("obapi:connections")
