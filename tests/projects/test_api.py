"""The projects API: a learner submits and reads their grade, a grader grades from the queue, an
instructor decides a regrade; problem details for bad input; others' ids answer 404."""

from __future__ import annotations

from django.test import Client

from microcred.projects.models import Submission
from microcred.projects.services import submission_create
from tests.api.conftest import API, assert_problem, error_fields

from .conftest import FAILING, PASSING, pdf


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_learner_reads_the_brief_and_submits_work(course):
    api = client_for(course.learner)
    base = f"{API}/enrolments/{course.enrolment.pk}/assignments/{course.lesson.pk}"
    body = api.get(base).json()
    assert body["title"] == "Capstone" and "<strong>survey</strong>" in body["brief_html"]
    assert [c["name"] for c in body["rubric"]] == ["Analysis", "Clarity"] and body["max_points"] == "6"
    assert body["submissions"] == [] and body["file_extensions"] == ["pdf", "txt"]

    response = api.post(
        f"{base}/submissions",
        {
            "text": "My report",
            "links": ["https://example.org/a", "https://example.org/b"],
            "files": [pdf(), pdf("b.pdf")],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["version"] == 1 and created["status"] == "submitted" and created["grade"] is None
    assert created["links"] == ["https://example.org/a", "https://example.org/b"]
    assert [f["name"] for f in created["files"]] == ["report.pdf", "b.pdf"]
    download = api.get(created["files"][0]["url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert client_for(course.other_learner).get(created["files"][0]["url"]).status_code == 404

    assert api.get(f"{API}/submissions/{created['id']}").json()["id"] == created["id"]
    assert_problem(client_for(course.other_learner).get(f"{API}/submissions/{created['id']}"), 404, "not_found")
    assert_problem(client_for(course.other_learner).get(base), 404, "not_found")
    assert_problem(Client().get(base), 401, "authentication_required")


def test_bad_submissions_are_problem_details_and_nothing_is_stored(course):
    api = client_for(course.learner)
    url = f"{API}/enrolments/{course.enrolment.pk}/assignments/{course.lesson.pk}/submissions"
    body = assert_problem(api.post(url, {"links": ["javascript:alert(1)"]}), 422, "validation_failed")
    assert error_fields(body) == {"body.links"} or body["errors"][0]["loc"] == ["body", "links"]
    body = assert_problem(api.post(url, {"files": [pdf("x.pdf", b"MZ\x90")]}), 422, "validation_failed")
    assert "does not look like" in body["detail"]
    assert_problem(api.post(url, {}), 422, "submission_empty")
    reading = f"{API}/enrolments/{course.enrolment.pk}/assignments/{course.reading.pk}/submissions"
    assert_problem(api.post(reading, {"text": "x"}), 404, "not_found")
    assert not Submission.objects.exists()


def test_a_grading_round_through_the_api(course):
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    slug = course.provider.slug
    grader = client_for(course.grader)
    queue = grader.get(f"{API}/orgs/{slug}/grading/queue").json()
    assert queue["count"] == 1 and queue["items"][0]["id"] == work.pk
    assert queue["items"][0]["learner_email"] == course.learner.email
    assert_problem(client_for(course.stranger).get(f"{API}/orgs/{slug}/grading/queue"), 404, "not_found")
    assert_problem(client_for(course.learner).get(f"{API}/orgs/{slug}/grading/queue"), 404, "not_found")
    rubric = grader.get(f"{API}/orgs/{slug}/grading/submissions/{work.pk}/assignment").json()
    assert rubric["passing_score"] == 50

    grade_url = f"{API}/orgs/{slug}/grading/submissions/{work.pk}/grade"
    body = assert_problem(
        grader.post(grade_url, {"levels": {**FAILING, "Analysis": "Superb"}}, content_type="application/json"),
        422,
        "validation_failed",
    )
    assert "Superb" in body["detail"]
    response = grader.post(
        grade_url, {"levels": FAILING, "feedback": "More analysis."}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    graded = response.json()
    assert graded["status"] == "graded" and graded["grade"]["score"] == "33.33" and not graded["grade"]["passed"]
    assert [c["level"] for c in graded["grade"]["criteria"]] == ["Missing", "Clear"]
    assert_problem(grader.post(grade_url, {"levels": PASSING}, content_type="application/json"), 409, "already_graded")

    learner = client_for(course.learner)
    mine = learner.get(f"{API}/submissions/{work.pk}").json()
    assert mine["grade"]["feedback"] == "More analysis." and mine["regrade"] is None
    regrade_url = f"{API}/submissions/{work.pk}/regrade"
    assert_problem(learner.post(regrade_url, {"reason": ""}, content_type="application/json"), 422, "validation_failed")
    response = learner.post(regrade_url, {"reason": "Section 2."}, content_type="application/json")
    assert response.status_code == 201 and response.json()["regrade"]["status"] == "open"
    assert_problem(
        learner.post(regrade_url, {"reason": "Again"}, content_type="application/json"), 409, "regrade_exists"
    )

    assert_problem(grader.get(f"{API}/orgs/{slug}/grading/regrades"), 404, "not_found")  # graders don't decide
    instructor = client_for(course.instructor)
    waiting = instructor.get(f"{API}/orgs/{slug}/grading/regrades").json()
    assert waiting["count"] == 1
    regrade_id = work.regrade.pk
    decide = f"{API}/orgs/{slug}/grading/regrades/{regrade_id}/decision"
    body = assert_problem(
        instructor.post(decide, {"decision": "change", "note": "Yes."}, content_type="application/json"),
        422,
        "validation_failed",
    )
    response = instructor.post(
        decide, {"decision": "change", "note": "Yes.", "levels": PASSING}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["grade"]["passed"] and response.json()["regrade"]["status"] == "changed"
    assert response.json()["regrade"]["previous_score"] == "33.33"
    assert learner.get(f"{API}/submissions/{work.pk}").json()["regrade"]["decision_note"] == "Yes."
    assert_problem(
        instructor.post(decide, {"decision": "uphold", "note": "x"}, content_type="application/json"),
        409,
        "regrade_decided",
    )


def test_the_openapi_document_describes_the_projects_endpoints(db):
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/api/v1/enrolments/{enrolment_id}/assignments/{lesson_id}",
        "/api/v1/enrolments/{enrolment_id}/assignments/{lesson_id}/submissions",
        "/api/v1/submissions/{submission_id}",
        "/api/v1/submissions/{submission_id}/regrade",
        "/api/v1/orgs/{slug}/grading/queue",
        "/api/v1/orgs/{slug}/grading/submissions/{submission_id}/grade",
        "/api/v1/orgs/{slug}/grading/regrades/{regrade_id}/decision",
    ):
        assert path in paths, path
    submit = paths["/api/v1/enrolments/{enrolment_id}/assignments/{lesson_id}/submissions"]["post"]
    assert "multipart/form-data" in submit["requestBody"]["content"]
    assert {"201", "404", "409", "422"} <= set(submit["responses"])


def test_a_graded_assignment_lesson_is_not_completed_by_the_api_and_its_lesson_says_so(course):
    api = client_for(course.learner)
    complete = f"{API}/enrolments/{course.enrolment.pk}/lessons/{course.lesson.pk}/complete"
    assert_problem(api.post(complete), 422, "lesson_needs_grade")
    lesson = api.get(f"{API}/enrolments/{course.enrolment.pk}/lessons/{course.lesson.pk}").json()
    assert lesson["kind"] == "assignment" and lesson["done"] is False
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    client_for(course.grader).post(
        f"{API}/orgs/{course.provider.slug}/grading/submissions/{work.pk}/grade",
        {"levels": PASSING},
        content_type="application/json",
    )
    assert api.get(f"{API}/enrolments/{course.enrolment.pk}/lessons/{course.lesson.pk}").json()["done"] is True
