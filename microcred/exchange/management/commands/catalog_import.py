"""``microcred catalog_import FILE [--as EMAIL]``: import a "microcred.catalog/1" document.

Idempotent: unchanged micro-credentials are left alone, changed drafts are updated and changed
published ones get a new version. The document is validated as a whole first and the import
runs in one transaction, so a bad document writes nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from microcred.accounts.models import User
from microcred.core.actors import SYSTEM, SystemActor
from microcred.core.errors import AppError
from microcred.exchange.services import catalog_import

REPORT_LABELS = (
    ("created", "created"),
    ("updated", "updated (draft changed in place)"),
    ("new_version", "new version (published one kept for enrolled learners)"),
    ("unchanged", "unchanged"),
)


class Command(BaseCommand):
    help = "Import a provider's catalog from a JSON file ('-' reads standard input)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="Catalog JSON file, or '-' for standard input.")
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help="Act as this user (who needs a staff role at the provider); default: the system.",
        )

    def handle(self, *args: Any, file: str, as_email: str | None = None, **options: Any) -> None:
        actor: User | SystemActor = SYSTEM
        if as_email:
            user = User.objects.filter(email__iexact=as_email.strip(), is_active=True).first()
            if user is None:
                raise CommandError(f"No active user with the email address {as_email}.")
            actor = user
        data = self._read(file, options.get("stdin") or sys.stdin)
        try:
            report = catalog_import(actor=actor, data=data)
        except AppError as exc:
            raise CommandError(f"{self._name(file)}: {exc}") from exc
        for key, label in REPORT_LABELS:
            slugs = report.get(key, [])
            line = f"{label}: {len(slugs)}"
            if slugs:
                line += f" ({', '.join(slugs)})"
            self.stdout.write(line)

    @staticmethod
    def _name(file: str) -> str:
        return "stdin" if file == "-" else file

    def _read(self, file: str, stdin: IO[str]) -> Any:
        try:
            text = stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{self._name(file)}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{self._name(file)}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
            ) from exc
