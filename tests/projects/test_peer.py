"""Peer review (ADR 0030) through the services, the pages and the API: allocation (no self-review,
n reviewers, balanced, a stored seed), anonymity in HTML and JSON, aggregation into the grade,
reallocation when a reviewer drops out, review quality, the deadline, overrides, permissions."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from microcred.core.clock import now, shifted_to
from microcred.core.errors import Conflict, NotFound, PermissionDenied
from microcred.core.models import AuditLog
from microcred.learning.models import LessonOutcome
from microcred.learning.services import enrolment_withdraw
from microcred.projects.models import Grade, PeerReview, PeerReviewStatus, ReviewMode, SubmissionStatus
from microcred.projects.selectors import reviewer_quality
from microcred.projects.services import (
    peer_grade_override,
    peer_review_submit,
    peer_reviewer_drop,
    peer_reviews_allocate,
    peer_reviews_settle,
)
from tests.api.conftest import API, assert_problem

from .conftest import FAILING, PASSING, pdf
from .peer import PeerCourse, build_peer_course

PARTIAL = {"Analysis": "Partial", "Clarity": "Clear"}  # 4 of 6


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def peer(db) -> PeerCourse:
    return build_peer_course()


def submitted(course: PeerCourse, count: int | None = None) -> list:
    return [course.submit(n, text=f"Plan number {n}.") for n in range(count or len(course.learners))]


def test_allocation_gives_each_submission_n_peers_never_its_author_balanced_and_replayable(peer):
    works = submitted(peer)
    allocation = peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    assert allocation.complete
    reviews = list(PeerReview.objects.select_related("submission"))
    assert len(reviews) == 5 * 3
    assert all(r.reviewer_id != r.submission.user_id for r in reviews)
    assert Counter(r.submission_id for r in reviews) == {w.pk: 3 for w in works}
    assert set(Counter(r.reviewer_id for r in reviews).values()) == {3}  # everyone reviews 3
    peer.assignment.refresh_from_db()
    assert peer.assignment.allocation_seed is not None and peer.assignment.allocated_at is not None
    # Again: nothing changes (what was given out is kept), and the audit row keeps the seed.
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    assert PeerReview.objects.count() == 15
    row = AuditLog.objects.filter(action="peer_reviews.allocate").first()
    assert row.data["seed"] == peer.assignment.allocation_seed and row.actor_id == peer.instructor.pk


def test_too_few_learners_is_a_reported_shortfall_and_a_late_submission_gets_reviewers(db):
    course = build_peer_course(learners=4)
    first, second = submitted(course, 2)
    allocation = peer_reviews_allocate(actor=course.instructor, assignment=course.assignment)
    assert {s.submission for s in allocation.shortfalls} == {first.pk, second.pk}
    assert PeerReview.objects.filter(submission=first).get().reviewer_id == course.learners[1].pk
    late = course.submit(2)
    course.submit(3)
    peer_reviews_allocate(actor=course.instructor, assignment=course.assignment)
    assert PeerReview.objects.filter(submission=late).count() == 3
    assert PeerReview.objects.filter(submission=first).count() == 3


def test_only_the_providers_owners_and_instructors_allocate(peer):
    submitted(peer, 2)
    with pytest.raises(PermissionDenied):
        peer_reviews_allocate(actor=peer.grader, assignment=peer.assignment)
    for outsider in (peer.stranger, peer.learners[0]):
        with pytest.raises(NotFound):
            peer_reviews_allocate(actor=outsider, assignment=peer.assignment)
    with pytest.raises(Conflict):
        peer_reviews_allocate(actor=peer.instructor, assignment=peer.mentor_assignment)


def test_work_out_for_review_cannot_be_replaced_and_is_not_in_the_graders_queue(peer):
    submitted(peer)
    html = client_for(peer.grader).get(reverse("projects:grading", args=[peer.provider.slug])).content.decode()
    assert "Plan number" not in html and "Nothing to grade" in html
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    with pytest.raises(Conflict) as caught:
        peer.submit(0, text="A better plan.")
    assert caught.value.code == "under_review"


def _review_all(submission, levels_by_reviewer):
    for review, levels in zip(
        PeerReview.objects.filter(submission=submission).order_by("reviewer_id"), levels_by_reviewer, strict=False
    ):
        peer_review_submit(actor=review.reviewer, review=review, levels=levels, comment="Looks fine.")


def test_the_last_review_grades_the_work_by_the_median_and_reports_the_outcome(peer):
    works = submitted(peer)
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    target = works[0]
    reviews = list(PeerReview.objects.filter(submission=target).order_by("reviewer_id"))
    peer_review_submit(actor=reviews[0].reviewer, review=reviews[0], levels=PASSING, comment="Great.")
    peer_review_submit(actor=reviews[1].reviewer, review=reviews[1], levels=FAILING)
    target.refresh_from_db()
    assert target.status == SubmissionStatus.SUBMITTED  # two of three: not yet
    peer_review_submit(actor=reviews[2].reviewer, review=reviews[2], levels=PARTIAL)
    grade = Grade.objects.get(submission=target)
    # Median per criterion: Analysis (4, 0, 2) -> 2; Clarity (2, 2, 2) -> 2; 4 of 6.
    assert grade.source == ReviewMode.PEER and grade.levels == {"Analysis": "2.00", "Clarity": "2.00"}
    assert grade.points == Decimal("4.00") and grade.score == Decimal("66.67") and grade.passed
    outcome = LessonOutcome.objects.get(enrolment=peer.enrolments[0], lesson=peer.lesson)
    assert outcome.passed
    assert AuditLog.objects.filter(action="submission.grade", data__source="peer").exists()
    # A reviewer cannot review twice, nor anyone else's task.
    with pytest.raises(Conflict):
        peer_review_submit(actor=reviews[0].reviewer, review=reviews[0], levels=PASSING)
    other = PeerReview.objects.exclude(reviewer=peer.learners[1]).filter(status="assigned").first()
    with pytest.raises(NotFound):
        peer_review_submit(actor=peer.learners[1], review=other, levels=PASSING)


def test_trimmed_mean_and_mean_are_chosen_per_assignment(db):
    course = build_peer_course(aggregation="mean")
    works = submitted(course)
    peer_reviews_allocate(actor=course.instructor, assignment=course.assignment)
    _review_all(works[1], [PASSING, FAILING, PARTIAL])
    grade = Grade.objects.get(submission=works[1])
    assert grade.levels == {"Analysis": "2.00", "Clarity": "2.00"} and grade.score == Decimal("66.67")
    _review_all(works[2], [PASSING, PASSING, FAILING])
    # Mean: Analysis (4 + 4 + 0) / 3 = 2.67; Clarity 2.
    assert Grade.objects.get(submission=works[2]).points == Decimal("4.67")


def test_a_reviewer_who_withdraws_is_replaced_and_their_finished_reviews_count(peer):
    submitted(peer)
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    leaver = peer.learners[4]
    theirs = list(PeerReview.objects.filter(reviewer=leaver))
    peer_review_submit(actor=leaver, review=theirs[0], levels=PASSING)
    enrolment_withdraw(actor=leaver, enrolment=peer.enrolments[4])
    assert PeerReview.objects.get(pk=theirs[0].pk).status == PeerReviewStatus.DONE
    assert all(PeerReview.objects.get(pk=r.pk).status == PeerReviewStatus.DROPPED for r in theirs[1:])
    for r in theirs[1:]:
        live = PeerReview.objects.filter(submission=r.submission).exclude(status="dropped")
        assert live.count() == 3 and not live.filter(reviewer=leaver).exists()
        assert not live.filter(reviewer_id=r.submission.user_id).exists()
    # The leaver's own submission is no longer reviewed by anyone new, and they get nothing new.
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    assert not PeerReview.objects.filter(reviewer=leaver, status="assigned").exists()
    assert AuditLog.objects.filter(action="peer_reviews.drop_reviewer", data__reviewer=leaver.pk).exists()


def test_an_instructor_takes_a_reviewer_out(peer):
    submitted(peer)
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    out = peer.learners[0]
    allocation = peer_reviewer_drop(actor=peer.instructor, assignment=peer.assignment, reviewer_id=out.pk)
    assert not PeerReview.objects.filter(reviewer=out, status="assigned").exists()
    assert allocation.complete  # four others can still give everyone three reviews
    with pytest.raises(NotFound):
        peer_reviewer_drop(actor=peer.instructor, assignment=peer.assignment, reviewer_id=peer.stranger.pk)


def test_after_the_review_deadline_work_with_a_review_is_graded(db):
    course = build_peer_course(review_due_at=now() + timedelta(days=7))
    works = submitted(course)
    peer_reviews_allocate(actor=course.instructor, assignment=course.assignment)
    one = PeerReview.objects.filter(submission=works[0]).first()
    peer_review_submit(actor=one.reviewer, review=one, levels=PARTIAL)
    with pytest.raises(Conflict):
        peer_reviews_settle(actor=course.instructor, assignment=course.assignment)
    with shifted_to(now() + timedelta(days=8)):
        call_command("projects", "allocate-reviews")
    works[0].refresh_from_db()
    assert works[0].status == SubmissionStatus.GRADED and works[0].grade.score == Decimal("66.67")
    assert {w.status for w in works[1:]} == {"submitted"}  # no review: left for an instructor
    assert not PeerReview.objects.filter(submission=works[0], status="assigned").exists()


def test_the_command_allocates_once_the_submission_date_has_passed(db):
    course = build_peer_course(due_at=now() + timedelta(days=1))
    submitted(course)
    call_command("projects", "allocate-reviews")
    assert not PeerReview.objects.exists()
    with shifted_to(now() + timedelta(days=2)):
        call_command("projects", "allocate-reviews")
    assert PeerReview.objects.count() == 15


def test_review_quality_is_agreement_with_the_other_reviewers(peer):
    works = submitted(peer, 4)
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    harsh = None
    for work in works:
        reviews = list(PeerReview.objects.filter(submission=work).order_by("reviewer_id"))
        harsh = harsh or reviews[0].reviewer_id
        for review in reviews:
            levels = FAILING if review.reviewer_id == harsh else PASSING
            peer_review_submit(actor=review.reviewer, review=review, levels=levels)
    quality = reviewer_quality(peer.assignment)
    # The others agree with each other, so harsh misses Analysis by its whole range, Clarity not at all.
    assert quality[harsh] == Decimal("50.00")
    assert all(q is not None and q > Decimal("50.00") for who, q in quality.items() if who != harsh)
    html = (
        client_for(peer.instructor)
        .get(reverse("projects:peer_round", args=[peer.provider.slug, peer.assignment.pk]))
        .content.decode()
    )
    assert "Review quality" in html and "<td>50</td>" in html


def test_an_instructor_overrides_the_peers_and_the_previous_grade_is_audited(peer):
    works = submitted(peer)
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    _review_all(works[0], [FAILING, FAILING, FAILING])
    with pytest.raises(PermissionDenied):
        peer_grade_override(actor=peer.grader, submission=works[0], levels=PASSING, note="x")
    grade = peer_grade_override(actor=peer.instructor, submission=works[0], levels=PASSING, note="Peers were harsh.")
    assert grade.source == ReviewMode.INSTRUCTOR and grade.passed and grade.grader_id == peer.instructor.pk
    row = AuditLog.objects.get(action="submission.grade_override")
    assert row.data["previous"]["source"] == "peer" and row.data["note"] == "Peers were harsh."
    # Before the peers finish, it grades the work and closes the open reviews.
    peer_grade_override(actor=peer.instructor, submission=works[1], levels=PARTIAL, note="Graded myself.")
    assert not PeerReview.objects.filter(submission=works[1], status="assigned").exists()


# -- Pages -----------------------------------------------------------------------------------------


def test_a_peer_review_round_through_the_pages_keeps_everyone_anonymous(peer):
    author = peer.learners[0]
    peer.submit(0, text="Plan of the author.")
    from microcred.projects.services import submission_create

    work = peer.assignment.submissions.get(user=author)
    for n in range(1, 5):
        submitted_n = submission_create(
            actor=peer.learners[n], enrolment=peer.enrolments[n], assignment=peer.assignment, text=f"Plan {n}."
        )
        assert submitted_n.pk
    staff = client_for(peer.instructor)
    round_url = reverse("projects:peer_round", args=[peer.provider.slug, peer.assignment.pk])
    allocate_url = reverse("projects:peer_allocate", args=[peer.provider.slug, peer.assignment.pk])
    assert "Peer capstone" in staff.get(reverse("projects:grading", args=[peer.provider.slug])).content.decode()
    confirm = staff.get(allocate_url)
    assert confirm.status_code == 200 and "Allocate reviews" in confirm.content.decode()
    assert not PeerReview.objects.exists()  # asking first changes nothing
    response = staff.post(allocate_url, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]

    for review in PeerReview.objects.filter(submission=work).select_related("reviewer"):
        reviewer = client_for(review.reviewer)
        tasks = reviewer.get(reverse("projects:review_tasks")).content.decode()
        assert "Peer capstone" in tasks and "Learner Number0" not in tasks
        page = reviewer.get(reverse("projects:review", args=[review.pk])).content.decode()
        assert "Plan of the author." in page
        assert author.full_name not in page and author.email not in page
        response = reviewer.post(
            reverse("projects:review", args=[review.pk]),
            {"criterion-0": "Thorough", "criterion-1": "Clear", "feedback": f"Comment by {review.reviewer.full_name}"},
        )
        assert response.status_code == 302
    work.refresh_from_db()
    assert work.status == SubmissionStatus.GRADED and work.grade.score == Decimal("100.00")

    mine = client_for(author).get(reverse("projects:submission", args=[work.pk])).content.decode()
    assert "Reviewer 1" in mine and "Reviewer 3" in mine and "Comment by" in mine
    for review in PeerReview.objects.filter(submission=work).select_related("reviewer"):
        assert review.reviewer.email not in mine
        # The comment quotes the reviewer's name on purpose here: only the name outside comments matters.
        assert mine.count(review.reviewer.full_name) == 1
    staff_page = staff.get(reverse("projects:peer_submission", args=[peer.provider.slug, work.pk])).content.decode()
    assert all(r.reviewer.full_name in staff_page for r in PeerReview.objects.filter(submission=work))
    assert "Learner Number0" in staff.get(round_url).content.decode()


def test_review_pages_answer_404_to_others_and_bad_input_is_a_form_error(peer):
    submitted(peer)
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    review = PeerReview.objects.first()
    other = next(u for u in peer.learners if u.pk not in (review.reviewer_id, review.submission.user_id))
    url = reverse("projects:review", args=[review.pk])
    assert client_for(other).get(url).status_code == 404
    assert client_for(peer.instructor).get(url).status_code == 404
    response = client_for(review.reviewer).post(url, {"criterion-0": "Nonsense"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    round_url = reverse("projects:peer_round", args=[peer.provider.slug, peer.assignment.pk])
    assert client_for(peer.stranger).get(round_url).status_code == 404
    assert client_for(peer.grader).get(round_url).status_code in (403, 404)
    assert client_for(peer.learners[0]).get(round_url).status_code == 404


def test_a_reviewer_downloads_files_under_a_neutral_name(peer):
    from microcred.projects.services import submission_create

    work = submission_create(
        actor=peer.learners[0],
        enrolment=peer.enrolments[0],
        assignment=peer.assignment,
        files=[pdf("number0_learner_plan.pdf")],
    )
    submitted_rest = [peer.submit(n) for n in range(1, 5)]
    assert submitted_rest
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    review = PeerReview.objects.filter(submission=work).first()
    stored = work.files.get()
    response = client_for(review.reviewer).get(reverse("projects:file", args=[stored.pk]))
    assert response.status_code == 200 and "number0" not in response["Content-Disposition"]
    assert (
        "number0" in client_for(peer.learners[0]).get(reverse("projects:file", args=[stored.pk]))["Content-Disposition"]
    )
    outsider = next(u for u in peer.learners[1:] if not PeerReview.objects.filter(submission=work, reviewer=u).exists())
    assert client_for(outsider).get(reverse("projects:file", args=[stored.pk])).status_code == 404


def test_taking_a_reviewer_out_asks_first(peer):
    submitted(peer)
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    out = peer.learners[2]
    url = reverse("projects:peer_drop", args=[peer.provider.slug, peer.assignment.pk, out.pk])
    staff = client_for(peer.instructor)
    assert "Take this reviewer out" in staff.get(url).content.decode()
    assert PeerReview.objects.filter(reviewer=out, status="assigned").exists()
    staff.post(url)
    assert not PeerReview.objects.filter(reviewer=out, status="assigned").exists()


# -- API -------------------------------------------------------------------------------------------


def test_the_review_api_is_anonymous_and_grades_through_the_same_path(peer):
    works = submitted(peer)
    staff = client_for(peer.instructor)
    allocated = staff.post(f"{API}/orgs/{peer.provider.slug}/peer/assignments/{peer.assignment.pk}/allocate")
    assert allocated.status_code == 200, allocated.content
    assert allocated.json()["reviews"] == 15 and allocated.json()["shortfalls"] == {}
    assert_problem(
        client_for(peer.grader).post(f"{API}/orgs/{peer.provider.slug}/peer/assignments/{peer.assignment.pk}/allocate"),
        404,
        "not_found",
    )
    target = works[0]
    for review in PeerReview.objects.filter(submission=target).select_related("reviewer"):
        api = client_for(review.reviewer)
        tasks = api.get(f"{API}/reviews").json()
        assert review.pk in [t["id"] for t in tasks]
        detail = api.get(f"{API}/reviews/{review.pk}")
        assert detail.status_code == 200 and detail.json()["open"] is True
        assert "Learner Number0" not in detail.text and "learner0@example.org" not in detail.text
        bad = api.post(f"{API}/reviews/{review.pk}", {"levels": {"Analysis": "Nope"}}, content_type="application/json")
        assert_problem(bad, 422, "validation_failed")
        done = api.post(
            f"{API}/reviews/{review.pk}",
            {"levels": PARTIAL, "comment": "Solid."},
            content_type="application/json",
        )
        assert done.status_code == 200 and done.json()["score"] == "66.67"
        assert_problem(
            api.post(f"{API}/reviews/{review.pk}", {"levels": PARTIAL}, content_type="application/json"),
            409,
            "review_done",
        )
    other = client_for(peer.stranger)
    assert_problem(other.get(f"{API}/reviews/{PeerReview.objects.first().pk}"), 404, "not_found")

    mine = client_for(peer.learners[0]).get(f"{API}/submissions/{target.pk}").json()
    assert mine["grade"]["source"] == "peer" and mine["grade"]["score"] == "66.67"
    assert [f["reviewer"] for f in mine["peer_feedback"]] == [1, 2, 3]
    text = str(mine)
    for review in PeerReview.objects.filter(submission=target).select_related("reviewer"):
        assert review.reviewer.email not in text and review.reviewer.full_name not in text

    named = staff.get(f"{API}/orgs/{peer.provider.slug}/grading/submissions/{target.pk}/reviews").json()
    assert {r["reviewer_email"] for r in named} == {
        r.reviewer.email for r in PeerReview.objects.filter(submission=target).select_related("reviewer")
    }
    overridden = staff.post(
        f"{API}/orgs/{peer.provider.slug}/grading/submissions/{target.pk}/override",
        {"levels": PASSING, "note": "Full marks."},
        content_type="application/json",
    )
    assert overridden.status_code == 200 and overridden.json()["grade"]["source"] == "instructor"
    assert_problem(
        staff.post(
            f"{API}/orgs/{peer.provider.slug}/grading/submissions/{target.pk}/override",
            {"levels": PASSING, "note": ""},
            content_type="application/json",
        ),
        422,
        "validation_failed",
    )


def test_the_lesson_page_shows_each_state_of_peer_reviewed_work(peer):
    author = client_for(peer.learners[0])
    url = reverse("learning:lesson", args=[peer.enrolments[0].pk, peer.lesson.pk])
    html = author.get(url).content.decode()
    assert "Peer review" in html and "3 per submission" in html and "your peer reviews" in html
    submitted(peer)
    assert "waiting for your peers&#x27; reviews" in author.get(url).content.decode() or "waiting for your peers'" in (
        author.get(url).content.decode()
    )
    assert "Submit a new version" in author.get(url).content.decode()
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    html = author.get(url).content.decode()
    assert "out for peer review" in html and "Submit a new version" not in html
    response = author.post(
        reverse("projects:submit", args=[peer.enrolments[0].pk, peer.lesson.pk]), {"text": "Again."}, follow=True
    )
    assert "can no longer be replaced" in response.content.decode()


def test_calibration_comes_first_and_grades_the_reviewers_accuracy(peer):
    submitted(peer)
    staff = client_for(peer.instructor)
    base = f"{API}/orgs/{peer.provider.slug}/peer/assignments/{peer.assignment.pk}"
    created = staff.post(
        f"{base}/calibration-examples",
        {"title": "A solid plan", "text": "Example plan.", "levels": PASSING},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert_problem(
        client_for(peer.learners[0]).post(
            f"{base}/calibration-examples",
            {"title": "x", "text": "y", "levels": PASSING},
            content_type="application/json",
        ),
        404,
        "not_found",
    )
    example_id = created.json()["id"]
    # Nobody can calibrate before they have reviews to do.
    assert client_for(peer.learners[0]).get(reverse("projects:calibration", args=[example_id])).status_code == 404
    peer_reviews_allocate(actor=peer.instructor, assignment=peer.assignment)
    review = PeerReview.objects.filter(reviewer=peer.learners[0]).first()
    page = client_for(peer.learners[0]).get(reverse("projects:review", args=[review.pk])).content.decode()
    assert "First, calibrate" in page and "A solid plan" in page and "Submit the review" not in page
    with pytest.raises(Conflict) as caught:
        peer_review_submit(actor=peer.learners[0], review=review, levels=PASSING)
    assert caught.value.code == "calibration_pending"
    detail = client_for(peer.learners[0]).get(f"{API}/reviews/{review.pk}").json()
    assert [e["id"] for e in detail["calibration_pending"]] == [example_id]

    # Through the page: marked, then the reference is shown.
    learner = client_for(peer.learners[0])
    url = reverse("projects:calibration", args=[example_id])
    response = learner.post(url, {"criterion-0": "Partial", "criterion-1": "Clear"}, follow=True)
    assert "The instructor" in response.content.decode() and "Thorough" in response.content.decode()
    # Through the API for another reviewer, exactly right.
    marked = client_for(peer.learners[1]).post(
        f"{API}/calibration-examples/{example_id}", {"levels": PASSING}, content_type="application/json"
    )
    assert marked.status_code == 201 and marked.json()["reference_levels"] == PASSING
    assert_problem(
        client_for(peer.learners[1]).post(
            f"{API}/calibration-examples/{example_id}", {"levels": PASSING}, content_type="application/json"
        ),
        409,
        "calibration_done",
    )
    peer_review_submit(actor=peer.learners[0], review=review, levels=PASSING)  # now it counts
    html = staff.get(reverse("projects:peer_round", args=[peer.provider.slug, peer.assignment.pk])).content.decode()
    assert "Calibration" in html and "A solid plan" in html
    from microcred.projects.selectors import calibration_accuracy_of

    accuracy = calibration_accuracy_of(peer.assignment)
    # Analysis missed by half its range (Partial vs Thorough), Clarity exact: 75.
    assert accuracy == {peer.learners[0].pk: Decimal("75.00"), peer.learners[1].pk: Decimal("100.00")}


def test_the_scheduled_pass_allocates_late_work_once(db):
    course = build_peer_course(due_at=now() + timedelta(days=1))
    submitted(course, 4)
    with shifted_to(now() + timedelta(days=2)):
        call_command("projects", "allocate-reviews")
        call_command("projects", "allocate-reviews")  # nothing new: no second audit row
    assert AuditLog.objects.filter(action="peer_reviews.allocate").count() == 1
    with shifted_to(now() + timedelta(days=3)):
        late = course.submit(4)
        call_command("projects", "allocate-reviews")
    assert PeerReview.objects.filter(submission=late).count() == 3
    assert AuditLog.objects.filter(action="peer_reviews.allocate").count() == 2
