"""The projects pages through the browser's client: submitting on the lesson page, files served only
to the learner and the provider's graders, the grading queue and page, regrades, and the lesson editor."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from microcred.catalog.services import microcredential_new_version
from microcred.core.actors import SYSTEM
from microcred.learning.models import EnrolmentStatus
from microcred.projects.models import Assignment, RegradeStatus, Submission, SubmissionStatus
from microcred.projects.services import regrade_request_create, submission_create, submission_grade

from .conftest import PASSING, RUBRIC, build_course, pdf


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lesson_page(course) -> str:
    return reverse("learning:lesson", args=[course.enrolment.pk, course.lesson.pk])


def test_the_lesson_page_offers_a_submission_not_a_mark_as_complete_button(course):
    client = client_for(course.learner)
    html = client.get(lesson_page(course)).content.decode()
    assert "Submit your work" in html and "Mark as complete" not in html
    assert "complete once your submission is graded" in html
    assert "Every claim supported." in html  # the rubric is shown to the learner
    assert 'enctype="multipart/form-data"' in html and 'accept=".pdf,.txt"' in html

    submit = reverse("projects:submit", args=[course.enrolment.pk, course.lesson.pk])
    response = client.post(
        submit, {"text": "My report.", "links": "https://example.org/a\nhttps://example.org/b", "files": [pdf()]}
    )
    assert response.status_code == 302
    work = Submission.objects.get()
    assert work.text == "My report." and len(work.links) == 2 and work.files.count() == 1
    html = client.get(lesson_page(course)).content.decode()
    assert "waiting for a grader" in html and "Submit a new version" in html and "Version 1" in html


def test_bad_input_on_the_lesson_page_is_a_message_never_a_500(course):
    client = client_for(course.learner)
    submit = reverse("projects:submit", args=[course.enrolment.pk, course.lesson.pk])
    for data in (
        {"links": "javascript:alert(1)"},
        {"files": [pdf("virus.pdf", b"MZ\x90\x00\x03")]},
        {"text": ""},
    ):
        response = client.post(submit, data, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    too_big = client.post(submit, {"text": "x"}, CONTENT_LENGTH=str(2 * 1024 * 1024 + 3 * 1024 * 1024), follow=True)
    assert "too large" in too_big.content.decode()
    assert not Submission.objects.exists()
    # A lesson that is not an assignment, and another learner's enrolment, answer 404.
    assert client.post(reverse("projects:submit", args=[course.enrolment.pk, course.reading.pk])).status_code == 404
    other = reverse("projects:submit", args=[course.other_enrolment.pk, course.lesson.pk])
    assert client.post(other, {"text": "x"}).status_code == 404


def test_files_are_served_only_to_the_learner_and_the_providers_graders(course):
    work = submission_create(
        actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, files=[pdf("my<b>.pdf")]
    )
    url = reverse("projects:file", args=[work.files.get().pk])
    for user in (course.learner, course.grader, course.instructor):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/octet-stream"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (course.other_learner, course.stranger):
        assert client_for(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    assert client_for(course.learner).get(reverse("projects:file", args=[999999])).status_code == 404


def test_a_grading_round_through_the_pages(course):
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="Hi")
    course.enrolment.refresh_from_db()
    grader = client_for(course.grader)
    slug = course.provider.slug
    queue = grader.get(reverse("projects:grading", args=[slug])).content.decode()
    assert "Capstone" in queue and reverse("projects:grade", args=[slug, work.pk]) in queue
    assert ">Grading<" in queue.replace("</svg>", "")  # the workspace tab a grader gets
    # Another provider's grader has no queue here, and no grading page for this work.
    assert client_for(course.stranger).get(reverse("projects:grading", args=[slug])).status_code == 404
    assert client_for(course.stranger).get(reverse("projects:grade", args=[slug, work.pk])).status_code == 404
    assert client_for(course.learner).get(reverse("projects:grading", args=[slug])).status_code == 404

    grade_url = reverse("projects:grade", args=[slug, work.pk])
    page = grader.get(grade_url).content.decode()
    assert "Every claim supported." in page and "Hi" in page
    response = grader.post(grade_url, {"criterion-0": "Thorough", "feedback": "Good."})
    assert response.status_code == 200 and "Choose a valid choice" not in response.content.decode()
    assert "This field is required" in response.content.decode()  # Clarity has no level yet
    response = grader.post(grade_url, {"criterion-0": "Missing", "criterion-1": "Clear", "feedback": "Analyse more."})
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.status == SubmissionStatus.GRADED and not work.grade.passed

    learner = client_for(course.learner)
    html = learner.get(lesson_page(course)).content.decode()
    assert "not passed" in html and "Submit a new version" not in html
    mine = reverse("projects:submission", args=[work.pk])
    page = learner.get(mine).content.decode()
    assert "Analyse more." in page and "No analysis." in page and "Ask for a regrade" in page
    assert client_for(course.other_learner).get(mine).status_code == 404

    assert learner.post(mine, {"reason": ""}).status_code == 200  # the form says what is missing
    assert learner.post(mine, {"reason": "See section 2."}).status_code == 302
    regrade = work.regrade
    assert "waiting for a decision" in learner.get(mine).content.decode()

    # Graders grade; only instructors (and owners) decide regrades.
    decide_url = reverse("projects:regrade", args=[slug, regrade.pk])
    assert grader.get(decide_url).status_code == 404
    instructor = client_for(course.instructor)
    assert "See section 2." in instructor.get(reverse("projects:grading", args=[slug])).content.decode()
    response = instructor.post(decide_url, {"decision": "change", "note": "Fair point."})
    assert "Choose a level to change the grade." in response.content.decode()
    response = instructor.post(
        decide_url, {"decision": "change", "note": "Fair point.", "criterion-0": "Thorough", "criterion-1": "Clear"}
    )
    assert response.status_code == 302
    regrade.refresh_from_db()
    assert regrade.status == RegradeStatus.CHANGED
    page = learner.get(mine).content.decode()
    assert "Your grade was changed" in page and "Fair point." in page and "it was 33.33%" in page
    course.enrolment.refresh_from_db()
    assert course.enrolment.status != EnrolmentStatus.COMPLETED  # the reading is still to do


def test_the_workspace_lesson_editor_creates_an_assignment_with_its_rubric(db):
    course = build_course("editor-course")
    draft = microcredential_new_version(actor=SYSTEM, microcredential=course.mc)
    module = draft.modules.get()
    client = client_for(course.instructor)
    add = reverse("catalog:workspace_lesson_add", args=[course.provider.slug, draft.pk, module.pk, "assignment"])
    form = client.get(add).content.decode()
    assert "Rubric (JSON)" in form and "Writing a rubric" in form
    base = {"title": "Essay", "estimated_minutes": "60", "required": "on", "instructions": "Write it."}
    response = client.post(add, {**base, "rubric": "{not json"})
    assert response.status_code == 200 and "Not valid JSON" in response.content.decode()
    response = client.post(add, {**base, "rubric": json.dumps({"criteria": []})})
    assert "at least one criterion" in response.content.decode()
    response = client.post(
        add,
        {
            **base,
            "rubric": json.dumps(RUBRIC),
            "submission_kinds": ["text", "files"],
            "file_extensions": "pdf, .MD",
            "max_file_mb": "5",
            "passing_score": "60",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assignment = Assignment.objects.get(lesson__title="Essay")
    assert assignment.submission_kinds == ["text", "files"] and assignment.file_extensions == ["pdf", "md"]
    assert assignment.passing_score == 60 and assignment.rubric["criteria"][0]["name"] == "Analysis"
    edit = reverse("catalog:workspace_lesson_edit", args=[course.provider.slug, draft.pk, assignment.lesson_id])
    assert "Every claim supported." in client.get(edit).content.decode()
    response = client.post(edit, {**base, "title": "Essay", "rubric": "", "max_file_mb": "5", "passing_score": "60"})
    assert response.status_code == 302
    assert not Assignment.objects.filter(lesson__title="Essay").exists()  # no rubric: marked complete by a click


def test_a_graded_submission_cannot_be_replaced_and_grading_twice_is_refused(course):
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    submission_grade(actor=course.grader, submission=work, levels=PASSING)
    grade_url = reverse("projects:grade", args=[course.provider.slug, work.pk])
    response = client_for(course.grader).post(
        grade_url, {"criterion-0": "Missing", "criterion-1": "Clear"}, follow=True
    )
    assert "no longer waiting" in response.content.decode()
    work.grade.refresh_from_db()
    assert work.grade.passed
    submit = reverse("projects:submit", args=[course.enrolment.pk, course.lesson.pk])
    response = client_for(course.learner).post(submit, {"text": "again"}, follow=True)
    assert "request a regrade" in response.content.decode()
    regrade_request_create(actor=course.learner, submission=work, reason="Why not?")
    page = client_for(course.learner).get(reverse("projects:submission", args=[work.pk])).content.decode()
    assert "waiting for a decision" in page and "Ask for a regrade" not in page
