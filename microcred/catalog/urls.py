"""The public catalog (home, search, comparison, providers, a micro-credential) and a provider's
workspace catalog: micro-credentials, their versions, modules and lessons."""

from django.urls import path

from .views import content, programmes, public, skills, workspace

app_name = "catalog"
urlpatterns = [
    path("", public.home, name="home"),
    path("catalog/", public.catalog, name="catalog"),
    path("compare/", public.compare, name="compare"),
    path("compare/toggle/", public.compare_toggle, name="compare_toggle"),
    path("providers/", public.providers, name="providers"),
    path("providers/<slug:slug>/", public.provider, name="provider"),
    path("providers/<slug:provider_slug>/<slug:slug>/", public.microcredential, name="microcredential"),
    path("programmes/<slug:provider_slug>/<slug:slug>/", public.programme, name="programme"),
]

_WS_MC = "orgs/<slug:slug>/catalog/<int:pk>/"
urlpatterns += [
    path("orgs/<slug:slug>/catalog/", workspace.catalog, name="workspace_catalog"),
    path("orgs/<slug:slug>/catalog/new/", workspace.mc_create, name="workspace_mc_create"),
    path("orgs/<slug:slug>/catalog/programmes/", programmes.programmes, name="workspace_programmes"),
    path("orgs/<slug:slug>/catalog/programmes/<int:pk>/", programmes.programme_edit, name="workspace_programme_edit"),
    path(
        "orgs/<slug:slug>/catalog/programmes/<int:pk>/delete/",
        programmes.programme_remove,
        name="workspace_programme_delete",
    ),
    path(_WS_MC, workspace.mc_detail, name="workspace_mc"),
    path(_WS_MC + "edit/", workspace.mc_edit, name="workspace_mc_edit"),
    path(_WS_MC + "publish/", workspace.mc_publish, name="workspace_mc_publish"),
    path(_WS_MC + "archive/", workspace.mc_archive, name="workspace_mc_archive"),
    path(_WS_MC + "new-version/", workspace.mc_new_version, name="workspace_mc_new_version"),
    path(_WS_MC + "skills/", skills.skill_add, name="workspace_mc_skill_add"),
    path(_WS_MC + "modules/", content.module_add, name="workspace_module_add"),
    path(_WS_MC + "modules/<int:module_id>/edit/", content.module_edit, name="workspace_module_edit"),
    path(_WS_MC + "modules/<int:module_id>/delete/", content.module_remove, name="workspace_module_delete"),
    path(
        _WS_MC + "modules/<int:module_id>/lessons/new/<str:kind>/",
        content.lesson_add,
        name="workspace_lesson_add",
    ),
    path(_WS_MC + "lessons/<int:lesson_id>/edit/", content.lesson_edit, name="workspace_lesson_edit"),
    path(_WS_MC + "lessons/<int:lesson_id>/delete/", content.lesson_remove, name="workspace_lesson_delete"),
]
