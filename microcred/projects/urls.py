"""Projects pages: a learner's submissions (under ``learn/``), submitted files, and a provider's
grading (under its workspace, ``orgs/<slug>/``)."""

from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("learn/<int:enrolment_id>/assignment/<int:lesson_id>/submit/", views.submit, name="submit"),
    path("learn/submissions/<int:submission_id>/", views.submission, name="submission"),
    path("submission-files/<int:file_id>/", views.submission_file, name="file"),
    path("orgs/<slug:slug>/grading/", views.grading, name="grading"),
    path("orgs/<slug:slug>/grading/submissions/<int:submission_id>/", views.grade, name="grade"),
    path("orgs/<slug:slug>/grading/regrades/<int:regrade_id>/", views.regrade, name="regrade"),
]
