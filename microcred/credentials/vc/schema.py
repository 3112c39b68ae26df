"""JSON Schema validation with the pinned official OB 3.0 and VC 2.0 schemas.

* Strict (our own credentials): the 1EdTech strict schema, where every 0..* property
  is an array. The one exception we make is ``proof``: the schema wants an array, yet
  every signer, the spec's own signed example included, emits one object (DIGEST §1.2),
  so a single proof object is wrapped before validation.
* Lenient (foreign credentials): the JSON-LD adaptation schema, which also accepts the
  single values JSON-LD compaction produces. For endorsements and profiles, whose
  adaptation schemas we do not bundle, single values are wrapped wherever the strict
  schema expects an array, which is what the adaptation schema allows.

Format checking is always on: without it a ``validFrom`` lacking a time zone passes.
jsonschema's own ``date-time`` checker is a no-op unless an optional package is
installed, so we register our own.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match, relevance
from jsonschema.protocols import Validator

from .errors import SchemaInvalid

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
MAX_REPORTED_ERRORS = 10
_PURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema"
ACHIEVEMENT_SCHEMA_URL = f"{_PURL}/json/ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_SCHEMA_URL = f"{_PURL}/json/ob_v3p0_endorsementcredential_schema.json"
PROFILE_SCHEMA_URL = f"{_PURL}/json/ob_v3p0_profile_schema.json"
# credentialSchema ids we can check offline. The purl has served the strict and the
# JSON-LD variants under each other's names over time (DIGEST §9.5), so a declared
# achievement schema is checked leniently: either variant passing is a pass.
_DECLARED: dict[str, str] = {
    ACHIEVEMENT_SCHEMA_URL: "achievement",
    f"{_PURL}/json/ob_v3p0_achievementcredential-jsonschema1.json": "achievement",
    f"{_PURL}/json-ld/ob_v3p0_achievementcredential_schema.json": "achievement",
    ENDORSEMENT_SCHEMA_URL: "endorsement",
    f"{_PURL}/json/ob_v3p0_endorsementcredential-jsonschema1.json": "endorsement",
    f"{_PURL}/json-ld/ob_v3p0_endorsementcredential_schema.json": "endorsement",
}
_DECLARED_TYPES = frozenset({"1EdTechJsonSchemaValidator2019", "JsonSchema"})
_FILES = {
    "achievement": "ob_v3p0_achievementcredential_schema.json",
    "achievement-jsonld": "ob_v3p0_achievementcredential_schema.jsonld-adaptation.json",
    "endorsement": "ob_v3p0_endorsementcredential_schema.json",
    "profile": "ob_v3p0_profile_schema.json",
    "vc2": "verifiable-credential-schema.json",
}
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _is_date_time(value: object) -> bool:
    # RFC 3339 (what JSON Schema means): the time zone is mandatory.
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    date.fromisoformat(value)
    return True


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("date", raises=ValueError)(_is_date)
    return checker


@functools.cache
def _validator(name: str) -> Validator:
    schema = json.loads((SCHEMA_DIR / _FILES[name]).read_text(encoding="utf-8"))
    cls = Draft202012Validator if name == "vc2" else Draft201909Validator
    cls.check_schema(schema)
    validator: Validator = cls(schema, format_checker=_format_checker())
    return validator


def validate_ob3_credential(doc: Mapping[str, Any], *, strict: bool = True) -> None:
    """Validate an OpenBadgeCredential/AchievementCredential; raise SchemaInvalid."""
    if strict:
        _raise_if_invalid(_validator("achievement"), _with_proof_arrays(doc), "OB 3.0 credential")
        return
    lenient = _validator("achievement-jsonld")
    errors = _sorted_errors(lenient, doc)
    if errors and _sorted_errors(_validator("achievement"), _with_proof_arrays(doc)):
        raise _schema_invalid("OB 3.0 credential", errors)


def validate_endorsement(doc: Mapping[str, Any], *, strict: bool = True) -> None:
    _validate_with_wrapping(_validator("endorsement"), doc, strict, "EndorsementCredential")


def validate_profile(doc: Mapping[str, Any], *, strict: bool = True) -> None:
    _validate_with_wrapping(_validator("profile"), doc, strict, "Profile")


def validate_vc2(doc: Mapping[str, Any]) -> None:
    """The W3C VC Data Model 2.0 schema: the base shape any VC 2.0 credential has."""
    _raise_if_invalid(_validator("vc2"), doc, "VC 2.0 credential")


def validate_declared_schemas(doc: Mapping[str, Any]) -> list[str]:
    """Validate against each ``credentialSchema`` we hold a pinned copy of.

    Returns the schema URLs that were checked. Unknown URLs are skipped, never fetched:
    a schema downloaded at verification time could say anything.
    """
    declared = doc.get("credentialSchema", [])
    if isinstance(declared, Mapping):
        declared = [declared]
    checked: list[str] = []
    for entry in declared if isinstance(declared, list) else []:
        if not isinstance(entry, Mapping) or entry.get("type") not in _DECLARED_TYPES:
            continue
        kind = _DECLARED.get(str(entry.get("id")))
        if kind == "achievement":
            validate_ob3_credential(doc, strict=False)
        elif kind == "endorsement":
            validate_endorsement(doc, strict=False)
        else:
            continue
        checked.append(str(entry["id"]))
    return checked


def _validate_with_wrapping(validator: Validator, doc: Mapping[str, Any], strict: bool, what: str) -> None:
    candidate = _with_proof_arrays(doc)
    if not strict:
        candidate = _wrap_singletons(validator, candidate)
    _raise_if_invalid(validator, candidate, what)


def _with_proof_arrays(doc: Mapping[str, Any]) -> Any:
    """A copy of ``doc`` where every single ``proof`` object (also in embedded
    endorsements) is a one-element array, as the strict schemas require."""

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            out = {key: walk(item) for key, item in value.items()}
            if isinstance(out.get("proof"), dict):
                out["proof"] = [out["proof"]]
            return out
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return walk(doc)


def _wrap_singletons(validator: Validator, doc: Any, passes: int = 8) -> Any:
    # Each pass wraps the values that a "type: array" check rejected; wrapping an outer
    # value can expose inner ones, hence a few passes (documents are shallow).
    doc = copy.deepcopy(doc)
    for _ in range(passes):
        paths = {
            tuple(error.absolute_path)
            for error in _leaf_errors(validator.iter_errors(doc))
            if error.validator == "type"
            and "array" in _as_list(error.validator_value)
            and not isinstance(error.instance, list)
        }
        if not paths:
            break
        for path in sorted(paths, key=len, reverse=True):
            _replace_at(doc, path)
    return doc


def _leaf_errors(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        yield error
        if error.context:
            yield from _leaf_errors(error.context)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _replace_at(doc: Any, path: tuple[str | int, ...]) -> None:
    if not path:
        return  # the root itself is never meant to be an array
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if not isinstance(parent[path[-1]], list):
        parent[path[-1]] = [parent[path[-1]]]


def _sorted_errors(validator: Validator, doc: Any) -> list[ValidationError]:
    return sorted(validator.iter_errors(doc), key=relevance, reverse=True)


def _raise_if_invalid(validator: Validator, doc: Any, what: str) -> None:
    errors = _sorted_errors(validator, doc)
    if errors:
        raise _schema_invalid(what, errors)


def _schema_invalid(what: str, errors: list[ValidationError]) -> SchemaInvalid:
    lines = [_describe(error) for error in errors[:MAX_REPORTED_ERRORS]]
    more = len(errors) - len(lines)
    summary = "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
    return SchemaInvalid(f"{what} does not match its schema: {summary}", errors=lines)


def _describe(error: ValidationError) -> str:
    # anyOf/oneOf failures say "... is not valid under any of the given schemas" about the
    # whole subtree; the most relevant branch error is what a person needs to read.
    error = best_match([error]) or error
    path = "/" + "/".join(str(step) for step in error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"{path}: {message}"
