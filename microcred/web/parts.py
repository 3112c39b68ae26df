"""Page parts: what a higher app adds to a lower app's page without the lower app importing it.

The page belongs to the lower app, which defines the *type* of part it accepts (a frozen
dataclass: a template, a context function, a form...) and asks ``parts_of(ThatType)``. The higher
app writes the part; ``microcred/config/pages.py`` lists every built-in part, the way
``config/events.py`` lists every subscription (ADR 0018, ADR 0023). ``settings.MICROCRED_PAGE_PARTS``
names that list first, then any an installation adds.

The learner's lesson page shows a quiz's attempts this way (learning's ``LessonPanel``, written by
assessment), and so do the quiz fields of the lesson editor (catalog's ``LessonEditor``) and the
catalog file panel of the workspace catalog (catalog's ``CatalogPanel``, written by exchange).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

P = TypeVar("P")


@dataclass(frozen=True)
class HeaderPart:
    """A template shown in every page's header, beside the account menu (the comparison tray)."""

    template: str


def parts_of(kind: type[P]) -> tuple[P, ...]:
    """Every listed part of this type, in the order of ``settings.MICROCRED_PAGE_PARTS``."""
    return tuple(part for part in _load(tuple(settings.MICROCRED_PAGE_PARTS)) if isinstance(part, kind))


@functools.cache
def _load(paths: tuple[str, ...]) -> tuple[object, ...]:
    found: list[object] = []
    for path in paths:
        try:
            listed = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"MICROCRED_PAGE_PARTS: cannot import {path!r} ({exc}).") from exc
        found.extend(listed if isinstance(listed, list | tuple) else [listed])
    return tuple(found)
