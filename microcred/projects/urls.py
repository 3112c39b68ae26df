"""Projects pages: a learner's submissions (under ``learn/``), submitted files, and a provider's
grading (under its workspace, ``orgs/<slug>/``)."""

from django.urls import path

from . import views, views_stats

app_name = "projects"
urlpatterns = [
    path("learn/<int:enrolment_id>/assignment/<int:lesson_id>/submit/", views.submit, name="submit"),
    path("learn/submissions/<int:submission_id>/", views.submission, name="submission"),
    path("submission-files/<int:file_id>/", views.submission_file, name="file"),
    path("orgs/<slug:slug>/grading/", views.grading, name="grading"),
    path("orgs/<slug:slug>/grading/submissions/<int:submission_id>/", views.grade, name="grade"),
    path("orgs/<slug:slug>/grading/regrades/<int:regrade_id>/", views.regrade, name="regrade"),
    # Statistics (issue 8, section 5): the grading overview and each assignment's figures, with CSV
    path("orgs/<slug:slug>/grading/overview/", views_stats.grading_overview_page, name="grading_overview"),
    path("orgs/<slug:slug>/grading/overview.csv", views_stats.grading_overview_csv, name="grading_overview_csv"),
    path(
        "orgs/<slug:slug>/grading/assignments/<int:assignment_id>/statistics/",
        views_stats.assignment_statistics_page,
        name="assignment_statistics",
    ),
    path(
        "orgs/<slug:slug>/grading/assignments/<int:assignment_id>/statistics.csv",
        views_stats.assignment_statistics_csv,
        name="assignment_statistics_csv",
    ),
    # Peer review (ADR 0030)
    path("learn/reviews/", views.review_tasks, name="review_tasks"),
    path("learn/reviews/<int:review_id>/", views.review, name="review"),
    path("orgs/<slug:slug>/grading/peer/<int:assignment_id>/", views.peer_round, name="peer_round"),
    path("orgs/<slug:slug>/grading/peer/<int:assignment_id>/allocate/", views.peer_allocate, name="peer_allocate"),
    path("orgs/<slug:slug>/grading/peer/<int:assignment_id>/settle/", views.peer_settle, name="peer_settle"),
    path(
        "orgs/<slug:slug>/grading/peer/<int:assignment_id>/calibration/",
        views.calibration_example_add,
        name="calibration_example_add",
    ),
    path("learn/calibration/<int:example_id>/", views.calibration, name="calibration"),
    path(
        "orgs/<slug:slug>/grading/peer/<int:assignment_id>/reviewers/<int:user_id>/drop/",
        views.peer_drop,
        name="peer_drop",
    ),
    path(
        "orgs/<slug:slug>/grading/peer/submissions/<int:submission_id>/", views.peer_submission, name="peer_submission"
    ),
    # Mentor sign-off: the learner's request, and the mentor's page (no account; the token is the key)
    path("learn/submissions/<int:submission_id>/mentor/", views.mentor_request, name="mentor_request"),
    path("learn/signoffs/<int:signoff_id>/<str:action>/", views.mentor_manage, name="mentor_manage"),
    path("mentor/<str:token>/", views.mentor, name="mentor"),
    path("mentor/<str:token>/files/<int:file_id>/", views.mentor_file, name="mentor_file"),
]
