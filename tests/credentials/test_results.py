"""Results that travel (ADR 0029): a micro-credential completed by a quiz and a project graded with a
rubric, with weights and a minimum, issues a credential carrying the project's score, its rubric
levels, its evidence and the overall weighted score, each result naming its description on the
achievement. Every credential is checked against the official OB 3.0 schema, both proofs and the
JavaScript reference stack where it is installed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import TestCase

from bench import peer
from microcred.accounts.models import User
from microcred.assessment.services import attempt_start, attempt_submit, quiz_lesson_create
from microcred.catalog.models import Lesson, LessonKind, MicroCredential
from microcred.catalog.services import lesson_create, microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.credentials.models import Credential
from microcred.credentials.resolver import local_key_resolver
from microcred.credentials.vc import validate_ob3_credential, verify, verify_vc_jwt
from microcred.learning.models import Completion, Enrolment
from microcred.learning.services import enrolment_create, lesson_complete
from microcred.projects.models import Submission
from microcred.projects.services import (
    assignment_lesson_create,
    regrade_request_create,
    regrade_request_decide,
    submission_create,
    submission_grade,
)
from tests.factories import (
    QUIZ_QUESTIONS,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    correct_answers,
    microcredential_fields,
)

from .conftest import SITE, served_contexts

pytestmark = pytest.mark.django_db

RUBRIC: dict[str, Any] = {
    "criteria": [
        {
            "name": "Analysis",
            "description": "Reasoning from the data.",
            "levels": [
                {"name": "Missing", "points": 0, "descriptor": "No analysis."},
                {"name": "Partial", "points": 2, "descriptor": "Some claims supported."},
                {"name": "Thorough", "points": 4, "descriptor": "Every claim supported."},
            ],
        },
        {"name": "Clarity", "levels": [{"name": "Unclear", "points": 0}, {"name": "Clear", "points": 2}]},
    ]
}
GOOD = {"Analysis": "Partial", "Clarity": "Clear"}  # 4 of 6: 66.67 %
BEST = {"Analysis": "Thorough", "Clarity": "Clear"}  # 6 of 6
LINK = "https://git.example.org/grace/survey-analysis"


def _course(
    *, min_score: int | None = None, overall_pass_mark: int | None = None
) -> tuple[MicroCredential, User, User]:
    """A reading, a capstone (weight 3, pass mark 50) and a final quiz (weight 1, pass mark 70),
    supervised on site with the learner's identity checked."""
    provider = OrganisationFactory(name="Example Academy", slug="example-academy")
    fields = microcredential_fields(
        slug="weighed", supervision="onsite", identity_verified=True, overall_pass_mark=overall_pass_mark
    )
    mc = microcredential_create(actor=SYSTEM, provider=provider, **fields)
    module = module_create(actor=SYSTEM, microcredential=mc, title="Work")
    lesson_create(actor=SYSTEM, module=module, title="Read first", kind="reading", body="Read.")
    assignment_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Capstone",
        instructions="Analyse the survey.",
        rubric=RUBRIC,
        passing_score=50,
        submission_kinds=["text", "links"],
        weight=3,
        min_score=min_score,
    )
    quiz_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Final quiz",
        questions=QUIZ_QUESTIONS,
        passing_score=70,
        unlimited_attempts=True,
        weight=1,
    )
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    grader, instructor = UserFactory(), UserFactory()
    MembershipFactory(user=grader, organisation=provider, role="grader")
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    return mc, grader, instructor


def _lesson(mc: MicroCredential, kind: str) -> Lesson:
    return Lesson.objects.get(module__microcredential=mc, kind=kind)


