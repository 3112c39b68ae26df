"""Step 1: turn what was presented (JSON, a compact JWS, a baked PNG or SVG) into a credential.

An Open Badges 2.0 (or 1.x) assertion is recognised here too (``legacy == "ob2"``): as JSON, as
a JWS whose payload is one, or as the hosted assertion's URL that an OB 2.0 image may carry
instead of the assertion itself (``payload == "url"``, ``reference`` the URL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..baking import detect_and_extract, payload_kind
from ..errors import MalformedCredential
from ..jwt import REGISTERED_CLAIMS, unverified_parts
from ..limits import check_document, load_json
from ..ob2 import is_assertion, signed_assertion
from ..ob2.documents import is_http_url

# Presented files are capped by the callers (2 MB on the web); this bounds the core too.
MAX_INPUT_BYTES = 10 * 1024 * 1024

_FORMAT_NAMES = {
    "json": "a JSON credential",
    "jwt": "a VC-JWT (compact JWS)",
}
_OB2_FORMAT_NAMES = {
    "json": "an Open Badges 2.0 assertion (legacy format, JSON)",
    "jwt": "an Open Badges 2.0 signed assertion (legacy format, JWS)",
    "url": "the URL of an Open Badges 2.0 hosted assertion (legacy format)",
}
OB2 = "ob2"


@dataclass(frozen=True)
class Presented:
    """What was read: ``container`` is json/jwt/png/svg, ``payload`` json, jwt or (OB 2.0) url."""

    container: str
    payload: str
    credential: dict[str, Any]
    token: str | None = None
    legacy: str | None = None
    reference: str | None = None

    @property
    def description(self) -> str:
        what = (_OB2_FORMAT_NAMES if self.legacy == OB2 else _FORMAT_NAMES)[self.payload]
        if self.container in ("png", "svg"):
            return f"Extracted {what} baked into a {self.container.upper()} image."
        if self.container == "pdf":
            return f"Extracted {what} attached to a PDF (its printed text is not verified)."
        return f"Read {what}."


def read_presented(data: bytes | str | Mapping[str, Any]) -> Presented:
    """Recognise and decode the input; raise :class:`MalformedCredential` if we cannot."""
    if isinstance(data, Mapping):
        check_document(data, what="the credential")
        return Presented("json", "json", dict(data), legacy=OB2 if is_assertion(data) else None)
    if isinstance(data, str):
        raw = data.encode("utf-8")
    elif isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    else:
        raise MalformedCredential(f"cannot read a credential from {type(data).__name__}")
    if not raw.strip():
        raise MalformedCredential("nothing was presented")
    container, text = detect_and_extract(raw, max_bytes=MAX_INPUT_BYTES)
    if container in ("png", "svg") and is_http_url(text) and not any(char.isspace() for char in text.strip()):
        # An OB 2.0 (or 1.0) image may carry only where its hosted assertion lives.
        return Presented(container, "url", {}, legacy=OB2, reference=text.strip())
    payload = container if container in ("json", "jwt") else payload_kind(text)
    if payload == "json":
        document = _json_object(text)
        return Presented(container, "json", document, legacy=OB2 if is_assertion(document) else None)
    token = text.strip()
    assertion = signed_assertion(token)
    if assertion is not None:
        return Presented(container, "jwt", assertion, token=token, legacy=OB2)
    return Presented(container, "jwt", unverified_credential(text), token=token)


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = load_json(text, what="the credential")
    except ValueError as exc:
        raise MalformedCredential(f"the credential is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise MalformedCredential("a credential must be a JSON object")
    return value


def unverified_credential(token: str) -> dict[str, Any]:
    """The credential a VC-JWT carries, for display and schema checks before its signature
    is checked. Never trusted: the proof step re-derives it from the verified token."""
    try:
        _header, payload = unverified_parts(token)
    except ValueError as exc:
        raise MalformedCredential("not a compact JWS (expected header.payload.signature)") from exc
    wrapped = payload.get("vc")
    if isinstance(wrapped, dict):
        credential = dict(wrapped)
        # VC-JWT 1.1 may move these out of "vc" into claims.
        if "issuer" not in credential and isinstance(payload.get("iss"), str):
            credential["issuer"] = payload["iss"]
        if "id" not in credential and isinstance(payload.get("jti"), str):
            credential["id"] = payload["jti"]
        return credential
    if wrapped is not None:
        raise MalformedCredential("the vc claim must be a JSON object")
    return {name: value for name, value in payload.items() if name not in REGISTERED_CLAIMS}
