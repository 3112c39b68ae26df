"""Catalog reads: search with filters, one micro-credential with its outline."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum

from microcred.accounts.models import Organisation
from microcred.accreditation.models import Accreditation
from microcred.accreditation.selectors import current_accreditations_q
from microcred.core.clock import now
from microcred.core.errors import NotFound
from microcred.skills.matching import Mention
from microcred.skills.models import Skill
from microcred.skills.selectors import skill_index

from .models import Industry, Lesson, MicroCredential, MicroCredentialSkill, Module, Programme, Status


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    industry: str = ""  # industry slug
    level: str = ""
    skill: str = ""  # skill slug
    provider: str = ""  # provider slug
    accredited: bool = False
    min_hours: int | None = None
    max_hours: int | None = None
    max_price: Decimal | None = None
    free: bool = False
    language: str = ""
    participation_form: str = ""
    sort: str = "relevance"  # relevance | title | price | workload | newest


SORTS = {
    "title": ["title"],
    "price": ["price", "title"],
    "workload": ["workload_hours", "title"],
    "newest": ["-published_at", "title"],
}


def published_microcredentials() -> QuerySet[MicroCredential]:
    return MicroCredential.objects.filter(status=Status.PUBLISHED)


# A skip scan: one probe of the (status, language) index per language, where DISTINCT would read
# every published row. Plain SQL that SQLite and PostgreSQL both run.
_PUBLISHED_LANGUAGES = """
WITH RECURSIVE found(language) AS (
    SELECT MIN(language) FROM catalog_microcredential WHERE status = %s
    UNION ALL
    SELECT (
        SELECT MIN(mc.language) FROM catalog_microcredential mc
        WHERE mc.status = %s AND mc.language > found.language
    )
    FROM found WHERE found.language IS NOT NULL
)
SELECT language FROM found WHERE language IS NOT NULL
"""


def published_languages() -> list[str]:
    """The languages of published offers, sorted."""
    with connection.cursor() as cursor:
        cursor.execute(_PUBLISHED_LANGUAGES, [Status.PUBLISHED, Status.PUBLISHED])
        return [row[0] for row in cursor.fetchall()]


def _text_search(qs: QuerySet[MicroCredential], q: str) -> QuerySet[MicroCredential]:
    """Full-text search: PostgreSQL's ranked search where we have it, word-by-word matching elsewhere."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        # search_vector is kept by triggers (migration 0003) and GIN-indexed: one index scan finds
        # matches in the title, summary, description, provider name and skill labels alike.
        query = SearchQuery(q, search_type="websearch", config="english")
        return qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    for word in q.split():
        # Skills through EXISTS rather than a join, so an offer matching several skills is one row
        # and needs no DISTINCT.
        skill_matches = MicroCredentialSkill.objects.filter(
            microcredential=OuterRef("pk"), skill__label__icontains=word
        )
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(description__icontains=word)
            | Q(provider__name__icontains=word)
            | Q(industry__name__icontains=word)
            | Exists(skill_matches)
        )
    return qs


def _matching(filters: CatalogFilters) -> tuple[QuerySet[MicroCredential], list[str]]:
    """Published offers passing every filter, and the order they are listed in."""
    qs = published_microcredentials()
    q = filters.q.strip()
    if q:
        qs = _text_search(qs, q)
    if filters.industry:
        qs = qs.filter(industry__slug=filters.industry)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.skill:
        qs = qs.filter(skill_links__skill__slug=filters.skill)
    if filters.provider:
        qs = qs.filter(provider__slug=filters.provider)
    if filters.accredited:
        today = now().date()
        qs = qs.filter(
            Exists(Accreditation.objects.filter(current_accreditations_q(today), provider=OuterRef("provider")))
        )
    if filters.min_hours is not None:
        qs = qs.filter(workload_hours__gte=filters.min_hours)
    if filters.max_hours is not None:
        qs = qs.filter(workload_hours__lte=filters.max_hours)
    if filters.free:
        qs = qs.filter(price=0)
    elif filters.max_price is not None:
        qs = qs.filter(price__lte=filters.max_price)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.participation_form:
        qs = qs.filter(participation_form=filters.participation_form)
    if filters.sort in SORTS:
        return qs, SORTS[filters.sort]
    if q and connection.vendor == "postgresql":
        return qs, ["-rank", "title"]  # rank is annotated by _text_search
    return qs, ["title"]


def _with_card_data(qs: QuerySet[MicroCredential]) -> QuerySet[MicroCredential]:
    return (
        qs.select_related("provider", "industry")
        .prefetch_related(
            Prefetch(
                "skill_links", queryset=MicroCredentialSkill.objects.select_related("skill").order_by("skill__label")
            )
        )
        .defer("search_vector")  # only the database reads it; no result needs its text
    )


