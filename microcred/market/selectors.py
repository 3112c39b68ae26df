"""Reading market demand: the skill index postings are matched with, and demand per skill, month,
region, industry and occupation (definitions: ``trends``' docstring).

Every figure is over a **period**: the ``months`` whole months up to the month of the latest
posting on the platform (not today: an imported data set may end in the past, and a filter never
moves the period). The counting is SQL (``values``/``annotate``, one query per figure, the same on
SQLite and PostgreSQL); only the trend arithmetic runs in Python, on the monthly counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from django.db.models import Count, F, Max, QuerySet
from django.db.models.functions import TruncMonth

from microcred.core.errors import NotFound
from microcred.skills.models import Skill

# The matcher's index lives with the taxonomy it indexes (skills.selectors); re-exported for
# market's callers.
from microcred.skills.selectors import skill_index as skill_index

from .models import JobPosting, PostingSkill
from .trends import TREND_MONTHS, TrendReading, add_months, demand_weight, months_ending, share, trend_of

MONTHS_CHOICES: Final = (3, 6, 12, 18, 24)
DEFAULT_MONTHS: Final = 12
Dimension = Literal["region", "industry", "occupation"]
DIMENSIONS: Final = ("region", "industry", "occupation")


# -- the period and its postings -----------------------------------------------------------


@dataclass(frozen=True)
class DemandFilters:
    """Which postings count: a region and an industry (empty: all) over ``months`` months."""

    region: str = ""
    industry: str = ""
    months: int = DEFAULT_MONTHS


@dataclass(frozen=True)
class Period:
    months: list[date]  # the first day of each month, oldest first

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last(self) -> date:
        return self.months[-1]

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.last, 1)


def latest_posting_date() -> date | None:
    return JobPosting.objects.aggregate(latest=Max("posted_on"))["latest"]


def demand_period(months: int = DEFAULT_MONTHS) -> Period | None:
    """The ``months`` months up to the latest posting's; None when there are no postings."""
    latest = latest_posting_date()
    if latest is None:
        return None
    return Period(months_ending(latest, months))


def _postings(filters: DemandFilters, first: date, end: date) -> QuerySet[JobPosting]:
    postings = JobPosting.objects.filter(posted_on__gte=first, posted_on__lt=end)
    if filters.region:
        postings = postings.filter(region=filters.region)
    if filters.industry:
        postings = postings.filter(industry=filters.industry)
    return postings


