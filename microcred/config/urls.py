from django.contrib import admin
from django.urls import include, path

from microcred.config.api import api
from microcred.web.views import healthz

# Each app includes its own pages, its URL names in its own namespace ("catalog:catalog").
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("microcred.credentials.urls")),
    path("verify/", include("microcred.verification.urls")),
    path("", include("microcred.obapi.urls")),  # the Open Badges 3.0 API at /ims/ob/v3p0/ (ADR 0045)
    path("", include("microcred.catalog.urls")),
    path("", include("microcred.accounts.urls")),
    path("", include("microcred.learning.urls")),
    path("", include("microcred.assessment.urls")),
    path("", include("microcred.projects.urls")),
    path("", include("microcred.accreditation.urls")),
    path("", include("microcred.exchange.urls")),
    path("", include("microcred.careers.urls")),
    path("", include("microcred.portfolio.urls")),
    path("", include("microcred.market.urls")),
]

# Problem details for programs (under /api/, or asking for JSON), the site's pages for people.
handler400 = "microcred.core.error_views.bad_request"  # a bad Host, a body over DATA_UPLOAD_MAX_MEMORY_SIZE
handler404 = "microcred.core.error_views.not_found"
handler500 = "microcred.core.error_views.server_error"
