"""Issuing through the learner's real journey, and what makes the result trustworthy."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID

import pytest
from django.db import connection, connections
from django.utils import timezone

from microcred.core.actors import SYSTEM
from microcred.core.models import AuditLog
from microcred.credentials.models import Credential, StatusEntry
from microcred.credentials.resolver import local_key_resolver
from microcred.credentials.services import award_credential, credential_issue
from microcred.credentials.vc import (
    InvalidProof,
    identity_hash,
    unverified_parts,
    validate_ob3_credential,
    verify,
    verify_vc_jwt,
)
from microcred.credentials.vc.jwt import public_key_from_jwk
from microcred.learning.awarding import completion_award
from microcred.learning.models import Completion
from tests.factories import SkillFactory, UserFactory, published_microcredential
from tests.subscriptions import NO_AWARDING

from .conftest import SITE, complete
from .test_cohort import assert_no_leaked_slots

pytestmark = pytest.mark.django_db


def test_completing_a_micro_credential_issues_a_valid_signed_open_badge(world):
    completion = complete(world.mc, world.learner)

    credential = Credential.objects.get(completion=completion)
    document = credential.document
    issuer_id = f"{SITE}/issuers/example-academy"
    assert document["id"] == f"{SITE}/credentials/{credential.uuid}"
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == issuer_id
    assert document["issuer"]["address"] == {"type": ["Address"], "addressCountry": "IE"}

    # The official strict OB 3.0 schema, then the Data Integrity proof and the VC-JWT.
    validate_ob3_credential(document)
    (proof,) = verify(document, resolve_key=local_key_resolver, expected_controller=issuer_id)
    assert proof.cryptosuite == "eddsa-rdfc-2022"
    assert proof.verification_method == f"{issuer_id}#key-1"
    assert isinstance(document["proof"], list) and len(document["proof"]) == 1
    header, _ = unverified_parts(credential.jwt)
    assert header == {"alg": "EdDSA", "kid": f"{issuer_id}#key-1", "typ": "JWT"}
    from_jwt = verify_vc_jwt(credential.jwt, resolve_key=lambda kid, _h: local_key_resolver(kid)[0])
    assert from_jwt["id"] == document["id"]
    assert from_jwt["credentialSubject"] == document["credentialSubject"]

    subject = document["credentialSubject"]
    (identifier,) = subject["identifier"]
    # The e-mail is normalised to lower case before hashing, with a per-credential salt.
    assert identifier["salt"] == credential.recipient_salt
    assert identifier["identityHash"] == identity_hash("ada.lovelace@example.org", credential.recipient_salt)
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    # A random public id, not the row's sequential key: drafts cannot be found by counting.
    assert achievement["id"] == f"{SITE}/achievements/{world.mc.public_id}"
    assert UUID(achievement["id"].rsplit("/", 1)[1]).version == 4
    assert achievement["image"] == {
        "id": f"{SITE}/achievements/{world.mc.public_id}/image.svg",
        "type": "Image",
        "caption": "Data Basics badge",
    }
    assert achievement["creditsAvailable"] == 1
    eqf = next(a for a in achievement["alignment"] if a["targetType"] == "ext:EQFLevel")
    assert eqf["targetUrl"] == "http://data.europa.eu/snb/eqf/5"
    assert eqf["targetFramework"] == "European Qualifications Framework"
    assert achievement["participationForm"] == "online"
    assert achievement["notionalWorkloadHours"] == "25"
    (description,) = achievement["resultDescription"]
    assert description["requiredValue"] == "70" and description["resultType"] == "Percent"
    assert subject["result"] == [
        {"type": ["Result"], "resultDescription": description["id"], "value": "100", "status": "Completed"}
    ]
    assert document["validFrom"] == completion.completed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "validUntil" not in document

    # The credential names its revocation entry; both of its entries are in the database.
    status = document["credentialStatus"]
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{SITE}/status/example-academy/revocation/1"
    entries = {e.status_list.purpose: e.index for e in StatusEntry.objects.filter(credential=credential)}
    assert set(entries) == {"revocation", "suspension"}
    assert status["statusListIndex"] == str(entries["revocation"])

    audit = AuditLog.objects.get(action="credential.issue")
    assert audit.target_id == str(credential.pk) and audit.data["key_id"] == "key-1"
    completion.refresh_from_db()
    assert completion.awarded_at is not None


def test_a_tampered_credential_no_longer_verifies(world):
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    tampered = {**credential.document, "credentialSubject": {**credential.document["credentialSubject"]}}
    tampered["credentialSubject"]["result"] = [{**tampered["credentialSubject"]["result"][0], "value": "71"}]
    with pytest.raises(InvalidProof):
        verify(tampered, resolve_key=local_key_resolver)


def test_skills_validity_and_esco_alignments(world, settings):
    from microcred.catalog.models import MicroCredentialSkill

    mc = published_microcredential(provider=world.provider, slug="esco-course", validity_months=24)
    esco = SkillFactory(label="analyse big data", uri="http://data.europa.eu/esco/skill/1234-abcd")
    own = SkillFactory(label="tidy data")
    MicroCredentialSkill.objects.create(microcredential=mc, skill=esco, target_level="beginner")
    MicroCredentialSkill.objects.create(microcredential=mc, skill=own, target_level="beginner")

    credential = Credential.objects.get(completion=complete(mc, world.learner))

    alignments = {a["targetName"]: a for a in credential.document["credentialSubject"]["achievement"]["alignment"]}
    assert alignments["analyse big data"]["targetType"] == "ext:ESCOSkill"
    assert alignments["tidy data"]["targetType"] == "ext:Skill"
    assert alignments["tidy data"]["targetFramework"] == "Microcred Skills"
    valid_from = credential.valid_from
    assert credential.valid_until == valid_from.replace(year=valid_from.year + 2)
    assert credential.document["validUntil"] == credential.valid_until.strftime("%Y-%m-%dT%H:%M:%SZ")
    validate_ob3_credential(credential.document)


def test_awarding_twice_gives_one_credential(world):
    completion = complete(world.mc, world.learner)
    first = Credential.objects.get(completion=completion)

    again = completion_award(completion=Completion.objects.get(pk=completion.pk))
    assert again == [first]
    assert award_credential(completion=completion, actor=SYSTEM) == first
    assert Credential.objects.filter(completion=completion).count() == 1
    assert AuditLog.objects.filter(action="credential.issue").count() == 1


def test_someone_else_cannot_issue_a_learners_credential(world):
    from microcred.core.errors import NotFound

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MICROCRED_EVENT_SUBSCRIBERS", NO_AWARDING)
        completion = complete(world.mc, world.learner)
    with pytest.raises(NotFound):
        credential_issue(actor=UserFactory(), completion=completion)
    assert not Credential.objects.exists()
    credential = credential_issue(actor=world.instructor, completion=completion)
    assert credential.user == world.learner


def test_issue_time_is_the_given_now(world):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MICROCRED_EVENT_SUBSCRIBERS", NO_AWARDING)
        completion = complete(world.mc, world.learner)
    later = timezone.now() + timedelta(days=3)
    credential = credential_issue(actor=SYSTEM, completion=completion, now=later)
    assert credential.issued_at == later.replace(microsecond=0)
    assert credential.document["awardedDate"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert credential.document["proof"][0]["created"] == credential.document["awardedDate"]


def test_a_credential_that_fails_its_checks_leaves_only_burnt_status_slots(world, monkeypatch):
    from microcred.credentials.cohort import signing
    from microcred.credentials.vc.errors import SchemaInvalid

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MICROCRED_EVENT_SUBSCRIBERS", NO_AWARDING)
        completion = complete(world.mc, world.learner)

    def refuse(document: dict) -> None:
        raise SchemaInvalid("injected failure")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing, "validate_ob3_credential", refuse)
        with pytest.raises(SchemaInvalid, match="injected failure"):  # the verifier's own error, as ever
            credential_issue(actor=SYSTEM, completion=completion)
    # Reserved before signing, in a transaction of their own: burnt, not half of a credential.
    assert not Credential.objects.exists() and not AuditLog.objects.filter(action="credential.issue").exists()
    burnt = set(StatusEntry.objects.values_list("status_list_id", "index", "credential_id", "endorsement_id"))
    assert len(burnt) == 2 and all(credential is None and endorsement is None for *_, credential, endorsement in burnt)
    assert_no_leaked_slots()

    credential = credential_issue(actor=SYSTEM, completion=completion)
    held = set(credential.status_entries.values_list("status_list_id", "index"))
    assert len(held) == 2 and not held & {(sl, index) for sl, index, *_ in burnt}
    assert_no_leaked_slots()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_awards_make_one_credential(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises every writer, so the race this guards against cannot happen there.")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MICROCRED_EVENT_SUBSCRIBERS", NO_AWARDING)
        completion = complete(world.mc, world.learner)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def award() -> None:
        try:
            barrier.wait()
            results.append(credential_issue(actor=SYSTEM, completion=completion).pk)
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=award) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1], results
    assert Credential.objects.filter(completion=completion).count() == 1
    assert StatusEntry.objects.filter(credential__isnull=False).count() == 2  # the loser's slots: burnt
    assert_no_leaked_slots()


def test_issuer_accreditation_is_named_in_its_description(world):
    from datetime import date

    from microcred.accreditation.models import Accreditation
    from tests.factories import AccreditorFactory

    Accreditation.objects.create(
        accreditor=AccreditorFactory(name="Quality Council"),
        provider=world.provider,
        scope="data science short courses",
        reference="QC-42",
        valid_from=date(2020, 1, 1),
    )
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    description = credential.document["issuer"]["description"]
    assert "Accredited by Quality Council for data science short courses (reference QC-42)." in description
    validate_ob3_credential(credential.document)


def test_jwks_key_verifies_the_jwt(world, client):
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    jwks = client.get("/.well-known/jwks.json").json()
    header, _ = unverified_parts(credential.jwt)
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert "d" not in jwk
    assert (
        verify_vc_jwt(credential.jwt, resolve_key=lambda kid, _h: public_key_from_jwk(jwk))["id"]
        == credential.document["id"]
    )
