"""An accreditor's workspace: the accreditations it grants."""

from django.urls import path

from . import views

app_name = "accreditation"
urlpatterns = [
    path("orgs/<slug:slug>/accreditations/", views.accreditations, name="workspace_accreditations"),
    path(
        "orgs/<slug:slug>/accreditations/<int:pk>/status/",
        views.accreditation_status,
        name="workspace_accreditation_status",
    ),
]
