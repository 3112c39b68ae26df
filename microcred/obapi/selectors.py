"""Reads of the OB 3.0 API: the learner's wallet as the API pages it, and their Profile."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.conf import settings
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from microcred.accounts.models import User
from microcred.accounts.selectors import learner_profile_of
from microcred.careers.selectors import external_credentials_of
from microcred.core import clock
from microcred.credentials.selectors import credentials_of

COMPACT_JWS: Final = re.compile(r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$")
OB3_TYPES: Final = frozenset({"OpenBadgeCredential", "AchievementCredential"})
# A learner's profile id: stable, opaque (no row number), the same from every interface.
_PROFILE_NAMESPACE: Final = uuid.UUID("0c6f3a52-8a55-4d0b-9a4e-5b1e7c2f4d90")


@dataclass(frozen=True)
class WalletEntry:
    """One credential as the API lists it: the JSON document, or the compact JWS it came as."""

    key: str  # orders entries issued at the same moment, so pages never overlap
    issued_at: datetime
    changed_at: datetime  # issued, re-checked or its status changed: what ``since`` compares
    credential_id: str
    document: dict[str, Any] | None = None
    compact_jws: str | None = None


def _as_listed(document: dict[str, Any]) -> dict[str, Any]:
    """The document as GetOpenBadgeCredentialsResponse lists it: ``proof`` always an array (the
    official schema's form). One proof or a set of one is the same proof set (VC 2.0 §4.12,
    Data Integrity §2.1); no proof covers ``proof`` itself, so every signature still verifies."""
    proof = document.get("proof")
    if isinstance(proof, dict):
        return {**document, "proof": [proof]}
    return document


def _is_ob3(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return bool(OB3_TYPES & {t for t in types if isinstance(t, str)})


def _ob3_json(text: str) -> dict[str, Any] | None:
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if _is_ob3(document) else None


def _ob3_jws(text: str) -> str | None:
    """A VC-JWT of an OB 3.0 credential (the credential is the payload, VC 2.0, or its ``vc``
    claim, VC 1.1); an OB 2.0 signed assertion is a JWS too, and is not one."""
    if not COMPACT_JWS.match(text):
        return None
    payload = text.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    return text if _is_ob3(claims) or (isinstance(claims, dict) and _is_ob3(claims.get("vc"))) else None


def wallet_entries(user: User) -> list[WalletEntry]:
    """Every OB 3.0 credential in the learner's wallet, newest first: those we issued them (their
    status is in the document: a wallet checks it) and those they added (kept only when they were
    valid). An added copy of one of ours is listed once, as ours. OB 2.0 assertions added to the
    wallet are not OB 3.0 credentials and are left out."""
    entries: list[WalletEntry] = []
    ours: set[str] = set()
    for credential in credentials_of(actor=user):
        document = credential.document
        credential_id = str(document.get("id", "")) if isinstance(document, dict) else ""
        ours.add(credential_id)
        changed = max(filter(None, [credential.issued_at, credential.status_changed_at]))
        entries.append(
            WalletEntry(
                key=f"a:{credential.uuid}",
                issued_at=credential.issued_at,
                changed_at=changed,
                credential_id=credential_id,
                document=_as_listed(document) if isinstance(document, dict) else document,
            )
        )
    for external in external_credentials_of(user):
        if external.credential_id and external.credential_id in ours:
            continue
        text = external.document.strip()
        jws = _ob3_jws(text)
        document = None if jws is not None else _ob3_json(text)
        if jws is None and document is None:
            continue  # an OB 2.0 assertion, or its hosted URL: not an OpenBadgeCredential
        entries.append(
            WalletEntry(
                key=f"b:{external.pk:012d}",
                issued_at=external.verified_at,
                changed_at=max(external.verified_at, external.checked_at),
                credential_id=external.credential_id,
                document=_as_listed(document) if document is not None else None,
                compact_jws=jws,
            )
        )
    entries.sort(key=lambda entry: (entry.issued_at, entry.key), reverse=True)
    return entries


def profile_id_of(user: User) -> str:
    return f"urn:uuid:{uuid.uuid5(_PROFILE_NAMESPACE, f'{settings.SITE_URL}/users/{user.pk}')}"


def profile_of(user: User) -> dict[str, Any]:
    """The learner as an OB 3.0 Profile: what they told us (name, bio) and their address."""
    profile = learner_profile_of(user=user)
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": profile_id_of(user),
        "type": ["Profile"],
        "email": user.email,
    }
    if user.full_name:
        document["name"] = user.full_name
    if profile.bio:
        document["description"] = profile.bio
    return document


@dataclass(frozen=True)
class Connection:
    """An application the learner allowed, while it still holds a live token."""

    client_id: str
    name: str
    client_uri: str
    scopes: tuple[str, ...]
    since: datetime  # the first live token's


def connections_of(user: User) -> list[Connection]:
    """The applications holding a live access or refresh token of the learner: what they can still
    reach, and since when. Three queries, however many applications."""
    now = clock.now()
    found: dict[int, dict[str, Any]] = {}

    def note(application: Any, scope: str, created: datetime) -> None:
        entry = found.setdefault(application.pk, {"application": application, "scopes": set(), "since": created})
        entry["scopes"].update(scope.split())
        entry["since"] = min(entry["since"], created)

    live_access = get_access_token_model().objects.filter(user=user, expires__gt=now)
    for token in live_access.select_related("application__ob_registration"):
        note(token.application, token.scope, token.created)
    live_refresh = get_refresh_token_model().objects.filter(user=user, revoked__isnull=True)
    for refresh in live_refresh.select_related("application__ob_registration", "access_token"):
        note(refresh.application, refresh.access_token.scope if refresh.access_token else "", refresh.created)
    connections = []
    for entry in found.values():
        application = entry["application"]
        registration = getattr(application, "ob_registration", None)
        connections.append(
            Connection(
                client_id=application.client_id,
                name=application.name or "An unnamed application",
                client_uri=registration.client_uri if registration is not None else "",
                scopes=tuple(sorted(entry["scopes"])),
                since=entry["since"],
            )
        )
    return sorted(connections, key=lambda connection: connection.since)
