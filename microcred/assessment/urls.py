"""A learner's quiz pages, under their enrolment's ``learn/`` paths, and a provider's quiz statistics."""

from django.urls import path

from . import views, views_banks, views_placement, views_questions, views_stats

app_name = "assessment"
urlpatterns = [
    path("learn/<int:enrolment_id>/quiz/<int:lesson_id>/", views.quiz, name="quiz"),
    path("learn/<int:enrolment_id>/quiz/<int:lesson_id>/autosave", views.quiz_autosave, name="quiz_autosave"),
    path("learn/<int:enrolment_id>/attempts/<int:attempt_id>/", views.attempt_result, name="attempt_result"),
    # A placement quiz, taken without enrolling (issue 9 §7).
    path("placement/<int:quiz_id>/", views_placement.placement, name="placement"),
    path(
        "placement/<int:quiz_id>/attempts/<int:attempt_id>/",
        views_placement.placement_result,
        name="placement_result",
    ),
]

# A provider's quiz statistics, beside its workspace catalog (linked from each quiz lesson there).
_WS_QUIZ = "orgs/<slug:slug>/catalog/<int:pk>/quizzes/<int:lesson_id>/statistics/"
urlpatterns += [
    path(_WS_QUIZ, views_stats.quiz_statistics_page, name="quiz_statistics"),
    path(
        _WS_QUIZ + "questions.csv",
        views_stats.quiz_statistics_csv,
        {"table": "questions"},
        name="quiz_statistics_questions_csv",
    ),
    path(
        _WS_QUIZ + "attempts.csv",
        views_stats.quiz_statistics_csv,
        {"table": "attempts"},
        name="quiz_statistics_attempts_csv",
    ),
]

# A provider's question banks (import, export) and the essays waiting for a grader (ADR 0027).
urlpatterns += [
    path("orgs/<slug:slug>/questions/", views_banks.banks, name="banks"),
    path("orgs/<slug:slug>/questions/<int:bank_id>/", views_banks.bank, name="bank"),
    path("orgs/<slug:slug>/questions/<int:bank_id>/export.gift", views_banks.bank_gift, name="bank_gift"),
    path("orgs/<slug:slug>/questions/new-bank", views_questions.bank_new, name="bank_new"),
    path("orgs/<slug:slug>/questions/<int:bank_id>/new/", views_questions.question_new, name="question_new"),
    path(
        "orgs/<slug:slug>/questions/<int:bank_id>/<int:question_id>/edit/",
        views_questions.question_edit,
        name="question_edit",
    ),
    path(
        "orgs/<slug:slug>/questions/<int:bank_id>/<int:question_id>/",
        views_questions.question_preview,
        name="question_preview",
    ),
    path(
        "orgs/<slug:slug>/questions/<int:bank_id>/<int:question_id>/remove/",
        views_questions.question_remove,
        name="question_remove",
    ),
    path("orgs/<slug:slug>/essays/", views_banks.essays, name="essays"),
    path("orgs/<slug:slug>/essays/<int:attempt_id>/", views_banks.essay_attempt, name="essay_attempt"),
]
