"""``microcred attempts close-expired``: the scheduled close of quiz attempts whose time is up (ADR
0026, addendum). Every open attempt past its deadline and grace is graded with the answers saved
by then, as the learner's next action would grade it. Pages and API reads never close attempts,
so run this from cron (every few minutes) for learners who do not come back. Safe to run often."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from microcred.assessment.services import attempts_close_expired


class Command(BaseCommand):
    help = "Quiz attempt tasks: close-expired (grade open attempts whose time and grace are up, as saved)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["close-expired"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        closed = attempts_close_expired()
        self.stdout.write(f"Closed {closed} attempt(s) whose time was up, graded with the answers saved by then.")
