"""A learner's quiz pages, under their enrolment's ``learn/`` paths."""

from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("learn/<int:enrolment_id>/quiz/<int:lesson_id>/", views.quiz, name="quiz"),
    path("learn/<int:enrolment_id>/attempts/<int:attempt_id>/", views.attempt_result, name="attempt_result"),
]
