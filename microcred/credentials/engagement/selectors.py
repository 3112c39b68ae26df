"""Reads of the engagement counters: one credential's figures for its holder, an issuer's in
aggregate (never per learner), and which of our credentials a verified document names."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum

from microcred.accounts.models import Organisation

from .. import links
from ..models import Credential, CredentialEngagement, EngagementKind

#: The holder's and the issuer's charts cover this many weeks, the current one included.
WEEKS_SHOWN = 12
KINDS: tuple[EngagementKind, ...] = tuple(EngagementKind)


def _by_kind(pairs: Iterable[tuple[str, int | None]]) -> dict[str, int]:
    counts = dict.fromkeys(map(str, KINDS), 0)
    for kind, total in pairs:
        if kind in counts:
            counts[kind] += total or 0
    return counts


@dataclass(frozen=True)
class EngagementWeek:
    monday: date
    counts: dict[str, int]  # per kind, every kind present

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        """The counts in ``KINDS`` order, for a table's row."""
        return [self.counts[kind] for kind in KINDS]


@dataclass(frozen=True)
class EngagementSummary:
    totals: dict[str, int]  # since the first count, per kind
    weeks: list[EngagementWeek]  # the last WEEKS_SHOWN weeks, oldest first

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """``(kind, label, total)`` for each kind, in ``KINDS`` order."""
        return [(str(kind), kind.label, self.totals[kind]) for kind in KINDS]


def first_monday(today: date) -> date:
    """The Monday that starts the oldest week shown."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS_SHOWN - 1)


def _weeks(rows: Iterable[tuple[date, str, int | None]], today: date) -> list[EngagementWeek]:
    start = first_monday(today)
    counts = [dict.fromkeys(map(str, KINDS), 0) for _ in range(WEEKS_SHOWN)]
    for day, kind, total in rows:
        week = (day - start).days // 7
        if 0 <= week < WEEKS_SHOWN and kind in counts[week]:
            counts[week][kind] += total or 0
    return [EngagementWeek(start + timedelta(weeks=i), counts[i]) for i in range(WEEKS_SHOWN)]


def credential_engagement(*, credential: Credential, today: date) -> EngagementSummary:
    """One credential's counts, for its holder: totals and the last weeks (two queries)."""
    counters = CredentialEngagement.objects.filter(credential=credential)
    totals = counters.order_by().values_list("kind").annotate(total=Sum("count"))
    recent = counters.filter(day__gte=first_monday(today), day__lte=today).values_list("day", "kind", "count")
    return EngagementSummary(_by_kind(totals), _weeks(recent, today))


@dataclass(frozen=True)
class MicroCredentialEngagement:
    microcredential_id: int
    title: str
    version: int
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def cells(self) -> list[int]:
        return [self.totals[kind] for kind in KINDS]


@dataclass(frozen=True)
class IssuerEngagement:
    summary: EngagementSummary  # every credential of the issuer together
    by_microcredential: list[MicroCredentialEngagement]  # most engaged first


def issuer_engagement(*, organisation: Organisation, today: date) -> IssuerEngagement:
    """An issuer's counts in aggregate: per micro-credential version and per week, never per
    credential or learner (three queries)."""
    counters = CredentialEngagement.objects.filter(credential__issuer=organisation).order_by()
    per_version = counters.values_list(
        "credential__microcredential_id",
        "credential__microcredential__title",
        "credential__microcredential__version",
        "kind",
    ).annotate(total=Sum("count"))
    grouped: dict[int, tuple[str, int, list[tuple[str, int]]]] = {}
    for mc_id, title, version, kind, total in per_version:
        grouped.setdefault(mc_id, (title, version, []))[2].append((kind, total))
    by_microcredential = sorted(
        (
            MicroCredentialEngagement(mc_id, title, version, _by_kind(pairs))
            for mc_id, (title, version, pairs) in grouped.items()
        ),
        key=lambda row: (-row.total, row.title, row.version),
    )
    totals = counters.values_list("kind").annotate(total=Sum("count"))
    recent = (
        counters.filter(day__gte=first_monday(today), day__lte=today)
        .values_list("day", "kind")
        .annotate(total=Sum("count"))
    )
    return IssuerEngagement(EngagementSummary(_by_kind(totals), _weeks(recent, today)), by_microcredential)


def credential_id_for_url(url: str | None) -> int | None:
    """The row id of our credential whose id (its URL on this installation) is ``url``; None for
    anything else (a foreign credential, no id, an id we never issued)."""
    prefix = links.credential_url("")
    if not url or not url.startswith(prefix):
        return None
    try:
        key = uuid_module.UUID(url[len(prefix) :])
    except ValueError:
        return None
    return Credential.objects.filter(uuid=key).values_list("pk", flat=True).first()
