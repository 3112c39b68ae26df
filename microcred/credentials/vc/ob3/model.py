"""The Open Badges 3.0 building blocks as plain frozen dataclasses, each rendering its JSON."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, get_args

OB_ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
# The 1EdTech validator type is undefined in the OB context itself (digest pitfall 3),
# so credentials that name it must also carry the OB extensions context.
OB_SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"

ParticipationForm = Literal["online", "onsite", "blended", "volunteering", "work-experience"]
Supervision = Literal[
    "unsupervised-no-id-check",
    "supervised-no-id-check",
    "supervised-online-id-check",
    "supervised-onsite-id-check",
]
Stackability = Literal["stand-alone", "stackable"]
_PARTICIPATION_FORMS = frozenset(get_args(ParticipationForm))
_SUPERVISIONS = frozenset(get_args(Supervision))
_STACKABILITIES = frozenset(get_args(Stackability))


def identity_hash(identifier: str, salt: str) -> str:
    """OB ``identityHash``: ``sha256$`` + hex SHA-256 of UTF-8(identifier + salt).

    The identifier is hashed exactly as given; callers normalise (e.g. lower-case an
    e-mail address) the same way when issuing and when matching a recipient.
    """
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def _number(value: float | int) -> float | int:
    return int(value) if float(value).is_integer() else value


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop None values and empty lists/dicts/strings (the schema rejects empty arrays)."""
    return {key: value for key, value in obj.items() if value not in (None, [], {}, "")}


def _image(url: str | None, caption: str | None = None) -> dict[str, Any] | None:
    return None if url is None else _compact({"id": url, "type": "Image", "caption": caption})


@dataclass(frozen=True)
class IssuerProfile:
    id: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: str | None = None
    address_country: str | None = None  # ISO 3166-1 alpha-2 (EU element "country")
    # Signed EndorsementCredentials about this issuer (e.g. an accreditor's), embedded as they
    # were signed: each carries its own @context and proof and verifies on its own.
    endorsements: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)

    def to_json(self) -> dict[str, Any]:
        address = None
        if self.address_country:
            address = {"type": ["Address"], "addressCountry": self.address_country}
        return _compact(
            {
                "id": self.id,
                "type": ["Profile"],
                "name": self.name,
                "url": self.url,
                "email": self.email,
                "description": self.description,
                "image": _image(self.image),
                "address": address,
                # Copies: a signed endorsement must not change when the credential it is
                # embedded in is edited (or signed, which adds the outer proof).
                "endorsement": [copy.deepcopy(dict(item)) for item in self.endorsements],
            }
        )


@dataclass(frozen=True)
class Alignment:
    target_name: str
    target_url: str
    target_type: str | None = None  # e.g. "ext:ESCOSkill"; "ceterms:Skill" fails the schema
    target_framework: str | None = None
    target_code: str | None = None
    target_description: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "type": ["Alignment"],
                "targetName": self.target_name,
                "targetUrl": self.target_url,
                "targetType": self.target_type,
                "targetFramework": self.target_framework,
                "targetCode": self.target_code,
                "targetDescription": self.target_description,
            }
        )


@dataclass(frozen=True)
class RubricCriterionLevel:
    """One level of a rubric criterion; a ``Result`` names the level achieved by this ``id``."""

    id: str
    name: str
    description: str | None = None
    level: str | None = None  # the level's place in terms of success, e.g. "2 of 4"
    points: str | None = None  # a string in OB 3.0

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "type": ["RubricCriterionLevel"],
                "name": self.name,
                "description": self.description,
                "level": self.level,
                "points": self.points,
            }
        )


@dataclass(frozen=True)
class ResultDescription:
    id: str
    name: str
    result_type: str  # Percent, LetterGrade, Status, RubricCriterionLevel, ... or ext:...
    value_min: str | None = None
    value_max: str | None = None
    required_value: str | None = None
    allowed_value: tuple[str, ...] = ()
    rubric_criterion_levels: tuple[RubricCriterionLevel, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "type": ["ResultDescription"],
                "name": self.name,
                "resultType": self.result_type,
                "valueMin": self.value_min,
                "valueMax": self.value_max,
                "requiredValue": self.required_value,
                "allowedValue": list(self.allowed_value),
                "rubricCriterionLevel": [level.to_json() for level in self.rubric_criterion_levels],
            }
        )


