"""Public catalog endpoints: micro-credentials and their providers. No authentication needed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from microcred.accounts.models import Organisation
from microcred.accounts.selectors import provider_get
from microcred.accreditation.models import Accreditation
from microcred.accreditation.selectors import current_accreditations, current_accreditations_by_provider
from microcred.api.errors import PROBLEMS_PUBLIC
from microcred.api.schemas import Page, PageParams, page_of
from microcred.catalog.models import (
    Lesson,
    MicroCredential,
    MicroCredentialSkill,
    Module,
    ParticipationForm,
    Programme,
)
from microcred.catalog.selectors import (
    SHARED_PROGRAMMES,
    CatalogFilters,
    microcredential_builds_on,
    microcredential_get,
    microcredential_outline,
    microcredential_programmes,
    microcredential_search,
    microcredential_skill_links,
    programme_microcredentials,
    providers_with_offer_counts,
)
from microcred.core.clock import now
from microcred.core.markdown import render_markdown
from microcred.skills.models import Level

router = Router(tags=["catalog"])

_PRICE_FIELD = MicroCredential._meta.get_field("price")
# Every stored price is below this: 10 ** (max_digits - decimal_places).
PRICE_LIMIT = Decimal(10) ** (_PRICE_FIELD.max_digits - _PRICE_FIELD.decimal_places)  # type: ignore[union-attr,operator]
CENT = Decimal(10) ** -_PRICE_FIELD.decimal_places  # type: ignore[union-attr,operator]


# --- schemas -------------------------------------------------------------------------------


class OrganisationRefOut(Schema):
    slug: str
    name: str


class ProviderRefOut(OrganisationRefOut):
    accredited: bool = Field(description="Holds at least one accreditation that is current today.")


class MoneyOut(Schema):
    amount: str = Field(description="Decimal amount as a string, e.g. '0.00', so no float rounding creeps in.")
    currency: str = Field(description="ISO 4217 code.")


class IndustryOut(Schema):
    slug: str
    name: str


class SkillOut(Schema):
    uri: str
    label: str
    target_level: str


class MicroCredentialSummaryOut(Schema):
    id: int
    slug: str
    version: int
    title: str
    summary: str
    provider: ProviderRefOut
    level: str
    industry: IndustryOut
    workload_hours: int
    ects: str | None
    eqf_level: int
    price: MoneyOut
    language: str
    participation_form: str
    skills: list[SkillOut]
    url: str = Field(description="The micro-credential's page on the website.")


class AccreditationOut(Schema):
    accreditor: OrganisationRefOut
    scope: str
    reference: str
    valid_from: date
    valid_until: date | None


class LessonOutlineOut(Schema):
    id: int
    title: str
    kind: str
    estimated_minutes: int
    required: bool
    weight: int | None = Field(
        default=None, description="A scored lesson's share of the overall weighted score; null: not weighed."
    )
    min_score: int | None = Field(
        default=None, description="The score (percent) a scored lesson needs to count, on top of passing; null: none."
    )


class ModuleOutlineOut(Schema):
    id: int
    title: str
    summary: str
    lessons: list[LessonOutlineOut]


class ProviderOut(ProviderRefOut):
    provider_type: str
    country: str
    city: str
    website: str
    logo_url: str
    accreditations: list[AccreditationOut] = Field(description="Accreditations current today.")


class ProviderListItemOut(ProviderOut):
    published_count: int = Field(description="Micro-credentials this provider currently publishes.")


class ProviderDetailOut(ProviderListItemOut):
    description: str
    microcredentials: list[MicroCredentialSummaryOut]


class MicroCredentialRefOut(Schema):
    id: int = Field(description="The published version's id (``/microcredentials/{id}``).")
    slug: str
    title: str
    provider: OrganisationRefOut
    url: str = Field(description="The micro-credential's page on the website.")


class ProgrammeRefOut(Schema):
    slug: str
    title: str
    leads_to: str = Field(description="The bigger credential the stack leads to.")
    provider: OrganisationRefOut | None = Field(description="Null for a shared programme.")
    microcredentials: list[MicroCredentialRefOut] = Field(description="Its published members, in order.")
    url: str = Field(description="The programme's page on the website.")


class MicroCredentialDetailOut(MicroCredentialSummaryOut):
    status: str = Field(description="'published', or 'archived' for an older version learners still hold.")
    published_at: str | None
    description_html: str = Field(description="The description rendered from Markdown and sanitised.")
    # The EU mandatory and optional elements (Council Recommendation 2022/C 243/02, Annex I).
    awarding_body: str
    country: str
    learning_outcomes: list[str]
    assessment_type: str
    assessment_description: str
    quality_assurance: str
    prerequisites: str
    supervision: str
    identity_verified: bool
    stackable: bool
    stackability: str
    validity_months: int | None
    duration_weeks: int
    criteria: str
    overall_pass_mark: int | None = Field(
        default=None,
        description="The overall weighted score (percent) of the weighted lessons a learner needs to complete; "
        "null: the weighted score is reported, not required.",
    )
    builds_on: list[MicroCredentialRefOut] = Field(
        default_factory=list,
        description="Structured prerequisites: the micro-credentials (any provider) to complete first, "
        "each as its published version; ``prerequisites`` stays the free-text element.",
    )
    programmes: list[ProgrammeRefOut] = Field(
        default_factory=list, description="The stackable programmes this micro-credential counts towards."
    )
    provider: ProviderOut
    outline: list[ModuleOutlineOut]


class CatalogQuery(Schema):
    q: str = Field("", max_length=200, description="Words to search for in titles, summaries, skills, providers.")
    industry: str = Field("", description="Industry slug.")
    level: Level | None = None
    skill: str = Field("", description="Skill slug.")
    provider: str = Field("", description="Provider slug.")
    accredited: bool = Field(False, description="Only providers with a current accreditation.")
    min_hours: int | None = Field(None, ge=0)
    max_hours: int | None = Field(None, ge=0)
    max_price: Decimal | None = Field(
        None, ge=0, description="Highest price, in any currency; a price cap above every price is no cap."
    )
    free: bool = False
    language: str = Field("", max_length=8)
    participation_form: ParticipationForm | None = None
    sort: Literal["relevance", "title", "price", "workload", "newest"] = "relevance"

    def to_filters(self) -> CatalogFilters:
        return CatalogFilters(
            q=self.q,
            industry=self.industry,
            level=self.level.value if self.level else "",
            skill=self.skill,
            provider=self.provider,
            accredited=self.accredited,
            min_hours=self.min_hours,
            max_hours=self.max_hours,
            max_price=_price_cap(self.max_price),
            free=self.free,
            language=self.language,
            participation_form=self.participation_form.value if self.participation_form else "",
            sort=self.sort,
        )


def _price_cap(max_price: Decimal | None) -> Decimal | None:
    """Prices are stored with 2 decimals under PRICE_LIMIT: a larger cap filters nothing, and a cap
    with more decimals means the same as one rounded down to the cent."""
    if max_price is None or max_price >= PRICE_LIMIT:
        return None
    return max_price.quantize(CENT, rounding=ROUND_DOWN)


# --- builders ------------------------------------------------------------------------------


def microcredential_web_url(mc: MicroCredential) -> str:
    """The micro-credential's public page, absolute on SITE_URL so API clients can link to it."""
    return settings.SITE_URL + reverse(
        "catalog:microcredential", kwargs={"provider_slug": mc.provider.slug, "slug": mc.slug}
    )


