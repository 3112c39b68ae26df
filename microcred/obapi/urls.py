from django.urls import path
from oauth2_provider.views import RevokeTokenView, TokenView

from . import views

# Included at the site's root (config/urls.py): the API at the path the OB 3.0 spec names, under
# SITE_URL, the authorization server's RFC 8414 metadata at the host's well-known path, and the
# learner's page of the applications they connected.
API = "ims/ob/v3p0/"
app_name = "obapi"
urlpatterns = [
    path(f"{API}discovery", views.discovery, name="discovery"),
    path(f"{API}credentials", views.credentials, name="credentials"),
    path(f"{API}profile", views.profile, name="profile"),
    path(f"{API}oauth/register", views.register, name="register"),
    path(f"{API}oauth/authorize", views.ConsentView.as_view(), name="authorize"),
    path(f"{API}oauth/token", TokenView.as_view(), name="token"),
    path(f"{API}oauth/revoke", RevokeTokenView.as_view(), name="revoke"),
    path(f"{API}policy", views.policy, name="policy"),
    path(".well-known/oauth-authorization-server", views.oauth_metadata, name="oauth_metadata"),
    # RFC 8414 §3: for an issuer with a path, the well-known string goes before that path.
    path(".well-known/oauth-authorization-server/<path:inserted_path>", views.oauth_metadata),
    path("me/connected-apps/", views.connections, name="connections"),
    path("me/connected-apps/<str:client_id>/disconnect", views.disconnect, name="disconnect"),
]
