"""Helpers for driving the admin's pages like a browser does."""

from __future__ import annotations

from typing import Any

from django.forms import CheckboxInput
from django.urls import reverse


def admin_url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict[str, Any]:
    """What the browser would post back for an unchanged admin change form (with inlines)."""

    def fields_of(form) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            value = form[name].value()
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[key] = "on"
                continue
            data[key] = "" if value is None else value
        return data

    data = fields_of(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(fields_of(formset.management_form))
        for form in formset.forms:
            data.update(fields_of(form))
    return data