def _skill(link: MicroCredentialSkill) -> SkillOut:
    return SkillOut(uri=link.skill.uri, label=link.skill.label, target_level=link.target_level)


def _summary_fields(
    mc: MicroCredential, accredited: bool, skill_links: Iterable[MicroCredentialSkill]
) -> dict[str, Any]:
    return {
        "id": mc.pk,
        "slug": mc.slug,
        "version": mc.version,
        "title": mc.title,
        "summary": mc.summary,
        "provider": ProviderRefOut(slug=mc.provider.slug, name=mc.provider.name, accredited=accredited),
        "level": mc.level,
        "industry": IndustryOut(slug=mc.industry.slug, name=mc.industry.name),
        "workload_hours": mc.workload_hours,
        "ects": str(mc.ects) if mc.ects is not None else None,
        "eqf_level": mc.eqf_level,
        "price": MoneyOut(amount=str(mc.price), currency=mc.currency),
        "language": mc.language,
        "participation_form": mc.participation_form,
        "skills": [_skill(link) for link in skill_links],
        "url": microcredential_web_url(mc),
    }


def summaries(mcs: Sequence[MicroCredential]) -> list[MicroCredentialSummaryOut]:
    """Summaries of search results (skills prefetched); accreditations for all providers in one query."""
    by_provider = current_accreditations_by_provider(provider_ids={mc.provider_id for mc in mcs}, today=now().date())
    return [
        MicroCredentialSummaryOut(**_summary_fields(mc, bool(by_provider.get(mc.provider_id)), mc.skill_links.all()))
        for mc in mcs
    ]


