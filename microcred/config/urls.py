from django.contrib import admin
from django.urls import include, path

from microcred.api.api import api
from microcred.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("microcred.credentials.urls")),
    path("verify/", include("microcred.verification.urls")),
    path("", include("microcred.web.urls")),
]
