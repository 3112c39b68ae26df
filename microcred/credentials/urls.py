"""Public hosting URLs (stable: they are signed into credentials) and the credential pages."""

from django.urls import path

from .engagement import views as engagement
from .views import badges, certificates, hosting, pages

app_name = "credentials"
urlpatterns = [
    path(".well-known/jwks.json", hosting.site_jwks, name="site_jwks"),
    path("ns/microcred/v1.jsonld", hosting.context, name="context"),
    path("issuers/<slug:slug>", hosting.issuer, name="issuer"),
    path("issuers/<slug:slug>/did.json", hosting.issuer_did, name="issuer_did"),
    path("issuers/<slug:slug>/jwks.json", hosting.issuer_jwks, name="issuer_jwks"),
    path("issuers/<slug:slug>/manage/", pages.manage, name="manage"),
    path("issuers/<slug:slug>/manage/engagement/", engagement.issuer_engagement_page, name="manage_engagement"),
    path("issuers/<slug:slug>/manage/keys/rotate/", pages.rotate_key, name="rotate_key"),
    path("issuers/<slug:slug>/manage/microcredentials/<int:pk>/issue/", pages.issue_pending, name="issue_pending"),
    path(
        "issuers/<slug:slug>/manage/credentials/<uuid:uuid>/<str:action>/",
        pages.manage_action,
        name="manage_action",
    ),
    path("credentials/<uuid:uuid>", hosting.credential, name="credential"),
    path("credentials/<uuid:uuid>/sharing", pages.credential_sharing, name="sharing"),
    path("credentials/<uuid:uuid>/linkedin", engagement.linkedin_add, name="linkedin_add"),
    path("credentials/<uuid:uuid>/certificate.pdf", certificates.certificate, name="certificate"),
    path("credentials/<uuid:uuid>/badge.png", badges.badge_png, name="badge_png"),
    path("credentials/<uuid:uuid>/badge.svg", badges.badge_svg, name="badge_svg"),
    path("endorsements/<uuid:uuid>", hosting.endorsement, name="endorsement"),
    path("status/<slug:slug>/<str:purpose>/<int:number>", hosting.status_list, name="status_list"),
    path("achievements/<uuid:public_id>", hosting.achievement, name="achievement"),
    path("achievements/<uuid:public_id>/image.svg", hosting.achievement_image, name="achievement_image"),
    # Named by credentials issued before public ids; served for those credentials only.
    path("achievements/<int:pk>", hosting.legacy_achievement, name="legacy_achievement"),
    path("achievements/<int:pk>/image.svg", hosting.legacy_achievement_image, name="legacy_achievement_image"),
    path("me/credentials/", pages.my_credentials, name="mine"),
    path("learn/<int:enrolment_id>/completion/", pages.completion, name="completion"),
]
