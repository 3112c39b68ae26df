"""``microcred credentials export DIR | issue-pending | issue-cohort PROVIDER_SLUG MC_SLUG |
resume-stale | refresh-status-lists | revoke UUID --reason TEXT | rotate-key ORG_SLUG``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from microcred.accounts.commands import actor_from_email
from microcred.accounts.models import Organisation
from microcred.catalog.models import MicroCredential
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.core.commands import progress_on_stderr
from microcred.core.errors import AppError
from microcred.credentials.cohort import CHUNK_SIZE, CohortReport, pending_completions
from microcred.credentials.cohort.runs import cohort_run_now, cohort_run_open, stale_runs
from microcred.credentials.export import credentials_export, export_steps
from microcred.credentials.keys.services import issuer_key_rotate
from microcred.credentials.models import CohortRun
from microcred.credentials.selectors import credential_get_public
from microcred.credentials.services import award_credential, credential_revoke
from microcred.credentials.statuslists.services import status_lists_refresh
from microcred.credentials.vc.errors import CredentialError
from microcred.learning.models import Completion


class _RateColumn(ProgressColumn):
    """Credentials per second since the start (a cohort's chunks arrive too seldom for rich's
    moving average)."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        speed = task.completed / elapsed if elapsed else 0.0
        return Text(f"{speed:,.0f} credentials/s", style="progress.data.speed")


class Command(BaseCommand):
    help = "Export, issue, revoke credentials and rotate issuer keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        export = sub.add_parser("export", help="Write every credential and what verifies it offline to DIR.")
        export.add_argument("directory", metavar="DIR")
        sub.add_parser("issue-pending", help="Issue credentials for completions that have none yet.")
        cohort = sub.add_parser(
            "issue-cohort",
            help="Issue the credentials of every completion of a micro-credential that has none yet, in bulk.",
        )
        cohort.add_argument("provider_slug", metavar="PROVIDER_SLUG")
        cohort.add_argument("mc_slug", metavar="MC_SLUG")
        cohort.add_argument(
            "--version", type=int, metavar="N", help="Only this version (default: every version with pending ones)."
        )
        cohort.add_argument("--as", dest="as_email", metavar="EMAIL", help="Act as this user (default: the system).")
        cohort.add_argument(
            "--workers", type=int, metavar="N", help="Signing processes (default: one per core for large cohorts)."
        )
        cohort.add_argument(
            "--chunk-size",
            type=int,
            default=CHUNK_SIZE,
            metavar="N",
            help="Credentials per transaction (default: %(default)s).",
        )
        sub.add_parser(
            "resume-stale",
            help="Finish the cohort runs whose runner died (no heartbeat for MICROCRED_COHORT_LEASE_SECONDS).",
        )
        sub.add_parser(
            "refresh-status-lists",
            help="Re-sign the status lists whose signed copy is missing or expires within a day (run daily).",
        )
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

    def _progress(self, *, rate: bool = False) -> Progress:
        columns: list[ProgressColumn | str] = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        if rate:
            columns.append(_RateColumn())
        columns.append(TimeRemainingColumn())
        return progress_on_stderr(self, *columns)

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
        issued, failures = 0, []
        with self._progress() as progress:
            task = progress.add_task("Issuing", total=len(pending))
            for completion in pending:
                try:
                    award_credential(completion=completion, actor=SYSTEM)
                    issued += 1
                except (AppError, CredentialError) as exc:
                    failures.append(f"completion {completion.pk}: {exc}")
                progress.advance(task)
        self.stdout.write(f"Issued {issued} credential(s); {len(failures)} failed.")
        if failures:
            raise CommandError("\n".join(failures))

    def _issue_cohort(
        self,
        *,
        provider_slug: str,
        mc_slug: str,
        version: int | None = None,
        as_email: str | None = None,
        workers: int | None = None,
        chunk_size: int = CHUNK_SIZE,
        **_: Any,
    ) -> None:
        if workers is not None and workers < 0:
            raise CommandError("--workers must be 0 (sign in this process) or more.")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be 1 or more.")
        actor = actor_from_email(as_email)
        versions = MicroCredential.objects.filter(provider__slug=provider_slug, slug=mc_slug).select_related("provider")
        if version is not None:
            versions = versions.filter(version=version)
        found = list(versions.order_by("version"))
        if not found:
            which = f"{provider_slug}/{mc_slug}" + (f" version {version}" if version is not None else "")
            raise CommandError(f"No micro-credential {which}.")
        reports: list[tuple[MicroCredential, CohortReport]] = []
        for mc in found:
            if version is None and not pending_completions(mc).exists():
                continue
            run = cohort_run_open(actor=actor, microcredential=mc, now=now(), workers=workers, chunk_size=chunk_size)
            report = self._run(run, mc)
            if report is not None:
                reports.append((mc, report))
        if not reports:
            self.stdout.write(f"Nothing to issue: every completion of {provider_slug}/{mc_slug} has its credential.")
        self._summarise(reports)

    def _run(self, run: CohortRun, mc: MicroCredential) -> CohortReport | None:
        with self._progress(rate=True) as progress:
            task = progress.add_task(f"{mc.title} v{mc.version}", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return cohort_run_now(run=run, progress=advance)

    def _resume_stale(self, **_: Any) -> None:
        reports: list[tuple[MicroCredential, CohortReport]] = []
        for run in stale_runs(now=now()).select_related("microcredential"):
            mc = run.microcredential
            self.stdout.write(
                f"Resuming cohort run {run.pk} of {mc.title} v{mc.version} ({run.issued} issued before it stopped)."
            )
            report = self._run(run, mc)
            if report is None:
                self.stdout.write(f"Cohort run {run.pk} was taken over by another runner meanwhile.")
            else:
                reports.append((mc, report))
        if not reports:
            self.stdout.write("No interrupted cohort runs.")
        self._summarise(reports)

    def _summarise(self, reports: list[tuple[MicroCredential, CohortReport]]) -> None:
        for mc, report in reports:
            line = (
                f"{mc.title} v{mc.version}: issued {report.issued} credential(s) in {report.seconds:.1f} s"
                f" ({report.rate:,.0f}/s)"
            )
            if report.not_issued:
                line += f"; {report.not_issued} were issued meanwhile by another run"
            self.stdout.write(line + ".")

    def _refresh_status_lists(self, **_: Any) -> None:
        refreshed = status_lists_refresh(now=now())
        for url in refreshed:
            self.stdout.write(f"Re-signed {url}")
        self.stdout.write(f"Re-signed {len(refreshed)} status list(s); the others are current.")

    def _revoke(self, *, uuid: str, reason: str, as_email: str | None = None, **_: Any) -> None:
        credential = credential_get_public(uuid=uuid)
        revoked = credential_revoke(actor=actor_from_email(as_email), credential=credential, reason=reason)
        self.stdout.write(f"Revoked {revoked.uuid} ({revoked.microcredential.title} for {revoked.user.email}).")

    def _rotate_key(self, *, slug: str, as_email: str | None = None, **_: Any) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {slug!r}.")
        key = issuer_key_rotate(actor=actor_from_email(as_email), organisation=organisation)
        self.stdout.write(f"{organisation.name} now signs with {key.key_id} ({key.public_key_multibase}).")
