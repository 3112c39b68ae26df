"""Page-shaped reads built on the app selectors: choice lists, counts and view models.

Only reads live here; a page that changes anything calls a service.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from microcred.accounts.models import Organisation
from microcred.accounts.selectors import provider_list
from microcred.accreditation.models import Accreditation
from microcred.accreditation.selectors import current_accreditations_by_provider
from microcred.core.clock import now
from microcred.skills.models import Skill

from ..models import Industry, MicroCredential, MicroCredentialSkill, Module, Status
from ..parts import catalog_card_notes
from ..selectors import published_languages, published_microcredentials

PUBLISHED = Q(microcredentials__status=Status.PUBLISHED)


def with_card_relations(qs: QuerySet[MicroCredential]) -> QuerySet[MicroCredential]:
    """Everything a result card shows, in two queries whatever the page size."""
    return qs.select_related("provider", "industry").prefetch_related(
        Prefetch("skill_links", queryset=MicroCredentialSkill.objects.select_related("skill").order_by("skill__label"))
    )


def accreditations_for(organisations: Iterable[Organisation]) -> dict[int, list[Accreditation]]:
    ids = {org.pk for org in organisations}
    return dict(current_accreditations_by_provider(provider_ids=ids, today=now().date())) if ids else {}


def attach_accreditations(mcs: list[MicroCredential]) -> list[MicroCredential]:
    """Sets ``provider_accreditations`` on each card in one query for the whole page."""
    by_provider = accreditations_for(mc.provider for mc in mcs)
    for mc in mcs:
        mc.provider_accreditations = by_provider.get(mc.provider_id, [])  # type: ignore[attr-defined]
    return mcs


def attach_card_notes(mcs: list[MicroCredential], visitor: Any) -> list[MicroCredential]:
    """Sets ``card_notes`` on each card: what higher apps say of it to this visitor
    (``parts.CatalogCardNote``), asked once for the whole page."""
    notes = catalog_card_notes(visitor, mcs)
    for mc in mcs:
        mc.card_notes = notes.get(mc.pk, [])  # type: ignore[attr-defined]
    return mcs


def catalog_choices() -> dict[str, Any]:
    """Filter options limited to what is published, so no option leads to an empty page by itself.
    Each list asks per option whether a published offer has it (an index probe), never scans the catalog."""
    published = published_microcredentials()
    industries = list(
        Industry.objects.filter(Exists(published.filter(industry=OuterRef("pk"))))
        .order_by("name")
        .values_list("slug", "name")
    )
    providers = list(
        provider_list().filter(Exists(published.filter(provider=OuterRef("pk")))).values_list("slug", "name")
    )
    skills = list(
        Skill.objects.filter(
            Exists(MicroCredentialSkill.objects.filter(skill=OuterRef("pk"), microcredential__status=Status.PUBLISHED))
        )
        .order_by("label")
        .values_list("slug", "label")
    )
    return {"industries": industries, "providers": providers, "skills": skills, "languages": published_languages()}


def featured_microcredentials(limit: int = 6) -> list[MicroCredential]:
    return attach_accreditations(
        list(with_card_relations(published_microcredentials()).order_by("-published_at", "title")[:limit])
    )


def industries_with_counts() -> list[Industry]:
    return list(
        Industry.objects.annotate(published_count=Count("microcredentials", filter=PUBLISHED))
        .filter(published_count__gt=0)
        .order_by("-published_count", "name")
    )


def providers_with_counts() -> list[Organisation]:
    providers: list[Organisation] = list(
        provider_list().annotate(published_count=Count("microcredentials", filter=PUBLISHED))
    )
    by_provider = accreditations_for(providers)
    for provider in providers:
        provider.current_accreditations = by_provider.get(provider.pk, [])  # type: ignore[attr-defined]
    return providers


def provider_microcredentials(provider: Organisation) -> list[MicroCredential]:
    mcs = list(with_card_relations(published_microcredentials().filter(provider=provider)).order_by("title"))
    return attach_accreditations(mcs)


def compare_microcredentials(ids: list[int]) -> list[MicroCredential]:
    """Published micro-credentials in the order asked for, with what the comparison table shows."""
    qs = with_card_relations(published_microcredentials().filter(pk__in=ids)).prefetch_related(
        Prefetch("modules", queryset=Module.objects.order_by("position", "id").annotate(lesson_count=Count("lessons")))
    )
    by_id = {mc.pk: mc for mc in qs}
    return attach_accreditations([by_id[i] for i in ids if i in by_id])
