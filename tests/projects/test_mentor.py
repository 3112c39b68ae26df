"""Workplace evidence signed off by a mentor (ADR 0030): the learner names them, they get an e-mailed
link (no account), confirm or decline on a CSRF-protected page; the answer is audited as SYSTEM with
the mentor named, and reported as the lesson's outcome. Expired, reused, withdrawn, replaced and
tampered links each show their page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from microcred.core.actors import SYSTEM
from microcred.core.clock import now, shifted_to
from microcred.core.errors import Conflict, NotFound, PermissionDenied
from microcred.core.models import AuditLog
from microcred.learning.models import LessonOutcome
from microcred.projects.models import MentorSignoff, MentorStatus, SubmissionStatus
from microcred.projects.services import (
    mentor_signoff_decide,
    mentor_signoff_request,
    mentor_signoff_revoke,
    submission_create,
)
from tests.api.conftest import API, assert_problem

from .conftest import pdf
from .peer import PeerCourse, build_peer_course


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def course(db) -> PeerCourse:
    return build_peer_course(learners=2)


def _work(course: PeerCourse, n: int = 0):
    return submission_create(
        actor=course.learners[n],
        enrolment=course.enrolments[n],
        assignment=course.mentor_assignment,
        text="I rebuilt the site's wiring.",
        files=[pdf("wiring.pdf")],
    )


def _ask(course, work, capture, **fields) -> str:
    """The learner names their mentor on the submission page; returns the e-mailed link's path."""
    client = client_for(course.learners[0])
    data = {"name": "Maria Mentor", "email": "maria@works.example", "role": "Site supervisor", **fields}
    with capture(execute=True):
        response = client.post(reverse("projects:mentor_request", args=[work.pk]), data, follow=True)
    assert response.status_code == 200
    message = mail.outbox[-1]
    assert message.to == [data["email"]]
    return re.search(r"https?://[^/]+(/mentor/[^\s]+/)", message.body).group(1)


