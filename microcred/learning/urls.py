"""A learner's pages: the dashboard, enrolling and the lessons of an enrolment."""

from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("enrol/<int:mc_id>/", views.enrol, name="enrol"),
    path("learn/<int:enrolment_id>/", views.resume, name="resume"),
    path("learn/<int:enrolment_id>/lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path(
        "learn/<int:enrolment_id>/lessons/<int:lesson_id>/complete/",
        views.lesson_mark_complete,
        name="lesson_complete",
    ),
]
