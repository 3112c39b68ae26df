"""Reading portfolios: which one a handle names, what its page shows, and the owner's choices.

What the page shows is decided here and nowhere else, for the page, the printable record and the
owner's preview alike: a ticked credential shows only while it counts (ours: not revoked,
suspended, expired or not yet valid; imported: its last check said valid and its stated end has
not passed), and never celebrates anything else (ADR 0046)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import ProfileSkill, external_standing, skill_profile
from microcred.core.errors import NotFound
from microcred.credentials import links
from microcred.credentials.models import Credential, PageVisibility
from microcred.credentials.selectors import display_status
from microcred.credentials.vc.ob2.documents import is_http_url

from .models import FormerHandle, Portfolio


@dataclass(frozen=True)
class Found:
    """The portfolio a handle names; ``moved`` when the handle is a former one (redirect)."""

    portfolio: Portfolio
    moved: bool

    @property
    def is_preview(self) -> bool:
        return not self.portfolio.published


def portfolio_of(user: Any) -> Portfolio | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Portfolio.objects.filter(user=user).first()


def portfolio_at(handle: str, *, viewer: Any) -> Found:
    """The portfolio at ``handle`` (current or former) as ``viewer`` may open it: one that is off
    only for its owner, and the same not-found as an unknown handle for anyone else."""
    wanted = handle.strip().lower()[:100]
    portfolio = Portfolio.objects.select_related("user__profile").filter(handle=wanted).first()
    moved = False
    if portfolio is None:
        former = FormerHandle.objects.select_related("portfolio__user__profile").filter(handle=wanted).first()
        portfolio, moved = (former.portfolio, True) if former is not None else (None, False)
    if portfolio is None:
        raise NotFound("No portfolio at this address.")
    is_owner = getattr(viewer, "is_authenticated", False) and viewer.pk == portfolio.user_id
    if not portfolio.published and not is_owner:
        raise NotFound("No portfolio at this address.")
    return Found(portfolio, moved or wanted != handle)


@dataclass(frozen=True)
class Entry:
    """A credential as the portfolio and the record show it."""

    kind: str  # "ours" or "imported"
    title: str
    issuer: str
    awarded: datetime | None
    valid_until: datetime | None
    status: str  # what the record says, e.g. "Valid" or "Verified valid on 3 Mar 2026"
    level: str = ""
    workload_hours: int | None = None
    ects: Decimal | None = None
    page_url: str = ""  # our credential's public page (runs the checklist live)
    verification_url: str = ""  # where anyone verifies it
    checked_at: datetime | None = None
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortfolioPage:
    portfolio: Portfolio
    name: str
    headline: str
    entries: tuple[Entry, ...]
    skills: tuple[ProfileSkill, ...]


def name_of(portfolio: Portfolio) -> str:
    user = portfolio.user
    return portfolio.display_name or user.full_name or "A learner"


def headline_of(portfolio: Portfolio) -> str:
    if portfolio.headline:
        return portfolio.headline
    profile = getattr(portfolio.user, "profile", None)
    return profile.headline if profile is not None else ""


def _verify_url(page_url: str) -> str:
    return links.absolute("/verify/?" + urlencode({"url": page_url}))


def our_entry(credential: Credential) -> Entry:
    mc = credential.microcredential
    page = links.credential_url(credential.uuid)
    return Entry(
        kind="ours",
        title=mc.title,
        issuer=credential.issuer.name,
        awarded=credential.valid_from,
        valid_until=credential.valid_until,
        status="Valid",
        level=f"EQF {mc.eqf_level}",
        workload_hours=mc.workload_hours,
        ects=mc.ects,
        page_url=page,
        verification_url=_verify_url(page),
    )


def imported_entry(external: ExternalCredential) -> Entry:
    # A credential published at an http(s) id (an OB 2.0 hosted assertion, many OB 3.0 issuers)
    # can be verified by anyone at that address; otherwise our last check is what we can say.
    hosted = external.credential_id if is_http_url(external.credential_id) else ""
    return Entry(
        kind="imported",
        title=external.achievement_name or "A credential",
        issuer=external.issuer_name or external.issuer_id or "Another issuer",
        awarded=external.verified_at,
        valid_until=external.valid_until,
        status=f"Verified valid on {external.checked_at:%-d %b %Y}",
        verification_url=_verify_url(hosted) if hosted else "",
        checked_at=external.checked_at,
        skills=tuple(link.skill.label for link in external.skill_links.all()),
    )


def portfolio_page(portfolio: Portfolio, *, now: datetime) -> PortfolioPage:
    """What anyone who opens the portfolio sees (and the owner's preview: the same page)."""
    shown = list(
        portfolio.shown_credentials.select_related(
            "credential__microcredential", "credential__issuer", "external"
        ).prefetch_related("external__skill_links__skill")
    )
    entries: list[Entry] = []
    for row in shown:
        if row.credential is not None:
            credential = row.credential
            # A page its holder made private since is not linked from a public page.
            if credential.page_visibility != PageVisibility.PRIVATE and display_status(credential, now=now).is_valid:
                entries.append(our_entry(credential))
        elif row.external is not None and external_standing(row.external, today=now.date()).counts:
            entries.append(imported_entry(row.external))
    entries.sort(key=lambda entry: (entry.awarded or now, entry.title), reverse=True)
    ticked = set(portfolio.shown_skills.values_list("skill_id", flat=True))
    skills = tuple(
        item for item in skill_profile(portfolio.user, today=now.date()) if item.verified and item.skill.pk in ticked
    )
    return PortfolioPage(portfolio, name_of(portfolio), headline_of(portfolio), tuple(entries), skills)


@dataclass(frozen=True)
class Choice:
    """A credential the owner may tick, with whether it shows now and, if not, why."""

    value: str
    title: str
    issuer: str
    ticked: bool
    status_label: str
    status_code: str
    showable: bool  # may be ticked (ours: its page is not private)
    counts: bool  # shows on the page now, when ticked
    note: str = ""
    external: ExternalCredential | None = None


@dataclass(frozen=True)
class Choices:
    ours: tuple[Choice, ...]
    imported: tuple[Choice, ...]
    skills: tuple[tuple[ProfileSkill, bool], ...]


def portfolio_choices(user: Any, portfolio: Portfolio | None, *, now: datetime) -> Choices:
    """Everything the owner could show, each with its current standing and whether it is ticked."""
    ticked_ours: set[int] = set()
    ticked_imports: set[int] = set()
    ticked_skills: set[int] = set()
    if portfolio is not None:
        for credential_id, external_id in portfolio.shown_credentials.values_list("credential_id", "external_id"):
            if credential_id:
                ticked_ours.add(credential_id)
            if external_id:
                ticked_imports.add(external_id)
        ticked_skills = set(portfolio.shown_skills.values_list("skill_id", flat=True))
    ours = []
    for credential in Credential.objects.filter(user=user).select_related("microcredential", "issuer"):
        status = display_status(credential, now=now)
        private = credential.page_visibility == PageVisibility.PRIVATE
        note = ""
        if private:
            note = "Its page is private: make it unlisted or public on its page to show it here."
        elif not status.is_valid:
            note = f"{status.label}: not shown on your portfolio while it is."
        ours.append(
            Choice(
                value=str(credential.uuid),
                title=credential.microcredential.title,
                issuer=credential.issuer.name,
                ticked=credential.pk in ticked_ours,
                status_label=status.label,
                status_code=status.code,
                showable=not private,
                counts=status.is_valid and not private,
                note=note,
            )
        )
    imported = []
    for external in ExternalCredential.objects.filter(user=user).prefetch_related("skill_links__skill"):
        standing = external_standing(external, today=now.date())
        imported.append(
            Choice(
                value=str(external.pk),
                title=external.achievement_name or "A credential",
                issuer=external.issuer_name or external.issuer_id,
                ticked=external.pk in ticked_imports,
                status_label="Valid" if standing.counts else standing.code.replace("_", " ").capitalize(),
                status_code=standing.code,
                showable=True,
                counts=standing.counts,
                note="" if standing.counts else f"{standing.reason} Not shown on your portfolio while it is.",
                external=external,
            )
        )
    verified = tuple(
        (item, item.skill.pk in ticked_skills) for item in skill_profile(user, today=now.date()) if item.verified
    )
    return Choices(tuple(ours), tuple(imported), verified)


def suggested_handle(user: Any) -> str:
    """A free handle from the learner's name (or e-mail address) for a new portfolio's form."""
    from django.utils.text import slugify

    from .services import handle_problem

    base = slugify(user.full_name or user.email.split("@")[0])[:34].strip("-") or "learner"
    if len(base) < 3:
        base = f"{base}-learner"
    for suffix in ["", *(f"-{n}" for n in range(2, 50))]:
        candidate = f"{base}{suffix}"
        taken = (
            Portfolio.objects.filter(handle=candidate).exists()
            or FormerHandle.objects.filter(handle=candidate).exists()
        )
        if handle_problem(candidate) is None and not taken:
            return candidate
    return ""
