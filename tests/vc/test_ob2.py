"""Open Badges 2.0 assertions: hosted and signed verification, baked images, the legacy report.

Fixtures from the 1EdTech validator's tests and the OB 2.0 specification's examples
(``data/ob2/README.md``), and badges signed here with real RSA and EC keys; issuers' documents
are served by the core's StaticFetcher, offline is the DisabledFetcher.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from microcred.credentials.vc.baking import bake_png, detect_and_extract, unbake_png, unbake_svg
from microcred.credentials.vc.errors import MalformedCredential, RecipientMismatch
from microcred.credentials.vc.fetch import DisabledFetcher, StaticFetcher
from microcred.credentials.vc.ob2.documents import check_recipient_email, parse_date
from microcred.credentials.vc.verifier import Outcome, StepStatus, VerificationReport, verify_presented
from microcred.credentials.vc.verifier.reading import OB2, read_presented
from tests.vc.ob2_world import (
    ASSERTION_URL,
    BADGE_URL,
    DATA,
    EMAIL,
    ISSUER_URL,
    KEY_URL,
    NOW,
    ORIGIN,
    REVOCATIONS_URL,
    SIGNED_ID,
    Ob2World,
    badge_class,
    hosted_assertion,
    hosted_world,
    issuer_profile,
    key_document,
    no_key,
    ob2_svg,
    png_with_text_chunk,
    read_json,
    rsa_key,
    sign,
    signed_assertion,
    signed_world,
    swap_payload,
    verifier,
)
from tests.verification.builders import png_image


def status(report: VerificationReport, name: str) -> StepStatus:
    step = report.step(name)
    assert step is not None
    return step.status


def code(report: VerificationReport, name: str) -> str | None:
    step = report.step(name)
    assert step is not None
    return step.code


def reason(report: VerificationReport, name: str) -> str:
    step = report.step(name)
    assert step is not None
    return step.reason


def validator_core_world() -> Ob2World:
    return Ob2World().publish(
        read_json("validator-core/2_0_basic_assertion.json"),
        read_json("validator-core/2_0_basic_badgeclass.json"),
        read_json("validator-core/2_0_basic_issuer.json"),
    )


# --- hosted --------------------------------------------------------------------------------


def test_validator_core_hosted_assertion_is_valid_and_reported_as_the_legacy_format() -> None:
    presented = (DATA / "validator-core/2_0_basic_assertion.json").read_text()
    report = validator_core_world().verify(presented, recipient_email="nobody@example.org")
    assert report.outcome is Outcome.VALID
    assert (report.format, report.vc_version) == ("ob2-hosted", None)
    assert "Open Badges 2.0 assertion (legacy format" in reason(report, "read")
    assert status(report, "proof") is StepStatus.PASSED and "Hosted verification" in reason(report, "proof")
    assert status(report, "issuer") is StepStatus.PASSED and "example.org" in reason(report, "issuer")
    assert status(report, "recipient") is StepStatus.PASSED
    assert report.achievement_name == "Awesome Robotics Badge"
    assert report.achievement_image == "https://example.org/robotics-badge.png"
    assert (report.issuer_id, report.issuer_name) == (
        "https://example.org/organization.json",
        "An Example Badge Issuer",
    )
    assert report.valid_from == "2016-12-31T23:59:59Z" and report.subject == "email (hashed)"
    body = report.to_json()
    assert body["format"] == "ob2-hosted" and body["achievement"]["name"] == "Awesome Robotics Badge"


def test_validator_core_1_1_assertion_verifies_too() -> None:
    world = validator_core_world().publish(read_json("validator-core/1_1_basic_assertion.json"))
    report = world.verify(read_json("validator-core/1_1_basic_assertion.json"))
    assert report.outcome is Outcome.VALID
    assert "Open Badges 1.1 assertion" in reason(report, "schema")


def test_validator_core_1_0_assertion_is_found_by_its_verify_url() -> None:
    # OB 1.0: no @context, no id; the hosted URL is verify.url, the documents have no ids or types.
    presented = read_json("validator-core/1_0_basic_assertion.json")
    world = Ob2World()
    world.documents.update(
        {
            "http://a.com/instance": presented,
            "http://a.com/badgeclass": read_json("validator-core/1_0_basic_badgeclass.json"),
            "http://a.com/issuer": read_json("validator-core/1_0_basic_issuer.json"),
        }
    )
    report = world.verify(json.dumps(presented), recipient_email="test@example.com")
    assert report.outcome is Outcome.VALID, [s.to_json() for s in report.steps]
    assert (report.achievement_name, report.issuer_name) == ("Basic Badge", "Basic Issuer")
    assert report.valid_from == "2015-04-30" and "Open Badges 1.0" in reason(report, "schema")


def test_hosted_offline_is_cannot_check_never_valid_nor_invalid() -> None:
    presented = (DATA / "validator-core/2_0_basic_assertion.json").read_text()
    report = verifier(DisabledFetcher().fetch).run(presented, recipient_email="nobody@example.org")
    assert report.outcome is Outcome.UNSUPPORTED
    assert report.format == "ob2-hosted"
    assert status(report, "proof") is StepStatus.UNSUPPORTED
    assert "does not mean it is forged" in reason(report, "proof")
    assert status(report, "status") is StepStatus.SKIPPED
    # What the presented copy says is shown, and said to be unconfirmed.
    assert "not confirmed" in reason(report, "schema")
    assert report.credential_id == "https://example.org/beths-robotics-badge.json"


def test_the_hosted_copy_is_the_assertion_whatever_the_presented_copy_says() -> None:
    world = hosted_world()
    forged = hosted_assertion(recipient={"type": "email", "hashed": False, "identity": "mallory@example.org"})
    report = world.verify(forged, recipient_email="mallory@example.org")
    assert status(report, "proof") is StepStatus.PASSED
    proof = report.step("proof")
    assert proof is not None and proof.data["differs_from_presented"] == ["recipient"]
    assert status(report, "recipient") is StepStatus.FAILED
    assert code(report, "recipient") == "recipient_mismatch"
    assert report.credential is not None and report.credential["recipient"]["hashed"] is True
    assert world.verify(forged, recipient_email=EMAIL).outcome is Outcome.VALID


def test_revoked_hosted_assertion_is_revoked() -> None:
    world = hosted_world()
    world.publish({"id": ASSERTION_URL, "revoked": True, "revocationReason": "Awarded in error"})
    report = world.verify(hosted_assertion())
    assert report.outcome is Outcome.REVOKED
    assert code(report, "status") == "revoked" and "Awarded in error" in reason(report, "status")
    # The stripped revoked copy says little: what was presented is what the page shows.
    assert (report.credential_id, report.subject) == (ASSERTION_URL, "email (hashed)")


def test_410_gone_means_revoked() -> None:
    world = hosted_world()
    world.gone.add(ASSERTION_URL)
    report = world.verify(hosted_assertion())
    assert report.outcome is Outcome.REVOKED
    assert "410 Gone" in reason(report, "status")


def test_assertion_hosted_outside_the_issuers_origin_is_invalid() -> None:
    elsewhere = "https://evil.example/assertions/1.json"
    world = hosted_world().publish(hosted_assertion(id=elsewhere))
    report = world.verify(hosted_assertion(id=elsewhere))
    assert report.outcome is Outcome.INVALID
    assert status(report, "issuer") is StepStatus.FAILED and code(report, "issuer") == "issuer_mismatch"
    assert "evil.example" in reason(report, "issuer")


def test_allowed_origins_and_starts_with_are_the_issuers_rules() -> None:
    elsewhere = "https://host.example/guild/assertions/1.json"
    allowed = issuer_profile(verification={"type": "VerificationObject", "allowedOrigins": ["host.example"]})
    world = hosted_world().publish(hosted_assertion(id=elsewhere), allowed)
    assert world.verify(hosted_assertion(id=elsewhere)).outcome is Outcome.VALID
    # The issuer's own origin is no longer allowed once it lists others.
    assert world.verify(hosted_assertion()).outcome is Outcome.INVALID
    prefixed = issuer_profile(verification={"startsWith": f"{ORIGIN}/assertions/"})
    world.publish(prefixed, hosted_assertion(id=f"{ORIGIN}/other/1.json"))
    assert world.verify(hosted_assertion()).outcome is Outcome.VALID
    report = world.verify(hosted_assertion(id=f"{ORIGIN}/other/1.json"))
    assert report.outcome is Outcome.INVALID and "prefix" in reason(report, "issuer")


def test_an_embedded_issuer_profile_is_not_believed_over_the_hosted_one() -> None:
    # Whoever hosts the assertion wrote the embedded profile: only the issuer's copy sets the policy.
    elsewhere = "https://evil.example/assertions/1.json"
    lying = dict(badge_class(), issuer=issuer_profile(verification={"allowedOrigins": "evil.example"}))
    world = hosted_world().publish(hosted_assertion(id=elsewhere, badge=lying))
    report = world.verify(hosted_assertion(id=elsewhere, badge=lying))
    assert report.outcome is Outcome.INVALID and code(report, "issuer") == "issuer_mismatch"


def test_a_document_that_speaks_for_another_url_is_refused() -> None:
    world = hosted_world()
    world.documents[ISSUER_URL] = dict(issuer_profile(), id="https://university.example/issuer")
    report = world.verify(hosted_assertion())
    assert report.outcome is Outcome.INVALID
    assert code(report, "proof") == "malformed" and "says it is" in reason(report, "proof")


def test_badge_class_unreachable_is_cannot_check() -> None:
    world = hosted_world()
    del world.documents[BADGE_URL]
    report = world.verify(hosted_assertion())
    assert report.outcome is Outcome.UNSUPPORTED
    assert status(report, "proof") is StepStatus.UNSUPPORTED and BADGE_URL in reason(report, "proof")


def test_expired_assertion_from_the_specification_is_expired() -> None:
    example = read_json("spec/hosted-example-assertion.json")
    world = Ob2World().publish(
        example,
        read_json("validator-core/2_0_basic_badgeclass.json"),
        read_json("validator-core/2_0_basic_issuer.json"),
    )
    report = world.verify(example)
    assert report.outcome is Outcome.EXPIRED
    assert code(report, "validity") == "expired" and report.valid_until == "2017-06-30T23:59:59Z"
    issued_early = world.verify(example, now=datetime(2017, 1, 2, tzinfo=UTC))
    assert issued_early.outcome is Outcome.VALID
    assert world.verify(example, now=datetime(2016, 6, 1, tzinfo=UTC)).outcome is Outcome.NOT_YET_VALID


def test_missing_required_properties_fail_the_schema_step() -> None:
    incomplete = hosted_assertion()
    del incomplete["issuedOn"]
    world = hosted_world().publish(incomplete)
    report = world.verify(incomplete)
    assert report.outcome is Outcome.INVALID
    assert code(report, "schema") == "schema_invalid" and "issuedOn" in reason(report, "schema")


# --- signed --------------------------------------------------------------------------------


def test_signed_badge_verifies_with_the_issuers_key() -> None:
    world = signed_world()
    token = sign(signed_assertion(), rsa_key())
    report = world.verify(token, recipient_email=EMAIL)
    assert report.outcome is Outcome.VALID, [s.to_json() for s in report.steps]
    assert (report.format, report.vc_version) == ("ob2-signed", None)
    proof = report.step("proof")
    assert proof is not None and proof.data == {"alg": "RS256", "key": KEY_URL}
    assert "names it as its owner" in reason(report, "issuer")
    assert REVOCATIONS_URL in reason(report, "status")
    assert (report.credential_id, report.achievement_name) == (SIGNED_ID, "Robot Wrangler")
    assert report.issuer_name == "Example Robotics Guild"


def test_tampered_signed_badge_is_invalid() -> None:
    world = signed_world()
    token = sign(signed_assertion(), rsa_key())
    for change in ({"issuedOn": "2020-01-01T00:00:00Z"}, {"recipient": {"type": "email", "identity": "eve@x.org"}}):
        report = world.verify(swap_payload(token, signed_assertion(**change)))
        assert report.outcome is Outcome.INVALID
        assert code(report, "proof") == "invalid_proof"
        assert status(report, "issuer") is StepStatus.SKIPPED


def test_signed_badge_in_the_revocation_list_is_revoked() -> None:
    world = signed_world()
    world.documents[REVOCATIONS_URL]["revokedAssertions"].append(
        {"id": SIGNED_ID, "revocationReason": "Plagiarised project"}
    )
    report = world.verify(sign(signed_assertion(), rsa_key()))
    assert report.outcome is Outcome.REVOKED
    assert "Plagiarised project" in reason(report, "status")


def test_the_specifications_revocation_list_entries_are_read() -> None:
    revocations = read_json("spec/revocation-list.json")
    world = signed_world().publish(dict(revocations, id=REVOCATIONS_URL))
    revoked_id = "urn:uuid:e79a6c18-787e-4868-8e65-e6a4530fb418"
    report = world.verify(sign(signed_assertion(id=revoked_id), rsa_key()))
    assert report.outcome is Outcome.REVOKED and "Honor code violation" in reason(report, "status")
    by_uid = world.verify(sign(signed_assertion(uid="abc123"), rsa_key()))
    assert by_uid.outcome is Outcome.REVOKED
    assert world.verify(sign(signed_assertion(), rsa_key())).outcome is Outcome.VALID


def test_revocation_list_unreachable_is_cannot_check() -> None:
    world = signed_world()
    del world.documents[REVOCATIONS_URL]
    report = world.verify(sign(signed_assertion(), rsa_key()))
    assert status(report, "status") is StepStatus.UNSUPPORTED
    assert report.outcome is Outcome.UNSUPPORTED


def test_a_key_the_issuer_does_not_list_or_own_is_not_the_issuers() -> None:
    world = signed_world(publicKey="https://badges.example.org/keys/other.json")
    report = world.verify(sign(signed_assertion(), rsa_key()))
    assert status(report, "proof") is StepStatus.PASSED
    assert report.outcome is Outcome.INVALID and code(report, "issuer") == "issuer_mismatch"
    world = signed_world()
    world.publish(key_document(rsa_key(), owner="https://someone.example/issuer"))
    report = world.verify(sign(signed_assertion(), rsa_key()))
    assert report.outcome is Outcome.INVALID and "owner" in reason(report, "issuer")


def test_a_signature_by_another_key_is_invalid() -> None:
    world = signed_world()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    report = world.verify(sign(signed_assertion(), other))
    assert report.outcome is Outcome.INVALID and code(report, "proof") == "invalid_proof"


def test_without_a_creator_the_issuers_listed_keys_are_tried() -> None:
    world = signed_world()
    report = world.verify(sign(signed_assertion(verification={"type": "signed"}), rsa_key()))
    assert report.outcome is Outcome.VALID


def test_es256_signed_badge_verifies() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    world = signed_world(private)
    assert world.verify(sign(signed_assertion(), private, "ES256")).outcome is Outcome.VALID


@pytest.mark.filterwarnings("ignore:Key size should be:joserfc.errors.SecurityWarning")
def test_weak_rsa_keys_and_hmac_are_refused() -> None:
    weak = rsa_key(1024)
    report = signed_world(weak).verify(sign(signed_assertion(), weak))
    assert report.outcome is Outcome.INVALID and "too weak" in reason(report, "proof")
    header = "eyJhbGciOiJIUzI1NiJ9"  # {"alg":"HS256"}
    token = sign(signed_assertion(), rsa_key())
    report = signed_world().verify(header + token[token.index(".") :])
    assert status(report, "proof") is StepStatus.UNSUPPORTED and report.outcome is not Outcome.VALID


def test_signed_offline_is_cannot_check() -> None:
    report = verifier(DisabledFetcher().fetch).run(sign(signed_assertion(), rsa_key()))
    assert report.outcome is Outcome.UNSUPPORTED and report.format == "ob2-signed"
    assert status(report, "proof") is StepStatus.UNSUPPORTED


def test_signed_assertion_presented_without_its_jws_is_invalid() -> None:
    report = signed_world().verify(signed_assertion())
    assert report.outcome is Outcome.INVALID and code(report, "proof") == "invalid_proof"


def test_the_specifications_signed_example() -> None:
    token = (DATA / "spec/signed-example.jws").read_text().strip()
    offline = verifier(DisabledFetcher().fetch).run(token)
    assert offline.outcome is Outcome.UNSUPPORTED and offline.format == "ob2-signed"
    # Its key "does not exist" (the specification says so): any key served for it fails.
    world = Ob2World().publish(
        read_json("validator-core/2_0_basic_badgeclass.json"),
        dict(read_json("validator-core/2_0_basic_issuer.json"), publicKey="https://example.org/publicKey"),
        dict(
            key_document(rsa_key(), owner="https://example.org/organization.json"), id="https://example.org/publicKey"
        ),
    )
    report = world.verify(token)
    assert report.outcome is Outcome.INVALID and code(report, "proof") == "invalid_proof"


# --- reading and baked images --------------------------------------------------------------


def test_reading_recognises_each_form() -> None:
    token = sign(signed_assertion(), rsa_key())
    assertion = hosted_assertion()
    cases: list[tuple[Any, str, str]] = [
        (assertion, "json", "json"),
        (json.dumps(assertion), "json", "json"),
        (token, "jwt", "jwt"),
    ]
    for data, container, payload in cases:
        presented = read_presented(data)
        assert (presented.container, presented.payload, presented.legacy) == (container, payload, OB2)
    assert read_presented(token).token == token


def test_baked_png_itxt_and_legacy_text_chunks() -> None:
    image = png_image()
    world = hosted_world()
    json_png = png_with_text_chunk(image, b"iTXt", b"openbadges", json.dumps(hosted_assertion()).encode())
    assert unbake_png(json_png).startswith("{")
    report = world.verify(json_png)
    assert report.outcome is Outcome.VALID and report.format == "ob2-hosted"
    assert "baked into a PNG image" in reason(report, "read")
    url_png = png_with_text_chunk(image, b"tEXt", b"openbadges", ASSERTION_URL.encode())
    presented = read_presented(url_png)
    assert (presented.payload, presented.reference) == ("url", ASSERTION_URL)
    assert world.verify(url_png).outcome is Outcome.VALID
    token = sign(signed_assertion(), rsa_key())
    signed_png = png_with_text_chunk(image, b"iTXt", b"openbadges", token.encode())
    assert signed_world().verify(signed_png).outcome is Outcome.VALID


def test_an_ob3_credential_wins_over_a_stale_ob2_chunk() -> None:
    stale = png_with_text_chunk(png_image(), b"tEXt", b"openbadges", ASSERTION_URL.encode())
    baked = bake_png(stale, '{"@context": ["https://www.w3.org/ns/credentials/v2"]}')
    assert detect_and_extract(baked)[1].startswith("{")


def test_baked_svg_body_verify_url_and_jws() -> None:
    world = hosted_world()
    with_body = ob2_svg(verify=ASSERTION_URL, body=json.dumps(hosted_assertion()))
    assert world.verify(with_body).outcome is Outcome.VALID
    url_only = ob2_svg(verify=ASSERTION_URL)
    assert read_presented(url_only).reference == ASSERTION_URL
    report = world.verify(url_only)
    assert report.outcome is Outcome.VALID and "baked into a SVG image" in reason(report, "read")
    token = sign(signed_assertion(), rsa_key())
    assert signed_world().verify(ob2_svg(verify=token)).outcome is Outcome.VALID


def test_bakery_svg_fixture_is_extracted() -> None:
    svg = (DATA / "bakery/baked.svg").read_text()
    assert json.loads(unbake_svg(svg)) == {"verify": {"url": "http://example.org"}}
    # Not an assertion (no recipient, no badge): not taken for one.
    assert read_presented(svg).legacy is None
    with pytest.raises(MalformedCredential, match="openbadges:assertion element is empty"):
        unbake_svg(ob2_svg(verify=""))


def test_through_the_public_entry_point() -> None:
    world = hosted_world()
    report = verify_presented(
        json.dumps(hosted_assertion()), now=NOW, resolve_key=no_key, fetch_document=world.fetch, recipient_email=EMAIL
    )
    assert report.valid and report.format == "ob2-hosted"
    static = StaticFetcher(world.documents)
    again = verify_presented(hosted_assertion(), now=NOW, resolve_key=no_key, fetch_document=static.fetch)
    assert again.valid


# --- the pieces ----------------------------------------------------------------------------


def test_dates_of_every_ob_version() -> None:
    assert parse_date("2016-12-31T23:59:59Z", "issuedOn") == datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert parse_date("2015-04-30", "issuedOn") == datetime(2015, 4, 30, tzinfo=UTC)
    assert parse_date(1430352000, "issuedOn") == datetime(2015, 4, 30, tzinfo=UTC)
    assert parse_date("1430352000", "issuedOn") == datetime(2015, 4, 30, tzinfo=UTC)
    for bad in ("yesterday", "2015-13-01", True, None):
        with pytest.raises(MalformedCredential):
            parse_date(bad, "issuedOn")


def test_recipient_hashes_and_plain_identities() -> None:
    assertion = read_json("validator-core/2_0_basic_assertion.json")
    check_recipient_email(assertion, "nobody@example.org")
    check_recipient_email(assertion, "NoBody@Example.org")
    md5 = dict(assertion, recipient={"type": "email", "hashed": True, "salt": "", "identity": "md5$" + "0" * 32})
    with pytest.raises(RecipientMismatch, match="not issued to"):
        check_recipient_email(md5, "nobody@example.org")
    plain = dict(assertion, recipient={"type": "email", "hashed": False, "identity": "ada@example.org"})
    check_recipient_email(plain, "Ada@example.org")
    with pytest.raises(RecipientMismatch, match="no e-mail recipient"):
        check_recipient_email(dict(assertion, recipient={"type": "url", "identity": "https://x"}), "a@b.org")


def test_unknown_verification_type_fails_the_schema_step() -> None:
    report = hosted_world().verify(hosted_assertion(verification={"type": "BlockchainBadge"}))
    assert report.outcome is Outcome.INVALID and "Unknown verification type" in reason(report, "schema")


def test_fetches_stay_within_the_documents_the_badge_needs() -> None:
    world = signed_world()
    world.verify(sign(signed_assertion(), rsa_key()))
    assert world.fetched == [BADGE_URL, ISSUER_URL, KEY_URL, REVOCATIONS_URL]


def test_an_issuer_without_a_web_address_is_only_a_warning_of_self_description() -> None:
    urn = "urn:uuid:5b0c7c55-2f7e-4c8e-9a54-5a0d3cf1f0aa"
    embedded = dict(badge_class(), id="urn:uuid:badge-1", issuer=dict(issuer_profile(), id=urn, publicKey=KEY_URL))
    world = Ob2World().publish(key_document(rsa_key(), owner=urn))
    report = world.verify(sign(signed_assertion(badge=embedded), rsa_key()))
    assert report.outcome is Outcome.VALID and report.issuer_id == urn
    assert status(report, "issuer") is StepStatus.WARNING and "no web address" in reason(report, "issuer")
    hosted = hosted_world().publish(hosted_assertion(badge=embedded))
    report = hosted.verify(hosted_assertion(badge=embedded))
    assert status(report, "issuer") is StepStatus.WARNING and "proves nothing" in reason(report, "issuer")


def test_trying_the_issuers_keys_is_bounded() -> None:
    keys = [f"{ORIGIN}/keys/retired-{number}.json" for number in range(8)]
    world = signed_world(publicKey=keys)
    report = world.verify(sign(signed_assertion(verification={"type": "SignedBadge"}), rsa_key()))
    assert report.outcome is Outcome.UNSUPPORTED
    assert len([url for url in world.fetched if "/keys/" in url]) == 5
