"""What higher apps may add to learning's pages (``web/parts.py``; the parts are listed in
``config/pages.py``). Learning imports none of the apps that write them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from microcred.catalog.models import Lesson, MicroCredential
from microcred.web.parts import parts_of

from .models import Enrolment


@dataclass(frozen=True)
class LessonPanel:
    """The body of a learner's lesson page for a lesson kind another app owns (assessment's quiz:
    its settings, the learner's attempts and the button to start one). ``context`` adds what the
    template shows to the page's context."""

    kind: str
    template: str
    context: Callable[[Enrolment, Lesson], dict[str, Any]]


def lesson_panel(kind: str) -> LessonPanel | None:
    return next((panel for panel in parts_of(LessonPanel) if panel.kind == kind), None)


@dataclass(frozen=True)
class EnrolmentNote:
    """A word for the learner right after they enrol, shown as a page message and returned in the
    API's answer under ``key`` (careers: a kind word when the micro-credential does nothing for
    their goal). ``note`` answers the text, or None when there is nothing to say."""

    key: str
    note: Callable[[Any, MicroCredential], str | None]


def enrolment_notes(user: Any, microcredential: MicroCredential) -> dict[str, str]:
    """Every part's note for a learner who just enrolled, by key."""
    notes = {}
    for part in parts_of(EnrolmentNote):
        text = part.note(user, microcredential)
        if text:
            notes[part.key] = text
    return notes
