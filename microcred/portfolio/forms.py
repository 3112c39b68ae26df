"""The portfolio's forms. They read input; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from .models import HANDLE_MAX_LENGTH


class PortfolioSettingsForm(forms.Form):
    handle = forms.CharField(
        max_length=HANDLE_MAX_LENGTH,
        label="Address",
        help_text="Lowercase letters, digits and hyphens, 3 to 40 characters. If you change it later, the old "
        "address keeps leading here.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        required=False, max_length=120, label="Name shown", help_text="Empty: your account's name."
    )
    headline = forms.CharField(
        required=False, max_length=200, label="Headline", help_text="One line, e.g. “Data analyst in public health”."
    )
    published = forms.BooleanField(
        required=False,
        label="Anyone with the address can see my portfolio",
        help_text="Off: only you can open it, as a preview.",
    )


class ChoicesForm(forms.Form):
    """The ticked boxes: our credentials by uuid, imported credentials and skills by id."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        data: QueryDict = self.data  # type: ignore[assignment]  # bound to request.POST
        cleaned["credentials"] = [value[:40] for value in data.getlist("credentials")][:500]
        for name in ("externals", "skills"):
            values = data.getlist(name)[:1000]
            if not all(value.isdigit() for value in values):
                raise forms.ValidationError("The form was changed; reload the page and tick again.")
            cleaned[name] = [int(value) for value in values]
        return cleaned
