"""The catalog file import and export of a provider's workspace."""

from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("orgs/<slug:slug>/catalog/import/", views.catalog_import_view, name="workspace_catalog_import"),
    path("orgs/<slug:slug>/catalog/export/", views.catalog_export_view, name="workspace_catalog_export"),
]
