"""Credentials earned elsewhere: verified first, refused with the verifier's reason, re-checked.

"Elsewhere" is our own issuer here (the verifier resolves its keys in-process): the credential is
issued by the real services, uploaded as the learner would, and tampered with byte by byte."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import external_standing, skill_profile
from microcred.careers.services import (
    CredentialNotAccepted,
    external_credential_recheck,
    external_credential_remove,
    external_credential_upload,
)
from microcred.core.clock import now
from microcred.core.errors import Conflict, PermissionDenied, ValidationFailed
from microcred.core.models import AuditLog
from microcred.credentials.services import credential_revoke
from tests.careers.conftest import aligned_microcredential

pytestmark = pytest.mark.django_db


def external_sources(user, label):
    profile = {item.skill.label: item for item in skill_profile(user, today=now().date())}
    return [s for s in profile[label].sources if s.kind == "external"]


def test_a_valid_credential_is_kept_with_the_skills_its_alignments_name(careers):
    careers.earn_elsewhere()
    document = careers.credential().document
    external = external_credential_upload(actor=careers.learner, learner=careers.learner, document=json.dumps(document))
    assert (external.outcome, external.issuer_name, external.achievement_name) == (
        "valid",
        "Example Academy",
        "Tidy Data",
    )
    assert external.recipient_email == careers.learner.email
    assert {(link.skill.label, link.evidence) for link in external.skill_links.select_related("skill")} == {
        ("Data cleaning", "alignment"),
        ("Use spreadsheets software", "alignment"),
    }
    assert [(s.level, s.counts) for s in external_sources(careers.learner, "Data cleaning")] == [("beginner", True)]
    assert AuditLog.objects.filter(action="external_credential.accept", target_id=str(external.pk)).exists()
    # The same credential twice is refused.
    with pytest.raises(Conflict):
        external_credential_upload(actor=careers.learner, learner=careers.learner, document=json.dumps(document))


def test_a_vc_jwt_is_taken_too_and_an_achievement_name_is_matched_to_a_skill(careers):
    sql_course = aligned_microcredential(
        provider=careers.provider,
        skills=[],
        question_skill=careers.python,
        slug="sql",
        title="Structured query language",
    )
    jwt = careers.earn_elsewhere(mc=sql_course).jwt
    external = external_credential_upload(actor=careers.learner, learner=careers.learner, document=jwt.encode())
    assert [(link.skill.label, link.evidence, link.matched_text) for link in external.skill_links.all()] == [
        ("SQL", "matched", "Structured query language")
    ]


def test_a_tampered_copy_is_refused_with_the_reason_and_nothing_is_stored(careers):
    careers.complete()
    tampered = copy.deepcopy(careers.credential().document)
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Data Science"
    with pytest.raises(CredentialNotAccepted) as refused:
        external_credential_upload(actor=careers.learner, learner=careers.learner, document=tampered)
    assert refused.value.code == "credential_not_accepted"
    assert refused.value.message.startswith("Not accepted. Not valid:")
    assert refused.value.data["outcome"] == "invalid"
    assert not ExternalCredential.objects.exists()


def test_someone_elses_credential_is_refused(careers):
    careers.complete()
    with pytest.raises(CredentialNotAccepted) as refused:
        external_credential_upload(
            actor=careers.other, learner=careers.other, document=json.dumps(careers.credential().document)
        )
    assert "not issued to grace@example.org" in refused.value.message
    assert not ExternalCredential.objects.exists()


def test_a_revoked_credential_is_refused_at_upload(careers):
    careers.complete()
    credential = careers.credential()
    credential_revoke(actor=careers.owner, credential=credential, reason="Issued in error")
    with pytest.raises(CredentialNotAccepted) as refused:
        external_credential_upload(actor=careers.learner, learner=careers.learner, document=credential.document)
    assert refused.value.data["outcome"] == "revoked"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("", "Nothing was uploaded."),
        ("   ", "Nothing was uploaded."),
        (b"\xff\xfe\x00binary", "The file is not text."),
        ("x" * (512 * 1024 + 1), "The credential is larger than 512 KB."),
    ],
)
def test_unusable_uploads_are_refused_before_verifying(careers, document, message):
    with pytest.raises(ValidationFailed) as refused:
        external_credential_upload(actor=careers.learner, learner=careers.learner, document=document)
    assert refused.value.message == message


def test_a_recheck_stores_the_revocation_and_its_skills_stop_counting(careers):
    careers.earn_elsewhere()
    credential = careers.credential()
    external = external_credential_upload(actor=careers.learner, learner=careers.learner, document=credential.document)
    credential_revoke(actor=careers.owner, credential=credential, reason="Issued in error")
    # Until re-checked, the stored outcome stands.
    assert external_sources(careers.learner, "Data cleaning")[0].counts
    with pytest.raises(PermissionDenied):
        external_credential_recheck(actor=careers.other, credential=external)
    checked = external_credential_recheck(actor=careers.learner, credential=external)
    assert (checked.outcome, checked.headline) == ("revoked", "Revoked by the issuer")
    assert any(step["name"] == "status" and step["status"] == "failed" for step in checked.report_summary)
    [source] = external_sources(careers.learner, "Data cleaning")
    assert (source.counts, source.standing) == (False, "revoked")
    external_credential_remove(actor=careers.learner, credential=checked)
    assert not ExternalCredential.objects.exists()


def test_an_uploaded_credential_stops_counting_after_its_stated_end(careers):
    careers.earn_elsewhere()
    external = external_credential_upload(
        actor=careers.learner, learner=careers.learner, document=careers.credential().document
    )
    end = external.valid_until.date()
    assert external_standing(external, today=end).counts
    after = external_standing(external, today=end + timedelta(days=1))
    assert (after.counts, after.code) == (False, "expired")


def test_a_credential_issued_here_is_already_the_learners_and_is_not_imported_again(careers):
    careers.complete()
    ours = careers.credential()
    for document in (json.dumps(ours.document), ours.jwt):
        with pytest.raises(Conflict) as refused:
            external_credential_upload(actor=careers.learner, learner=careers.learner, document=document)
        assert refused.value.message == "This credential was issued to you here: it is already in My credentials."
    assert not ExternalCredential.objects.exists()


def test_one_credential_is_imported_once_whatever_file_carries_it(careers):
    credential = careers.earn_elsewhere()
    external_credential_upload(actor=careers.learner, learner=careers.learner, document=credential.jwt)
    with pytest.raises(Conflict) as refused:
        external_credential_upload(
            actor=careers.learner, learner=careers.learner, document=json.dumps(credential.document)
        )
    assert "already added this credential" in refused.value.message
    assert ExternalCredential.objects.count() == 1
