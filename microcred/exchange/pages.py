"""What exchange adds to lower apps' pages (listed in ``config/pages.py``): the catalog file
panel of catalog's workspace catalog page."""

from __future__ import annotations

from typing import Any

from microcred.accounts.models import Organisation
from microcred.catalog.parts import CatalogPanel

from .forms import CatalogImportForm


def _catalog_panel_context(provider: Organisation) -> dict[str, Any]:
    return {"import_form": CatalogImportForm(organisation=provider)}


CATALOG_FILE_PANEL = CatalogPanel(template="exchange/_catalog_panel.html", context=_catalog_panel_context)
