"""Every write of the portfolio: its handle, name and headline, whether it is on, and what it shows.

A learner changes only their own portfolio; the platform (``SYSTEM``) may change anyone's. A handle
that is given up keeps redirecting to the new one and is never handed to anyone else (ADR 0046)."""

from __future__ import annotations

import re
import uuid as uuid_module
from collections.abc import Iterable
from typing import Final

from django.db import IntegrityError, transaction

from microcred.accounts.models import User
from microcred.accounts.permissions import Actor
from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import skill_profile
from microcred.core import clock
from microcred.core.actors import is_system
from microcred.core.errors import PermissionDenied, ValidationFailed, full_clean_or_fail
from microcred.core.services import audit_record
from microcred.credentials.models import Credential, PageVisibility

from .models import HANDLE_MAX_LENGTH, HANDLE_MIN_LENGTH, FormerHandle, Portfolio, ShownCredential, ShownSkill

_HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Handles that read as one of the site's own pages or as staff, or that a future page may need.
RESERVED_HANDLES: Final = frozenset(
    {
        "about", "account", "admin", "administrator", "api", "app", "credential", "credentials", "dashboard",
        "edit", "help", "home", "ims", "login", "logout", "microcred", "new", "null", "official",
        "portfolio", "portfolios", "print", "record", "root", "security", "settings", "signup", "staff",
        "static", "support", "system", "undefined", "verify", "www",
    }
)  # fmt: skip
MAX_SHOWN_CREDENTIALS: Final = 200
MAX_SHOWN_SKILLS: Final = 300


def _require_self(actor: Actor, owner: User) -> None:
    if is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False) or actor.pk != owner.pk:
        raise PermissionDenied("You can change only your own portfolio.")


def handle_problem(handle: str) -> str | None:
    """Why ``handle`` (already lower-cased) cannot be a portfolio's address, or None when it can."""
    if not HANDLE_MIN_LENGTH <= len(handle) <= HANDLE_MAX_LENGTH:
        return f"Use {HANDLE_MIN_LENGTH} to {HANDLE_MAX_LENGTH} characters; this has {len(handle)}."
    if not _HANDLE.fullmatch(handle):
        return "Use lowercase letters, digits and single hyphens between them (e.g. ada-lovelace)."
    if handle in RESERVED_HANDLES:
        return f"“{handle}” is reserved for the site's own pages; choose another."
    return None


def _clean_handle(handle: str) -> str:
    cleaned = handle.strip().lower()
    problem = handle_problem(cleaned)
    if problem:
        raise ValidationFailed(f"The handle “{handle.strip()}” cannot be used.", errors={"handle": [problem]})
    return cleaned


def _taken(handle: str, portfolio: Portfolio | None) -> bool:
    """Another portfolio's current or former handle (one's own former handles may be taken back)."""
    others = Portfolio.objects.filter(handle=handle)
    former = FormerHandle.objects.filter(handle=handle)
    if portfolio is not None and portfolio.pk is not None:
        others, former = others.exclude(pk=portfolio.pk), former.exclude(portfolio=portfolio)
    return others.exists() or former.exists()


def _refuse_taken(handle: str) -> ValidationFailed:
    return ValidationFailed(
        f"The handle “{handle}” is taken.", errors={"handle": [f"“{handle}” is taken; choose another."]}
    )


def portfolio_save(
    *, actor: Actor, owner: User, handle: str, display_name: str = "", headline: str = "", published: bool = False
) -> Portfolio:
    """Create or change the owner's portfolio. A new handle retires the old one, which keeps
    redirecting here; taking back one's own former handle ends its redirect."""
    _require_self(actor, owner)
    wanted = _clean_handle(handle)
    with transaction.atomic():
        portfolio = Portfolio.objects.select_for_update().filter(user=owner).first()
        if _taken(wanted, portfolio):
            raise _refuse_taken(wanted)
        before = None
        if portfolio is None:
            portfolio = Portfolio(user=owner)
        else:
            before = {"handle": portfolio.handle, "published": portfolio.published}
        old_handle = portfolio.handle
        portfolio.handle = wanted
        portfolio.display_name = display_name.strip()
        portfolio.headline = headline.strip()
        portfolio.published = bool(published)
        full_clean_or_fail(portfolio, validate_unique=False)
        try:
            with transaction.atomic():
                portfolio.save()
                if old_handle and old_handle != wanted:
                    FormerHandle.objects.filter(portfolio=portfolio, handle=wanted).delete()
                    FormerHandle.objects.create(portfolio=portfolio, handle=old_handle, retired_at=clock.now())
        except IntegrityError as exc:  # taken at the same moment by someone else
            raise _refuse_taken(wanted) from exc
        audit_record(
            actor=actor,
            action="portfolio.save",
            target=portfolio,
            before=before,
            handle=portfolio.handle,
            published=portfolio.published,
        )
    return portfolio


