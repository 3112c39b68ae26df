"""The skill profile: every source, the best level, and what stops counting (ADR 0035)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from microcred.careers.selectors import skill_profile
from microcred.careers.services import declared_skill_remove, declared_skill_set
from microcred.core.clock import now
from microcred.core.errors import PermissionDenied
from microcred.credentials.services import credential_revoke, credential_suspend, credential_unsuspend

pytestmark = pytest.mark.django_db


def by_label(profile):
    return {item.skill.label: item for item in profile}


def today():
    return now().date()


def test_a_new_learner_has_an_empty_profile(careers):
    assert skill_profile(careers.learner, today=today()) == []


def test_declared_skills_count_but_are_never_verified(careers):
    declared_skill_set(
        actor=careers.learner, learner=careers.learner, skill=careers.sql, level="expert", note="At work"
    )
    item = by_label(skill_profile(careers.learner, today=today()))["SQL"]
    assert (item.level, item.verified, item.verified_level, item.group) == ("expert", False, None, "unverified")
    assert [(s.kind, s.title, s.verified) for s in item.sources] == [("declared", "At work", False)]
    # Declaring again replaces the level; removing takes it away.
    declared_skill_set(actor=careers.learner, learner=careers.learner, skill=careers.sql, level="beginner")
    assert by_label(skill_profile(careers.learner, today=today()))["SQL"].level == "beginner"
    assert declared_skill_remove(actor=careers.learner, learner=careers.learner, skill=careers.sql)
    assert skill_profile(careers.learner, today=today()) == []


def test_a_learner_cannot_declare_for_someone_else(careers):
    with pytest.raises(PermissionDenied):
        declared_skill_set(actor=careers.other, learner=careers.learner, skill=careers.sql, level="expert")


def test_an_earned_credential_proves_its_skills_at_target_and_the_assessment_below(careers):
    careers.complete()
    profile = by_label(skill_profile(careers.learner, today=today()))
    assert set(profile) == {"Data cleaning", "Use spreadsheets software", "Python programming"}
    cleaning = profile["Data cleaning"]
    assert cleaning.verified_level == "intermediate"
    assert {(s.kind, s.level) for s in cleaning.sources} == {("credential", "intermediate"), ("assessment", "beginner")}
    # A beginner target: only the credential proves it, the lesson alone would not.
    assert [(s.kind, s.level) for s in profile["Use spreadsheets software"].sources] == [("credential", "beginner")]
    # The quiz's question was aligned with Python: passing it proves beginner.
    python = profile["Python programming"]
    assert [(s.kind, s.level, s.counts) for s in python.sources] == [("assessment", "beginner", True)]
    assert all(item.group == "verified" for item in profile.values())


def test_a_passed_quiz_without_a_credential_proves_the_levels_below(careers):
    careers.complete(award=False)
    profile = by_label(skill_profile(careers.learner, today=today()))
    assert {label: item.verified_level for label, item in profile.items()} == {
        "Data cleaning": "beginner",
        "Python programming": "beginner",
    }


def test_the_best_level_wins_and_verified_is_kept_apart_from_the_learners_word(careers):
    careers.complete()
    declared_skill_set(actor=careers.learner, learner=careers.learner, skill=careers.cleaning, level="expert")
    item = by_label(skill_profile(careers.learner, today=today()))["Data cleaning"]
    assert (item.level, item.verified_level) == ("expert", "intermediate")
    assert item.sources[0].kind == "credential"  # the strongest verified source first


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_revoked_or_suspended_credentials_stop_counting_with_the_assessments_behind_them(careers, action):
    careers.complete()
    declared_skill_set(actor=careers.learner, learner=careers.learner, skill=careers.python, level="beginner")
    credential = careers.credential()
    if action == "revoke":
        credential_revoke(actor=careers.owner, credential=credential, reason="Issued in error")
    else:
        credential_suspend(actor=careers.owner, credential=credential, reason="Under review")
    profile = by_label(skill_profile(careers.learner, today=today()))
    standing = "revoked" if action == "revoke" else "suspended"
    cleaning = profile["Data cleaning"]
    assert (cleaning.verified, cleaning.level, cleaning.group) == (False, None, "lapsed")
    assert {(s.kind, s.counts, s.standing) for s in cleaning.sources} == {
        ("credential", False, standing),
        ("assessment", False, standing),
    }
    # Only the learner's word is left for Python.
    python = profile["Python programming"]
    assert (python.verified, python.level, python.group) == (False, "beginner", "unverified")
    if action == "suspend":
        credential_unsuspend(actor=careers.owner, credential=credential)
        assert by_label(skill_profile(careers.learner, today=today()))["Data cleaning"].verified_level == "intermediate"


def test_an_expired_credential_stops_counting_after_its_last_day(careers):
    careers.complete()
    credential = careers.credential()
    last_day = credential.valid_until.date()
    assert by_label(skill_profile(careers.learner, today=last_day))["Data cleaning"].verified
    expired = by_label(skill_profile(careers.learner, today=last_day + timedelta(days=1)))
    assert not expired["Data cleaning"].verified
    assert {s.standing for s in expired["Data cleaning"].sources} == {"expired"}
    assert not expired["Python programming"].verified


def test_one_learners_evidence_is_never_anothers(careers):
    careers.complete()
    declared_skill_set(actor=careers.learner, learner=careers.learner, skill=careers.sql, level="expert")
    assert skill_profile(careers.other, today=today()) == []
