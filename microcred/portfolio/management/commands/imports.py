"""``microcred imports recheck [--learner EMAIL] [--older-than HOURS]``: verify the credentials
learners imported from elsewhere again, and store what the verifier says now.

An issuer may revoke or suspend a credential after it was imported; until it is checked again, the
stored outcome stands. Each check queues the next as a task (ADR 0051); where no task worker
runs, run this on a schedule (daily is plenty): a credential found revoked stops counting on the
learner's skill profile and leaves their portfolio. The progress bar goes to
standard error; standard output keeps the one-line summary.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from microcred.accounts.models import User
from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import VALID_OUTCOME
from microcred.careers.services import external_credential_recheck
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.core.commands import progress_on_stderr
from microcred.core.errors import AppError


class Command(BaseCommand):
    help = "Re-verify the credentials learners imported from elsewhere (revoked ones stop counting)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        recheck = sub.add_parser("recheck", help="Verify imported credentials again and store the new outcome.")
        recheck.add_argument("--learner", metavar="EMAIL", help="Only this learner's imports.")
        recheck.add_argument(
            "--older-than",
            type=float,
            default=0.0,
            metavar="HOURS",
            help="Only those last checked at least this many hours ago (default: all).",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        self._recheck(learner=options.get("learner"), older_than=options["older_than"])

    def _recheck(self, *, learner: str | None, older_than: float) -> None:
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more hours.")
        imports = ExternalCredential.objects.select_related("user").order_by("checked_at", "pk")
        if learner:
            user = User.objects.filter(email__iexact=learner.strip()).first()
            if user is None:
                raise CommandError(f"No learner with e-mail {learner!r}.")
            imports = imports.filter(user=user)
        if older_than:
            imports = imports.filter(checked_at__lte=now() - timedelta(hours=older_than))
        rows = list(imports)
        outcomes: Counter[str] = Counter()
        changed, failures = 0, []
        with progress_on_stderr(self) as progress:
            task = progress.add_task("Re-checking imports", total=len(rows))
            for external in rows:
                try:
                    checked = external_credential_recheck(actor=SYSTEM, credential=external)
                except AppError as exc:
                    failures.append(f"import {external.pk} of {external.user.email}: {exc.message}")
                else:
                    outcomes[checked.outcome] += 1
                    changed += checked.outcome != external.outcome
                progress.advance(task)
        lapsed = {outcome: count for outcome, count in sorted(outcomes.items()) if outcome != VALID_OUTCOME}
        detail = ", ".join(f"{outcome}: {count}" for outcome, count in lapsed.items())
        self.stdout.write(
            f"Re-checked {sum(outcomes.values())} imported credential(s): {outcomes[VALID_OUTCOME]} valid, "
            f"{sum(lapsed.values())} no longer counting{f' ({detail})' if detail else ''}; {changed} changed."
        )
        if failures:
            raise CommandError("\n".join(failures))
