"""Credentials, keys and status lists built and signed in the tests with the vc core.

Nothing here is a fixture file: every document is produced by the same builders and
signers the platform uses, so the verifier is tested against real signatures.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from microcred.credentials import vc
from microcred.credentials.vc import ob3
from microcred.credentials.vc.errors import FetchRefused
from microcred.credentials.vc.verifier import VerificationReport, verify_presented

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ISSUED = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
LEARNER_EMAIL = "Ada.Lovelace@example.org"
SALT = "pepper-9"


def seeded_key(seed: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


@dataclass
class Issuer:
    id: str
    name: str
    key: Ed25519PrivateKey
    vm: str

    @property
    def profile(self) -> ob3.IssuerProfile:
        return ob3.IssuerProfile(id=self.id, name=self.name, url="https://academy.example")


def did_key_issuer(seed: int = 1, name: str = "Key Academy") -> Issuer:
    key = seeded_key(seed)
    public = key.public_key()
    return Issuer(id=vc.did_key_from_public(public), name=name, key=key, vm=vc.did_key_vm_id(public))


def https_issuer(base: str = "https://academy.example", seed: int = 2, name: str = "Example Academy") -> Issuer:
    issuer_id = f"{base}/issuers/1"
    return Issuer(id=issuer_id, name=name, key=seeded_key(seed), vm=f"{issuer_id}#key-1")


def controller_document(issuer: Issuer) -> dict[str, Any]:
    """The issuer Profile served at its id, listing its key (W3C CID, DIGEST §1.4)."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://www.w3.org/ns/cid/v1",
        ],
        "id": issuer.id,
        "type": ["Profile"],
        "name": issuer.name,
        "verificationMethod": [
            vc.multikey_document(vm_id=issuer.vm, controller=issuer.id, public_key=issuer.key.public_key())
        ],
        "assertionMethod": [issuer.vm],
    }


def badge(
    issuer: Issuer,
    *,
    credential_id: str = "urn:uuid:7d2f1c1e-5b7a-4c7e-9d61-3f0d8f1a0b11",
    valid_from: datetime = ISSUED,
    valid_until: datetime | None = ISSUED + timedelta(days=3 * 365),
    status: ob3.StatusEntry | None = None,
    email: str = LEARNER_EMAIL.lower(),
    subject_id: str | None = None,
) -> dict[str, Any]:
    achievement = ob3.Achievement(
        id="https://academy.example/achievements/dlf",
        name="Data Literacy Fundamentals",
        description="Reads, cleans and summarises tabular data.",
        criteria_narrative="Pass the final assessment with at least 70 %.",
    )
    return ob3.build_credential(
        credential_id=credential_id,
        issuer=issuer.profile,
        achievement=achievement,
        subject=ob3.Subject.from_email(email, SALT, id=subject_id),
        valid_from=valid_from,
        valid_until=valid_until,
        awarded_date=valid_from,
        status=status,
    )


def sign(document: dict[str, Any], issuer: Issuer, **options: Any) -> dict[str, Any]:
    return vc.sign(document, private_key=issuer.key, verification_method=issuer.vm, created=ISSUED, **options)


def status_list(issuer: Issuer, list_id: str, *, set_bits: tuple[int, ...] = (), purpose: str = "revocation") -> dict:
    bits = vc.StatusList()
    for index in set_bits:
        bits.set(index)
    unsigned = vc.build_status_list_credential(
        list_id=list_id,
        issuer=issuer.id,
        status_list=bits,
        purpose=purpose,
        valid_from=ISSUED,
        valid_until=NOW + timedelta(days=7),
    )
    return sign(unsigned, issuer)


def sign_jwt(credential: dict[str, Any], key: Ed25519PrivateKey | RSAPrivateKey, kid: str) -> str:
    return vc.sign_vc_jwt(credential, private_key=key, kid=kid)


@dataclass
class World:
    """Documents a verifier may fetch, served without a network."""

    documents: dict[str, Any] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def publish(self, url: str, document: Any) -> None:
        self.documents[url] = copy.deepcopy(document)

    def publish_issuer(self, issuer: Issuer) -> None:
        if issuer.id.startswith("https://"):
            self.publish(issuer.id, controller_document(issuer))

    def fetch(self, url: str, *, accept: str = "application/json") -> bytes:
        self.fetched.append(url)
        if url not in self.documents:
            raise FetchRefused(f"no document at {url}", url=url)
        document = self.documents[url]
        if isinstance(document, bytes):
            return document
        if isinstance(document, str):
            return document.encode("utf-8")
        return json.dumps(document).encode("utf-8")

    def resolve_key(self, vm_url: str) -> vc.ResolvedKey:
        return vc.resolve_verification_method(vm_url, fetcher=self)

    def verify(self, data: Any, *, now: datetime = NOW, recipient_email: str | None = None) -> VerificationReport:
        return verify_presented(
            data,
            now=now,
            resolve_key=self.resolve_key,
            fetch_document=self.fetch,
            recipient_email=recipient_email,
        )


def png_image() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGBA", (8, 8), (49, 46, 129, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


SVG_IMAGE = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30"/></svg>'


def vc11_badge(issuer: Issuer, *, expiration: str = "2029-01-01T00:00:00Z") -> dict[str, Any]:
    """An OB 3.0 badge on VC 1.1 (AnyAchievementCredential), as older issuers emit."""
    return {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": "urn:uuid:0f6b2c1a-1111-4a4a-9b9b-000000000011",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Teamwork",
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name},
        "issuanceDate": "2024-05-01T00:00:00Z",
        "expirationDate": expiration,
        "credentialSubject": {
            "id": "did:example:learner-11",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://old.example/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Collaborates within a group.",
                "criteria": {"narrative": "Nominated by peers."},
            },
        },
    }
