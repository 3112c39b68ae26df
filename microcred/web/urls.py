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
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
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
