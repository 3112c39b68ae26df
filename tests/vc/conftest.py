"""Shared fixtures of the Django-free credential-core tests (vectors, OB 3.0 samples)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.credentials.vc import ob3
from microcred.credentials.vc.multikey import ed25519_private_from_multibase

VECTORS = Path(__file__).resolve().parent / "vectors"
EDDSA = VECTORS / "vc-di-eddsa"
OB_VECTOR = VECTORS / "ob-v3p0-eddsa-rdfc-2022"
SCHEMAS = Path(__file__).resolve().parents[2] / "microcred" / "credentials" / "vc" / "schemas"
CREATED = datetime(2025, 3, 1, 9, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media_and_settings() -> None:
    """Override the project-wide autouse fixture: the credential core is Django-free.

    tests/conftest.py sets MEDIA_ROOT through pytest-django's ``settings``; these tests
    touch no Django, and must run with ``-p no:django`` too.
    """


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def read_text(path: Path) -> str:
    return path.read_text("utf-8")


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = read_json(SCHEMAS / name)
    cls = jsonschema.validators.validator_for(schema)
    # Format checking on: without it a validFrom with no time zone passes (digest §9.5).
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


STRICT_OB = _validator("ob_v3p0_achievementcredential_schema.json")
JSONLD_OB = _validator("ob_v3p0_achievementcredential_schema.jsonld-adaptation.json")


def assert_strict_ob3(credential: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in STRICT_OB.iter_errors(credential)]
    assert errors == []


@pytest.fixture(scope="session")
def vector_key() -> Ed25519PrivateKey:
    return ed25519_private_from_multibase(read_json(EDDSA / "keyPair.json")["privateKeyMultibase"])


@pytest.fixture(scope="session")
def issuer_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def full_credential() -> dict[str, Any]:
    """An OB 3.0 micro-credential using every field the builder supports."""
    achievement = ob3.Achievement(
        id="https://academy.example/achievements/dlf",
        name="Data Literacy Fundamentals",
        description="Reads, cleans and summarises tabular data.",
        criteria_narrative="Pass the final assessment with at least 70 %.",
        criteria_id="https://academy.example/achievements/dlf/criteria",
        image="https://academy.example/b/dlf.png",
        image_caption="Badge",
        credits_available=2.0,
        field_of_study="Data science",
        in_language="en",
        human_code="DLF-1",
        version="2025.1",
        tags=("data", "statistics"),
        alignments=(
            ob3.Alignment(
                target_name="analyse data",
                target_url="http://data.europa.eu/esco/skill/a1b2",
                target_type="ext:ESCOSkill",
                target_framework="ESCO",
                target_code="a1b2",
                target_description="Analyse data sets.",
            ),
            ob3.Alignment(
                target_name="EQF level 5",
                target_url="https://europa.eu/europass/en/description-eight-eqf-levels",
                target_framework="EQF",
            ),
        ),
        result_descriptions=(
            ob3.ResultDescription(
                id="https://academy.example/achievements/dlf/rd/1",
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
            quality_assurance="Internal QA, ISO 21001 audited",
            supervision="supervised-online-id-check",
            stackability="stackable",
            prerequisites="None",
            eqf_level=5,
            notional_workload_hours=Decimal("50.5"),
            awarding_body_country="DE",
        ),
    )
    return ob3.build_credential(
        credential_id="https://academy.example/credentials/0c5e7a52",
        issuer=ob3.IssuerProfile(
            id="https://academy.example/issuers/1",
            name="Example Academy",
            url="https://academy.example",
            email="badges@academy.example",
            description="An example provider.",
            image="https://academy.example/logo.png",
            address_country="DE",
        ),
        achievement=achievement,
        subject=ob3.Subject.from_email("learner@example.org", "s4lt"),
        valid_from=datetime(2025, 3, 1, 9, tzinfo=UTC),
        valid_until=datetime(2028, 3, 1, 9, tzinfo=UTC),
        awarded_date=datetime(2025, 3, 1, 9, tzinfo=UTC),
        results=(
            ob3.Result(
                result_description="https://academy.example/achievements/dlf/rd/1",
                value="86",
                status="Completed",
            ),
        ),
        credits_earned=2,
        evidence=(
            ob3.Evidence(
                id="https://academy.example/portfolio/991",
                name="Portfolio",
                narrative="Final project.",
                genre="Project",
                audience="Employers",
            ),
        ),
        status=ob3.StatusEntry(
            id="https://academy.example/status/1#4711",
            status_list_credential="https://academy.example/status/1",
            status_list_index=4711,
        ),
    )


_WORDS = ["data", "Ünïcødé", "日本語", "emoji 🎓", 'quote " and \\ slash', "tab\tnew\nline", "x"]
_CONTROL = ["form\x0cfeed", "back\x08space", "nul\x00byte", "del\x7f", "unit\x1fsep"]


def random_credential(seed: int, *, control_chars: bool = False) -> dict[str, Any]:
    """A randomised but schema-valid OB 3.0 credential, reproducible from ``seed``."""
    rng = random.Random(seed)
    words = _WORDS + (_CONTROL if control_chars else [])

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))

    def maybe(value: Any) -> Any:
        return value if rng.random() < 0.5 else None

    base = f"https://p{seed}.example"
    eu = None
    if rng.random() < 0.5:
        eu = ob3.EuMicroCredentialFields(
            assessment_type=maybe(text()),
            participation_form=rng.choice(["online", "onsite", "blended", None]),
            supervision=rng.choice(["unsupervised-no-id-check", "supervised-onsite-id-check", None]),
            stackability=rng.choice(["stand-alone", "stackable", None]),
            eqf_level=maybe(rng.randint(1, 8)),
            notional_workload_hours=maybe(Decimal(rng.randint(1, 4000)) / 4),
            awarding_body_country=maybe(rng.choice(["DE", "FR", "PT"])),
        )
    achievement = ob3.Achievement(
        id=f"{base}/a/{rng.randint(1, 10**6)}",
        name=text(),
        description=text(),
        criteria_narrative=text(),
        image=maybe(f"{base}/img.png"),
        credits_available=maybe(rng.choice([1, 2.0, 2.5, 7.5, 30])),
        field_of_study=maybe(text()),
        in_language=maybe(rng.choice(["en", "de", "pt-BR"])),
        tags=tuple(text() for _ in range(rng.randint(0, 3))),
        alignments=tuple(
            ob3.Alignment(target_name=text(), target_url=f"{base}/skill/{i}", target_type="ext:Skill")
            for i in range(rng.randint(0, 2))
        ),
        eu=eu,
    )
    subject = (
        ob3.Subject(id=f"did:example:{seed}")
        if rng.random() < 0.5
        else ob3.Subject.from_email(f"user{seed}@example.org", f"salt{seed}")
    )
    valid_from = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 10**8))
    return ob3.build_credential(
        credential_id=f"urn:uuid:00000000-0000-4000-8000-{seed:012d}",
        issuer=ob3.IssuerProfile(id=f"{base}/issuer", name=text(), url=maybe(base)),
        achievement=achievement,
        subject=subject,
        valid_from=valid_from,
        valid_until=maybe(valid_from + timedelta(days=rng.randint(1, 2000))),
        results=tuple(ob3.Result(value=str(rng.randint(0, 100))) for _ in range(rng.randint(0, 2))),
        evidence=tuple(ob3.Evidence(id=f"{base}/ev/{i}", name=text()) for i in range(rng.randint(0, 2))),
    )


def teamwork_badge() -> dict[str, Any]:
    """1EdTech's OB 3.0 vector credential, rebuilt from its canonical N-Quads.

    The vector folder ships only the canonical text; the digest (§3) quotes the key,
    hashes and proofValue. This JSON is the spec's "Teamwork Badge" example and must
    canonicalize to exactly ``document-canon.txt``.
    """
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "http://example.com/credentials/3527",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://example.edu/issuers/565049",
            "type": ["Profile"],
            "name": "Example Corp",
            "url": "https://www.imsglobal.org",
        },
        "validFrom": "2010-01-01T00:00:00Z",
        "name": "Teamwork Badge",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.com/achievements/21st-century-skills/teamwork",
                "type": ["Achievement"],
                "criteria": {
                    "narrative": "Team members are nominated for this badge by their peers and "
                    "recognized upon review by Example Corp management."
                },
                "description": "This badge recognizes the development of the capacity to "
                "collaborate within a group environment.",
                "name": "Teamwork",
            },
        },
    }


OB_VECTOR_SEED = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
OB_VECTOR_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
OB_VECTOR_VM = f"https://example.edu/issuers/565049#{OB_VECTOR_MULTIKEY}"
OB_VECTOR_CREATED = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)