def _accreditation(accreditation: Accreditation) -> AccreditationOut:
    return AccreditationOut(
        accreditor=OrganisationRefOut(slug=accreditation.accreditor.slug, name=accreditation.accreditor.name),
        scope=accreditation.scope,
        reference=accreditation.reference,
        valid_from=accreditation.valid_from,
        valid_until=accreditation.valid_until,
    )


def _provider_fields(provider: Organisation, accreditations: list[Accreditation]) -> dict[str, Any]:
    return {
        "slug": provider.slug,
        "name": provider.name,
        "provider_type": provider.provider_type,
        "country": provider.country,
        "city": provider.city,
        "website": provider.website,
        "logo_url": provider.logo_url,
        "accredited": bool(accreditations),
        "accreditations": [_accreditation(a) for a in accreditations],
    }


def _lesson_outline(lesson: Lesson) -> LessonOutlineOut:
    return LessonOutlineOut(
        id=lesson.pk,
        title=lesson.title,
        kind=lesson.kind,
        estimated_minutes=lesson.estimated_minutes,
        required=lesson.required,
        weight=lesson.weight,
        min_score=lesson.min_score,
    )


def outline(modules: Iterable[Module]) -> list[ModuleOutlineOut]:
    return [
        ModuleOutlineOut(
            id=module.pk,
            title=module.title,
            summary=module.summary,
            lessons=[_lesson_outline(lesson) for lesson in module.lessons.all()],
        )
        for module in modules
    ]


# --- endpoints -----------------------------------------------------------------------------


@router.get(
    "/microcredentials",
    response={200: Page[MicroCredentialSummaryOut], **PROBLEMS_PUBLIC},
    auth=None,
    summary="Search the catalog",
)
def list_microcredentials(
    request: HttpRequest, response: HttpResponse, filters: Query[CatalogQuery], page: Query[PageParams]
) -> dict[str, Any]:
    """Published micro-credentials matching the same filters as the web catalog, a page at a time.
    ``X-Total-Count`` and an RFC 8288 ``Link`` header (``next``/``prev``) come with every page."""
    rows, count = page_of(request, response, microcredential_search(filters.to_filters()), page)
    return {"items": summaries(rows), "count": count, "limit": page.limit, "offset": page.offset}


