"""Market demand as JSON, public like the catalog: the skills job postings ask for (with the same
filters as the "Skills in demand" page), a skill's monthly series, and a skill's postings by region,
industry or occupation. Definitions: ``trends``' docstring; the period: ``selectors``'."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from microcred.api.errors import PROBLEMS_PUBLIC
from microcred.api.schemas import Page, PageParams, page_of

from .selectors import (
    DEFAULT_MONTHS,
    MONTHS_CHOICES,
    DemandFilters,
    Period,
    demand_by,
    skill_demand,
    skill_get,
    skill_series,
)
from .trends import TrendReading

router = Router(tags=["market"])

TrendWord = Literal["rising", "steady", "falling", "too few postings"]


class DemandQuery(Schema):
    region: str = Field("", max_length=100, description="Only postings of this region (a code such as DE or NL32).")
    industry: str = Field("", max_length=120, description="Only postings of this industry.")
    months: int = Field(
        DEFAULT_MONTHS,
        description="The period: this many months up to the latest posting's: "
        + ", ".join(str(n) for n in MONTHS_CHOICES)
        + ".",
    )

    @field_validator("months")
    @classmethod
    def _one_of_the_periods(cls, months: int) -> int:
        if months not in MONTHS_CHOICES:
            raise ValueError(f"months must be one of {', '.join(str(n) for n in MONTHS_CHOICES)}")
        return months

    def to_filters(self) -> DemandFilters:
        return DemandFilters(region=self.region.strip(), industry=self.industry.strip(), months=self.months)


class TrendOut(Schema):
    word: TrendWord = Field(
        description="Share of postings over the last 3 months against the 3 before: rising (+20 % or more), "
        "falling (−20 % or more), steady, or too few postings (under 5 over those 6 months)."
    )
    recent_share: float | None = Field(description="Share (0–1) over the last 3 months.")
    earlier_share: float | None = Field(description="Share (0–1) over the 3 months before.")
    change: float | None = Field(description="Relative change between them (0.35 = +35 %).")


class PeriodOut(Schema):
    first_month: date
    last_month: date = Field(description="The month of the latest posting on the platform.")
    postings: int = Field(description="Postings of the period under the filters.")


class SkillDemandOut(Schema):
    skill_id: int
    uri: str
    label: str
    postings: int = Field(description="Postings of the period that mention the skill.")
    share: float = Field(description="Those postings over all postings of the period (0–1).")
    trend: TrendOut


class DemandPage(Page[SkillDemandOut]):
    period: PeriodOut | None = Field(description="None when no posting has been imported.")


class MonthOut(Schema):
    month: date
    postings: int
    all_postings: int
    share: float


class SkillSeriesOut(Schema):
    skill_id: int
    uri: str
    label: str
    period: PeriodOut | None
    postings: int
    share: float
    trend: TrendOut
    months: list[MonthOut]


class GroupOut(Schema):
    key: str = Field(description="The region code, the industry or the occupation's URI; empty when not stated.")
    label: str
    postings: int = Field(description="The group's postings that mention the skill.")
    all_postings: int
    share: float


def _trend(reading: TrendReading) -> TrendOut:
    return TrendOut(
        word=reading.trend.value,
        recent_share=reading.recent_share,
        earlier_share=reading.earlier_share,
        change=reading.change,
    )


def _period(period: Period | None, postings: int) -> PeriodOut | None:
    if period is None:
        return None
    return PeriodOut(first_month=period.first, last_month=period.last, postings=postings)


@router.get(
    "/market/demand",
    response={200: DemandPage, **PROBLEMS_PUBLIC},
    auth=None,
    summary="Skills in demand",
)
def list_demand(
    request: HttpRequest, response: HttpResponse, filters: Query[DemandQuery], page: Query[PageParams]
) -> dict[str, Any]:
    """Every skill the period's postings mention, most asked-for first, with its share and trend."""
    table = skill_demand(filters.to_filters())
    rows, count = page_of(request, response, table.rows, page)
    items = [
        SkillDemandOut(
            skill_id=row.skill_id,
            uri=row.uri,
            label=row.label,
            postings=row.postings,
            share=row.share,
            trend=_trend(row.trend),
        )
        for row in rows
    ]
    return {
        "items": items,
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "period": _period(table.period, table.postings),
    }


@router.get(
    "/market/skills/{skill_id}/demand",
    response={200: SkillSeriesOut, **PROBLEMS_PUBLIC},
    auth=None,
    summary="A skill's demand month by month",
)
def get_skill_series(request: HttpRequest, skill_id: int, filters: Query[DemandQuery]) -> SkillSeriesOut:
    skill = skill_get(pk=skill_id)
    series = skill_series(skill=skill, filters=filters.to_filters())
    return SkillSeriesOut(
        skill_id=skill.pk,
        uri=skill.uri,
        label=skill.label,
        period=_period(series.period, series.all_postings),
        postings=series.postings,
        share=series.share,
        trend=_trend(series.trend),
        months=[MonthOut(**vars(month)) for month in series.months],
    )


@router.get(
    "/market/skills/{skill_id}/demand/{dimension}",
    response={200: list[GroupOut], **PROBLEMS_PUBLIC},
    auth=None,
    summary="A skill's demand by region, industry or occupation",
)
def get_skill_groups(
    request: HttpRequest,
    skill_id: int,
    dimension: Literal["region", "industry", "occupation"],
    filters: Query[DemandQuery],
) -> list[GroupOut]:
    """The period's postings of each group that mention the skill, and their share of the group's postings."""
    skill = skill_get(pk=skill_id)
    return [GroupOut(**vars(group)) for group in demand_by(dimension, filters=filters.to_filters(), skill=skill)]