def test_a_mentor_confirms_by_the_link_without_an_account(course, django_capture_on_commit_callbacks):
    work = _work(course)
    page = client_for(course.learners[0]).get(reverse("projects:submission", args=[work.pk])).content.decode()
    assert "Ask them to confirm" in page
    link = _ask(course, work, django_capture_on_commit_callbacks)
    signoff = MentorSignoff.objects.get()
    assert signoff.token_hash not in link and len(signoff.token_hash) == 64  # only the hash is stored
    mentor = Client(enforce_csrf_checks=True)
    response = mentor.get(link)
    html = response.content.decode()
    assert response.status_code == 200 and "I rebuilt the site&#x27;s wiring." in html
    assert "Maria Mentor" in html and response["Referrer-Policy"] == "no-referrer"
    file_link = re.search(r'href="(/mentor/[^"]+/files/\d+/)"', html).group(1)
    assert mentor.get(file_link).status_code == 200
    # Without the CSRF token the form is refused; with it, the answer is recorded.
    assert mentor.post(link, {"decision": "confirm"}).status_code == 403
    token = mentor.cookies["csrftoken"].value
    response = mentor.post(link, {"decision": "confirm", "comment": "Well done.", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    work.refresh_from_db()
    assert work.status == SubmissionStatus.GRADED and work.grade.source == "mentor" and work.grade.passed
    assert LessonOutcome.objects.get(enrolment=course.enrolments[0], lesson=course.mentor_lesson).passed
    row = AuditLog.objects.get(action="mentor_signoff.confirm")
    assert row.actor_kind == "system" and row.actor_id is None
    assert row.data["mentor_email"] == "maria@works.example" and row.data["mentor_name"] == "Maria Mentor"
    # The link is used: a designed page, and the file is no longer served.
    used = mentor.get(link)
    assert used.status_code == 410 and "already been used" in used.content.decode()
    assert mentor.get(file_link).status_code == 404
    mine = client_for(course.learners[0]).get(reverse("projects:submission", args=[work.pk])).content.decode()
    assert "Confirmed" in mine and "Well done." in mine


def test_expired_tampered_replaced_and_withdrawn_links_show_their_page(course, django_capture_on_commit_callbacks):
    work = _work(course)
    link = _ask(course, work, django_capture_on_commit_callbacks)
    anonymous = Client()
    with shifted_to(now() + timedelta(days=15)):
        expired = anonymous.get(link)
        assert expired.status_code == 410 and "expired" in expired.content.decode()
        with pytest.raises(Conflict):
            mentor_signoff_decide(actor=SYSTEM, token=link.split("/")[2], confirm=True)
    tampered = anonymous.get(link[:-3] + "xx/")
    assert tampered.status_code == 404 and "not valid" in tampered.content.decode()
    learner = client_for(course.learners[0])
    signoff = MentorSignoff.objects.get()
    resend = reverse("projects:mentor_manage", args=[signoff.pk, "resend"])
    assert "Send a new link" in learner.get(resend).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        learner.post(resend)
    new_link = re.search(r"https?://[^/]+(/mentor/[^\s]+/)", mail.outbox[-1].body).group(1)
    assert new_link != link and anonymous.get(link).status_code == 404
    assert anonymous.get(new_link).status_code == 200
    revoke = reverse("projects:mentor_manage", args=[signoff.pk, "revoke"])
    assert "Withdraw your request?" in learner.get(revoke).content.decode()  # asks first
    assert MentorSignoff.objects.get().status == MentorStatus.PENDING
    learner.post(revoke)
    withdrawn = anonymous.get(new_link)
    assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.content.decode()


def test_a_decline_needs_a_reason_and_lets_the_learner_try_again(course, django_capture_on_commit_callbacks):
    work = _work(course)
    link = _ask(course, work, django_capture_on_commit_callbacks)
    mentor = Client()
    response = mentor.post(link, {"decision": "decline", "comment": ""})
    assert response.status_code == 200 and "Required to decline." in response.content.decode()
    response = mentor.post(link, {"decision": "decline", "comment": "Not what I saw."})
    assert "declined" in response.content.decode()
    assert MentorSignoff.objects.get().status == MentorStatus.DECLINED
    work.refresh_from_db()
    assert work.status == SubmissionStatus.SUBMITTED
    assert not LessonOutcome.objects.get(enrolment=course.enrolments[0], lesson=course.mentor_lesson).passed
    assert AuditLog.objects.filter(action="mentor_signoff.decline", data__mentor_email="maria@works.example").exists()
    again = _work(course)  # a new version, and a new mentor
    assert again.version == 2
    _ask(course, again, django_capture_on_commit_callbacks, name="Other Mentor", email="o@works.example")


def test_only_the_learner_asks_and_only_the_platform_decides(course):
    work = _work(course)
    with pytest.raises(NotFound):
        mentor_signoff_request(actor=course.learners[1], submission=work, name="X", email="x@example.org")
    with pytest.raises(Exception) as bad:
        mentor_signoff_request(actor=course.learners[0], submission=work, name="X", email="not-an-email")
    assert "email" in str(bad.value.errors if hasattr(bad.value, "errors") else bad.value).lower()
    signoff = mentor_signoff_request(actor=course.learners[0], submission=work, name="X", email="x@example.org")
    with pytest.raises(Conflict):
        mentor_signoff_request(actor=course.learners[0], submission=work, name="Y", email="y@example.org")
    with pytest.raises(Conflict) as pending:
        _work(course)
    assert pending.value.code == "awaiting_mentor"
    with pytest.raises(PermissionDenied):
        mentor_signoff_decide(actor=course.learners[0], token="anything", confirm=True)
    with pytest.raises(NotFound):
        mentor_signoff_revoke(actor=course.learners[1], signoff=signoff)
    other = client_for(course.learners[1])
    assert other.get(reverse("projects:mentor_manage", args=[signoff.pk, "revoke"])).status_code == 404


def test_the_mentor_api_never_returns_the_link(course, django_capture_on_commit_callbacks):
    work = _work(course)
    api = client_for(course.learners[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{API}/submissions/{work.pk}/mentor",
            {"name": "Maria Mentor", "email": "maria@works.example", "role": "Supervisor"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mentor_signoffs"][0]["status"] == "pending"
    token = re.search(r"/mentor/([^/\s]+)/", mail.outbox[-1].body).group(1)
    assert token not in response.content.decode()
    assert_problem(
        api.post(
            f"{API}/submissions/{work.pk}/mentor",
            {"name": "A", "email": "a@b.example"},
            content_type="application/json",
        ),
        409,
        "signoff_pending",
    )
    signoff_id = body["mentor_signoffs"][0]["id"]
    assert_problem(client_for(course.learners[1]).post(f"{API}/mentor-signoffs/{signoff_id}/revoke"), 404, "not_found")
    revoked = api.post(f"{API}/mentor-signoffs/{signoff_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["mentor_signoffs"][0]["status"] == "revoked"
    bad = api.post(
        f"{API}/submissions/{work.pk}/mentor", {"name": "A", "email": "nope"}, content_type="application/json"
    )
    assert_problem(bad, 422, "validation_failed")
