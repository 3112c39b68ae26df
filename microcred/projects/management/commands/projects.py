"""``microcred projects allocate-reviews``: the scheduled peer-review pass (ADR 0030). Allocates the
reviews of peer-reviewed assignments whose submission date has passed, and grades, from the reviews
they have, the submissions of assignments whose review deadline has passed. Safe to run often: an
allocation keeps what was given out, and graded work is left alone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from microcred.projects.services import peer_reviews_run_due


class Command(BaseCommand):
    help = "Projects tasks: allocate-reviews (allocate due peer reviews and grade overdue ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["allocate-reviews"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        allocated, graded = peer_reviews_run_due()
        self.stdout.write(f"Peer reviews allocated for {allocated} assignment(s); {graded} submission(s) graded.")
