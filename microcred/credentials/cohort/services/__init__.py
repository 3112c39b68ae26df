"""The writes of issuing: the one issuing path (``issue.py``), its status-index allocator
(``slots.py``) and a cohort run's lease (``runs.py``)."""

from __future__ import annotations

from ..checks import COHORT_LIST_SIZE, check_permission
from .issue import (
    CHUNK_SIZE,
    CohortCheckFailed,
    CohortReport,
    credentials_issue_cohort,
    default_workers,
    issue_alone,
)
from .slots import StatusSlots, status_slots_attach

__all__ = [
    "CHUNK_SIZE",
    "COHORT_LIST_SIZE",
    "CohortCheckFailed",
    "CohortReport",
    "StatusSlots",
    "check_permission",
    "credentials_issue_cohort",
    "default_workers",
    "issue_alone",
    "status_slots_attach",
]
