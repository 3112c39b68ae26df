"""``POST /verify``: the verification checklist for a presented credential. Public, read-only."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import Field, Router, Schema

from microcred.accounts.services import api_token_authenticate
from microcred.api.errors import ProblemOut
from microcred.core.errors import ValidationFailed
from microcred.core.problems import problem_response

from .services import MAX_PRESENTED_BYTES, verify_credential
from .throttle import retry_after

router = Router(tags=["verification"])


class StepOut(Schema):
    name: str = Field(description="Stable step id: read, structure, schema, subject, proof, issuer, status, ...")
    label: str
    status: str = Field(description="passed, failed, skipped, unsupported or warning.")
    reason: str
    code: str | None = Field(None, description="The stable error code of a failed step, e.g. invalid_proof.")
    data: dict[str, Any] | None = None


class IssuerOut(Schema):
    id: str | None
    name: str | None


class AchievementOut(Schema):
    name: str | None
    description: str | None
    image: str | None


VERDICT_DESCRIPTION = (
    "The answer (ADR 0040): valid; valid_with_warnings (signature and status hold, OB 3.0 rules "
    "broken: see conformance_warnings); invalid (forged, tampered, wrong key, revoked, suspended, "
    "expired, not yet valid: see outcome); cannot_check (a suite, context, key or status list this "
    "verifier cannot use: not a forgery, never valid); unreadable (not a credential)."
)
Verdict = Literal["valid", "valid_with_warnings", "invalid", "cannot_check", "unreadable"]


class EndorsementOut(Schema):
    verdict: Verdict = Field(description=VERDICT_DESCRIPTION)
    valid: bool
    outcome: str
    headline: str
    issuer: IssuerOut
    steps: list[StepOut]


class VerificationOut(Schema):
    verdict: Verdict = Field(description=VERDICT_DESCRIPTION)
    valid: bool = Field(description="True when the verdict is valid or valid_with_warnings.")
    outcome: str = Field(
        description="The detail of the verdict: valid, invalid, revoked, suspended, expired, not_yet_valid, "
        "unsupported (cannot_check) or malformed (unreadable)."
    )
    conformance_warnings: list[str] = Field(
        description="Each Open Badges 3.0 rule the credential breaks (the verdict is then valid_with_warnings "
        "if nothing else is wrong)."
    )
    headline: str
    format: str | None = Field(description="How it was presented: json, jwt, png or svg.")
    vc_version: str | None
    credential_id: str | None
    name: str | None
    issuer: IssuerOut
    achievement: AchievementOut
    subject: str | None
    valid_from: str | None
    valid_until: str | None
    awarded_date: str | None
    steps: list[StepOut]
    endorsements: list[EndorsementOut]
    credential: dict[str, Any] | None


_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "credential": {
                            "description": "The credential: a JSON object, or a string (JSON text or a VC-JWT).",
                            "oneOf": [{"type": "object"}, {"type": "string"}],
                        },
                        "url": {"type": "string", "description": "Where the credential is published."},
                        "recipient_email": {"type": "string", "description": "Optional address to match."},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "JSON, JWT, PNG or SVG."},
                        "recipient_email": {"type": "string"},
                    },
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post(
    "/verify",
    auth=None,
    response={200: VerificationOut, 413: ProblemOut, 422: ProblemOut, 429: ProblemOut},
    summary="Verify a credential",
    openapi_extra=_REQUEST_BODY,
)
def verify(request: HttpRequest) -> Any:
    """Run the Open Badges 3.0 verification checklist on a credential given as JSON (`credential`
    or `url`) or uploaded as a file. A credential that fails a check is still a 200 answer: read
    `verdict` (valid, valid_with_warnings, invalid, cannot_check, unreadable), `outcome` for the
    detail and each step's `reason`; only unusable requests get a problem.

    Each client may verify `MICROCRED_VERIFY_RATE` times (anonymous, by address) or
    `MICROCRED_VERIFY_RATE_AUTHENTICATED` times (with a session or an API token); over it the
    answer is a 429 problem with `Retry-After`. A verification that runs past its processor-time
    budget is stopped and reported as `malformed` (step `read`, code `too_slow`)."""
    wait = retry_after(request, user=_token_user(request))
    if wait is not None:
        response = problem_response(
            request,
            status=429,
            code="throttled",
            title="Too many requests",
            detail=f"This client has verified many credentials in a short time; try again in {wait} seconds.",
        )
        response["Retry-After"] = str(wait)
        return response
    if (request.content_type or "").startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                "Upload the credential as 'file'.", errors={"body.file": ["This field is required."]}
            )
        if upload.size is not None and upload.size > MAX_PRESENTED_BYTES:
            raise _TooLarge("The file is larger than 2 MB.")
        report = verify_credential(data=upload.read(), recipient_email=request.POST.get("recipient_email"))
        return report.to_json()
    payload = _json_body(request)
    credential = payload.get("credential")
    url = payload.get("url")
    email = payload.get("recipient_email")
    errors: dict[str, list[str]] = {}
    if credential is not None and not isinstance(credential, (dict, str)):
        errors["body.credential"] = ["Give the credential as a JSON object or a string."]
    if url is not None and not isinstance(url, str):
        errors["body.url"] = ["Give the URL as a string."]
    if email is not None and not isinstance(email, str):
        errors["body.recipient_email"] = ["Give the e-mail address as a string."]
    if errors:
        raise ValidationFailed("The request is not valid; see errors for each field.", errors=errors)
    if isinstance(credential, str) and len(credential.encode("utf-8")) > MAX_PRESENTED_BYTES:
        raise _TooLarge("The credential is larger than 2 MB.")
    report = verify_credential(data=credential, url=url, recipient_email=email)
    return report.to_json()


def _token_user(request: HttpRequest) -> Any:
    """The owner of a live API token in the Authorization header (this operation is public, so
    nothing else authenticates it); None without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return api_token_authenticate(secret=token.strip())


class _TooLarge(ValidationFailed):
    code = "payload_too_large"
    status = 413
    title = "Payload too large"


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise _TooLarge("The request body is larger than 2 MB.") from exc
    try:
        payload = json.loads(body or b"null")
    except RecursionError as exc:
        raise ValidationFailed(
            "The request body is nested too deeply to read.",
            errors={"body": ["Credentials are nested a few levels deep; this is hundreds."]},
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "The request body is not JSON.",
            errors={"body": ["Send a JSON object {credential | url, recipient_email}, or upload a file."]},
        ) from exc
    if not isinstance(payload, dict):
        raise ValidationFailed("The request body must be a JSON object.", errors={"body": ["Expected an object."]})
    return payload
