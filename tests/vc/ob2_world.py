"""Open Badges 2.0 issuers for the tests: hosted documents and RSA/EC-signed assertions.

Fixture files in ``data/ob2/`` come from the 1EdTech validator and specification (see its
README); every signed badge here is made with a real key (cryptography) and joserfc, and the
documents an issuer publishes are served by the core's :class:`StaticFetcher`.
"""

from __future__ import annotations

import base64
import copy
import json
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

from microcred.credentials.vc.errors import FetchRefused, KeyResolutionError
from microcred.credentials.vc.fetch import StaticFetcher
from microcred.credentials.vc.verifier import VerificationReport
from microcred.credentials.vc.verifier.engine import Verifier

DATA = Path(__file__).resolve().parent / "data" / "ob2"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ORIGIN = "https://badges.example.org"
ISSUER_URL = f"{ORIGIN}/issuer.json"
BADGE_URL = f"{ORIGIN}/badges/robotics.json"
ASSERTION_URL = f"{ORIGIN}/assertions/1.json"
KEY_URL = f"{ORIGIN}/keys/1.json"
REVOCATIONS_URL = f"{ORIGIN}/revocations.json"
SIGNED_ID = "urn:uuid:7d8c1f0e-2b7a-4c53-9d3e-1b2f7f6c9a10"
EMAIL = "Ada.Lovelace@example.org"
SALT = "sel-gris"
_RSA_KEYS: dict[int, rsa.RSAPrivateKey] = {}


def read_json(name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((DATA / name).read_text("utf-8"))
    return value


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    # Key generation dominates these tests' time; one key per size is enough.
    if bits not in _RSA_KEYS:
        _RSA_KEYS[bits] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return _RSA_KEYS[bits]


def public_pem(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def sign(payload: dict[str, Any], private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, alg: str = "RS256") -> str:
    key = RSAKey.import_key(private) if isinstance(private, rsa.RSAPrivateKey) else ECKey.import_key(private)
    token = jws.serialize_compact({"alg": alg}, json.dumps(payload).encode("utf-8"), key, algorithms=[alg])
    return token


def swap_payload(token: str, payload: dict[str, Any]) -> str:
    """The same header and signature over another payload: a tampered badge."""
    header, _payload, signature = token.split(".")
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode("utf-8")).rstrip(b"=").decode("ascii")
    return f"{header}.{encoded}.{signature}"


def hashed_recipient(email: str = EMAIL) -> dict[str, Any]:
    import hashlib

    digest = hashlib.sha256((email.lower() + SALT).encode("utf-8")).hexdigest()
    return {"type": "email", "hashed": True, "salt": SALT, "identity": f"sha256${digest}"}


def badge_class() -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": BADGE_URL,
        "name": "Robot Wrangler",
        "description": "Builds and programs a line-following robot.",
        "image": f"{ORIGIN}/badges/robotics.png",
        "criteria": {"narrative": "Pass the practical."},
        "issuer": ISSUER_URL,
    }


def issuer_profile(**extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": ISSUER_URL,
        "name": "Example Robotics Guild",
        "url": ORIGIN,
        "email": "badges@badges.example.org",
        **extra,
    }


def hosted_assertion(**extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": ASSERTION_URL,
        "recipient": hashed_recipient(),
        "issuedOn": "2025-09-01T09:00:00Z",
        "badge": BADGE_URL,
        "verification": {"type": "HostedBadge"},
        **extra,
    }


def signed_assertion(**extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": SIGNED_ID,
        "recipient": hashed_recipient(),
        "issuedOn": "2025-09-01T09:00:00Z",
        "badge": BADGE_URL,
        "verification": {"type": "SignedBadge", "creator": KEY_URL},
        **extra,
    }


def key_document(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, owner: str = ISSUER_URL) -> dict[str, Any]:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "CryptographicKey",
        "id": KEY_URL,
        "owner": owner,
        "publicKeyPem": public_pem(private),
    }


@dataclass
class Ob2World:
    """What issuers publish, by URL; ``gone`` answers 410 as a revoked hosted assertion does."""

    documents: dict[str, Any] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    fetched: list[str] = field(default_factory=list)

    def publish(self, *documents: dict[str, Any]) -> Ob2World:
        for document in documents:
            self.documents[document["id"]] = copy.deepcopy(document)
        return self

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        if url in self.gone:
            # What HttpsFetcher raises for any status but 200.
            raise FetchRefused(f"{url} answered HTTP 410", url=url, status=410)
        return StaticFetcher(self.documents).fetch(url)

    def verify(self, data: Any, *, now: datetime = NOW, recipient_email: str | None = None) -> VerificationReport:
        return verifier(self.fetch, now=now).run(data, recipient_email=recipient_email)


def no_key(vm_url: str) -> Any:
    raise KeyResolutionError(f"no Data Integrity key is needed for OB 2.0 ({vm_url})")


def verifier(fetch: Any, *, now: datetime = NOW) -> Verifier:
    return Verifier(now=now, resolve_key=no_key, fetch_document=fetch)


def hosted_world() -> Ob2World:
    return Ob2World().publish(hosted_assertion(), badge_class(), issuer_profile())


def signed_world(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None, **issuer: Any) -> Ob2World:
    private = private or rsa_key()
    profile = issuer_profile(**{"publicKey": KEY_URL, "revocationList": REVOCATIONS_URL, **issuer})
    revocations = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "RevocationList",
        "id": REVOCATIONS_URL,
        "issuer": ISSUER_URL,
        "revokedAssertions": ["urn:uuid:00000000-0000-4000-8000-000000000000"],
    }
    return Ob2World().publish(badge_class(), profile, key_document(private), revocations)


# --- baking (OB 2.0 images are made by other issuers: these write their chunks by hand) -----


def png_with_text_chunk(image: bytes, kind: bytes, keyword: bytes, text: bytes) -> bytes:
    """``image`` with one iTXt (uncompressed, empty language and translated keyword) or
    tEXt chunk inserted before IEND, as OB 2.0 / OB 1.0 bakers write it."""
    body = keyword + b"\0" + (b"\0\0\0\0" + text if kind == b"iTXt" else text)
    chunk = struct.pack(">I4s", len(body), kind) + body + struct.pack(">I", zlib.crc32(kind + body))
    end = image.rindex(b"IEND") - 4
    return image[:end] + chunk + image[end:]


def ob2_svg(*, verify: str | None = None, body: str | None = None) -> str:
    attribute = f' verify="{verify}"' if verify is not None else ""
    inner = f"<![CDATA[{body}]]>" if body is not None else ""
    element = f"<openbadges:assertion{attribute}>{inner}</openbadges:assertion>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" viewBox="0 0 64 64">'
        f'{element}<circle cx="32" cy="32" r="30"/></svg>'
    )