def _quiz_and_submit(mc: MicroCredential, learner: User) -> tuple[Enrolment, Submission]:
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    lesson_complete(actor=learner, enrolment=enrolment, lesson=_lesson(mc, LessonKind.READING))
    attempt = attempt_start(actor=learner, quiz=_lesson(mc, LessonKind.QUIZ).quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    assert not Completion.objects.filter(enrolment=enrolment).exists()  # the capstone is still to do
    submission = submission_create(
        actor=learner,
        enrolment=enrolment,
        assignment=_lesson(mc, LessonKind.ASSIGNMENT).assignment,
        text="My report.",
        links=[LINK],
    )
    return enrolment, submission


def check(credential: Credential) -> dict[str, Any]:
    """The official schema, both proofs, and the JavaScript reference stack when it is installed."""
    document = credential.document
    issuer_id = document["issuer"]["id"]
    validate_ob3_credential(document)
    verify(document, resolve_key=local_key_resolver, expected_controller=issuer_id)
    payload = verify_vc_jwt(credential.jwt, resolve_key=lambda kid, _h: local_key_resolver(kid)[0])
    assert payload["credentialSubject"] == document["credentialSubject"]
    try:
        peer.ensure_installed()
    except peer.PeerUnavailable:
        return document
    key = {
        "controller": issuer_id,
        "vmId": document["proof"][0]["verificationMethod"],
        "publicKeyMultibase": credential.issuer_key.public_key_multibase,
    }
    result = peer.run_script("verify.mjs", {"key": key, "credential": document, "served": served_contexts(document)})
    assert result["verified"] is True, result.get("error")
    return document


def test_a_quiz_and_project_completion_carries_scores_rubric_levels_evidence_and_the_weighted_score():
    mc, grader, _ = _course()
    learner = UserFactory()
    enrolment, submission = _quiz_and_submit(mc, learner)

    with TestCase.captureOnCommitCallbacks(execute=True):
        submission_grade(actor=grader, submission=submission, levels=GOOD, feedback="Private words.")

    completion = Completion.objects.get(enrolment=enrolment)
    assert completion.summary["weighted_score"] == "75.00"  # (3 × 66.67 + 1 × 100) / 4
    document = check(Credential.objects.get(completion=completion))
    achievement = document["credentialSubject"]["achievement"]
    base = f"{SITE}/achievements/{mc.public_id}/results"
    capstone = _lesson(mc, LessonKind.ASSIGNMENT)
    part = f"{base}/lesson-{capstone.pk}"

    descriptions = {rd["id"]: rd for rd in achievement["resultDescription"]}
    assert list(descriptions) == [
        f"{base}/final-score",
        part,
        f"{part}/criteria/1",
        f"{part}/criteria/2",
        f"{base}/weighted-score",
    ]
    assert descriptions[part] == {
        "id": part,
        "type": ["ResultDescription"],
        "name": "Capstone: score",
        "resultType": "Percent",
        "valueMin": "0",
        "valueMax": "100",
        "requiredValue": "50",
    }
    analysis = descriptions[f"{part}/criteria/1"]
    assert analysis["resultType"] == "RubricCriterionLevel"
    assert analysis["name"] == "Capstone: Analysis"
    assert analysis["rubricCriterionLevel"][1] == {
        "id": f"{part}/criteria/1/levels/2",
        "type": ["RubricCriterionLevel"],
        "name": "Partial",
        "description": "Some claims supported.",
        "level": "2 of 3",
        "points": "2",
    }
    assert descriptions[f"{base}/weighted-score"]["resultType"] == "Percent"

    results = document["credentialSubject"]["result"]
    assert results == [
        {"type": ["Result"], "resultDescription": f"{base}/final-score", "value": "100", "status": "Completed"},
        {"type": ["Result"], "resultDescription": part, "value": "66.67", "status": "Completed"},
        {"type": ["Result"], "resultDescription": f"{part}/criteria/1", "achievedLevel": f"{part}/criteria/1/levels/2"},
        {"type": ["Result"], "resultDescription": f"{part}/criteria/2", "achievedLevel": f"{part}/criteria/2/levels/2"},
        {"type": ["Result"], "resultDescription": f"{base}/weighted-score", "value": "75", "status": "Completed"},
    ]
    # Every result names a description the achievement carries, and every level one it lists.
    levels = {level["id"] for rd in descriptions.values() for level in rd.get("rubricCriterionLevel", [])}
    for result in results:
        assert result["resultDescription"] in descriptions
        assert result.get("achievedLevel", next(iter(levels))) in levels

    quiz_evidence, project_evidence = document["evidence"]
    assert quiz_evidence["name"] == "Final quiz"
    assert project_evidence == {
        "id": LINK,
        "type": ["Evidence"],
        "name": "Capstone",
        "description": "Project graded 66.67 % against its rubric (pass mark 50 %). Graded by the provider's graders.",
        "narrative": f"Submitted work:\n- <{LINK}>",
        "genre": "Project",
    }
    assert "Private words." not in str(document)
    # The EU element: supervised on site, identity checked.
    assert achievement["supervision"] == "supervised-onsite-id-check"


def test_a_minimum_holds_the_completion_back_until_a_regrade_reaches_it():
    mc, grader, instructor = _course(min_score=70)
    learner = UserFactory()
    enrolment, submission = _quiz_and_submit(mc, learner)

    submission_grade(actor=grader, submission=submission, levels=GOOD)  # 66.67: passed, under the minimum

    assert not Completion.objects.filter(enrolment=enrolment).exists()
    regrade = regrade_request_create(actor=learner, submission=submission, reason="Analysis is thorough.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        regrade_request_decide(actor=instructor, regrade=regrade, note="Agreed.", levels=BEST)

    completion = Completion.objects.get(enrolment=enrolment)
    assert completion.summary["weighted_score"] == "100.00"
    document = check(Credential.objects.get(completion=completion))
    capstone = _lesson(mc, LessonKind.ASSIGNMENT)
    part = f"{SITE}/achievements/{mc.public_id}/results/lesson-{capstone.pk}"
    by_description = {r["resultDescription"]: r for r in document["credentialSubject"]["result"]}
    assert by_description[part]["value"] == "100"
    assert by_description[f"{part}/criteria/1"]["achievedLevel"] == f"{part}/criteria/1/levels/3"
    rd = next(rd for rd in document["credentialSubject"]["achievement"]["resultDescription"] if rd["id"] == part)
    assert rd["requiredValue"] == "70"  # the minimum, above the pass mark


def test_an_overall_pass_mark_is_the_required_value_of_the_weighted_score_in_the_credential():
    mc, grader, instructor = _course(overall_pass_mark=80)
    learner = UserFactory()
    enrolment, submission = _quiz_and_submit(mc, learner)

    submission_grade(actor=grader, submission=submission, levels=GOOD)  # every part passed, 75 overall
    assert not Completion.objects.filter(enrolment=enrolment).exists()
    regrade = regrade_request_create(actor=learner, submission=submission, reason="Analysis is thorough.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        regrade_request_decide(actor=instructor, regrade=regrade, note="Agreed.", levels=BEST)

    document = check(Credential.objects.get(completion__enrolment=enrolment))
    weighted = f"{SITE}/achievements/{mc.public_id}/results/weighted-score"
    descriptions = {rd["id"]: rd for rd in document["credentialSubject"]["achievement"]["resultDescription"]}
    assert descriptions[weighted] == {
        "id": weighted,
        "type": ["ResultDescription"],
        "name": "Overall weighted score",
        "resultType": "Percent",
        "valueMin": "0",
        "valueMax": "100",
        "requiredValue": "80",
    }
    by_description = {r["resultDescription"]: r for r in document["credentialSubject"]["result"]}
    assert by_description[weighted]["value"] == "100"


def test_a_completion_recorded_before_results_were_carried_keeps_its_single_result():
    """A completion whose summary has no parts (recorded before ADR 0029) issues as before."""
    mc, grader, _ = _course()
    learner = UserFactory()
    enrolment, submission = _quiz_and_submit(mc, learner)
    with TestCase.captureOnCommitCallbacks(execute=False):
        submission_grade(actor=grader, submission=submission, levels=GOOD)
    completion = Completion.objects.get(enrolment=enrolment)
    Completion.objects.filter(pk=completion.pk).update(summary={})
    completion.refresh_from_db()

    from microcred.credentials.services import credential_issue

    document = check(credential_issue(actor=learner, completion=completion))

    (result,) = document["credentialSubject"]["result"]
    assert result["resultDescription"].endswith("/results/final-score")
    assert result["value"] == "100"
    assert [e["genre"] for e in document["evidence"]] == ["Assessment"]
    assert Decimal(completion.score) == Decimal("100")


def _issued_with_results() -> tuple[MicroCredential, User, User, Credential]:
    mc, grader, instructor = _course()
    learner = UserFactory()
    _, submission = _quiz_and_submit(mc, learner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        submission_grade(actor=grader, submission=submission, levels=GOOD)
    return mc, learner, instructor, Credential.objects.get(user=learner)


def test_the_credential_page_shows_the_signed_results_and_evidence_to_anyone(client):
    _, learner, _, credential = _issued_with_results()

    for viewer in (None, learner):
        if viewer is not None:
            client.force_login(viewer)
        html = client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT="text/html").content.decode()
        assert "Results and evidence" in html
        assert "Capstone: score" in html and "66.67 %" in html and "pass mark 50 %" in html
        assert "Capstone: Analysis" in html and "Partial" in html and "level 2 of 3, 2 points" in html
        assert "Overall weighted score" in html and "75 %" in html
        assert f'href="{LINK}" rel="nofollow ugc noopener noreferrer"' in html
        assert "Project graded 66.67 % against its rubric" in html


def test_a_revoked_credential_page_does_not_show_its_results(client):
    from microcred.credentials.services import credential_revoke

    mc, _, _, credential = _issued_with_results()
    owner = UserFactory()
    MembershipFactory(user=owner, organisation=mc.provider, role="owner")
    credential_revoke(actor=owner, credential=credential, reason="Issued in error")

    html = client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT="text/html").content.decode()

    assert "the results it carried are not shown" in html
    assert "66.67 %" not in html and "Open the submitted work" not in html


def test_a_credential_without_results_has_no_results_section(client):
    """A micro-credential with no assessed lesson: nothing to carry, nothing to show."""
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="reading-only"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Read")
    reading = lesson_create(actor=SYSTEM, module=module, title="Read", kind="reading", body="Read.")
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    with TestCase.captureOnCommitCallbacks(execute=True):
        lesson_complete(actor=learner, enrolment=enrolment, lesson=reading)
    credential = Credential.objects.get(user=learner)
    document = check(credential)
    assert "result" not in document["credentialSubject"]
    assert "resultDescription" not in document["credentialSubject"]["achievement"]
    assert "evidence" not in document

    html = client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT="text/html").content.decode()
    assert "Results and evidence" not in html


def test_a_peer_reviewed_project_carries_the_peers_levels_and_a_review_summary_without_names():
    from microcred.projects.models import PeerReview
    from microcred.projects.services import peer_review_submit, peer_reviews_allocate

    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="peer-results"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Project")
    lesson = assignment_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Peer capstone",
        instructions="Write a plan.",
        rubric=RUBRIC,
        review_mode="peer",
        reviewers_per_submission=3,
        submission_kinds=["text", "links"],
    )
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    learners = [UserFactory(full_name=f"Peer Person{n}") for n in range(4)]
    works = [
        submission_create(
            actor=learner,
            enrolment=enrolment_create(actor=learner, microcredential=mc),
            assignment=lesson.assignment,
            text="My plan.",
            links=[f"{LINK}/{n}"],
        )
        for n, learner in enumerate(learners)
    ]
    peer_reviews_allocate(actor=instructor, assignment=lesson.assignment)
    reviews = list(PeerReview.objects.filter(submission=works[0]).order_by("reviewer_id"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        for review, levels in zip(reviews, (GOOD, GOOD, BEST), strict=True):
            peer_review_submit(actor=review.reviewer, review=review, levels=levels, comment="Secret comment.")

    document = check(Credential.objects.get(user=learners[0]))
    part = f"{SITE}/achievements/{mc.public_id}/results/lesson-{lesson.pk}"
    by_description = {r["resultDescription"]: r for r in document["credentialSubject"]["result"]}
    # Median per criterion: Analysis (2, 2, 4) -> 2 points, "Partial"; Clarity (2, 2, 2) -> "Clear".
    assert by_description[part]["value"] == "66.67"
    assert by_description[f"{part}/criteria/1"]["achievedLevel"] == f"{part}/criteria/1/levels/2"
    assert by_description[f"{part}/criteria/2"]["achievedLevel"] == f"{part}/criteria/2/levels/2"
    (evidence,) = document["evidence"]
    assert evidence["id"] == f"{LINK}/0"
    assert evidence["description"] == (
        "Project graded 66.67 % against its rubric (pass mark 50 %). Peer reviewed: 3 peer reviews, "
        "combined by their median."
    )
    text = str(document)
    assert "Secret comment." not in text and "Peer Person" not in text
