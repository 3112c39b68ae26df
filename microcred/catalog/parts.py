"""What higher apps may add to catalog's pages (``web/parts.py``; the parts are listed in
``config/pages.py``). Catalog imports none of the apps that write them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from microcred.accounts.models import Organisation
from microcred.web.parts import parts_of

from .models import Lesson, MicroCredential


@dataclass(frozen=True)
class CatalogPanel:
    """A panel beside a provider's workspace catalog: its template and what it adds to the page's
    context (exchange's catalog file import and export)."""

    template: str
    context: Callable[[Organisation], dict[str, Any]]


@dataclass(frozen=True)
class MicroCredentialContext:
    """What a higher app adds to the context of a micro-credential's public page for the visitor
    (learning: their enrolment, which opens the outline's lesson links and the "Continue" button).
    ``context`` is called with the visitor (maybe anonymous) and the micro-credential. A ``template``,
    when given, is shown in the page's aside under the enrolment card (careers: what the
    micro-credential does for the visitor's goal); it reads what ``context`` added."""

    context: Callable[[Any, MicroCredential], dict[str, Any]]
    template: str = ""


@dataclass(frozen=True)
class LessonEditor:
    """How the workspace edits a lesson kind whose content another app owns (assessment's quiz).

    ``fields`` is a form whose fields (and their ``clean_<field>``) follow the lesson's own;
    ``lesson_fields`` are the lesson's text fields the kind shows too. ``initial`` gives the
    fields' values for a saved lesson; ``create_lesson(actor=, module=, **cleaned_data)`` and
    ``update_lesson(actor=, lesson=, **cleaned_data)`` save it through the owning app's services.
    ``aside`` is the help shown beside the form. ``prepare(form, provider)``, when given, is
    called on each form built, with the provider of the micro-credential being edited, so the
    fields can offer what is the provider's own (assessment: its question banks).
    """

    kind: str
    fields: type[forms.Form]
    lesson_fields: tuple[str, ...]
    initial: Callable[[Lesson], dict[str, Any]]
    create_lesson: Callable[..., Lesson]
    update_lesson: Callable[..., Lesson]
    aside: str
    prepare: Callable[[forms.Form, Organisation], None] | None = None


@dataclass(frozen=True)
class CatalogCardNote:
    """A line a higher app adds to micro-credentials' cards in the catalog's results for the
    visitor (careers: "Closes 2 of your 7 gaps"). ``notes`` is called once per page of results with
    the visitor (maybe anonymous) and the page's micro-credentials, and returns a note by id: one
    call per page, so the app can do its work once for all the cards."""

    notes: Callable[[Any, Sequence[MicroCredential]], dict[int, str]]


def catalog_card_notes(visitor: Any, microcredentials: Sequence[MicroCredential]) -> dict[int, list[str]]:
    """Every part's note for each of ``microcredentials``, by id."""
    collected: dict[int, list[str]] = {}
    for part in parts_of(CatalogCardNote):
        for pk, note in part.notes(visitor, microcredentials).items():
            collected.setdefault(pk, []).append(note)
    return collected


def lesson_editor(kind: str) -> LessonEditor | None:
    return next((editor for editor in parts_of(LessonEditor) if editor.kind == kind), None)


def catalog_panels() -> tuple[CatalogPanel, ...]:
    return parts_of(CatalogPanel)


def microcredential_context(visitor: Any, microcredential: MicroCredential) -> dict[str, Any]:
    context: dict[str, Any] = {}
    panels = []
    for part in parts_of(MicroCredentialContext):
        context.update(part.context(visitor, microcredential))
        if part.template:
            panels.append(part.template)
    return {**context, "visitor_panels": panels}
