"""Matching free text to a taxonomy's skills (issue 9 §2), Django-free.

``SkillIndex.build(entries)`` indexes each skill's preferred and alternative labels;
``index.match("pivot tables")`` ranks the skills a short phrase may mean, and
``index.extract(posting)`` finds the skills a longer text mentions, each with a score and the
reason (exact label, alternative label, the same words reordered, fuzzy). Labels and text are
normalised alike (``text.py``); fuzzy matching is rapidfuzz. It imports nothing of Django or of
the rest of Microcred (import contract), so the benches and unit tests drive it directly; the
skills app feeds it from the database.
"""

from .index import Candidate, Mention, Reason, SkillEntry, SkillIndex
from .text import normalise

__all__ = ["Candidate", "Mention", "Reason", "SkillEntry", "SkillIndex", "normalise"]
