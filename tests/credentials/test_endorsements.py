"""Accreditation made verifiable: the accreditor signs an EndorsementCredential for the provider,
the provider's credentials and issuer profile carry it, and verifiers see who vouches for whom."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.utils import timezone

from bench import peer
from microcred.accreditation.models import Accreditation, AccreditationStatus
from microcred.accreditation.services import accreditation_grant, accreditation_set_status
from microcred.core import clock
from microcred.core.actors import SYSTEM
from microcred.core.errors import Conflict, PermissionDenied
from microcred.core.models import AuditLog
from microcred.credentials.issuing import CredentialDocuments, issuer_profile_for
from microcred.credentials.keys import KeyDecryptionFailed
from microcred.credentials.keys.services import issuer_key_active
from microcred.credentials.models import AccreditationEndorsement, Credential, StatusEntry
from microcred.credentials.resolver import local_key_resolver
from microcred.credentials.services import accreditation_endorsement_issue, credentials_issue_cohort
from microcred.credentials.vc import InvalidProof, validate_endorsement, validate_ob3_credential, verify
from microcred.credentials.vc.ob3 import IssuerProfile, build_endorsement_credential
from microcred.credentials.vc.statuslist import StatusList as Bitstring
from microcred.verification.services import verify_credential
from tests.factories import AccreditorFactory, MembershipFactory, UserFactory
from tests.subscriptions import NO_AWARDING

from .conftest import SITE, complete, served_contexts

pytestmark = pytest.mark.django_db
PROVIDER_ID = f"{SITE}/issuers/example-academy"
ACCREDITOR_ID = f"{SITE}/issuers/quality-council"
SCOPE = "Short courses in data science (EQF 5-6)"


@pytest.fixture
def accreditor(db):
    organisation = AccreditorFactory(name="Quality Council", slug="quality-council")
    organisation.owner = MembershipFactory(organisation=organisation, role="owner").user
    return organisation


def grant(world, accreditor, **overrides) -> Accreditation:
    values = {
        "scope": SCOPE,
        "reference": "QC-2025-7",
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2030, 12, 31),
        **overrides,
    }
    return accreditation_grant(actor=accreditor.owner, accreditor=accreditor, provider=world.provider, **values)


def live_endorsement(accreditation: Accreditation) -> AccreditationEndorsement:
    return AccreditationEndorsement.objects.get(accreditation=accreditation, revoked_at__isnull=True)


def issued_credential(world, learner=None) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, learner or world.learner))


def revocation_bit(client, endorsement: AccreditationEndorsement) -> int:
    status = endorsement.document["credentialStatus"]
    response = client.get(status["statusListCredential"].removeprefix(SITE), HTTP_ACCEPT="application/vc+ld+json")
    assert response.status_code == 200
    listed = response.json()
    # The list is the accreditor's own, signed with its key.
    assert listed["issuer"] == ACCREDITOR_ID
    verify(listed, resolve_key=local_key_resolver, expected_controller=ACCREDITOR_ID)
    return Bitstring.decode(listed["credentialSubject"]["encodedList"]).get(int(status["statusListIndex"]))


def endorsement_step(report):
    step = report.step("endorsements")
    assert step is not None
    return step


def test_granting_signs_an_endorsement_with_the_accreditors_own_key(world, accreditor, client):
    accreditation = grant(world, accreditor)

    endorsement = live_endorsement(accreditation)
    document = endorsement.document
    validate_endorsement(document, strict=True)  # the official endorsement schema, strict
    (proof,) = verify(document, resolve_key=local_key_resolver, expected_controller=ACCREDITOR_ID)
    assert proof.verification_method == f"{ACCREDITOR_ID}#key-1"
    assert proof.controller == ACCREDITOR_ID and proof.cryptosuite == "eddsa-rdfc-2022"
    assert isinstance(document["proof"], list) and len(document["proof"]) == 1
    assert endorsement.issuer_key.organisation == accreditor and endorsement.issuer == accreditor

    assert document["id"] == f"{SITE}/endorsements/{endorsement.uuid}"
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["issuer"]["id"] == ACCREDITOR_ID and document["issuer"]["name"] == "Quality Council"
    assert document["name"] == "Accreditation of Example Academy by Quality Council"
    assert document["credentialSubject"] == {
        "id": PROVIDER_ID,
        "type": ["EndorsementSubject"],
        "endorsementComment": (
            f"Accredited by Quality Council for: {SCOPE}. Reference: QC-2025-7. Valid from 2025-01-01 until 2030-12-31."
        ),
    }
    assert (document["validFrom"], document["validUntil"]) == ("2025-01-01T00:00:00Z", "2030-12-31T23:59:59Z")
    assert document["credentialSchema"][0]["id"].endswith("ob_v3p0_endorsementcredential_schema.json")
    status = document["credentialStatus"]
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"].startswith(f"{SITE}/status/quality-council/revocation/")
    assert revocation_bit(client, endorsement) == 0

    # Hosted at its id: JSON for anyone, cacheable, CORS.
    response = client.get(f"/endorsements/{endorsement.uuid}", HTTP_ACCEPT="application/vc+ld+json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*" and "max-age" in response["Cache-Control"]
    assert response.json() == document
    assert client.get(f"/endorsements/{endorsement.uuid}", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/endorsements/6e0d3b5c-2222-4e4e-8c8c-000000000022").status_code == 404

    assert AuditLog.objects.filter(action="endorsement.issue", target_id=str(endorsement.pk)).count() == 1


def test_a_credential_issued_afterwards_embeds_the_endorsement_and_verifies(world, accreditor, client):
    endorsement = live_endorsement(grant(world, accreditor))
    credential = issued_credential(world)
    document = credential.document

    assert document["issuer"]["endorsement"] == [endorsement.document]
    assert "Accredited by Quality Council" in document["issuer"]["description"]  # the prose stays too
    validate_ob3_credential(document)  # strict OB 3.0, embedded EndorsementCredential included
    verify(document, resolve_key=local_key_resolver, expected_controller=PROVIDER_ID)
    # The embedded copy verifies on its own, under the accreditor's key.
    verify(document["issuer"]["endorsement"][0], resolve_key=local_key_resolver, expected_controller=ACCREDITOR_ID)

    report = verify_credential(data=document)
    assert report.valid, report.to_json(include_credential=False)
    assert report.step("structure").status == "passed"  # every endorsement term is defined
    step = endorsement_step(report)
    assert step.status == "passed"
    assert step.reason == "1 of 1 endorsement(s) verified. Accredited by Quality Council: endorsement signature valid."
    (nested,) = report.endorsements
    assert nested.valid and nested.endorses == "issuer" and nested.issuer_id == ACCREDITOR_ID
    assert nested.endorsement_comment.startswith("Accredited by Quality Council for:")

    page = client.post("/verify/", {"credential": credential.jwt})
    assert page.status_code == 200
    assert "Accredited by Quality Council: Valid credential" in page.content.decode()

    # The hosted issuer profile carries the same signed endorsement.
    profile = client.get("/issuers/example-academy", HTTP_ACCEPT="application/ld+json").json()
    assert profile["endorsement"] == [endorsement.document]


def test_cohort_issuing_embeds_the_same_issuer_part(world, accreditor, settings):
    settings.MICROCRED_EVENT_SUBSCRIBERS = NO_AWARDING
    endorsement = live_endorsement(grant(world, accreditor))
    today = timezone.now()
    documents = CredentialDocuments.for_microcredential(world.mc, issued_at=today)
    assert documents.issuer == issuer_profile_for(world.provider, today=today.date())
    assert documents.issuer.to_json()["endorsement"] == [endorsement.document]

    completions = [complete(world.mc, UserFactory()) for _ in range(3)]
    credentials_issue_cohort(actor=SYSTEM, microcredential=world.mc, workers=0)
    for completion in completions:
        document = Credential.objects.get(completion=completion).document
        assert document["issuer"]["endorsement"] == [endorsement.document]
        validate_ob3_credential(document)
        verify(document, resolve_key=local_key_resolver, expected_controller=PROVIDER_ID)


def test_withdrawing_revokes_the_endorsement_and_verifiers_are_warned(world, accreditor, client):
    accreditation = grant(world, accreditor)
    endorsement = live_endorsement(accreditation)
    credential = issued_credential(world)

    accreditation_set_status(
        actor=accreditor.owner, accreditation=accreditation, status=AccreditationStatus.WITHDRAWN, reason="Audit failed"
    )

    endorsement.refresh_from_db()
    assert endorsement.revoked_at is not None
    assert endorsement.revocation_reason == "The accreditation was withdrawn: Audit failed"
    assert revocation_bit(client, endorsement) == 1
    assert AuditLog.objects.filter(action="endorsement.revoke", target_id=str(endorsement.pk)).exists()

    # The credential stays valid; the endorsement step warns that the accreditor took it back.
    report = verify_credential(data=credential.document)
    assert report.valid
    step = endorsement_step(report)
    assert step.status == "warning"
    assert "Accredited by Quality Council: endorsement revoked." in step.reason
    assert report.endorsements[0].outcome == "revoked"
    assert step.data["endorsements"][0]["accepted"] is False

    # Neither the profile nor credentials issued from now on carry it.
    assert "endorsement" not in client.get("/issuers/example-academy", HTTP_ACCEPT="application/ld+json").json()
    later = issued_credential(world, UserFactory())
    assert "endorsement" not in later.document["issuer"]


def test_suspension_revokes_and_reactivation_issues_a_fresh_endorsement(world, accreditor, client):
    accreditation = grant(world, accreditor)
    first = live_endorsement(accreditation)

    accreditation_set_status(actor=accreditor.owner, accreditation=accreditation, status=AccreditationStatus.SUSPENDED)
    first.refresh_from_db()
    assert first.revoked_at is not None and revocation_bit(client, first) == 1
    assert not AccreditationEndorsement.objects.filter(accreditation=accreditation, revoked_at__isnull=True).exists()

    accreditation_set_status(actor=accreditor.owner, accreditation=accreditation, status=AccreditationStatus.ACTIVE)
    second = live_endorsement(accreditation)
    assert second.uuid != first.uuid
    assert second.document["credentialStatus"]["id"] != first.document["credentialStatus"]["id"]
    assert revocation_bit(client, second) == 0 and revocation_bit(client, first) == 1  # revocation is final
    assert issued_credential(world).document["issuer"]["endorsement"] == [second.document]

    # Setting the same status again changes nothing.
    accreditation_set_status(actor=accreditor.owner, accreditation=accreditation, status=AccreditationStatus.ACTIVE)
    assert AccreditationEndorsement.objects.filter(accreditation=accreditation).count() == 2


def test_endorsement_bits_never_collide_with_credential_bits(world, accreditor):
    grant(world, accreditor)
    entry = StatusEntry.objects.get(endorsement__isnull=False)
    assert entry.credential_id is None and entry.status_list.organisation == accreditor
    assert entry.status_list.allocated == entry.status_list.entries.count() == 1


def test_only_the_accreditors_owner_or_the_system_signs_for_it(world, accreditor):
    # Rows as an older release left them: accreditations granted before endorsements existed.
    active = Accreditation.objects.create(
        accreditor=accreditor, provider=world.provider, scope=SCOPE, valid_from=date(2025, 1, 1)
    )
    suspended = Accreditation.objects.create(
        accreditor=accreditor,
        provider=world.provider,
        scope=SCOPE,
        valid_from=date(2025, 1, 1),
        status=AccreditationStatus.SUSPENDED,
    )
    with pytest.raises(PermissionDenied):
        accreditation_endorsement_issue(actor=world.owner, accreditation=active)
    endorsement = accreditation_endorsement_issue(actor=SYSTEM, accreditation=active)
    assert accreditation_endorsement_issue(actor=accreditor.owner, accreditation=active) == endorsement
    assert endorsement.document["credentialSubject"]["endorsementComment"].endswith(
        "Valid from 2025-01-01, with no end date."
    )
    assert "validUntil" not in endorsement.document

    with pytest.raises(Conflict) as caught:
        accreditation_endorsement_issue(actor=SYSTEM, accreditation=suspended)
    assert caught.value.code == "accreditation_not_active"
    assert not suspended.endorsements.exists()


def test_an_expired_accreditation_shows_as_an_expired_endorsement(world, accreditor):
    today = timezone.now().date()
    grant(world, accreditor, valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=2))
    credential = issued_credential(world)
    assert len(credential.document["issuer"]["endorsement"]) == 1

    with clock.shifted_to(timezone.now() + timedelta(days=5)):
        report = verify_credential(data=credential.document)
    assert report.valid  # the credential itself (no expiry) is still good
    step = endorsement_step(report)
    assert step.status == "warning" and "Accredited by Quality Council: endorsement expired." in step.reason


def test_a_provider_without_accreditation_carries_no_endorsement(world, client):
    credential = issued_credential(world)
    assert "endorsement" not in credential.document["issuer"]
    assert "endorsement" not in client.get("/issuers/example-academy", HTTP_ACCEPT="application/ld+json").json()
    report = verify_credential(data=credential.document)
    assert report.valid and endorsement_step(report).status == "skipped"


def test_tampering_with_the_embedded_endorsement_breaks_the_credentials_own_proof(world, accreditor):
    grant(world, accreditor)
    document = copy.deepcopy(issued_credential(world).document)
    document["issuer"]["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Accredited for everything."

    with pytest.raises(InvalidProof):
        verify(document, resolve_key=local_key_resolver, expected_controller=PROVIDER_ID)
    report = verify_credential(data=document)
    assert not report.valid and report.step("proof").status == "failed"


def test_an_endorsement_that_cannot_be_signed_leaves_nothing_granted(world, accreditor, settings):
    issuer_key_active(organisation=accreditor)
    # The key-encryption key was changed without re-encrypting: the accreditor cannot sign.
    settings.MICROCRED_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(KeyDecryptionFailed):
        grant(world, accreditor)
    assert not Accreditation.objects.exists() and not AccreditationEndorsement.objects.exists()
    assert not StatusEntry.objects.exists()


@pytest.fixture
def js_peer() -> None:
    try:
        peer.ensure_installed()
    except peer.PeerUnavailable as exc:
        pytest.skip(f"JavaScript reference stack unavailable: {exc}")


def test_a_credential_with_an_embedded_endorsement_verifies_in_the_reference_stack(js_peer, world, accreditor):
    endorsement = live_endorsement(grant(world, accreditor))
    credential = issued_credential(world)
    document = credential.document
    assert document["issuer"]["endorsement"]
    proof = document["proof"][0]
    key = {
        "controller": PROVIDER_ID,
        "vmId": proof["verificationMethod"],
        "publicKeyMultibase": credential.issuer_key.public_key_multibase,
    }
    served = served_contexts(document)
    assert peer.run_script("verify.mjs", {"key": key, "credential": document, "served": served})["verified"] is True

    endorsement_key = {
        "controller": ACCREDITOR_ID,
        "vmId": endorsement.document["proof"][0]["verificationMethod"],
        "publicKeyMultibase": endorsement.issuer_key.public_key_multibase,
    }
    embedded = document["issuer"]["endorsement"][0]
    assert peer.run_script("verify.mjs", {"key": endorsement_key, "credential": embedded})["verified"] is True

    tampered = copy.deepcopy(document)
    tampered["issuer"]["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Accredited for everything."
    assert peer.run_script("verify.mjs", {"key": key, "credential": tampered, "served": served})["verified"] is False


def test_the_demo_accreditations_are_endorsed_and_carried_by_their_providers_credentials():
    call_command("demo", "--quiet")
    endorsed = {
        e.accreditation.provider.slug
        for e in AccreditationEndorsement.objects.filter(revoked_at__isnull=True).select_related(
            "accreditation__provider", "issuer"
        )
        if e.issuer.slug == "edsac"
    }
    assert endorsed == {"northbridge-university", "forge-academy"}
    accredited = Credential.objects.filter(issuer__slug__in=endorsed, status="active").select_related("issuer")
    assert accredited.exists()
    for credential in accredited:
        report = verify_credential(data=credential.document)
        assert report.valid, credential.issuer.slug
        assert "Accredited by European Digital Skills Accreditation Council: endorsement signature valid." in (
            endorsement_step(report).reason
        )


def test_the_core_builder_copies_endorsements_and_checks_the_period():
    signed = {"id": "https://a.example/endorsements/1", "credentialSubject": {"endorsementComment": "Good."}}
    profile = IssuerProfile(id=PROVIDER_ID, name="Example Academy", endorsements=(signed,))
    emitted = profile.to_json()
    emitted["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Changed."
    assert signed["credentialSubject"]["endorsementComment"] == "Good."  # the signed original is untouched
    assert "endorsement" not in IssuerProfile(id=PROVIDER_ID, name="Example Academy").to_json()

    moment = timezone.now()
    with pytest.raises(ValueError, match="valid_until"):
        build_endorsement_credential(
            credential_id="https://a.example/endorsements/2",
            issuer=IssuerProfile(id=ACCREDITOR_ID, name="Quality Council"),
            subject_id=PROVIDER_ID,
            comment="Accredited.",
            name="Accreditation",
            valid_from=moment,
            valid_until=moment,
        )
