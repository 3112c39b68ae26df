"""A learner's own pages: their skills and their career goal."""

from django.urls import path

from . import views

app_name = "careers"
urlpatterns = [
    path("me/skills/", views.skills, name="skills"),
    path("me/skills/declare/", views.declare, name="declare"),
    path("me/skills/undeclare/", views.undeclare, name="undeclare"),
    path("me/skills/credentials/", views.upload, name="upload"),
    path("me/skills/credentials/<int:pk>/recheck/", views.recheck, name="recheck"),
    path("me/skills/credentials/<int:pk>/remove/", views.remove_external, name="remove_external"),
    path("me/goal/", views.goal, name="goal"),
    path("me/goal/occupation/", views.goal_occupation, name="goal_occupation"),
    path("me/goal/posting/", views.goal_posting, name="goal_posting"),
    path("me/goal/skills/add/", views.goal_skill_add, name="goal_skill_add"),
    path("me/goal/skills/remove/", views.goal_skill_remove, name="goal_skill_remove"),
    path("me/goal/constraints/", views.goal_constraints, name="goal_constraints"),
]
urlpatterns += [
    path("me/gap/", views.gap, name="gap"),
    path("me/plan/", views.plan, name="plan"),
    path("me/plan/propose/", views.plan_new, name="plan_propose"),
    path("me/plan/<int:pk>/accept/", views.plan_accept_view, name="plan_accept"),
    path("me/plan/<int:pk>/enrol/", views.plan_enrol, name="plan_enrol"),
    path("me/plan.ics", views.plan_ics, name="plan_ics"),
    path("me/plan/<int:pk>.ics", views.plan_ics, name="plan_ics_of"),
]