def microcredential_search(filters: CatalogFilters) -> QuerySet[MicroCredential]:
    qs, ordering = _matching(filters)
    return _with_card_data(qs).order_by(*ordering)


def microcredential_search_page(filters: CatalogFilters, *, number: Any, per_page: int) -> Page[MicroCredential]:
    """One page of search results, like ``Paginator.get_page(number)``.

    A ranked search on PostgreSQL counts its matches in the query that ranks them: ranking reads
    every match anyway, and a separate COUNT would read them all again. The ranked rows are
    narrowed to the sort keys in a fenced subquery (``OFFSET 0``) before the window count, so the
    count never buffers whole rows; the page's rows are then read by id."""
    matching, ordering = _matching(filters)
    paginator = Paginator(_with_card_data(matching).order_by(*ordering), per_page)
    if not (filters.q.strip() and connection.vendor == "postgresql"):
        return paginator.get_page(number)
    try:
        wanted = max(int(number), 1)
    except (TypeError, ValueError):
        wanted = 1
    keys = [field.lstrip("-") for field in ordering]
    sql, params = matching.order_by().values_list("pk", *keys).query.sql_with_params()
    # Columns renamed positionally (k0, k1, ...), whatever the ORM called them.
    columns = ", ".join(f"k{index}" for index in range(len(keys)))
    order_sql = ", ".join(
        f"k{index} {'DESC' if field.startswith('-') else 'ASC'}" for index, field in enumerate(ordering)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pk, COUNT(*) OVER () FROM ({sql} OFFSET 0) AS matches (pk, {columns}) "  # noqa: S608  # ORM-built
            f"ORDER BY {order_sql}, pk LIMIT %s OFFSET %s",
            [*params, per_page, (wanted - 1) * per_page],
        )
        found = cursor.fetchall()
    if not found:
        return paginator.get_page(number)  # no match, or past the last page: count and clamp as usual
    by_id = _with_card_data(MicroCredential.objects.all()).in_bulk([pk for pk, _ in found])
    paginator.__dict__["count"] = found[0][1]  # fills the cached_property, so Paginator runs no COUNT
    return Page([by_id[pk] for pk, _ in found], wanted, paginator)


def microcredential_get_published(*, provider_slug: str, slug: str) -> MicroCredential:
    mc = (
        published_microcredentials()
        .select_related("provider", "industry")
        .filter(provider__slug=provider_slug, slug=slug)
        .first()
    )
    if mc is None:
        raise NotFound("Micro-credential not found.", slug=slug)
    return mc


def microcredential_get(*, pk: int) -> MicroCredential:
    """A published micro-credential by id (any version, so enrolled learners keep theirs)."""
    mc = (
        MicroCredential.objects.select_related("provider", "industry")
        .filter(pk=pk)
        .exclude(status=Status.DRAFT)
        .first()
    )
    if mc is None:
        raise NotFound("Micro-credential not found.", id=pk)
    return mc


ACHIEVEMENT_NOT_FOUND = "Achievement not found."


def achievement_is_public(mc: MicroCredential) -> bool:
    """Published now, published once (archived since), or named by a credential we issued.
    Drafts and versions archived unpublished stay private."""
    if mc.status == Status.PUBLISHED or (mc.status == Status.ARCHIVED and mc.published_at is not None):
        return True
    return mc.credentials.exists()


def microcredential_get_by_public_id(*, public_id: Any) -> MicroCredential:
    """The version behind a public achievement URL, when its achievement is public; a private
    one answers exactly like a missing one, so its existence does not leak."""
    mc = MicroCredential.objects.select_related("provider", "industry").filter(public_id=public_id).first()
    if mc is None or not achievement_is_public(mc):
        raise NotFound(ACHIEVEMENT_NOT_FOUND)
    return mc


def microcredential_outline(mc: MicroCredential) -> list[Module]:
    """Modules with their lessons, in order, in two queries."""
    return list(
        Module.objects.filter(microcredential=mc)
        .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.order_by("position", "id")))
        .order_by("position", "id")
    )


def microcredential_stats(mc: MicroCredential) -> dict[str, Any]:
    agg = Lesson.objects.filter(module__microcredential=mc).aggregate(
        lessons=Count("id"), minutes=Sum("estimated_minutes"), required=Count("id", filter=Q(required=True))
    )
    return {
        "lessons": agg["lessons"] or 0,
        "minutes": agg["minutes"] or 0,
        "required_lessons": agg["required"] or 0,
        "learners": mc.enrolments.count(),
    }


def microcredential_skill_links(mc: MicroCredential) -> list[MicroCredentialSkill]:
    return list(mc.skill_links.select_related("skill", "skill__framework").order_by("skill__label"))


