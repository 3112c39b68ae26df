"""What careers adds to lower apps' pages (listed in ``config/pages.py``): on a micro-credential's
page and on its card in the catalog's results, what it does for the signed-in learner's goal
("closes 3 of your 7 gaps"); right after enrolling, a kind word when it does nothing for that goal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microcred.catalog.models import MicroCredential
from microcred.catalog.parts import CatalogCardNote, MicroCredentialContext
from microcred.core.clock import now
from microcred.learning.parts import EnrolmentNote

from .planning import goal_fit, goal_fits


def _goal_fit(visitor: Any, microcredential: MicroCredential) -> dict[str, Any]:
    return {"goal_fit": goal_fit(user=visitor, microcredential=microcredential, today=now().date())}


GOAL_FIT = MicroCredentialContext(context=_goal_fit, template="careers/_goal_fit.html")


def _card_notes(visitor: Any, microcredentials: Sequence[MicroCredential]) -> dict[int, str]:
    # Only the cards that help: a note on every other card would drown the results in "no".
    fits = goal_fits(user=visitor, microcredentials=microcredentials, today=now().date())
    return {
        pk: f"Closes {fit.closes} of your {fit.open_gaps} gaps towards {fit.target}"
        for pk, fit in fits.items()
        if fit.helps
    }


GOAL_FIT_CARDS = CatalogCardNote(notes=_card_notes)


def _goal_relevance(learner: Any, microcredential: MicroCredential) -> str | None:
    fit = goal_fit(user=learner, microcredential=microcredential, today=now().date())
    if fit is None or fit.helps:
        return None
    return (
        f"This course doesn’t close any of the gaps for your goal of {fit.target} — it may still be worth it "
        "for you. See your plan (My plan) for the steps that do."
    )


GOAL_RELEVANCE = EnrolmentNote(key="goal_relevance", note=_goal_relevance)
