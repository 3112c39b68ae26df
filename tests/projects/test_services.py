"""Assignments, submissions, grading and regrades through the services, and the cores they use."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microcred.catalog.services import lesson_delete, microcredential_new_version
from microcred.core.actors import SYSTEM
from microcred.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from microcred.core.models import AuditLog
from microcred.credentials.models import Credential
from microcred.learning.models import Completion, EnrolmentStatus, LessonOutcome
from microcred.learning.selectors import enrolment_progress
from microcred.learning.services import lesson_complete
from microcred.projects.files import FileRefused, check_file, clean_name
from microcred.projects.models import Assignment, RegradeStatus, Submission, SubmissionStatus
from microcred.projects.rubrics import rubric_from_spec
from microcred.projects.services import (
    regrade_request_create,
    regrade_request_decide,
    submission_create,
    submission_grade,
)

from .conftest import FAILING, PASSING, RUBRIC, pdf

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([], "expected an object"),
        ({"criteria": []}, "at least one criterion"),
        ({"criteria": [{"name": "A", "levels": [{"name": "x", "points": 1}]}]}, "at least 2 levels"),
        ({"criteria": [{"name": "A", "levels": [{"name": "x", "points": 2}, {"name": "y", "points": 1}]}]}, "go up"),
        (
            {"criteria": [{"name": "A", "levels": [{"name": "x", "points": -1}, {"name": "y", "points": 1}]}]},
            "negative",
        ),
        (
            {"criteria": [{"name": "A", "levels": [{"name": "x", "points": True}, {"name": "y", "points": 1}]}]},
            "number",
        ),
        ({"criteria": [{"name": "A", "levels": [{"name": "x", "points": 0}, {"name": "y", "points": 0.0001}]}]}, None),
        (
            {"criteria": [{"name": "A", "levels": [{"name": "x", "points": 0}, {"name": "y", "points": 1}], "z": 1}]},
            "expected",
        ),
        ({"criteria": [RUBRIC["criteria"][0], RUBRIC["criteria"][0]]}, "same name"),
    ],
)
def test_a_rubric_is_checked_by_the_review_core(spec, message):
    if message is None:
        assert rubric_from_spec(spec).max_points > 0
        return
    with pytest.raises(ValidationFailed, match=message) as caught:
        rubric_from_spec(spec)
    assert "rubric" in caught.value.errors


def test_a_file_must_have_an_allowed_extension_content_that_matches_and_fit_the_limit():
    allowed = frozenset({"pdf", "txt", "png"})
    assert check_file(name="Report.PDF", size=10, head=b"%PDF-1.4", allowed=allowed, max_bytes=MB) == "pdf"
    assert check_file(name="notes.txt", size=5, head="café".encode(), allowed=allowed, max_bytes=MB) == "txt"
    refused = [
        {"name": "run.exe", "size": 10, "head": b"MZ\x90\x00"},  # not allowed
        {"name": "run.pdf", "size": 10, "head": b"MZ\x90\x00"},  # an executable renamed
        {"name": "picture.png", "size": 10, "head": b"%PDF-1.4"},  # a PDF renamed
        {"name": "notes.txt", "size": 10, "head": b"\x00\x01binary"},  # not text
        {"name": "notes.txt", "size": 10, "head": b"\xff\xfe\xfa"},  # not UTF-8
        {"name": "big.pdf", "size": MB + 1, "head": b"%PDF-1.4"},  # too large
        {"name": "empty.pdf", "size": 0, "head": b""},
        {"name": "archive.docx", "size": 10, "head": b"PK\x03\x04"},  # a known type, but not allowed here
    ]
    for case in refused:
        with pytest.raises(FileRefused):
            check_file(allowed=allowed, max_bytes=MB, **case)
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name('C:\\Users\\me\\"evil"\x00.pdf') == "evil.pdf"
    assert len(clean_name("a" * 300 + ".pdf")) == 200 and clean_name("a" * 300 + ".pdf").endswith(".pdf")


def test_a_learner_resubmits_until_graded_and_every_version_is_kept(course):
    first = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="v1")
    second = submission_create(
        actor=course.learner,
        enrolment=course.enrolment,
        assignment=course.assignment,
        links=["https://example.org/report", " "],
        files=[pdf()],
    )
    first.refresh_from_db()
    assert (first.version, first.status) == (1, SubmissionStatus.SUPERSEDED)
    assert (second.version, second.status) == (2, SubmissionStatus.SUBMITTED)
    assert second.links == ["https://example.org/report"]
    stored = second.files.get()
    assert stored.name == "report.pdf" and stored.size == len(pdf().read())
    assert not stored.file.name.endswith("report.pdf")  # stored under a random name
    assert stored.file.storage.exists(stored.file.name)
    assert stored.file.read().startswith(b"%PDF")
    with pytest.raises(Conflict, match="later version"):
        submission_grade(actor=course.grader, submission=first, levels=PASSING)
    submission_grade(actor=course.grader, submission=second, levels=FAILING, feedback="Analyse more.")
    with pytest.raises(Conflict) as caught:
        submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="v3")
    assert caught.value.code == "already_graded"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "empty"),
        ({"text": "  "}, "empty"),
        ({"links": ["javascript:alert(1)"]}, "web address"),
        ({"links": ["ftp://example.org/x"]}, "web address"),
        ({"links": [f"https://example.org/{n}" for n in range(11)]}, "At most 10"),
        ({"files": [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")]}, "At most 2 files"),
        ({"files": [pdf("tool.pdf", b"MZ\x90\x00 not a pdf")]}, "does not look like"),
        ({"files": [pdf("photo.png", b"\x89PNG\r\n\x1a\n")]}, "not accepted"),
        ({"files": [pdf("huge.pdf", b"%PDF-" + b"0" * (1024 * 1024))]}, "larger than 1 MB"),
    ],
)
def test_bad_submissions_are_refused_and_nothing_is_stored(course, fields, message):
    with pytest.raises(ValidationFailed, match=message):
        submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, **fields)
    assert not Submission.objects.exists()


def test_only_the_learner_submits_to_their_enrolment_and_not_after_withdrawing(course):
    with pytest.raises(NotFound):
        submission_create(
            actor=course.other_learner, enrolment=course.enrolment, assignment=course.assignment, text="x"
        )
    course.enrolment.status = EnrolmentStatus.WITHDRAWN
    course.enrolment.save()
    with pytest.raises(Conflict, match="withdrawn"):
        submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")


def test_an_assignment_takes_only_the_kinds_it_allows(course):
    course.assignment.submission_kinds = ["files"]
    course.assignment.save()
    with pytest.raises(ValidationFailed, match="does not take text"):
        submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")


def test_a_graded_assignment_is_not_marked_complete_by_a_click_and_a_passing_grade_completes(
    course, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationFailed) as caught:
        lesson_complete(actor=course.learner, enrolment=course.enrolment, lesson=course.lesson)
    assert caught.value.code == "lesson_needs_grade"
    lesson_complete(actor=course.learner, enrolment=course.enrolment, lesson=course.reading)
    assert enrolment_progress(course.enrolment).done == 1

    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    with django_capture_on_commit_callbacks(execute=True):
        grade = submission_grade(actor=course.grader, submission=work, levels=PASSING, feedback="Excellent.")
    assert (grade.points, grade.max_points, grade.score, grade.passed) == (6, 6, 100, True)
    assert grade.levels == PASSING
    outcome = LessonOutcome.objects.get(enrolment=course.enrolment, lesson=course.lesson)
    assert outcome.passed and outcome.score == 100
    progress = enrolment_progress(course.enrolment)
    assert progress.done == progress.total == 2
    course.enrolment.refresh_from_db()
    assert course.enrolment.status == EnrolmentStatus.COMPLETED
    assert Completion.objects.filter(enrolment=course.enrolment).exists()
    assert Credential.objects.filter(completion__enrolment=course.enrolment).exists()
    audit = AuditLog.objects.get(action="submission.grade")
    assert audit.actor_id == course.grader.pk and audit.data["passed"] is True and audit.data["levels"] == PASSING


def test_a_failing_grade_does_not_complete_and_a_changed_regrade_does(course):
    lesson_complete(actor=course.learner, enrolment=course.enrolment, lesson=course.reading)
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    grade = submission_grade(actor=course.grader, submission=work, levels=FAILING)
    assert grade.score == Decimal("33.33") and not grade.passed
    course.enrolment.refresh_from_db()
    assert course.enrolment.status == EnrolmentStatus.ACTIVE

    with pytest.raises(ValidationFailed):
        regrade_request_create(actor=course.learner, submission=work, reason="  ")
    with pytest.raises(NotFound):
        regrade_request_create(actor=course.other_learner, submission=work, reason="Mine?")
    regrade = regrade_request_create(actor=course.learner, submission=work, reason="My analysis is in section 2.")
    with pytest.raises(Conflict):
        regrade_request_create(actor=course.learner, submission=work, reason="Again")
    with pytest.raises(PermissionDenied):  # graders grade; instructors decide regrades
        regrade_request_decide(actor=course.grader, regrade=regrade, note="No.", levels=PASSING)
    with pytest.raises(NotFound):
        regrade_request_decide(actor=course.stranger, regrade=regrade, note="No.")
    with pytest.raises(ValidationFailed):
        regrade_request_decide(actor=course.instructor, regrade=regrade, note="", levels=PASSING)
    with pytest.raises(ValidationFailed, match="no level"):
        regrade_request_decide(actor=course.instructor, regrade=regrade, note="Yes.", levels={"Analysis": "Great"})

    decided = regrade_request_decide(
        actor=course.instructor, regrade=regrade, note="Section 2 does it.", levels=PASSING, feedback="Better."
    )
    assert decided.status == RegradeStatus.CHANGED and decided.previous["score"] == "33.33"
    work.grade.refresh_from_db()
    assert work.grade.passed and work.grade.feedback == "Better." and work.grade.grader_id == course.instructor.pk
    course.enrolment.refresh_from_db()
    assert course.enrolment.status == EnrolmentStatus.COMPLETED
    assert AuditLog.objects.filter(action="regrade.decide", data__decision="changed").exists()
    with pytest.raises(Conflict):
        regrade_request_decide(actor=course.instructor, regrade=regrade, note="Twice")


def test_an_upheld_regrade_keeps_the_grade(course):
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    submission_grade(actor=course.grader, submission=work, levels=FAILING)
    regrade = regrade_request_create(actor=course.learner, submission=work, reason="Please look again.")
    decided = regrade_request_decide(actor=course.instructor, regrade=regrade, note="The analysis is missing.")
    assert decided.status == RegradeStatus.UPHELD and decided.previous == {}
    work.grade.refresh_from_db()
    assert not work.grade.passed


def test_graders_are_checked(course):
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    with pytest.raises(NotFound):
        submission_grade(actor=course.stranger, submission=work, levels=PASSING)
    with pytest.raises(NotFound):
        submission_grade(actor=course.other_learner, submission=work, levels=PASSING)
    with pytest.raises(ValidationFailed, match="no level chosen"):
        submission_grade(actor=course.grader, submission=work, levels={"Analysis": "Thorough"})
    with pytest.raises(ValidationFailed, match="no criterion"):
        submission_grade(actor=course.grader, submission=work, levels={**PASSING, "Style": "Good"})
    # A grader who is also a learner never grades their own work.
    own = submission_create(
        actor=course.other_learner, enrolment=course.other_enrolment, assignment=course.assignment, text="mine"
    )
    from tests.factories import MembershipFactory

    MembershipFactory(user=course.other_learner, organisation=course.provider, role="grader")
    with pytest.raises(PermissionDenied):
        submission_grade(actor=course.other_learner, submission=own, levels=PASSING)


def test_an_assignment_lesson_without_a_rubric_is_marked_complete_as_before(course):
    from microcred.projects.services import assignment_lesson_create

    draft = microcredential_new_version(actor=SYSTEM, microcredential=course.mc)
    module = draft.modules.get()
    plain = assignment_lesson_create(actor=SYSTEM, module=module, title="Practice", instructions="Sketch it.")
    assert not Assignment.objects.filter(lesson=plain).exists()


def test_a_new_version_copies_the_assignment_and_removing_a_draft_lesson_discards_it(course):
    draft = microcredential_new_version(actor=SYSTEM, microcredential=course.mc)
    copy = Assignment.objects.get(lesson__module__microcredential=draft)
    assert copy.pk != course.assignment.pk
    assert copy.rubric == course.assignment.rubric and copy.file_extensions == ["pdf", "txt"] and copy.max_files == 2
    lesson_delete(actor=SYSTEM, lesson=copy.lesson)
    assert not Assignment.objects.filter(pk=copy.pk).exists()
    assert Assignment.objects.filter(pk=course.assignment.pk).exists()
