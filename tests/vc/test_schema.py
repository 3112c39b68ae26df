"""JSON Schema validation with the pinned OB 3.0 and VC 2.0 schemas."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from microcred.credentials.vc.errors import SchemaInvalid
from microcred.credentials.vc.schema import (
    ACHIEVEMENT_SCHEMA_URL,
    validate_declared_schemas,
    validate_endorsement,
    validate_ob3_credential,
    validate_profile,
    validate_vc2,
)

# The DIGEST §1.2 example, which the digest verified against both schemas.
CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ],
    "id": "https://academy.example/credentials/0c5e7a52",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Data Literacy Fundamentals",
    "issuer": {
        "id": "https://academy.example/issuers/1",
        "type": ["Profile"],
        "name": "Example Academy",
        "url": "https://academy.example",
    },
    "validFrom": "2025-03-01T09:00:00Z",
    "validUntil": "2028-03-01T09:00:00Z",
    "awardedDate": "2025-03-01T09:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": "sha256$" + "ab" * 32,
                "salt": "s4lt",
            }
        ],
        "achievement": {
            "id": "https://academy.example/achievements/dlf",
            "type": ["Achievement"],
            "achievementType": "MicroCredential",
            "name": "Data Literacy Fundamentals",
            "description": "Reads, cleans and summarises tabular data.",
            "criteria": {"narrative": "Pass the final assessment with at least 70 %."},
            "image": {"id": "https://academy.example/b/dlf.png", "type": "Image"},
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": "analyse data",
                    "targetFramework": "ESCO",
                    "targetUrl": "http://data.europa.eu/esco/skill/1",
                    "targetType": "ext:ESCOSkill",
                }
            ],
        },
    },
    "credentialSchema": [{"type": "1EdTechJsonSchemaValidator2019", "id": ACHIEVEMENT_SCHEMA_URL}],
    "credentialStatus": {
        "id": "https://academy.example/status/1#4711",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4711",
        "statusListCredential": "https://academy.example/status/1",
    },
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-03-01T09:00:05Z",
        "verificationMethod": "https://academy.example/issuers/1#key-1",
        "proofPurpose": "assertionMethod",
        "proofValue": "z5x9",
    },
}


def _with(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(CREDENTIAL)
    doc.update(changes)
    return doc


def test_digest_example_passes_strict_and_lenient() -> None:
    validate_ob3_credential(CREDENTIAL, strict=True)
    validate_ob3_credential(CREDENTIAL, strict=False)
    validate_vc2(CREDENTIAL)


def test_proof_wrapping_does_not_mutate_the_input() -> None:
    doc = copy.deepcopy(CREDENTIAL)
    validate_ob3_credential(doc)
    assert doc == CREDENTIAL


def test_single_type_fails_strict_but_passes_lenient() -> None:
    doc = copy.deepcopy(CREDENTIAL)
    doc["issuer"]["type"] = "Profile"
    with pytest.raises(SchemaInvalid, match="/issuer/type"):
        validate_ob3_credential(doc, strict=True)
    validate_ob3_credential(doc, strict=False)


def test_time_zone_is_required_by_format_checking() -> None:
    with pytest.raises(SchemaInvalid, match="/validFrom: '2025-03-01T09:00:00' is not a 'date-time'"):
        validate_ob3_credential(_with(validFrom="2025-03-01T09:00:00"))
    with pytest.raises(SchemaInvalid, match="date-time"):
        validate_ob3_credential(_with(validFrom="2025-13-01T09:00:00Z"))
    validate_ob3_credential(_with(validFrom="2025-03-01T09:00:00.5+02:00"))


@pytest.mark.parametrize("field", ["issuer", "validFrom", "credentialSubject", "id"])
def test_required_fields(field: str) -> None:
    doc = copy.deepcopy(CREDENTIAL)
    del doc[field]
    with pytest.raises(SchemaInvalid, match=f"'{field}' is a required property"):
        validate_ob3_credential(doc)
    with pytest.raises(SchemaInvalid):
        validate_ob3_credential(doc, strict=False)


def test_ceterms_skill_is_not_an_alignment_type() -> None:
    doc = copy.deepcopy(CREDENTIAL)
    doc["credentialSubject"]["achievement"]["alignment"][0]["targetType"] = "ceterms:Skill"
    with pytest.raises(SchemaInvalid, match="targetType"):
        validate_ob3_credential(doc)


def test_error_report_is_readable_and_capped() -> None:
    doc = {"type": "nothing"} | {f"junk{i}": i for i in range(20)}
    with pytest.raises(SchemaInvalid) as info:
        validate_ob3_credential(doc)
    errors = info.value.data["errors"]
    assert 1 <= len(errors) <= 10
    assert all(line.startswith("/") and ": " in line for line in errors)
    assert any("'@context' is a required property" in line for line in errors)


def test_vc1_credential_fails_vc2_schema() -> None:
    doc = _with(**{"@context": ["https://www.w3.org/2018/credentials/v1"]})
    with pytest.raises(SchemaInvalid, match="@context"):
        validate_vc2(doc)


def test_declared_schema_is_checked_offline() -> None:
    assert validate_declared_schemas(CREDENTIAL) == [ACHIEVEMENT_SCHEMA_URL]
    unknown = _with(credentialSchema=[{"type": "JsonSchema", "id": "https://evil.example/s.json"}])
    assert validate_declared_schemas(unknown) == []
    broken = _with(credentialSchema=CREDENTIAL["credentialSchema"], validFrom="yesterday")
    with pytest.raises(SchemaInvalid):
        validate_declared_schemas(broken)


ENDORSEMENT: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "https://accreditor.example/endorsements/1",
    "type": ["VerifiableCredential", "EndorsementCredential"],
    "name": "Accreditor endorses Data Literacy Fundamentals",
    "issuer": {"id": "https://accreditor.example/issuers/1", "type": ["Profile"]},
    "validFrom": "2025-03-01T09:00:00Z",
    "credentialSubject": {
        "id": "https://academy.example/achievements/dlf",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Solid curriculum.",
    },
}


def test_endorsement_strict_and_lenient() -> None:
    validate_endorsement(ENDORSEMENT)
    single = copy.deepcopy(ENDORSEMENT)
    single["credentialSubject"]["type"] = "EndorsementSubject"
    single["issuer"]["type"] = "Profile"
    with pytest.raises(SchemaInvalid):
        validate_endorsement(single)
    validate_endorsement(single, strict=False)
    missing_name = {key: value for key, value in ENDORSEMENT.items() if key != "name"}
    with pytest.raises(SchemaInvalid, match="'name' is a required property"):
        validate_endorsement(missing_name, strict=False)


def test_profile() -> None:
    profile = {"id": "https://academy.example/issuers/1", "type": ["Profile"], "name": "Example Academy"}
    validate_profile(profile)
    validate_profile({**profile, "type": "Profile"}, strict=False)
    with pytest.raises(SchemaInvalid):
        validate_profile({**profile, "type": "Profile"})
    with pytest.raises(SchemaInvalid, match="'id' is a required property"):
        validate_profile({"type": ["Profile"]}, strict=False)
