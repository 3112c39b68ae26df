"""What careers adds to lower apps' pages (listed in ``config/pages.py``): on a micro-credential's
page, what it does for the signed-in learner's goal ("closes 3 of your 7 gaps")."""

from __future__ import annotations

from typing import Any

from microcred.catalog.models import MicroCredential
from microcred.catalog.parts import MicroCredentialContext
from microcred.core.clock import now

from .planning import goal_fit


def _goal_fit(visitor: Any, microcredential: MicroCredential) -> dict[str, Any]:
    return {"goal_fit": goal_fit(user=visitor, microcredential=microcredential, today=now().date())}


GOAL_FIT = MicroCredentialContext(context=_goal_fit, template="careers/_goal_fit.html")