def _require_portfolio(owner: User) -> Portfolio:
    portfolio = Portfolio.objects.select_for_update().filter(user=owner).first()
    if portfolio is None:
        raise ValidationFailed(
            "Choose your portfolio's address first.", errors={"handle": ["Choose your portfolio's address first."]}
        )
    return portfolio


def _own_credentials(
    owner: User, references: Iterable[str | uuid_module.UUID], errors: dict[str, list[str]]
) -> list[Credential]:
    wanted: list[uuid_module.UUID] = []
    for reference in references:
        try:
            wanted.append(reference if isinstance(reference, uuid_module.UUID) else uuid_module.UUID(str(reference)))
        except ValueError:
            errors.setdefault("credentials", []).append(f"“{reference}” is not one of your credentials.")
    owned = Credential.objects.filter(user=owner, uuid__in=wanted).select_related("microcredential")
    found = {credential.uuid: credential for credential in owned}
    for missing in [value for value in wanted if value not in found]:
        errors.setdefault("credentials", []).append(f"“{missing}” is not one of your credentials.")
    for credential in found.values():
        if credential.page_visibility == PageVisibility.PRIVATE:
            errors.setdefault("credentials", []).append(
                f"“{credential.microcredential.title}” has a private page: make it unlisted or public on its page "
                "first, so that the people who see your portfolio can open it."
            )
    return list(found.values())


def portfolio_choices_set(
    *,
    actor: Actor,
    owner: User,
    credentials: Iterable[str | uuid_module.UUID] = (),
    externals: Iterable[int] = (),
    skills: Iterable[int] = (),
) -> Portfolio:
    """Make the portfolio show exactly these: our credentials (by uuid; their pages must not be
    private), credentials imported from elsewhere (by id) and skills (by id, verified on the
    owner's skill profile now). All or nothing. What is ticked shows only while it counts: a
    revoked, suspended or expired credential, or a skill no longer verified, drops off the page
    and comes back if it counts again."""
    _require_self(actor, owner)
    errors: dict[str, list[str]] = {}
    chosen = _own_credentials(owner, credentials, errors)
    external_ids = {int(pk) for pk in externals}
    found_externals = set(
        ExternalCredential.objects.filter(user=owner, pk__in=external_ids).values_list("pk", flat=True)
    )
    if external_ids - found_externals:
        errors["externals"] = ["Some of the imported credentials are not yours, or were removed."]
    skill_ids = {int(pk) for pk in skills}
    verified = {item.skill.pk for item in skill_profile(owner, today=clock.now().date()) if item.verified}
    if skill_ids - verified:
        errors["skills"] = ["Only skills verified on your profile can be shown; some ticked ones are not."]
    if len(chosen) + len(found_externals) > MAX_SHOWN_CREDENTIALS or len(skill_ids) > MAX_SHOWN_SKILLS:
        errors["__all__"] = [f"Show at most {MAX_SHOWN_CREDENTIALS} credentials and {MAX_SHOWN_SKILLS} skills."]
    if errors:
        raise ValidationFailed("Some choices cannot be shown; see errors.", errors=errors)
    with transaction.atomic():
        portfolio = _require_portfolio(owner)
        portfolio.shown_credentials.all().delete()
        portfolio.shown_skills.all().delete()
        ShownCredential.objects.bulk_create(
            [ShownCredential(portfolio=portfolio, credential=c) for c in chosen]
            + [ShownCredential(portfolio=portfolio, external_id=pk) for pk in sorted(found_externals)]
        )
        ShownSkill.objects.bulk_create(ShownSkill(portfolio=portfolio, skill_id=pk) for pk in sorted(skill_ids))
        portfolio.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action="portfolio.choices",
            target=portfolio,
            credentials=sorted(str(c.uuid) for c in chosen),
            externals=sorted(found_externals),
            skills=sorted(skill_ids),
        )
    return portfolio


def portfolio_external_show(*, actor: Actor, owner: User, external: ExternalCredential) -> bool:
    """Tick a credential just imported (when the owner has a portfolio); False when they have none."""
    _require_self(actor, owner)
    if external.user_id != owner.pk:
        raise PermissionDenied("You can show only your own credentials.")
    with transaction.atomic():
        portfolio = Portfolio.objects.select_for_update().filter(user=owner).first()
        if portfolio is None:
            return False
        _, created = ShownCredential.objects.get_or_create(portfolio=portfolio, external=external)
        if created:
            audit_record(actor=actor, action="portfolio.show_import", target=portfolio, external=external.pk)
    return True
