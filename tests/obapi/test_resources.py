"""GET/POST /credentials and GET/PUT /profile, as a wallet holding a token sees them: paging,
``since``, the upsert (verified first, into the careers wallet) and imsx_StatusInfo errors."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from microcred.careers.models import ExternalCredential
from microcred.core import clock
from microcred.core.clock import now
from microcred.credentials.models import Credential
from microcred.credentials.services import credential_revoke
from microcred.obapi.scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE
from microcred.obapi.selectors import profile_id_of
from tests.credentials.conftest import complete
from tests.factories import published_microcredential
from tests.obapi.conftest import SITE, access_token, assert_matches_openapi, assert_matches_schema, bearer
from tests.verification.builders import badge, did_key_issuer, sign, sign_jwt

pytestmark = pytest.mark.django_db


def foreign_badge(email: str, *, credential_id: str = "urn:uuid:7d2f1c1e-5b7a-4c7e-9d61-3f0d8f1a0b11", seed: int = 7):
    """A credential from another issuer (did:key, verifiable offline), issued to ``email``."""
    issuer = did_key_issuer(seed=seed, name="Key Academy")
    return sign(badge(issuer, credential_id=credential_id, email=email.lower()), issuer), issuer


def links(response) -> dict[str, dict[str, list[str]]]:
    found = {}
    for part in response["Link"].split(","):
        url, rel = part.strip().split(";")
        target = urlsplit(url.strip()[1:-1])
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{SITE}/ims/ob/v3p0/credentials"
        found[rel.strip().removeprefix('rel="').removesuffix('"')] = parse_qs(target.query)
    return found


def assert_status_info(response, status: int, minor: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert_matches_schema(body, "imsx_statusinfo")
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor
    return body


# -- reading -------------------------------------------------------------------------------------


def test_the_learners_credentials_are_listed_as_the_official_response_with_paging_headers(wallet):
    second = published_microcredential(provider=wallet.provider, slug="second-course")
    third = published_microcredential(provider=wallet.provider, slug="third-course")
    complete(second, wallet.learner)
    complete(third, wallet.learner)
    complete(second, wallet.other)  # somebody else's: never listed
    client = Client()
    token = access_token(client, wallet.learner, scope=CREDENTIAL_READONLY)
    response = client.get("/ims/ob/v3p0/credentials", {"limit": 2}, **bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert_matches_schema(body, "getopenbadgecredentialsresponse")
    assert_matches_openapi(body, "GetOpenBadgeCredentialsResponse")
    ours = list(Credential.objects.filter(user=wallet.learner).order_by("-issued_at", "-uuid"))
    assert [c["id"] for c in body["credential"]] == [c.document["id"] for c in ours[:2]]
    assert body["credential"][0] == ours[0].document  # the signed document, byte for byte as JSON
    assert body["compactJwsString"] == []
    assert response["X-Total-Count"] == "3"
    page = links(response)
    assert set(page) == {"first", "last", "next"}
    assert page["next"] == {"limit": ["2"], "offset": ["2"]}
    assert page["last"] == {"limit": ["2"], "offset": ["2"]}
    following = client.get("/ims/ob/v3p0/credentials", {"limit": 2, "offset": 2}, **bearer(token))
    assert [c["id"] for c in following.json()["credential"]] == [ours[2].document["id"]]
    assert set(links(following)) == {"first", "last", "prev"}
    assert links(following)["prev"] == {"limit": ["2"], "offset": ["0"]}


def test_since_keeps_credentials_issued_or_changed_after_it(wallet):
    client = Client()
    token = access_token(client, wallet.learner, scope=CREDENTIAL_READONLY)
    credential = Credential.objects.get(user=wallet.learner)
    later = (credential.issued_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = (credential.issued_at - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")  # no zone: UTC
    assert client.get("/ims/ob/v3p0/credentials", {"since": earlier}, **bearer(token))["X-Total-Count"] == "1"
    response = client.get("/ims/ob/v3p0/credentials", {"since": later}, **bearer(token))
    assert (response["X-Total-Count"], response.json()["credential"]) == ("0", [])
    assert "since=" in response["Link"]
    # A revocation after `since` is a change the wallet must hear about.
    with clock.shifted_to(credential.issued_at + timedelta(minutes=5)):
        credential_revoke(actor=_owner(wallet), credential=credential, reason="Misconduct")
    response = client.get("/ims/ob/v3p0/credentials", {"since": later}, **bearer(token))
    assert response["X-Total-Count"] == "1"


def _owner(wallet):
    from tests.factories import MembershipFactory

    return MembershipFactory(organisation=wallet.provider, role="owner").user


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "ten"}, {"offset": "-1"}, {"since": "last tuesday"}, {"since": "2026-13-01T00:00:00Z"}],
)
def test_bad_paging_parameters_are_a_400_naming_the_parameter(wallet, query):
    client = Client()
    token = access_token(client, wallet.learner, scope=CREDENTIAL_READONLY)
    body = assert_status_info(
        client.get("/ims/ob/v3p0/credentials", query, **bearer(token)), 400, "invalid_query_parameter"
    )
    assert next(iter(query)) in body["imsx_description"]


def test_no_token_a_bad_token_and_a_token_without_the_scope(wallet):
    client = Client()
    missing = assert_status_info(client.get("/ims/ob/v3p0/credentials"), 401, "unauthorizedrequest")
    assert missing  # body checked above
    response = client.get("/ims/ob/v3p0/credentials")
    assert response["WWW-Authenticate"] == 'Bearer realm="Open Badges API"'
    bad = client.get("/ims/ob/v3p0/credentials", **bearer("not-a-token"))
    assert_status_info(bad, 401, "unauthorizedrequest")
    assert 'error="invalid_token"' in bad["WWW-Authenticate"]
    token = access_token(client, wallet.learner, scope=PROFILE_READONLY)
    refused = client.get("/ims/ob/v3p0/credentials", **bearer(token))
    assert_status_info(refused, 403, "forbidden")
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    assert CREDENTIAL_READONLY in refused["WWW-Authenticate"]
    # A token in the query string is not taken (RFC 9700 §4.3.2).
    assert client.get(f"/ims/ob/v3p0/credentials?access_token={token}").status_code == 401
    # The session is not a token.
    client.force_login(wallet.learner)
    assert client.get("/ims/ob/v3p0/credentials").status_code == 401
    assert_status_info(client.delete("/ims/ob/v3p0/credentials", **bearer(token)), 405, "not_allowed")


# -- the upsert ----------------------------------------------------------------------------------


def test_an_upserted_credential_is_verified_kept_in_the_wallet_then_listed(wallet):
    client = Client()
    token = access_token(client, wallet.learner)
    document, _ = foreign_badge(wallet.learner.email)
    text = json.dumps(document)
    created = client.post("/ims/ob/v3p0/credentials", data=text, content_type="application/json", **bearer(token))
    assert created.status_code == 201, created.content
    assert created.json() == document
    kept = ExternalCredential.objects.get(user=wallet.learner)
    assert (kept.outcome, kept.issuer_name, kept.credential_id) == ("valid", "Key Academy", document["id"])
    # The same again: it exists.
    again = client.post("/ims/ob/v3p0/credentials", data=text, content_type="application/json", **bearer(token))
    assert again.status_code == 200
    assert ExternalCredential.objects.filter(user=wallet.learner).count() == 1
    listed = client.get("/ims/ob/v3p0/credentials", **bearer(token)).json()
    assert_matches_schema(listed, "getopenbadgecredentialsresponse")
    assert {**document, "proof": [document["proof"]]} in listed["credential"] and len(listed["credential"]) == 2


def test_an_upsert_with_the_same_id_and_new_bytes_replaces_the_kept_copy(wallet):
    client = Client()
    token = access_token(client, wallet.learner)
    document, issuer = foreign_badge(wallet.learner.email)
    client.post("/ims/ob/v3p0/credentials", data=json.dumps(document), content_type="application/json", **bearer(token))
    reissued = sign(badge(issuer, credential_id=document["id"], email=wallet.learner.email, valid_until=None), issuer)
    replaced = client.post(
        "/ims/ob/v3p0/credentials", data=json.dumps(reissued), content_type="application/json", **bearer(token)
    )
    assert replaced.status_code == 200
    kept = ExternalCredential.objects.get(user=wallet.learner)
    assert json.loads(kept.document) == reissued


def test_a_vc_jwt_is_upserted_as_text_and_listed_as_a_compact_jws(wallet):
    client = Client()
    token = access_token(client, wallet.learner)
    document, issuer = foreign_badge(
        wallet.learner.email, credential_id="urn:uuid:0e8b3c0a-2f9e-4f7e-8a5e-7d4b1b8f2c10"
    )
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    jwt = sign_jwt(unsigned, issuer.key, issuer.vm)
    created = client.post("/ims/ob/v3p0/credentials", data=jwt, content_type="text/plain", **bearer(token))
    assert created.status_code == 201, created.content
    assert created.content.decode() == jwt and created["Content-Type"].startswith("text/plain")
    listed = client.get("/ims/ob/v3p0/credentials", **bearer(token)).json()
    assert listed["compactJwsString"] == [jwt]
    assert_matches_schema(listed, "getopenbadgecredentialsresponse")


def test_one_of_our_own_credentials_upserted_back_is_already_there(wallet):
    client = Client()
    token = access_token(client, wallet.learner)
    ours = Credential.objects.get(user=wallet.learner).document
    response = client.post(
        "/ims/ob/v3p0/credentials", data=json.dumps(ours), content_type="application/json", **bearer(token)
    )
    assert response.status_code == 200
    assert not ExternalCredential.objects.exists()
    assert client.get("/ims/ob/v3p0/credentials", **bearer(token))["X-Total-Count"] == "1"


def test_a_credential_that_does_not_verify_is_refused_with_the_verifiers_reason(wallet):
    client = Client()
    token = access_token(client, wallet.learner)
    document, _ = foreign_badge(wallet.learner.email)
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Data Science"
    response = client.post(
        "/ims/ob/v3p0/credentials", data=json.dumps(tampered), content_type="application/json", **bearer(token)
    )
    body = assert_status_info(response, 400, "invalid_data")
    assert body["imsx_description"].startswith("Not accepted.")
    assert "signature" in body["imsx_description"].lower() or "proof" in body["imsx_description"].lower()
    # Issued to somebody else: refused too.
    elsewhere, _ = foreign_badge(
        "someone.else@example.org", credential_id="urn:uuid:11111111-2f9e-4f7e-8a5e-7d4b1b8f2c10"
    )
    response = client.post(
        "/ims/ob/v3p0/credentials", data=json.dumps(elsewhere), content_type="application/json", **bearer(token)
    )
    assert_status_info(response, 400, "invalid_data")
    assert not ExternalCredential.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[1, 2]", "application/json"),
        ("{", "application/json"),
        ("not a jws", "text/plain"),
        ("<svg/>", "image/svg+xml"),
    ],
)
def test_an_upsert_body_that_is_not_a_credential_is_a_400(wallet, body, content_type):
    client = Client()
    token = access_token(client, wallet.learner, scope=CREDENTIAL_UPSERT)
    assert_status_info(
        client.post("/ims/ob/v3p0/credentials", data=body, content_type=content_type, **bearer(token)),
        400,
        "invalid_data",
    )


def test_upserting_needs_the_upsert_scope(wallet):
    client = Client()
    token = access_token(client, wallet.learner, scope=CREDENTIAL_READONLY)
    document, _ = foreign_badge(wallet.learner.email)
    response = client.post(
        "/ims/ob/v3p0/credentials", data=json.dumps(document), content_type="application/json", **bearer(token)
    )
    assert_status_info(response, 403, "forbidden")
    assert not ExternalCredential.objects.exists()


# -- the profile ---------------------------------------------------------------------------------


def test_the_profile_is_read_and_updated_as_an_ob3_profile(wallet):
    client = Client()
    token = access_token(client, wallet.learner, scope=f"{PROFILE_READONLY} {PROFILE_UPDATE}")
    profile = client.get("/ims/ob/v3p0/profile", **bearer(token)).json()
    assert_matches_schema(profile, "profile")
    assert profile["id"] == profile_id_of(wallet.learner) and profile["id"].startswith("urn:uuid:")
    assert (profile["name"], profile["email"], profile["type"]) == (
        "Ada Lovelace",
        "ada.lovelace@example.org",
        ["Profile"],
    )
    changed = {**profile, "name": "Augusta Ada King", "description": "Analyst of engines."}
    response = client.put(
        "/ims/ob/v3p0/profile", data=json.dumps(changed), content_type="application/json", **bearer(token)
    )
    assert response.status_code == 200, response.content
    assert_matches_schema(response.json(), "profile")
    assert response.json() == changed
    wallet.learner.refresh_from_db()
    assert wallet.learner.full_name == "Augusta Ada King"
    assert wallet.learner.profile.bio == "Analyst of engines."


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"email": "mallory@example.org"}, "email cannot be changed"),
        ({"id": "urn:uuid:00000000-0000-0000-0000-000000000000"}, "id must be"),
        ({"type": ["Person"]}, "type must be"),
        ({"phone": "+44 20 1234"}, "not phone"),
        ({"name": 7}, "name must be a string"),
    ],
)
def test_a_profile_update_that_we_cannot_keep_is_refused_and_changes_nothing(wallet, changes, words):
    client = Client()
    token = access_token(client, wallet.learner, scope=f"{PROFILE_READONLY} {PROFILE_UPDATE}")
    profile = client.get("/ims/ob/v3p0/profile", **bearer(token)).json()
    response = client.put(
        "/ims/ob/v3p0/profile",
        data=json.dumps({**profile, **changes}),
        content_type="application/json",
        **bearer(token),
    )
    body = assert_status_info(response, 400, "invalid_data")
    assert words in body["imsx_description"]
    wallet.learner.refresh_from_db()
    assert wallet.learner.full_name == "Ada Lovelace"


def test_reading_the_profile_cannot_update_it(wallet):
    client = Client()
    token = access_token(client, wallet.learner, scope=PROFILE_READONLY)
    profile = client.get("/ims/ob/v3p0/profile", **bearer(token)).json()
    response = client.put(
        "/ims/ob/v3p0/profile",
        data=json.dumps({**profile, "name": "X"}),
        content_type="application/json",
        **bearer(token),
    )
    assert_status_info(response, 403, "forbidden")
    assert_status_info(client.post("/ims/ob/v3p0/profile", **bearer(token)), 405, "not_allowed")


def test_listing_costs_the_same_queries_however_many_credentials(wallet, django_assert_max_num_queries):
    client = Client()
    token = access_token(client, wallet.learner, scope=CREDENTIAL_READONLY)
    for slug in ("second-course", "third-course", "fourth-course"):
        complete(published_microcredential(provider=wallet.provider, slug=slug), wallet.learner)
    with django_assert_max_num_queries(8):
        response = client.get("/ims/ob/v3p0/credentials", **bearer(token))
    assert response["X-Total-Count"] == "4"
    assert now()  # the clock is the platform's


def _jws(claims: dict) -> str:
    import base64

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'EdDSA'})}.{part(claims)}.c2ln"


@pytest.mark.parametrize(
    ("claims", "listed"),
    [
        ({"type": ["VerifiableCredential", "OpenBadgeCredential"]}, True),  # VC 2.0: the credential is the payload
        ({"vc": {"type": ["VerifiableCredential", "AchievementCredential"]}}, True),  # VC 1.1: its vc claim
        ({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"}, False),  # an OB 2.0 signed assertion
        ({"vc": "nonsense"}, False),
    ],
)
def test_only_vc_jwts_of_ob3_credentials_are_listed_as_compact_jws(claims, listed):
    from microcred.obapi.selectors import _ob3_jws

    token = _jws(claims)
    assert (_ob3_jws(token) == token) is listed
    assert _ob3_jws("not.a-jws!.x") is None
