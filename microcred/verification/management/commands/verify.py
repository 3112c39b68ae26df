"""``microcred verify FILE|URL [--email E] [--json]``: verify a credential from the shell.

Exit status: 0 valid, 1 not valid (for any reason: invalid, revoked, expired, ...),
2 the input could not be read (missing file, unreadable format, refused URL).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.markup import escape

from microcred.core.errors import ValidationFailed
from microcred.credentials.vc.verifier import Outcome, StepStatus, VerificationReport
from microcred.verification.services import MAX_PRESENTED_BYTES, verify_credential

EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_UNREADABLE = 2

_MARKS = {
    StepStatus.PASSED: "[green]✓[/green]",
    StepStatus.FAILED: "[red]✗[/red]",
    StepStatus.SKIPPED: "[dim]–[/dim]",
    StepStatus.UNSUPPORTED: "[yellow]?[/yellow]",
    StepStatus.WARNING: "[yellow]![/yellow]",
}


def _issuer(report: VerificationReport) -> str:
    parts = [report.issuer_name or "", f"<{report.issuer_id}>" if report.issuer_id else ""]
    return " ".join(part for part in parts if part)


class Command(BaseCommand):
    help = "Verify an Open Badges 3.0 credential (JSON, VC-JWT, baked PNG/SVG file, or URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A file path, or an http(s) URL where the credential is published.")
        parser.add_argument("--email", help="Check that the credential was issued to this e-mail address.")
        parser.add_argument("--json", action="store_true", help="Print the checklist as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        sys.exit(self.run(options["source"], email=options.get("email"), as_json=options["json"]))

    def run(self, source: str, *, email: str | None, as_json: bool) -> int:
        try:
            report = self._verify(source, email)
        except (OSError, ValidationFailed) as exc:
            message = exc.message if isinstance(exc, ValidationFailed) else f"cannot read {source}: {exc.strerror}"
            if as_json:
                self.stdout.write(json.dumps({"valid": False, "outcome": "malformed", "error": message}))
            self.stderr.write(f"error: {message}")
            return EXIT_UNREADABLE
        if as_json:
            self.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        else:
            self._print(report)
        if report.valid:
            return EXIT_VALID
        return EXIT_UNREADABLE if report.outcome is Outcome.MALFORMED else EXIT_NOT_VALID

    def _verify(self, source: str, email: str | None) -> VerificationReport:
        if source.startswith(("https://", "http://")):
            return verify_credential(url=source, recipient_email=email)
        path = Path(source)
        if path.is_file() and path.stat().st_size > MAX_PRESENTED_BYTES:
            raise ValidationFailed(f"{source} is larger than 2 MB; it is not a credential.")
        return verify_credential(data=path.read_bytes(), recipient_email=email)

    def _print(self, report: VerificationReport) -> None:
        buffer = io.StringIO()
        # emoji=False: rich would print "did:key:z6Mk..." as "did🔑z6Mk...".
        console = Console(file=buffer, force_terminal=self.stdout.isatty(), width=100, highlight=False, emoji=False)
        colour = "green" if report.valid else "yellow" if report.outcome is Outcome.UNSUPPORTED else "red"
        console.print(f"[bold {colour}]{escape(report.headline)}[/bold {colour}] ({report.outcome.value})")
        for label, value in (
            ("Achievement", report.achievement_name or report.credential_name),
            (
                "Issuer",
                " ".join(filter(None, [report.issuer_name, f"<{report.issuer_id}>" if report.issuer_id else None])),
            ),
            ("Recipient", report.subject),
            ("Valid from", report.valid_from),
            ("Valid until", report.valid_until),
        ):
            if value:
                console.print(f"  {label}: {escape(value)}")
        console.print()
        for step in report.steps:
            code = f" [dim]({step.code})[/dim]" if step.code and step.status is StepStatus.FAILED else ""
            console.print(f" {_MARKS[step.status]} [bold]{escape(step.label)}[/bold]: {escape(step.reason)}{code}")
        for endorsement in report.endorsements:
            who = endorsement.issuer_name or endorsement.issuer_id or "unknown"
            console.print(f"   endorsement by {escape(who)}: {escape(endorsement.headline)}")
        self.stdout.write(buffer.getvalue(), ending="")
