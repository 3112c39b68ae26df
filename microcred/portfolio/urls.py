"""The learner's portfolio: their editor under /me/, the page and record under the handle they chose."""

from django.urls import path

from . import views

app_name = "portfolio"
urlpatterns = [
    path("me/portfolio/", views.edit, name="edit"),
    path("me/portfolio/settings/", views.settings_save, name="settings"),
    path("me/portfolio/choices/", views.choices_save, name="choices"),
    path("me/portfolio/import/", views.import_credential, name="import"),
    path("me/portfolio/imports/<int:pk>/recheck/", views.recheck, name="recheck"),
    path("p/<str:handle>", views.public, name="public"),
    path("p/<str:handle>/record", views.record, name="record"),
]
