"""``microcred market import-postings FILE [--format csv|json|jsonl] [--source NAME]`` and
``microcred market reextract``: import job postings and find their skills, all or nothing.

Progress shows on stderr; stdout gets one line of counts. Importing the same file again changes
nothing. Formats: ``microcred/market/postings_format.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import TaskID

from microcred.accounts.commands import actor_from_email
from microcred.core.commands import progress_on_stderr
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

    def _import_postings(
        self, *, file: str, format: str | None, source: str | None, as_email: str | None, **_: Any
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        actor = actor_from_email(as_email)
        layout = format or guess_format(path)
        with progress_on_stderr(self) as progress:
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
        actor = actor_from_email(as_email)
        with progress_on_stderr(self) as progress:
            task: TaskID | None = None

            def advance(stage: str, done: int, total: int | None) -> None:
                nonlocal task
                if task is None:
                    task = progress.add_task(stage, total=total)
                progress.update(task, completed=done, total=total)

            report = postings_reextract(actor=actor, progress=advance)
        self.stdout.write(report.summary())
