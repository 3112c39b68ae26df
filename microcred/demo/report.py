"""What a demo load did, and its step-by-step output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO


@dataclass(frozen=True)
class DemoCredentialRow:
    learner: str
    title: str
    issuer: str
    state: str
    reason: str
    url: str


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str


@dataclass
class DemoReport:
    logins: list[DemoLogin] = field(default_factory=list)
    catalogs: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    users_created: int = 0
    organisations_created: int = 0
    accreditations_granted: int = 0
    enrolments_created: int = 0
    completions: int = 0
    credentials_issued: int = 0
    credential_states_set: int = 0
    portfolios_created: int = 0
    # Aoife's public portfolio (/p/<handle>), for the table of places to open.
    portfolio_url: str = ""
    # Every demo learner's credential as it stands after loading.
    credentials: list[DemoCredentialRow] = field(default_factory=list)

    @property
    def credential_states(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.credentials:
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts

    @property
    def created_anything(self) -> bool:
        return bool(
            self.users_created
            or self.organisations_created
            or self.accreditations_granted
            or self.enrolments_created
            or self.credentials_issued
            or self.credential_states_set
            or self.portfolios_created
            or any(r.get("created") or r.get("updated") or r.get("new_version") for r in self.catalogs.values())
        )


class Progress:
    """Step-by-step output through rich when a stream is given, silence otherwise."""

    def __init__(self, stdout: IO[str] | None) -> None:
        self.console = None
        if stdout is not None:
            from rich.console import Console

            self.console = Console(file=stdout, highlight=False, soft_wrap=True)

    def step(self, message: str) -> None:
        if self.console is not None:
            self.console.print(f"[green]✓[/green] {message}")
