"""Page parts (ADR 0023): a lower app's page takes what a higher app adds only through the list
that ``settings.MICROCRED_PAGE_PARTS`` names (``config/pages.py``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from microcred.catalog.forms import lesson_form, lesson_kinds
from microcred.catalog.parts import CatalogPanel, LessonEditor
from microcred.config.pages import PAGE_PARTS
from microcred.learning.parts import LessonPanel, lesson_panel
from microcred.web.parts import HeaderPart, parts_of

BUILT_IN = ["microcred.config.pages.PAGE_PARTS"]
EXTRA_HEADER = HeaderPart(template="web/partials/progress.html")


def test_parts_of_picks_each_type_in_the_listed_order(settings):
    settings.MICROCRED_PAGE_PARTS = [*BUILT_IN, "tests.web.test_parts.EXTRA_HEADER"]
    assert parts_of(HeaderPart) == (HeaderPart(template="catalog/_compare_tray.html"), EXTRA_HEADER)
    assert [part.kind for part in parts_of(LessonPanel)] == ["quiz", "assignment"]
    assert [part.kind for part in parts_of(LessonEditor)] == ["quiz", "assignment"]
    assert len(parts_of(CatalogPanel)) == 1
    assert parts_of(object) == (*PAGE_PARTS, EXTRA_HEADER)


def test_an_unimportable_path_is_a_configuration_error(settings):
    settings.MICROCRED_PAGE_PARTS = [*BUILT_IN, "tests.web.test_parts.NO_SUCH_PART"]
    with pytest.raises(ImproperlyConfigured, match="NO_SUCH_PART"):
        parts_of(HeaderPart)


def test_without_assessment_parts_a_quiz_is_neither_shown_nor_edited(settings):
    assert "quiz" in lesson_kinds() and lesson_panel("quiz") is not None
    assert "questions" in lesson_form(kind="quiz").fields

    settings.MICROCRED_PAGE_PARTS = ["tests.web.test_parts.EXTRA_HEADER"]
    assert lesson_kinds() == ["reading", "video", "assignment"]
    assert lesson_panel("quiz") is None
    with pytest.raises(LookupError):
        lesson_form(kind="quiz")
    assert list(lesson_form(kind="reading").fields) == ["title", "estimated_minutes", "required", "body"]
