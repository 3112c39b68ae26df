"""Form helpers every app's pages share. The forms themselves live in their apps."""

from __future__ import annotations

from django import forms
from django.conf.locale import LANG_INFO

from microcred.core.errors import ValidationFailed


def language_name(code: str) -> str:
    info = LANG_INFO.get(code) or {}
    return str(info.get("name", code.upper()))


def apply_app_error(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's field errors on the matching form fields and the rest on the form."""
    placed = False
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