def providers_with_offer_counts() -> QuerySet[Organisation]:
    """Providers, each annotated with ``published_count`` (its live micro-credentials), in one query."""
    from microcred.accounts.selectors import provider_list

    return provider_list().annotate(
        published_count=Count("microcredentials", filter=Q(microcredentials__status=Status.PUBLISHED))
    )


@dataclass
class CatalogFamily:
    """One offer of a provider with all its versions, newest first."""

    slug: str
    versions: list[MicroCredential]

    @property
    def latest(self) -> MicroCredential:
        return self.versions[0]

    @property
    def published(self) -> MicroCredential | None:
        return next((v for v in self.versions if v.status == Status.PUBLISHED), None)

    @property
    def draft(self) -> MicroCredential | None:
        return next((v for v in self.versions if v.status == Status.DRAFT), None)

    @property
    def learners(self) -> int:
        return sum(v.learners for v in self.versions)  # type: ignore[attr-defined]


def provider_catalog(*, provider: Organisation) -> list[CatalogFamily]:
    """Every version of every micro-credential of a provider, grouped by family, in one query.
    Each version carries ``learners`` (enrolments) and ``lesson_count``."""
    rows = (
        MicroCredential.objects.filter(provider=provider)
        .select_related("industry")
        .annotate(
            learners=Count("enrolments", distinct=True),
            lesson_count=Count("modules__lessons", distinct=True),
        )
        .order_by("title", "family", "-version")
    )
    families: dict[Any, CatalogFamily] = {}
    for mc in rows:
        families.setdefault(mc.family, CatalogFamily(slug=mc.slug, versions=[])).versions.append(mc)
    return sorted(families.values(), key=lambda f: f.latest.title.lower())


def access_provider_microcredential(*, provider: Organisation, pk: int) -> MicroCredential:
    """Any version (draft included) of one of the provider's micro-credentials; others are not found."""
    mc = MicroCredential.objects.select_related("provider", "industry").filter(provider=provider, pk=pk).first()
    if mc is None:
        raise NotFound("Micro-credential not found.", id=pk)
    return mc


def microcredential_versions(*, microcredential: MicroCredential) -> QuerySet[MicroCredential]:
    return MicroCredential.objects.filter(family=microcredential.family).order_by("-version")


def microcredential_module(*, microcredential: MicroCredential, module_id: int) -> Module:
    module = (
        Module.objects.select_related("microcredential__provider")
        .filter(microcredential=microcredential, pk=module_id)
        .first()
    )
    if module is None:
        raise NotFound("Module not found.", id=module_id)
    return module


