"""``microcred demo``: load the demo data set (idempotent) and show how to sign in."""

from __future__ import annotations

from typing import IO, Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from microcred.core.errors import AppError
from microcred.demo.loader import demo_load

PLACES = (
    ("/", "the public catalog"),
    ("/dashboard/", "your dashboard after signing in"),
    ("/me/credentials/", "your signed credentials after signing in"),
    ("/verify/", "verify any Open Badges 3.0 credential"),
    ("/admin/", "Django admin (admin@ only)"),
    ("/api/v1/docs", "the interactive API documentation"),
)


class Command(BaseCommand):
    help = "Load the demo providers, catalogs, people and progress. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date; run `microcred migrate` first.")
        try:
            report = demo_load(stdout=None if quiet else cast(IO[str], self.stdout))
        except AppError as exc:
            raise CommandError(f"The demo data could not be loaded: {exc}") from exc
        if quiet:
            return

        from rich.console import Console
        from rich.table import Table

        console = Console(file=cast(IO[str], self.stdout), highlight=False, soft_wrap=True)
        console.print(
            "Demo data loaded." if report.created_anything else "Demo data was already loaded; nothing to add."
        )
        logins = Table(title="Demo logins")
        # Never cut an email address short: people copy them into the sign-in form.
        logins.add_column("Email", no_wrap=True, min_width=max(len(login.email) for login in report.logins))
        logins.add_column("Password")
        logins.add_column("Role")
        for login in report.logins:
            logins.add_row(login.email, login.password, login.role)
        console.print(logins)

        if report.credentials:
            # Two columns, so it stays readable in an 80-column terminal; the site's address is
            # in the "Open" table below.
            credentials = Table(title="Demo credentials")
            credentials.add_column("State", no_wrap=True)
            credentials.add_column("Credential (learner, public page)", overflow="fold")
            for row in report.credentials:
                lines = [f"{row.title}, {row.learner}", urlsplit(row.url).path]
                if row.reason:
                    lines.insert(1, row.reason)
                credentials.add_row(row.state, "\n".join(lines))
            console.print(credentials)

        places = Table(title="Open")
        places.add_column("URL", no_wrap=True)
        places.add_column("What")
        for path, what in PLACES:
            places.add_row(f"{settings.SITE_URL}{path}", what)
        if report.portfolio_url:
            places.add_row(
                report.portfolio_url, "Aoife Byrne's public portfolio: a credential, an import, verified skills"
            )
        console.print(places)
