"""A catalog file carries an assignment lesson's assignment (docs/catalog-format.md, "Assignment"):
exported and imported elsewhere it gives the same rubric and rules; a bad one is refused with its place."""

from __future__ import annotations

import copy

import pytest

from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.exchange.services import catalog_export, catalog_import, validate_document
from microcred.projects.models import Assignment


def test_an_assignment_round_trips_through_a_catalog_file(course):
    document = catalog_export(provider=course.provider)
    lessons = document["microcredentials"][0]["modules"][0]["lessons"]
    exported = next(lesson for lesson in lessons if lesson["kind"] == "assignment")["assignment"]
    assert exported["rubric"] == course.assignment.rubric and exported["file_extensions"] == ["pdf", "txt"]
    assert "assignment" not in next(lesson for lesson in lessons if lesson["kind"] == "reading")

    document["provider"]["slug"] = "copy-provider"
    validate_document(document)
    catalog_import(actor=SYSTEM, data=document)
    imported = Assignment.objects.get(lesson__module__microcredential__provider__slug="copy-provider")
    for field in ("rubric", "submission_kinds", "file_extensions", "max_file_mb", "max_files", "passing_score"):
        assert getattr(imported, field) == getattr(course.assignment, field), field


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda lesson: lesson["assignment"]["rubric"].update(criteria=[]), r"lessons\[1\]\.assignment: Rubric"),
        (lambda lesson: lesson["assignment"].update(colour="red"), "unknown field"),
        (lambda lesson: lesson["assignment"].pop("rubric"), "missing field"),
        (lambda lesson: lesson.update(kind="reading", body="x"), "only a lesson of kind 'assignment'"),
    ],
)
def test_a_bad_assignment_is_refused_with_its_place(course, change, message):
    document = copy.deepcopy(catalog_export(provider=course.provider))
    change(document["microcredentials"][0]["modules"][0]["lessons"][1])
    with pytest.raises(ValidationFailed, match=message):
        validate_document(document)