def microcredential_lesson(*, microcredential: MicroCredential, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.select_related("module__microcredential__provider")
        .filter(module__microcredential=microcredential, pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise NotFound("Lesson not found.", id=lesson_id)
    return lesson


def industry_names() -> list[str]:
    return list(Industry.objects.order_by("name").values_list("name", flat=True))


# -- skill suggestions for a micro-credential's author (issue 9 §2) ------------------------


@dataclass(frozen=True)
class SkillSuggestion:
    """A skill the matcher found in a micro-credential's own text, not yet aligned with it: where
    (``source``: title, description, a learning outcome or a lesson title) and what text matched."""

    skill: Skill
    source: str
    matched_text: str
    matched_label: str
    reason: str
    score: float
    mentions: int  # in how many of the texts it was found


SUGGESTION_LIMIT = 12


def _suggestion_texts(mc: MicroCredential) -> list[tuple[str, str]]:
    texts = [("title", mc.title), ("summary", mc.summary), ("description", mc.description)]
    texts += [("learning outcome", outcome) for outcome in mc.learning_outcomes or [] if isinstance(outcome, str)]
    lessons = Lesson.objects.filter(module__microcredential=mc).order_by("module__position", "position", "pk")
    texts += [("lesson title", title) for title in lessons.values_list("title", flat=True)]
    return [(source, text) for source, text in texts if text and text.strip()]


def microcredential_skill_suggestions(
    *, microcredential: MicroCredential, limit: int = SUGGESTION_LIMIT
) -> list[SkillSuggestion]:
    """The skills a micro-credential's title, summary, description, learning outcomes and lesson
    titles mention (the taxonomy matcher, ``skills.selectors.skill_index``), best first, without
    those it is already aligned with. Only skills its provider may align with: shared frameworks'
    and the provider's own (another provider's private framework is not offered)."""
    index = skill_index()
    best: dict[int, tuple[str, Mention]] = {}
    found_in: dict[int, int] = {}
    for source, text in _suggestion_texts(microcredential):
        for mention in index.extract(text):
            skill_id = int(mention.skill_id)
            found_in[skill_id] = found_in.get(skill_id, 0) + 1
            kept = best.get(skill_id)
            if kept is None or mention.score > kept[1].score:
                best[skill_id] = (source, mention)
    links = MicroCredentialSkill.objects.filter(microcredential=microcredential)
    aligned = set(links.values_list("skill_id", flat=True))
    candidates = [skill_id for skill_id in best if skill_id not in aligned]
    skills = Skill.objects.filter(pk__in=candidates).filter(
        Q(framework__owner__isnull=True) | Q(framework__owner=microcredential.provider_id)
    )
    suggestions = []
    for skill in skills:
        source, mention = best[skill.pk]
        suggestions.append(
            SkillSuggestion(
                skill=skill,
                source=source,
                matched_text=mention.text,
                matched_label=mention.matched_label,
                reason=str(mention.reason),
                score=round(mention.score, 1),
                mentions=found_in[skill.pk],
            )
        )
    suggestions.sort(key=lambda s: (-s.score, -s.mentions, s.skill.label))
    return suggestions[:limit]


def microcredential_skill_alignments(*, microcredential: MicroCredential) -> QuerySet[MicroCredentialSkill]:
    return (
        MicroCredentialSkill.objects.filter(microcredential=microcredential)
        .select_related("skill")
        .order_by("skill__label")
    )


# -- links between offers: prerequisites ("builds on") and stackable programmes ------------------


def current_versions(families: Any) -> dict[Any, MicroCredential]:
    """The published version of each family (a family has at most one), with its provider."""
    rows = published_microcredentials().filter(family__in=list(families)).select_related("provider")
    return {mc.family: mc for mc in rows}


def microcredential_builds_on(mc: MicroCredential) -> list[MicroCredential]:
    """The offers this version builds on, each as its published version, in the provider's order;
    a prerequisite with no published version is left out (nobody can take it now)."""
    families = list(
        mc.prerequisite_links.order_by("position", "id").values_list("required__family", flat=True)  # type: ignore[attr-defined]
    )
    current = current_versions(families)
    return [current[f] for f in families if f in current]


def microcredential_programmes(mc: MicroCredential) -> QuerySet[Programme]:
    """The programmes this offer stacks into (by family: any of its versions was added)."""
    return Programme.objects.filter(members__microcredential__family=mc.family).select_related("provider").distinct()


def programme_microcredentials(programme: Programme) -> list[MicroCredential]:
    """The programme's offers, each as its published version, in order (unpublished ones left out)."""
    families = list(programme.members.order_by("position", "id").values_list("microcredential__family", flat=True))  # type: ignore[attr-defined]
    current = current_versions(families)
    return [current[f] for f in families if f in current]


def programme_get_public(*, provider_slug: str, slug: str) -> Programme:
    """A provider's programme, or a shared one under the provider slug ``shared``."""
    qs = Programme.objects.select_related("provider").filter(slug=slug)
    qs = (
        qs.filter(provider__isnull=True)
        if provider_slug == SHARED_PROGRAMMES
        else qs.filter(provider__slug=provider_slug)
    )
    programme = qs.first()
    if programme is None:
        raise NotFound("Programme not found.", slug=slug)
    return programme


SHARED_PROGRAMMES = "shared"


def provider_programmes(*, provider: Organisation) -> QuerySet[Programme]:
    return Programme.objects.filter(provider=provider).prefetch_related("members__microcredential")


def access_provider_programme(*, provider: Organisation, pk: int) -> Programme:
    programme = Programme.objects.select_related("provider").filter(provider=provider, pk=pk).first()
    if programme is None:
        raise NotFound("Programme not found.", id=pk)
    return programme


def prerequisite_choices(*, exclude_family: Any = None) -> QuerySet[MicroCredential]:
    """The published offers a micro-credential may build on (of any provider)."""
    qs = published_microcredentials().select_related("provider").order_by("title", "provider__name")
    return qs.exclude(family=exclude_family) if exclude_family is not None else qs


def microcredential_by_reference(*, provider_slug: str, slug: str) -> MicroCredential | None:
    """A catalog file's reference to an offer: its published version, else its latest."""
    versions = MicroCredential.objects.filter(provider__slug=provider_slug, slug=slug).order_by("-version")
    return versions.filter(status=Status.PUBLISHED).first() or versions.first()


def programme_member_families(programme: Programme) -> list[Any]:
    """Every member's family in order, published or not (what an import compares with)."""
    return list(programme.members.order_by("position", "id").values_list("microcredential__family", flat=True))  # type: ignore[attr-defined]


def provider_offers_for_programmes(*, provider: Organisation) -> QuerySet[MicroCredential]:
    """What a provider's programme may stack: its own offers, as their published or draft versions."""
    return (
        MicroCredential.objects.filter(provider=provider)
        .exclude(status=Status.ARCHIVED)
        .select_related("provider")
        .order_by("title", "-version")
    )
