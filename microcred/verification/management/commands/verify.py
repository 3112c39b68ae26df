"""``microcred verify FILE|URL [--email E] [--json]``: verify a credential from the shell.

The exit status is the verdict (ADR 0040): 0 valid (conformance warnings included), 1 invalid
(forged, tampered, wrong key, revoked, suspended, expired, not yet valid), 2 unreadable (missing
file, not a credential, refused URL), 3 cannot check (a suite, context, key or status list this
verifier cannot use: not a forgery, and never valid).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser, DjangoHelpFormatter
from rich.console import Console
from rich.markup import escape

from microcred.core.errors import ValidationFailed
from microcred.credentials.vc.verifier import StepStatus, Verdict, VerificationReport
from microcred.verification.services import MAX_PRESENTED_BYTES, verify_credential

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
EXIT_CANNOT_CHECK = 3
EXIT_CODES = {
    Verdict.VALID: EXIT_VALID,
    Verdict.VALID_WITH_WARNINGS: EXIT_VALID,
    Verdict.INVALID: EXIT_INVALID,
    Verdict.UNREADABLE: EXIT_UNREADABLE,
    Verdict.CANNOT_CHECK: EXIT_CANNOT_CHECK,
}
EXIT_STATUS_HELP = """exit status (the verdict; --json prints it as "verdict" and "exit_code"):
  0  valid, also valid with conformance warnings (signature and status hold; the broken
     Open Badges 3.0 rules are listed)
  1  invalid: forged, tampered, wrong key, revoked, suspended, expired or not yet valid
  2  unreadable: missing file, not a credential, refused URL
  3  cannot check: a proof suite, context, key or status list this verifier cannot use
     (not a forgery; never valid)"""
_COLOURS = {
    Verdict.VALID: "green",
    Verdict.VALID_WITH_WARNINGS: "green",
    Verdict.INVALID: "red",
    Verdict.UNREADABLE: "red",
    Verdict.CANNOT_CHECK: "yellow",
}

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

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, epilog=EXIT_STATUS_HELP, **kwargs)
        parser.formatter_class = _EpilogKeepsLines
        return parser

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
                unreadable = {
                    "verdict": Verdict.UNREADABLE.value,
                    "exit_code": EXIT_UNREADABLE,
                    "valid": False,
                    "outcome": "malformed",
                    "error": message,
                }
                self.stdout.write(json.dumps(unreadable))
            self.stderr.write(f"error: {message}")
            return EXIT_UNREADABLE
        exit_code = EXIT_CODES[report.verdict]
        if as_json:
            answer = {"verdict": report.verdict.value, "exit_code": exit_code, **report.to_json()}
            self.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False))
        else:
            self._print(report)
        return exit_code

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
        colour = _COLOURS[report.verdict]
        detail = report.verdict.value
        if report.outcome.value not in (detail, "valid", "unsupported", "malformed"):
            detail += f": {report.outcome.value}"
        console.print(f"[bold {colour}]{escape(report.headline)}[/bold {colour}] ({detail})")
        if report.verdict is Verdict.CANNOT_CHECK:
            console.print("  This verifier cannot check part of it; that does not mean it is forged.")
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
        if report.conformance_warnings:
            console.print()
            console.print("[bold]Open Badges 3.0 rules it breaks[/bold] (the signature and status hold):")
            for rule in report.conformance_warnings:
                console.print(f"  - {escape(rule)}")
        for endorsement in report.endorsements:
            who = endorsement.issuer_name or endorsement.issuer_id or "unknown"
            console.print(f"   endorsement by {escape(who)}: {escape(endorsement.headline)}")
        self.stdout.write(buffer.getvalue(), ending="")


class _EpilogKeepsLines(DjangoHelpFormatter):
    """Prints the exit-status table as written (argparse would re-wrap it into one paragraph)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))