def _links(filters: DemandFilters, first: date, end: date) -> QuerySet[PostingSkill]:
    links = PostingSkill.objects.filter(posting__posted_on__gte=first, posting__posted_on__lt=end)
    if filters.region:
        links = links.filter(posting__region=filters.region)
    if filters.industry:
        links = links.filter(posting__industry=filters.industry)
    return links


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _monthly_totals(filters: DemandFilters, months: list[date]) -> list[int]:
    rows = (
        _postings(filters, months[0], add_months(months[-1], 1))
        .annotate(month=TruncMonth("posted_on"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_month = {_as_date(row["month"]): row["count"] for row in rows}
    return [by_month.get(month, 0) for month in months]


def _trend_months(period: Period) -> list[date]:
    """The months a trend compares: the last ``2 * TREND_MONTHS`` of the period, even when the
    period itself is shorter."""
    return months_ending(period.last, max(len(period.months), 2 * TREND_MONTHS))


# -- demand per skill ------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillDemand:
    skill_id: int
    uri: str
    slug: str
    label: str
    postings: int
    share: float
    trend: TrendReading


@dataclass(frozen=True)
class DemandTable:
    filters: DemandFilters
    period: Period | None
    postings: int  # all postings of the period under the filters
    rows: list[SkillDemand]  # most asked-for first

    def row_for(self, skill_id: int) -> SkillDemand | None:
        return next((row for row in self.rows if row.skill_id == skill_id), None)


def skill_demand(filters: DemandFilters) -> DemandTable:
    """Every skill some posting of the period mentions: its postings, share and trend, most
    asked-for first (then by label). Three queries, whatever the number of skills."""
    period = demand_period(filters.months)
    if period is None:
        return DemandTable(filters, None, 0, [])
    months = _trend_months(period)
    totals = _monthly_totals(filters, months)
    in_period = sum(totals[-len(period.months) :])
    monthly = (
        _links(filters, months[0], period.end)
        .annotate(month=TruncMonth("posting__posted_on"))
        .values("skill_id", "month")
        .annotate(count=Count("id"))
        .order_by()
    )
    index = {month: i for i, month in enumerate(months)}
    counts: dict[int, list[int]] = {}
    for row in monthly:
        counts.setdefault(row["skill_id"], [0] * len(months))[index[_as_date(row["month"])]] = row["count"]
    window = len(period.months)
    mentioned = {skill_id: sum(series[-window:]) for skill_id, series in counts.items()}
    skills = Skill.objects.filter(pk__in=[skill_id for skill_id, n in mentioned.items() if n]).values_list(
        "pk", "uri", "slug", "label"
    )
    rows = [
        SkillDemand(
            skill_id=pk,
            uri=uri,
            slug=slug,
            label=label,
            postings=mentioned[pk],
            share=share(mentioned[pk], in_period),
            trend=trend_of(counts[pk], totals),
        )
        for pk, uri, slug, label in skills
    ]
    rows.sort(key=lambda row: (-row.postings, row.label.casefold()))
    return DemandTable(filters, period, in_period, rows)


@dataclass(frozen=True)
class MonthDemand:
    month: date
    postings: int  # mentioning the skill
    all_postings: int
    share: float


@dataclass(frozen=True)
class SkillSeries:
    skill: Skill
    filters: DemandFilters
    period: Period | None
    months: list[MonthDemand]
    postings: int
    all_postings: int
    share: float
    trend: TrendReading


def skill_get(*, slug: str | None = None, pk: int | None = None) -> Skill:
    skills = Skill.objects.all()
    found = skills.filter(slug=slug).first() if slug is not None else skills.filter(pk=pk or 0).first()
    if found is None:
        raise NotFound("No such skill.")
    return found


def skill_series(*, skill: Skill, filters: DemandFilters) -> SkillSeries:
    """A skill's postings month by month over the period, with the share of all postings and the trend."""
    period = demand_period(filters.months)
    if period is None:
        return SkillSeries(skill, filters, None, [], 0, 0, 0.0, trend_of([], []))
    months = _trend_months(period)
    totals = _monthly_totals(filters, months)
    rows = (
        _links(filters, months[0], period.end)
        .filter(skill=skill)
        .annotate(month=TruncMonth("posting__posted_on"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_month = {_as_date(row["month"]): row["count"] for row in rows}
    mentions = [by_month.get(month, 0) for month in months]
    window = len(period.months)
    series = [
        MonthDemand(month, count, total, share(count, total))
        for month, count, total in zip(months[-window:], mentions[-window:], totals[-window:], strict=True)
    ]
    postings, all_postings = sum(mentions[-window:]), sum(totals[-window:])
    reading = trend_of(mentions, totals)
    return SkillSeries(skill, filters, period, series, postings, all_postings, share(postings, all_postings), reading)


# -- demand by region, industry, occupation --------------------------------------------------


@dataclass(frozen=True)
class GroupDemand:
    key: str  # the region code, the industry, the occupation's URI ("" for none)
    label: str
    postings: int  # of the group (mentioning the skill, when one is asked about)
    all_postings: int  # of the group
    share: float


def demand_by(dimension: Dimension, *, filters: DemandFilters, skill: Skill | None = None) -> list[GroupDemand]:
    """Postings per region, industry or occupation over the period (under the other filters); with a
    ``skill``, the postings of each group that mention it and their share of the group's postings.
    Largest first; groups without a posting for the skill are left out."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    period = demand_period(filters.months)
    if period is None:
        return []
    field = {"region": "region", "industry": "industry", "occupation": "occupation__uri"}[dimension]
    label_field = "occupation__label" if dimension == "occupation" else field
    postings = _postings(filters, period.first, period.end)
    totals = {row[field] or "": row["count"] for row in postings.values(field).annotate(count=Count("id")).order_by()}
    labels: dict[str, str] = {}
    if skill is None:
        counts = totals
    else:
        rows = (
            _links(filters, period.first, period.end)
            .filter(skill=skill)
            .values(key=F(f"posting__{field}"))
            .annotate(count=Count("id"))
            .order_by()
        )
        counts = {row["key"] or "": row["count"] for row in rows}
    if dimension == "occupation":
        labels = {
            uri or "": label
            for uri, label in postings.filter(occupation__isnull=False).values_list(field, label_field).distinct()
        }
    groups = [
        GroupDemand(key, labels.get(key, key) or _unstated(dimension), count, totals[key], share(count, totals[key]))
        for key, count in counts.items()
        if count
    ]
    groups.sort(key=lambda group: (-group.postings, group.label.casefold()))
    return groups


def _unstated(dimension: str) -> str:
    return {"region": "Region not stated", "industry": "Industry not stated"}.get(dimension, "No occupation")


# -- weights for the gap analysis -------------------------------------------------------------


def demand_weights(
    skill_ids: Iterable[int], *, region: str | None = None, industry: str | None = None, months: int = DEFAULT_MONTHS
) -> dict[int, float]:
    """How much the market asks for each of ``skill_ids``, 0–1, for the gap analysis to weigh gaps by.

    A skill's weight is its share of the period's postings (under the region and industry filters)
    divided by the largest share of any skill under the same filters (``trends.demand_weight``): the
    most asked-for skill weighs 1.0, one no posting mentions 0.0, and a weight does not change with
    which other skills are asked about. With no postings at all under the filters every weight is
    0.0: no evidence either way, which the caller should read as neutral, not as "unwanted".
    Two queries."""
    wanted = sorted(set(skill_ids))
    weights = dict.fromkeys(wanted, 0.0)
    period = demand_period(months)
    if period is None or not wanted:
        return weights
    filters = DemandFilters(region=region or "", industry=industry or "", months=months)
    per_skill = _links(filters, period.first, period.end).values("skill_id").annotate(count=Count("id")).order_by()
    largest = per_skill.order_by("-count").values_list("count", flat=True).first() or 0
    for skill_id, count in per_skill.filter(skill_id__in=wanted).values_list("skill_id", "count"):
        weights[skill_id] = demand_weight(float(count), float(largest))
    return weights


# -- what the filters offer ------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    regions: list[tuple[str, int]]  # (region, postings), most postings first
    industries: list[tuple[str, int]]


def filter_choices() -> FilterChoices:
    """The regions and industries postings name, for the filters (all time, so a choice never
    disappears with the period)."""

    def counted(field: str) -> list[tuple[str, int]]:
        rows = JobPosting.objects.exclude(**{field: ""}).values(field).annotate(count=Count("id")).order_by()
        return sorted(((row[field], row["count"]) for row in rows), key=lambda item: (-item[1], item[0]))

    return FilterChoices(regions=counted("region"), industries=counted("industry"))


def recent_postings(*, skill: Skill, filters: DemandFilters, limit: int = 10) -> list[JobPosting]:
    """The latest postings of the period that mention ``skill``."""
    period = demand_period(filters.months)
    if period is None:
        return []
    return list(
        _postings(filters, period.first, period.end)
        .filter(skill_links__skill=skill)
        .order_by("-posted_on", "-id")
        .only("title", "location", "region", "industry", "posted_on", "source")[:limit]
    )


def postings_count() -> int:
    return JobPosting.objects.count()