@dataclass(frozen=True)
class EuMicroCredentialFields:
    """EU Council Recommendation 2022/C 243/02, Annex I elements with no OB field."""

    assessment_type: str | None = None
    participation_form: ParticipationForm | None = None
    quality_assurance: str | None = None
    supervision: Supervision | None = None
    stackability: Stackability | None = None
    prerequisites: str | None = None
    eqf_level: int | None = None
    # A decimal string in the JSON (typed xsd:decimal by our context): a JSON number
    # would be written in xsd:double form for fractions, which is not a valid decimal.
    notional_workload_hours: Decimal | None = None
    awarding_body_country: str | None = None

    def __post_init__(self) -> None:
        if self.participation_form is not None and self.participation_form not in _PARTICIPATION_FORMS:
            raise ValueError(f"unknown participation form {self.participation_form!r}")
        if self.supervision is not None and self.supervision not in _SUPERVISIONS:
            raise ValueError(f"unknown supervision {self.supervision!r}")
        if self.stackability is not None and self.stackability not in _STACKABILITIES:
            raise ValueError(f"unknown stackability {self.stackability!r}")
        if self.eqf_level is not None and not 1 <= self.eqf_level <= 8:
            raise ValueError("eqf_level must be between 1 and 8")
        if self.notional_workload_hours is not None and self.notional_workload_hours < 0:
            raise ValueError("notional_workload_hours must not be negative")

    def to_json(self) -> dict[str, Any]:
        hours = self.notional_workload_hours
        return _compact(
            {
                "assessmentType": self.assessment_type,
                "participationForm": self.participation_form,
                "qualityAssurance": self.quality_assurance,
                "supervision": self.supervision,
                "stackability": self.stackability,
                "prerequisites": self.prerequisites,
                "eqfLevel": self.eqf_level,
                "notionalWorkloadHours": None if hours is None else format(hours, "f"),
                "awardingBodyCountry": self.awarding_body_country,
            }
        )


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    description: str
    criteria_narrative: str | None = None
    criteria_id: str | None = None
    image: str | None = None
    image_caption: str | None = None
    achievement_type: str = "MicroCredential"
    credits_available: float | None = None  # ECTS (EU element "notional workload")
    field_of_study: str | None = None
    in_language: str | None = None
    human_code: str | None = None
    version: str | None = None
    tags: tuple[str, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    result_descriptions: tuple[ResultDescription, ...] = ()
    eu: EuMicroCredentialFields | None = None

    def __post_init__(self) -> None:
        if not (self.criteria_narrative or self.criteria_id):
            raise ValueError("an Achievement needs criteria: a narrative and/or an id")

    @property
    def uses_extension(self) -> bool:
        return self.eu is not None and bool(self.eu.to_json())

    def to_json(self) -> dict[str, Any]:
        credits = None if self.credits_available is None else _number(self.credits_available)
        return _compact(
            {
                "id": self.id,
                "type": ["Achievement"],
                "achievementType": self.achievement_type,
                "name": self.name,
                "description": self.description,
                "criteria": _compact({"id": self.criteria_id, "narrative": self.criteria_narrative}),
                "image": _image(self.image, self.image_caption),
                "creditsAvailable": credits,
                "fieldOfStudy": self.field_of_study,
                "inLanguage": self.in_language,
                "humanCode": self.human_code,
                "version": self.version,
                "tag": list(self.tags),
                "alignment": [alignment.to_json() for alignment in self.alignments],
                "resultDescription": [rd.to_json() for rd in self.result_descriptions],
                **(self.eu.to_json() if self.eu is not None else {}),
            }
        )


@dataclass(frozen=True)
class Subject:
    """The learner: a DID/URL ``id``, a hashed e-mail identifier, or both."""

    id: str | None = None
    email_hash: str | None = None  # from identity_hash(email, salt)
    salt: str | None = None

    @classmethod
    def from_email(cls, email: str, salt: str, *, id: str | None = None) -> Subject:
        return cls(id=id, email_hash=identity_hash(email, salt), salt=salt)

    def __post_init__(self) -> None:
        if self.id is None and self.email_hash is None:
            raise ValueError("a subject needs an id or a hashed identifier")

    def identifiers(self) -> list[dict[str, Any]]:
        if self.email_hash is None:
            return []
        return [
            _compact(
                {
                    "type": "IdentityObject",
                    "identityHash": self.email_hash,
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": self.salt,
                }
            )
        ]


@dataclass(frozen=True)
class Result:
    result_description: str | None = None  # id of a ResultDescription
    value: str | None = None
    status: str | None = None  # Completed, Failed, ...
    achieved_level: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "type": ["Result"],
                "resultDescription": self.result_description,
                "value": self.value,
                "status": self.status,
                "achievedLevel": self.achieved_level,
            }
        )


@dataclass(frozen=True)
class Evidence:
    id: str | None = None
    name: str | None = None
    description: str | None = None
    narrative: str | None = None
    genre: str | None = None
    audience: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "type": ["Evidence"],
                "name": self.name,
                "description": self.description,
                "narrative": self.narrative,
                "genre": self.genre,
                "audience": self.audience,
            }
        )


@dataclass(frozen=True)
class StatusEntry:
    """A BitstringStatusListEntry; OB requires its ``id`` (VC 2.0 does not)."""

    id: str
    status_list_credential: str
    status_list_index: int
    status_purpose: str = "revocation"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.status_purpose,
            "statusListIndex": str(self.status_list_index),
            "statusListCredential": self.status_list_credential,
        }
