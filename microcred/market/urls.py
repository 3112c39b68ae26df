"""Market pages: skills in demand, and one skill's demand."""

from django.urls import path

from . import views

app_name = "market"
urlpatterns = [
    path("skills-in-demand/", views.demand, name="demand"),
    path("skills-in-demand/<slug:slug>/", views.skill_demand_page, name="skill"),
]
