"""Signing up and in, one's own profile and API tokens, and an organisation's members."""

from django.urls import path

from .views import account, auth, members, orgs

app_name = "accounts"
urlpatterns = [
    path("signup/", auth.signup, name="signup"),
    path("signup/confirm/<str:uidb64>/<str:token>/", auth.signup_confirm, name="signup_confirm"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/sent/", auth.password_reset_sent, name="password_reset_sent"),
    path("password-reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("password-reset/<str:uidb64>/<str:token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("me/profile/", account.profile, name="profile"),
    path("me/tokens/", account.tokens, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
    # The organisation workspace: its list, and the profile and members of one (its other tabs are other apps').
    path("orgs/", orgs.organisations, name="workspace"),
    path("orgs/<slug:slug>/profile/", orgs.organisation_profile, name="workspace_profile"),
    path("orgs/<slug:slug>/members/", members.members, name="workspace_members"),
    path("orgs/<slug:slug>/members/<int:user_id>/role/", members.member_role, name="workspace_member_role"),
    path("orgs/<slug:slug>/members/<int:user_id>/remove/", members.member_remove, name="workspace_member_remove"),
    path(
        "orgs/<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        members.invitation_withdraw,
        name="workspace_invitation_withdraw",
    ),
    path("invitations/<str:secret>/", members.invitation, name="invitation"),
]
