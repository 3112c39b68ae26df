"""The filters of the demand pages: region, industry, months and the skill whose trend is drawn."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms

from .selectors import DEFAULT_MONTHS, MONTHS_CHOICES, DemandFilters, FilterChoices


class DemandFilterForm(forms.Form):
    region = forms.ChoiceField(required=False, label="Region")
    industry = forms.ChoiceField(required=False, label="Industry")
    months = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=DEFAULT_MONTHS,  # type: ignore[arg-type]  # the field's value, an int
        label="Period",
        choices=[(str(n), f"Last {n} months") for n in MONTHS_CHOICES],
    )

    def __init__(self, data: Any, *, choices: FilterChoices) -> None:
        # Always bound (an empty query is the default filters); the period's select shows the default
        # period, not the first choice, when the query does not name one.
        data = data.copy()
        if not data.get("months"):
            data["months"] = str(DEFAULT_MONTHS)
        super().__init__(data)
        region, industry = self.fields["region"], self.fields["industry"]
        assert isinstance(region, forms.ChoiceField) and isinstance(industry, forms.ChoiceField)
        region.choices = [("", "All regions")] + [(r, f"{r} ({n})") for r, n in choices.regions]
        industry.choices = [("", "All industries")] + [(i, f"{i} ({n})") for i, n in choices.industries]

    def to_filters(self) -> DemandFilters:
        """The valid fields' values; a field that is not valid falls back to its default (its error
        is shown beside it), so a bad address still shows a page."""
        data = getattr(self, "cleaned_data", {})
        return DemandFilters(
            region=data.get("region") or "",
            industry=data.get("industry") or "",
            months=data.get("months") or DEFAULT_MONTHS,
        )

    def query(self) -> str:
        """The filters as a query string, for links that keep them."""
        filters = self.to_filters()
        pairs = {"region": filters.region, "industry": filters.industry}
        pairs = {key: value for key, value in pairs.items() if value}
        if filters.months != DEFAULT_MONTHS:
            pairs["months"] = str(filters.months)
        return urlencode(pairs)
