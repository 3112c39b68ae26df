from django.urls import path

from .views import account, auth, learner, public

app_name = "web"
urlpatterns = [
    path("", public.home, name="home"),
    path("catalog/", public.catalog, name="catalog"),
    path("compare/", public.compare, name="compare"),
    path("compare/toggle/", public.compare_toggle, name="compare_toggle"),
    path("providers/", public.providers, name="providers"),
    path("providers/<slug:slug>/", public.provider, name="provider"),
    path("providers/<slug:provider_slug>/<slug:slug>/", public.microcredential, name="microcredential"),
    path("signup/", auth.signup, name="signup"),
    path("signup/confirm/<str:uidb64>/<str:token>/", auth.signup_confirm, name="signup_confirm"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/sent/", auth.password_reset_sent, name="password_reset_sent"),
    path("password-reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("password-reset/<str:uidb64>/<str:token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("dashboard/", learner.dashboard, name="dashboard"),
    path("enrol/<int:mc_id>/", learner.enrol, name="enrol"),
    path("learn/<int:enrolment_id>/", learner.resume, name="resume"),
    path("learn/<int:enrolment_id>/lessons/<int:lesson_id>/", learner.lesson, name="lesson"),
    path(
        "learn/<int:enrolment_id>/lessons/<int:lesson_id>/complete/",
        learner.lesson_mark_complete,
        name="lesson_complete",
    ),
    path("learn/<int:enrolment_id>/quiz/<int:lesson_id>/", learner.quiz, name="quiz"),
    path("learn/<int:enrolment_id>/attempts/<int:attempt_id>/", learner.attempt_result, name="attempt_result"),
    path("learn/<int:enrolment_id>/completion/", learner.completion, name="completion"),
    path("me/profile/", account.profile, name="profile"),
    path("me/tokens/", account.tokens, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
]

# The organisation workspace (microcred/web/views/workspace/).
from .views import workspace as ws  # noqa: E402

_WS_MC = "orgs/<slug:slug>/catalog/<int:pk>/"
urlpatterns += [
    path("orgs/", ws.orgs.organisations, name="workspace"),
    path("orgs/<slug:slug>/catalog/", ws.catalog.catalog, name="workspace_catalog"),
    path("orgs/<slug:slug>/catalog/new/", ws.catalog.mc_create, name="workspace_mc_create"),
    path("orgs/<slug:slug>/catalog/import/", ws.catalog.catalog_import_view, name="workspace_catalog_import"),
    path("orgs/<slug:slug>/catalog/export/", ws.catalog.catalog_export_view, name="workspace_catalog_export"),
    path(_WS_MC, ws.catalog.mc_detail, name="workspace_mc"),
    path(_WS_MC + "edit/", ws.catalog.mc_edit, name="workspace_mc_edit"),
    path(_WS_MC + "publish/", ws.catalog.mc_publish, name="workspace_mc_publish"),
    path(_WS_MC + "archive/", ws.catalog.mc_archive, name="workspace_mc_archive"),
    path(_WS_MC + "new-version/", ws.catalog.mc_new_version, name="workspace_mc_new_version"),
    path(_WS_MC + "modules/", ws.content.module_add, name="workspace_module_add"),
    path(_WS_MC + "modules/<int:module_id>/edit/", ws.content.module_edit, name="workspace_module_edit"),
    path(_WS_MC + "modules/<int:module_id>/delete/", ws.content.module_remove, name="workspace_module_delete"),
    path(
        _WS_MC + "modules/<int:module_id>/lessons/new/<str:kind>/",
        ws.content.lesson_add,
        name="workspace_lesson_add",
    ),
    path(_WS_MC + "lessons/<int:lesson_id>/edit/", ws.content.lesson_edit, name="workspace_lesson_edit"),
    path(_WS_MC + "lessons/<int:lesson_id>/delete/", ws.content.lesson_remove, name="workspace_lesson_delete"),
    path("orgs/<slug:slug>/accreditations/", ws.accreditations.accreditations, name="workspace_accreditations"),
    path(
        "orgs/<slug:slug>/accreditations/<int:pk>/status/",
        ws.accreditations.accreditation_status,
        name="workspace_accreditation_status",
    ),
    path("orgs/<slug:slug>/members/", ws.members.members, name="workspace_members"),
    path("orgs/<slug:slug>/members/<int:user_id>/role/", ws.members.member_role, name="workspace_member_role"),
    path("orgs/<slug:slug>/members/<int:user_id>/remove/", ws.members.member_remove, name="workspace_member_remove"),
    path(
        "orgs/<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        ws.members.invitation_withdraw,
        name="workspace_invitation_withdraw",
    ),
    path("invitations/<str:secret>/", ws.members.invitation, name="invitation"),
]
