"""``microcred questions import-gift FILE (--provider SLUG [--title T] | --bank ID) [--as EMAIL]``,
``import-aiken`` the same, and ``export-gift --bank ID [-o FILE]``: question files in and out.

An import is all or nothing: a file with problems prints each one with its line and writes
nothing (exit status 1)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from microcred.accounts.models import Organisation, User
from microcred.assessment.models import QuestionBank
from microcred.assessment.selectors import question_bank_gift
from microcred.assessment.services import question_bank_import
from microcred.core.actors import SYSTEM, SystemActor
from microcred.core.errors import AppError, ValidationFailed

# Below this many questions a bar only flickers.
PROGRESS_FROM = 200


class Command(BaseCommand):
    help = "Import Moodle GIFT or Aiken question files into a question bank, or export a bank as GIFT."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, label in (("import-gift", "Moodle GIFT"), ("import-aiken", "Moodle Aiken")):
            command = sub.add_parser(name, help=f"Import a {label} file ('-' reads standard input).")
            command.add_argument("file", metavar="FILE")
            target = command.add_mutually_exclusive_group(required=True)
            target.add_argument("--provider", metavar="SLUG", help="Into a new bank of this provider.")
            target.add_argument("--bank", type=int, metavar="ID", help="Into this bank (no learner has seen it).")
            command.add_argument("--title", default="", help="The new bank's title (default: the file's name).")
            command.add_argument(
                "--as", dest="as_email", metavar="EMAIL", help="Act as this user (default: the system)."
            )
        export = sub.add_parser("export-gift", help="Write a bank as Moodle GIFT.")
        export.add_argument("--bank", type=int, required=True, metavar="ID")
        export.add_argument("-o", "--output", metavar="FILE", help="Write here (default: standard output).")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            if subcommand == "export-gift":
                self._export(options["bank"], options.get("output"))
            else:
                self._import(subcommand.removeprefix("import-"), **options)
        except ValidationFailed as exc:
            lines = [f"  {where}: {message}" for where, messages in exc.errors.items() for message in messages]
            raise CommandError("\n".join([exc.message.split(":")[0] + ":", *lines]) if lines else exc.message) from exc
        except AppError as exc:
            raise CommandError(exc.message) from exc

    def _actor(self, email: str | None) -> User | SystemActor:
        if not email:
            return SYSTEM
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email address {email}.")
        return user

    def _import(
        self,
        file_format: str,
        *,
        file: str,
        provider: str | None,
        bank: int | None,
        title: str,
        as_email: str | None,
        **_: Any,
    ) -> None:
        actor = self._actor(as_email)
        content = sys.stdin.buffer.read() if file == "-" else self._read(file)
        target = None
        if bank is not None:
            target = QuestionBank.objects.select_related("provider").filter(pk=bank).first()
            if target is None:
                raise CommandError(f"No question bank {bank}.")
            organisation = target.provider
        else:
            found = Organisation.objects.filter(slug=provider).first()
            if found is None:
                raise CommandError(f"No organisation with the slug {provider!r}.")
            organisation = found
        console = Console(stderr=True)
        with Progress(
            TextColumn("Importing"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task("import", total=None)

            def advance(done: int, total: int) -> None:
                if total >= PROGRESS_FROM:
                    progress.update(task, completed=done, total=total)

            result = question_bank_import(
                actor=actor,
                provider=organisation,
                content=content,
                file_format=file_format,
                bank=target,
                title=title or (Path(file).stem if file != "-" else ""),
                progress=advance,
            )
        self.stdout.write(
            f"Imported {result.created} question{'s' if result.created != 1 else ''} into bank "
            f"{result.bank.pk} “{result.bank.title}”"
            + (
                f" in {len(result.categories)} categor{'ies' if len(result.categories) != 1 else 'y'}."
                if result.categories
                else "."
            )
        )
        for note in result.skipped:
            self.stdout.write(f"Skipped {note}")

    def _read(self, file: str) -> bytes:
        try:
            return Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc

    def _export(self, bank_id: int, output: str | None) -> None:
        bank = QuestionBank.objects.filter(pk=bank_id).first()
        if bank is None:
            raise CommandError(f"No question bank {bank_id}.")
        text, skipped = question_bank_gift(bank=bank)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
        for note in skipped:
            self.stderr.write(f"Left out {note}")
