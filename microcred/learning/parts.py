"""What higher apps may add to learning's pages (``web/parts.py``; the parts are listed in
``config/pages.py``). Learning imports none of the apps that write them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from microcred.catalog.models import Lesson
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
