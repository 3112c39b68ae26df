"""The public demand pages: which skills job postings ask for (filtered by region, industry and
period), a chosen skill's month-by-month trend, and one skill's demand in detail. Charts are drawn
on the server (``web.charts``) with their figures in tables beside them; no script."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from microcred.web.charts import bar_chart, column_chart
from microcred.web.views.common import app_errors

from .forms import DemandFilterForm
from .selectors import (
    DemandTable,
    SkillSeries,
    demand_by,
    filter_choices,
    postings_count,
    recent_postings,
    skill_demand,
    skill_get,
    skill_series,
)

TOP_SKILLS = 15


def percent(value: float) -> str:
    # A no-break space: a narrow table column never splits the figure from its sign.
    return f"{value * 100:.1f}\u00a0%"


def _form(request: HttpRequest) -> DemandFilterForm:
    form = DemandFilterForm(request.GET, choices=filter_choices())
    form.is_valid()
    return form


def _series_chart(series: SkillSeries) -> Any:
    return column_chart([(month.month.strftime("%b %y"), month.postings) for month in series.months])


def _top_chart(table: DemandTable) -> Any:
    return bar_chart([(row.label, row.postings) for row in table.rows[:TOP_SKILLS]])


@require_GET
@app_errors
def demand(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    filters = form.to_filters()
    table = skill_demand(filters)
    chosen_slug = request.GET.get("skill", "")
    chosen = next((row for row in table.rows if row.slug == chosen_slug), None) or (
        table.rows[0] if table.rows else None
    )
    series = skill_series(skill=skill_get(pk=chosen.skill_id), filters=filters) if chosen else None
    context = {
        "form": form,
        "query": form.query(),
        "filters": filters,
        "table": table,
        "rows": [(row, percent(row.share)) for row in table.rows],
        "top_chart": _top_chart(table) if table.rows else None,
        "top_count": min(TOP_SKILLS, len(table.rows)),
        "chosen": chosen,
        "chosen_unknown": bool(chosen_slug) and (chosen is None or chosen.slug != chosen_slug),
        "series": series,
        "series_chart": _series_chart(series) if series else None,
        "series_rows": [(month, percent(month.share)) for month in series.months] if series else [],
        "any_postings": postings_count() > 0,
    }
    return render(request, "market/demand.html", context)


@require_GET
@app_errors
def skill_demand_page(request: HttpRequest, slug: str) -> HttpResponse:
    skill = skill_get(slug=slug)
    form = _form(request)
    filters = form.to_filters()
    series = skill_series(skill=skill, filters=filters)
    groups = {
        dimension: [(group, percent(group.share)) for group in demand_by(dimension, filters=filters, skill=skill)]
        for dimension in ("region", "industry", "occupation")
    }
    context = {
        "skill": skill,
        "form": form,
        "query": form.query(),
        "filters": filters,
        "series": series,
        "share": percent(series.share),
        "series_chart": _series_chart(series) if series.months else None,
        "series_rows": [(month, percent(month.share)) for month in series.months],
        "by_region": groups["region"],
        "by_industry": groups["industry"],
        "by_occupation": groups["occupation"],
        "postings": recent_postings(skill=skill, filters=filters),
    }
    return render(request, "market/skill.html", context)
