"""1EdTech CASE 1.0 packages (a ``CFPackage`` JSON document): the items become skills, ``isChildOf``
associations their broader skills.

- ``CFDocument`` names the framework (title, uri);
- each of ``CFItems``: uri, identifier, fullStatement, abbreviatedStatement, humanCodingScheme,
  CFItemType, conceptKeywords. The label is the abbreviated statement, else the full statement
  (cut to 200 characters; the full statement is the description); the coding scheme and the concept
  keywords are alternative labels; an item type of skill/competency or knowledge gives the skill type;
- each of ``CFAssociations`` of type ``isChildOf``: its origin is narrower than its destination
  (a child of the document itself is a top-level item); other association types are not imported.

JSON has no rows: an error names the entry (``CFItems[3]``) and the line its identifier is on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .records import BroaderRecord, SkillRecord, Source, TaxonomyFormatError, TaxonomyRecord, check_uri, split_labels
from .tabular import decoded

LABEL_LENGTH = 200
ITEM_TYPES = {"skill": "skill", "competency": "skill", "competence": "skill", "knowledge": "knowledge"}
IDENTIFIER = re.compile(r'"identifier"\s*:\s*"((?:[^"\\]|\\.)*)"')


def read_case_document(path: Path) -> dict[str, Any]:
    """The CFDocument of a package (title, uri…), to name the framework before importing."""
    document: dict[str, Any] = _package(path)[0]["CFDocument"]
    return document


def read_case(path: Path) -> Iterator[TaxonomyRecord]:
    package, text = _package(path)
    lines = _identifier_lines(text)
    name = str(path)
    document = package["CFDocument"]
    document_ids = {str(document.get("identifier", "")), str(document.get("uri", ""))} - {""}
    uri_of: dict[str, str] = {}
    items = package.get("CFItems") or []
    if not isinstance(items, list):
        raise TaxonomyFormatError("CFItems is not a list", file=name)
    for index, item in enumerate(items):
        where = f"CFItems[{index}]"
        if not isinstance(item, dict):
            raise TaxonomyFormatError(f"{where} is not an object", file=name)
        source = Source(name, lines.get(str(item.get("identifier", "")), 1))
        uri = check_uri(str(item.get("uri", "")), what=f"{where}.uri", source=source)
        statement = " ".join(str(item.get("fullStatement") or "").split())
        abbreviated = " ".join(str(item.get("abbreviatedStatement") or "").split())
        if not statement and not abbreviated:
            raise TaxonomyFormatError(f"{where} has no fullStatement", file=name, line=source.line)
        keywords = item.get("conceptKeywords") or []
        if not isinstance(keywords, list):
            raise TaxonomyFormatError(f"{where}.conceptKeywords is not a list", file=name, line=source.line)
        label = abbreviated or _shortened(statement)
        alternatives = split_labels("\n".join([str(item.get("humanCodingScheme") or ""), *map(str, keywords)]))
        uri_of[uri] = uri
        if item.get("identifier"):
            uri_of[str(item["identifier"])] = uri
        yield SkillRecord(
            uri=uri,
            label=label,
            alt_labels=tuple(a for a in alternatives if a != label),
            description=statement if statement != label else "",
            skill_type=ITEM_TYPES.get(str(item.get("CFItemType") or "").strip().lower(), ""),
            source=source,
        )
    associations = package.get("CFAssociations") or []
    if not isinstance(associations, list):
        raise TaxonomyFormatError("CFAssociations is not a list", file=name)
    for index, association in enumerate(associations):
        where = f"CFAssociations[{index}]"
        if not isinstance(association, dict):
            raise TaxonomyFormatError(f"{where} is not an object", file=name)
        if association.get("associationType") != "isChildOf":
            continue
        source = Source(name, lines.get(str(association.get("identifier", "")), 1))
        child = _node(association.get("originNodeURI"), f"{where}.originNodeURI", source)
        parent = _node(association.get("destinationNodeURI"), f"{where}.destinationNodeURI", source)
        if parent & document_ids:
            continue
        child_uri = next((uri_of[key] for key in child if key in uri_of), None)
        parent_uri = next((uri_of[key] for key in parent if key in uri_of), None)
        if child_uri is None or parent_uri is None:
            missing = "originNodeURI" if child_uri is None else "destinationNodeURI"
            raise TaxonomyFormatError(f"{where}.{missing} names no item of the package", file=name, line=source.line)
        yield BroaderRecord(kind="skill", uri=child_uri, broader_uri=parent_uri, source=source)


def _package(path: Path) -> tuple[dict[str, Any], str]:
    name = str(path)
    try:
        text = decoded(path.read_bytes(), name=name)
    except OSError as exc:
        raise TaxonomyFormatError(f"cannot be read: {exc.strerror or exc}", file=name) from None
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaxonomyFormatError(f"not JSON: {exc.msg}", file=name, line=exc.lineno) from None
    if isinstance(package, dict) and isinstance(package.get("CFPackage"), dict):
        package = package["CFPackage"]
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise TaxonomyFormatError("not a CASE package: no CFDocument object", file=name, line=1)
    return package, text


def _identifier_lines(text: str) -> dict[str, int]:
    """The line each identifier first appears on."""
    lines: dict[str, int] = {}
    for match in IDENTIFIER.finditer(text):
        lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
    return lines


def _node(value: object, where: str, source: Source) -> set[str]:
    if not isinstance(value, dict) or not (value.get("uri") or value.get("identifier")):
        raise TaxonomyFormatError(f"{where} has neither uri nor identifier", file=source.file, line=source.line)
    return {str(value.get("uri") or ""), str(value.get("identifier") or "")} - {""}


def _shortened(statement: str) -> str:
    if len(statement) <= LABEL_LENGTH:
        return statement
    return statement[: LABEL_LENGTH - 1].rsplit(" ", 1)[0] + "…"
