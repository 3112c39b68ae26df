"""The catalog file upload of a provider's workspace. It parses and checks the file only; the
importer (``services.catalog_import``) does the writing and the domain checks."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from microcred.accounts.models import Organisation

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class CatalogImportForm(forms.Form):
    file = forms.FileField(label="Catalog file (JSON)", help_text="The microcred.catalog/1 format; at most 5 MB.")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError("This is not a JSON file in UTF-8.") from exc
        if not isinstance(data, dict):
            raise forms.ValidationError("Expected a catalog document (a JSON object).")
        provider = data.get("provider")
        slug = provider.get("slug") if isinstance(provider, dict) else None
        if slug != self.organisation.slug:
            # Importing creates the file's provider when it does not exist; from this page that
            # would found or touch another organisation, so only this one's own files are taken.
            raise forms.ValidationError(
                f"This file is the catalog of “{slug or 'no provider'}”, not of {self.organisation.name} "
                f"(“{self.organisation.slug}”). Import it from that organisation's workspace."
            )
        return data
