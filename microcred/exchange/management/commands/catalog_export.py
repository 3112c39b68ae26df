"""``microcred catalog_export PROVIDER_SLUG [-o FILE]``: a provider's catalog as "microcred.catalog/1" JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from microcred.accounts.selectors import provider_get
from microcred.core.errors import AppError
from microcred.exchange.services import catalog_export


def dump_catalog(document: dict[str, Any]) -> str:
    """Stable, readable JSON: exporting the same catalog twice gives the same bytes."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Export a provider's catalog (latest version of each micro-credential) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", metavar="PROVIDER_SLUG", help="Slug of the provider, e.g. forge-academy.")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write to FILE (UTF-8) instead of stdout.")

    def handle(self, *args: Any, provider: str, output: str | None = None, **options: Any) -> None:
        try:
            organisation = provider_get(slug=provider)
            text = dump_catalog(catalog_export(provider=organisation))
        except AppError as exc:
            raise CommandError(f"{exc} ({provider!r})") from exc
        if output is None or output == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Could not write {output}: {exc.strerror or exc}") from exc
        count = len(json.loads(text)["microcredentials"])
        self.stderr.write(f"Wrote {count} micro-credential(s) of {organisation.name} to {output}.")
