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


# -- RFC 8414 authorization server metadata --------------------------------------------------------


def test_the_authorization_server_metadata_names_the_same_endpoints_and_scopes_as_the_discovery_document():
    response = Client().get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    metadata = response.json()
    scheme = Client().get("/ims/ob/v3p0/discovery").json()["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    assert metadata["issuer"] == SITE
    assert metadata["authorization_endpoint"] == flow["authorizationUrl"] == f"{SITE}/ims/ob/v3p0/oauth/authorize"
    assert metadata["token_endpoint"] == flow["tokenUrl"] == f"{SITE}/ims/ob/v3p0/oauth/token"
    assert metadata["registration_endpoint"] == scheme["x-imssf-registrationUrl"]
    assert metadata["revocation_endpoint"] == scheme["x-microcred-revocationUrl"] == f"{SITE}/ims/ob/v3p0/oauth/revoke"
    assert metadata["scopes_supported"] == list(flow["scopes"]) == list(OB_SCOPES)
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert (
        metadata["token_endpoint_auth_methods_supported"]
        == metadata["revocation_endpoint_auth_methods_supported"]
        == ["client_secret_basic", "client_secret_post"]
    )
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["op_policy_uri"] == f"{SITE}/ims/ob/v3p0/policy#privacy"
    assert metadata["op_tos_uri"] == scheme["x-imssf-termsOfServiceUrl"]
    assert metadata["service_documentation"] == f"{SITE}/ims/ob/v3p0/policy#developers"
    assert b'id="developers"' in Client().get("/ims/ob/v3p0/policy").content
    # RFC 8414 §2: the issuer is an https URL without query or fragment; RFC 6749 §3: no endpoint has a fragment.
    assert metadata["issuer"].startswith("https://") and not {"?", "#"} & set(metadata["issuer"])
    assert not any("#" in value for key, value in metadata.items() if key.endswith("_endpoint"))


def test_the_metadata_is_cacheable_and_readable_from_any_origin():
    client = Client()
    response = client.get("/.well-known/oauth-authorization-server", HTTP_ORIGIN="https://wallet.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=3600"
    again = client.get("/.well-known/oauth-authorization-server", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    discovery = client.get("/ims/ob/v3p0/discovery")
    assert discovery["Access-Control-Allow-Origin"] == "*" and discovery["ETag"] != response["ETag"]
    assert client.post("/.well-known/oauth-authorization-server").status_code == 405


def test_an_issuer_with_a_path_is_served_at_the_path_rfc_8414_inserts_and_no_other(settings):
    settings.SITE_URL = f"{SITE}/badges"
    inserted = Client().get("/.well-known/oauth-authorization-server/badges")
    assert inserted.status_code == 200
    assert inserted.json()["issuer"] == f"{SITE}/badges"
    assert inserted.json()["token_endpoint"] == f"{SITE}/badges/ims/ob/v3p0/oauth/token"
    # Another path names another issuer: not ours.
    assert Client().get("/.well-known/oauth-authorization-server/other").status_code == 404
    # The form some clients try (the issuer, then the well-known string) reaches the root route
    # through a proxy that strips /badges: the same document.
    assert Client().get("/.well-known/oauth-authorization-server").json() == inserted.json()


def test_an_issuer_at_the_root_of_its_host_has_no_path_inserted_form():
    assert Client().get("/.well-known/oauth-authorization-server/badges").status_code == 404
