"""``microcred credentials export DIR | issue-pending | revoke UUID --reason TEXT | rotate-key ORG_SLUG``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from microcred.accounts.models import Organisation, User
from microcred.core.clock import now
from microcred.core.errors import AppError
from microcred.credentials.export import credentials_export, export_steps
from microcred.credentials.keys import issuer_key_rotate
from microcred.credentials.selectors import credential_get_public
from microcred.credentials.services import credential_issue, credential_revoke
from microcred.credentials.vc.errors import CredentialError
from microcred.learning.awarding import completion_award
from microcred.learning.models import Completion

OUR_AWARDER = "microcred.credentials.services.award_credential"


class Command(BaseCommand):
    help = "Export, issue, revoke credentials and rotate issuer keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        export = sub.add_parser("export", help="Write every credential and what verifies it offline to DIR.")
        export.add_argument("directory", metavar="DIR")
        sub.add_parser("issue-pending", help="Issue credentials for completions that have none yet.")
        revoke = sub.add_parser("revoke", help="Revoke one credential (final).")
        revoke.add_argument("uuid", metavar="UUID")
        revoke.add_argument("--reason", required=True, help="Shown to the learner and to verifiers.")
        revoke.add_argument("--as", dest="as_email", metavar="EMAIL", help="Act as this user (default: the system).")
        rotate = sub.add_parser("rotate-key", help="Give an issuer a new signing key; old ones stay published.")
        rotate.add_argument("slug", metavar="ORG_SLUG")
        rotate.add_argument("--as", dest="as_email", metavar="EMAIL", help="Act as this user (default: the system).")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            getattr(self, "_" + subcommand.replace("-", "_"))(**options)
        except AppError as exc:
            raise CommandError(exc.message) from exc

    def _progress(self) -> Progress:
        # Progress goes to stderr (Django's wrapper around it), leaving stdout for the summary.
        console = Console(file=cast(IO[str], getattr(self.stderr, "_out", sys.stderr)))
        return Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
        )

    def _actor(self, email: str | None) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with e-mail {email!r}.")
        return user

    def _export(self, *, directory: str, **_: Any) -> None:
        target = Path(directory)
        if target.exists() and not target.is_dir():
            raise CommandError(f"{target} exists and is not a directory.")
        moment = now()
        with self._progress() as progress:
            task = progress.add_task("Exporting", total=export_steps(moment))
            try:
                manifest = credentials_export(directory=target, now=moment, advance=lambda n: progress.advance(task, n))
            except OSError as exc:
                raise CommandError(f"Could not write to {target}: {exc.strerror or exc}") from exc
        count = sum(
            1 for f in manifest["files"] if f["path"].startswith("credentials/") and f["path"].endswith(".json")
        )
        self.stdout.write(f"Exported {count} credential(s) and {len(manifest['files'])} file(s) to {target}.")

    def _issue_pending(self, **_: Any) -> None:
        pending = list(
            Completion.objects.filter(credential__isnull=True)
            .select_related("enrolment__user", "enrolment__microcredential")
            .order_by("completed_at", "pk")
        )
        through_awarders = OUR_AWARDER in settings.MICROCRED_AWARDERS
        issued, failures = 0, []
        with self._progress() as progress:
            task = progress.add_task("Issuing", total=len(pending))
            for completion in pending:
                try:
                    if through_awarders:
                        completion_award(completion=completion, actor=None)
                    else:
                        credential_issue(actor=None, completion=completion)
                    issued += 1
                except (AppError, CredentialError) as exc:
                    failures.append(f"completion {completion.pk}: {exc}")
                progress.advance(task)
        self.stdout.write(f"Issued {issued} credential(s); {len(failures)} failed.")
        if failures:
            raise CommandError("\n".join(failures))

    def _revoke(self, *, uuid: str, reason: str, as_email: str | None = None, **_: Any) -> None:
        credential = credential_get_public(uuid=uuid)
        revoked = credential_revoke(actor=self._actor(as_email), credential=credential, reason=reason)
        self.stdout.write(f"Revoked {revoked.uuid} ({revoked.microcredential.title} for {revoked.user.email}).")

    def _rotate_key(self, *, slug: str, as_email: str | None = None, **_: Any) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {slug!r}.")
        key = issuer_key_rotate(actor=self._actor(as_email), organisation=organisation)
        self.stdout.write(f"{organisation.name} now signs with {key.key_id} ({key.public_key_multibase}).")
