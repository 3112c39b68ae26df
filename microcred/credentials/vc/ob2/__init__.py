"""Open Badges 2.0 (and 1.x) assertions, the legacy format real badges still circulate in.

``documents`` recognises an assertion and reads it (recipient, dates, revocation entries),
``linked`` fetches what it links to (the hosted copy, BadgeClass, issuer Profile, key,
revocation list) and holds it to the issuer's rules, ``signed`` checks a SignedBadge's JWS.
Each raises the core's typed errors; the verifier's checklist (``verifier/ob2.py``) turns
them into steps. Nothing here imports the verifier, so the verifier may import this.
"""

from __future__ import annotations

from typing import Any

from ..errors import CredentialError
from .documents import OB1_CONTEXT, OB2_CONTEXT, is_assertion
from .signed import unverified_parts


def signed_assertion(token: str) -> dict[str, Any] | None:
    """The assertion a compact JWS carries, if it carries an OB 2.0 assertion (unverified)."""
    try:
        _header, payload = unverified_parts(token)
    except CredentialError:
        return None
    return payload if is_assertion(payload) else None


__all__ = ["OB1_CONTEXT", "OB2_CONTEXT", "is_assertion", "signed_assertion"]
