"""The benchmark credential: a realistic ~3 KB OB 3.0 micro-credential, one per learner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.credentials.vc import ob3
from microcred.credentials.vc.multikey import ed25519_private_to_multibase, ed25519_public_to_multibase

ISSUER_ID = "https://academy.example/issuers/1"
VERIFICATION_METHOD = f"{ISSUER_ID}#key-1"
CREATED = datetime(2025, 3, 1, 9, 0, 5, tzinfo=UTC)
SIGNING_KEY = Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)


def achievement(variant: int = 0) -> ob3.Achievement:
    """The cohort's achievement; ``variant`` changes its shape (an "arbitrary" credential)."""
    skills = [
        ("analyse data", "http://data.europa.eu/esco/skill/ed2a6f6d-f1b5-4a6a-9d1b-6b3c1a2f0e01"),
        ("use spreadsheets software", "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"),
        ("perform data cleansing", "http://data.europa.eu/esco/skill/5b4a3a5e-ef1c-4a58-a5a1-4f5d8d0b1c55"),
        ("present reports", "http://data.europa.eu/esco/skill/bd7f2f93-3b32-4c2d-b1d0-6f5b8e1f3a9d"),
    ]
    count = 3 + variant % 2
    return ob3.Achievement(
        id=f"https://academy.example/achievements/dlf-{variant}",
        name="Data Literacy Fundamentals",
        description="Reads, cleans and summarises tabular data; presents findings to non-specialists.",
        criteria_narrative="Pass the proctored final assessment with at least 70 % and submit a cleaned data set.",
        image="https://academy.example/badges/dlf.png",
        credits_available=2,
        field_of_study="Data science",
        in_language="en",
        human_code="DLF-101",
        tags=tuple(["data", "statistics", "spreadsheets"][: 1 + variant % 3]),
        alignments=tuple(
            ob3.Alignment(target_name=name, target_url=url, target_type="ext:ESCOSkill", target_framework="ESCO")
            for name, url in skills[:count]
        ),
        result_descriptions=(
            ob3.ResultDescription(
                id=f"https://academy.example/achievements/dlf-{variant}/rd/1",
                name="Final score",
                result_type="Percent",
                value_min="0",
                value_max="100",
                required_value="70",
            ),
        ),
        eu=ob3.EuMicroCredentialFields(
            assessment_type="Online exam with proctoring",
            participation_form="online",
            supervision="supervised-online-id-check",
            stackability="stackable",
            eqf_level=4 + variant % 3,
            notional_workload_hours=Decimal("50"),
            awarding_body_country="DE",
        ),
    )


def credential(learner: int, *, variant: int = 0) -> dict[str, Any]:
    """Learner ``learner``'s credential for the achievement ``variant``."""
    awarded = datetime(2025, 3, 1, 9, tzinfo=UTC) + timedelta(minutes=learner)
    return ob3.build_credential(
        credential_id=f"urn:uuid:5f0c1a2e-7d3b-4c1e-9a8f-{learner:012x}",
        issuer=ob3.IssuerProfile(id=ISSUER_ID, name="Example Academy", url="https://academy.example"),
        achievement=achievement(variant),
        subject=ob3.Subject.from_email(f"learner{learner}@example.org", f"salt-{learner:06d}"),
        valid_from=awarded,
        valid_until=awarded + timedelta(days=3 * 365),
        awarded_date=awarded,
        results=(
            ob3.Result(
                result_description=f"https://academy.example/achievements/dlf-{variant}/rd/1",
                value=str(70 + learner % 31),
                status="Completed",
            ),
        ),
        status=ob3.StatusEntry(
            id=f"https://academy.example/status/1#{learner * 7919 % 131072}",
            status_list_credential="https://academy.example/status/1",
            status_list_index=learner * 7919 % 131072,
        ),
    )


def key_info(*, with_secret: bool) -> dict[str, str]:
    """The issuer key as the peer's Multikey setup expects it."""
    info = {
        "controller": ISSUER_ID,
        "vmId": VERIFICATION_METHOD,
        "publicKeyMultibase": ed25519_public_to_multibase(SIGNING_KEY.public_key()),
    }
    if with_secret:
        info["secretKeyMultibase"] = ed25519_private_to_multibase(SIGNING_KEY)
    return info
