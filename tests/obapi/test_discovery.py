"""GET /ims/ob/v3p0/discovery: the Service Description Document, on the installation's own URL."""

from __future__ import annotations

import pytest
from django.test import Client

from microcred.obapi.scopes import OB_SCOPES
from tests.obapi.conftest import SITE, assert_matches_openapi

pytestmark = pytest.mark.django_db


def test_the_service_description_matches_the_official_schema_and_names_every_endpoint():
    response = Client().get("/ims/ob/v3p0/discovery")
    assert response.status_code == 200
    document = response.json()
    assert_matches_openapi(document, "ServiceDescriptionDocument")
    assert_matches_openapi(document["info"], "OpenApiInfo")
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert_matches_openapi(scheme, "OpenApiOAuth2SecurityScheme")
    flow = scheme["flows"]["authorizationCode"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == f"{SITE}/ims/ob/v3p0/oauth/register"
    assert flow["authorizationUrl"] == f"{SITE}/ims/ob/v3p0/oauth/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"] == f"{SITE}/ims/ob/v3p0/oauth/token"
    assert (
        set(flow["scopes"])
        == set(OB_SCOPES)
        == {
            "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly",
            "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert",
            "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly",
            "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update",
        }
    )
    assert document["info"]["x-imssf-privacyPolicyUrl"] == f"{SITE}/ims/ob/v3p0/policy#privacy"
    assert document["servers"] == [{"url": f"{SITE}/ims/ob/v3p0"}]
    assert {"/credentials", "/profile", "/discovery"} <= set(document["paths"])


def test_the_policy_urls_follow_the_operator_and_the_policy_page_is_served(settings):
    settings.MICROCRED_PRIVACY_POLICY_URL = "https://operator.example/privacy"
    document = Client().get("/ims/ob/v3p0/discovery").json()
    assert document["info"]["x-imssf-privacyPolicyUrl"] == "https://operator.example/privacy"
    assert document["info"]["termsOfService"] == f"{SITE}/ims/ob/v3p0/policy#terms"
    page = Client().get("/ims/ob/v3p0/policy")
    assert page.status_code == 200
    assert b'id="privacy"' in page.content and b'id="terms"' in page.content


def test_discovery_is_read_only():
    assert Client().post("/ims/ob/v3p0/discovery").status_code == 405