@router.get(
    "/microcredentials/{microcredential_id}",
    response={200: MicroCredentialDetailOut, **PROBLEMS_PUBLIC},
    auth=None,
    summary="One micro-credential with every EU element and its outline",
)
def get_microcredential(request: HttpRequest, microcredential_id: int) -> MicroCredentialDetailOut:
    """Any published or archived version by id (drafts are not public). Lesson bodies are not
    included; enrolled learners read them through their enrolment."""
    mc = microcredential_get(pk=microcredential_id)
    accreditations = list(current_accreditations(provider=mc.provider, today=now().date()))
    fields = _summary_fields(mc, bool(accreditations), microcredential_skill_links(mc))
    fields["provider"] = ProviderOut(**_provider_fields(mc.provider, accreditations))
    return MicroCredentialDetailOut(
        **fields,
        status=mc.status,
        published_at=mc.published_at.isoformat() if mc.published_at else None,
        description_html=render_markdown(mc.description),
        awarding_body=mc.awarding_body,
        country=mc.country,
        learning_outcomes=list(mc.learning_outcomes),
        assessment_type=mc.assessment_type,
        assessment_description=mc.assessment_description,
        quality_assurance=mc.quality_assurance,
        prerequisites=mc.prerequisites,
        supervision=mc.supervision,
        identity_verified=mc.identity_verified,
        stackable=mc.stackable,
        stackability=mc.stackability,
        validity_months=mc.validity_months,
        duration_weeks=mc.duration_weeks,
        criteria=mc.criteria,
        overall_pass_mark=mc.overall_pass_mark,
        builds_on=[_reference(required) for required in microcredential_builds_on(mc)],
        programmes=[_programme_ref(programme) for programme in microcredential_programmes(mc)],
        outline=outline(microcredential_outline(mc)),
    )


def _reference(mc: MicroCredential) -> MicroCredentialRefOut:
    provider = OrganisationRefOut(slug=mc.provider.slug, name=mc.provider.name)
    return MicroCredentialRefOut(
        id=mc.pk, slug=mc.slug, title=mc.title, provider=provider, url=microcredential_web_url(mc)
    )


def _programme_ref(programme: Programme) -> ProgrammeRefOut:
    provider = programme.provider
    return ProgrammeRefOut(
        slug=programme.slug,
        title=programme.title,
        leads_to=programme.leads_to,
        provider=OrganisationRefOut(slug=provider.slug, name=provider.name) if provider else None,
        microcredentials=[_reference(mc) for mc in programme_microcredentials(programme)],
        url=settings.SITE_URL
        + reverse("catalog:programme", args=[provider.slug if provider else SHARED_PROGRAMMES, programme.slug]),
    )


@router.get(
    "/providers",
    response={200: Page[ProviderListItemOut], **PROBLEMS_PUBLIC},
    auth=None,
    tags=["providers"],
    summary="List providers",
)
def list_providers(request: HttpRequest, response: HttpResponse, page: Query[PageParams]) -> dict[str, Any]:
    rows, count = page_of(request, response, providers_with_offer_counts(), page)
    by_provider = current_accreditations_by_provider(provider_ids=[p.pk for p in rows], today=now().date())
    items = [
        ProviderListItemOut(**_provider_fields(p, by_provider.get(p.pk, [])), published_count=p.published_count)
        for p in rows
    ]
    return {"items": items, "count": count, "limit": page.limit, "offset": page.offset}


@router.get(
    "/providers/{slug}",
    response={200: ProviderDetailOut, **PROBLEMS_PUBLIC},
    auth=None,
    tags=["providers"],
    summary="One provider with its accreditations and published micro-credentials",
)
def get_provider(request: HttpRequest, slug: str) -> ProviderDetailOut:
    provider = provider_get(slug=slug)
    accreditations = list(current_accreditations(provider=provider, today=now().date()))
    offers = list(microcredential_search(CatalogFilters(provider=provider.slug, sort="title")))
    return ProviderDetailOut(
        **_provider_fields(provider, accreditations),
        description=provider.description,
        published_count=len(offers),
        microcredentials=summaries(offers),
    )
