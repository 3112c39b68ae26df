"""The path planner: which micro-credentials close a learner's skill gap, in which order, by when.

Django-free like the credential core (no Django, nothing else of Microcred, ``mypy --strict``,
``today``/``now`` as arguments). The inputs are plain dataclasses (``model.py``); ``plan_path``
returns an explained, dated ``Plan`` with its ICS calendar. Exact by a MIP through HiGHS
(``exact.py``), with a bounded heuristic (``heuristic.py``) and the benchmark's naive baseline
(``baseline.py``). ADR 0032 says why it is built this way.
"""

from .baseline import naive_set_cover
from .calendar import Schedule, Session, to_ics
from .errors import InvalidInput, PathwaysError
from .explain import LevelChange, Skipped, offer_relevance
from .model import Constraints, Form, Gap, Level, Objective, Offer, Programme, SkillRequirement, Step, gap_between
from .planner import Plan, PlanStep, ProgrammeNote, plan_path
from .problem import Exclusion, OfferIndex, Uncoverable, build_problem

__all__ = [
    "Constraints",
    "Exclusion",
    "Form",
    "Gap",
    "InvalidInput",
    "Level",
    "LevelChange",
    "Objective",
    "Offer",
    "OfferIndex",
    "PathwaysError",
    "Plan",
    "PlanStep",
    "Programme",
    "ProgrammeNote",
    "Schedule",
    "Session",
    "SkillRequirement",
    "Skipped",
    "Step",
    "Uncoverable",
    "build_problem",
    "gap_between",
    "naive_set_cover",
    "offer_relevance",
    "plan_path",
    "to_ics",
]
