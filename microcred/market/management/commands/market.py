"""``microcred market import-postings FILE [--format csv|json|jsonl] [--source NAME]`` and
``microcred market reextract``: import job postings and find their skills, all or nothing.

Progress shows on stderr; stdout gets one line of counts. Importing the same file again changes
nothing. Formats: ``microcred/market/postings_format.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from microcred.accounts.models import User
from microcred.core.actors import SYSTEM, SystemActor
from microcred.core.errors import AppError
from microcred.market.postings_format import FORMATS, Format, PostingFormatError, guess_format, read_postings_file
from microcred.market.services import postings_import, postings_reextract


class Command(BaseCommand):
    help = "Import job postings (CSV, JSON, JSON Lines) and find the skills they ask for."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        postings = sub.add_parser(
            "import-postings",
            help="Job postings with title, text, location, industry, date (and optional id, source, region, "
            "occupation) from a CSV, JSON or JSON Lines FILE.",
        )
        postings.add_argument("file", metavar="FILE")
        postings.add_argument(
            "--format", choices=FORMATS, help="The file's layout (default: from its name: .csv, .json, .jsonl)."
        )
        postings.add_argument(
            "--source", help="Where postings without a source field come from (default: the file's name)."
        )
        reextract = sub.add_parser(
            "reextract", help="Find every stored posting's skills again (after a taxonomy import)."
        )
        for command in (postings, reextract):
            command.add_argument(
                "--as", dest="as_email", metavar="EMAIL", help="Act as this user (default: the system)."
            )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            getattr(self, "_" + subcommand.replace("-", "_"))(**options)
        except PostingFormatError as exc:
            raise CommandError(str(exc)) from exc
        except AppError as exc:
            raise CommandError(exc.message) from exc

    def _actor(self, email: str | None) -> User | SystemActor:
        if not email:
            return SYSTEM
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with e-mail {email!r}.")
        return user

    def _progress(self) -> Progress:
        # Progress goes to stderr (Django's wrapper around it), leaving stdout for the summary.
        console = Console(file=cast(IO[str], getattr(self.stderr, "_out", sys.stderr)))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        return Progress(*columns, console=console, transient=False)

    def _import_postings(
        self, *, file: str, format: str | None, source: str | None, as_email: str | None, **_: Any
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        actor = self._actor(as_email)
        layout = format or guess_format(path)
        with self._progress() as progress:
            task: TaskID | None = None

            def advance(stage: str, done: int, total: int | None) -> None:
                nonlocal task
                if task is None:
                    task = progress.add_task(stage, total=total)
                progress.update(task, completed=done, total=total)

            report = postings_import(
                actor=actor,
                records=read_postings_file(path, format=cast(Format, layout)),
                source=source or path.stem,
                progress=advance,
            )
        self.stdout.write(report.summary())

    def _reextract(self, *, as_email: str | None, **_: Any) -> None:
        actor = self._actor(as_email)
        with self._progress() as progress:
            task: TaskID | None = None

            def advance(stage: str, done: int, total: int | None) -> None:
                nonlocal task
                if task is None:
                    task = progress.add_task(stage, total=total)
                progress.update(task, completed=done, total=total)

            report = postings_reextract(actor=actor, progress=advance)
        self.stdout.write(report.summary())
