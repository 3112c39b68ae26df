"""Issuing credentials, in cohorts and alone: the one issuing path.

``services/`` issues (a credential alone is a cohort of one), allocates status indexes and
keeps a cohort run's lease; ``checks.py`` says who may issue and checks before issuing;
``store.py`` reads what is pending and claims it; ``signing.py`` signs in this process or in
forked workers; ``runs.py`` keeps a cohort run going when its worker dies; ``later.py`` runs a
cohort from a page or the API, in the request or as a task.
"""

from __future__ import annotations

from .services import CHUNK_SIZE, CohortCheckFailed, CohortReport, credentials_issue_cohort, default_workers
from .store import pending_completions

__all__ = [
    "CHUNK_SIZE",
    "CohortCheckFailed",
    "CohortReport",
    "credentials_issue_cohort",
    "default_workers",
    "pending_completions",
]
