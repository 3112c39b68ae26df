from __future__ import annotations

import pytest
from django.test import Client

from microcred.catalog.services import microcredential_create, microcredential_publish, microcredential_update
from microcred.core.actors import SYSTEM
from microcred.core.models import AuditLog
from microcred.learning.models import Completion, Enrolment, LessonProgress
from microcred.learning.services import enrolment_create
from tests.factories import OrganisationFactory, UserFactory, microcredential_fields, published_microcredential

from .conftest import API, assert_problem, error_fields, quiz_lesson, reading

pytestmark = pytest.mark.django_db


def enrol(client: Client, mc_id) -> object:
    return client.post(f"{API}/enrolments", {"microcredential_id": mc_id}, content_type="application/json")


def test_enrol_is_201_then_200_and_idempotent(api, learner, mc):
    first = enrol(api, mc.pk)
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "active"
    assert body["microcredential"]["id"] == mc.pk and body["microcredential"]["provider"]["slug"] == mc.provider.slug
    assert body["progress"] == {"done": 0, "total": 2, "percent": 0}
    assert body["completion"] is None

    again = enrol(api, mc.pk)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Enrolment.objects.filter(user=learner).count() == 1
    assert AuditLog.objects.filter(action="enrolment.create").count() == 1


@pytest.mark.parametrize(
    "payload", [{"microcredential_id": 999999}, {"microcredential_id": "abc"}, {}, {"microcredential_id": -3}]
)
def test_enrol_with_bad_ids_is_422_and_writes_nothing(api, mc, payload):
    response = api.post(f"{API}/enrolments", payload, content_type="application/json")
    body = assert_problem(response, 422, "validation_failed")
    assert error_fields(body) == {"body.microcredential_id"}
    assert Enrolment.objects.count() == 0 and AuditLog.objects.filter(action="enrolment.create").count() == 0


def test_enrol_in_a_draft_is_422_like_an_unknown_id(api):
    draft = microcredential_create(actor=SYSTEM, provider=OrganisationFactory(), **microcredential_fields(slug="draft"))
    body = assert_problem(enrol(api, draft.pk), 422, "validation_failed")
    assert error_fields(body) == {"body.microcredential_id"}
    assert Enrolment.objects.count() == 0


def test_enrol_in_an_archived_version_is_a_409_conflict(api, mc):
    newer = microcredential_update(actor=SYSTEM, microcredential=mc, title="Data Basics, revised")
    microcredential_publish(actor=SYSTEM, microcredential=newer)
    assert_problem(enrol(api, mc.pk), 409, "not_enrollable")
    assert Enrolment.objects.count() == 0


def test_malformed_json_is_a_400_problem(api, mc):
    assert_problem(api.post(f"{API}/enrolments", "{not json", content_type="application/json"), 400, "bad_request")
    assert Enrolment.objects.count() == 0


def test_my_enrolments_list_only_mine_with_progress(api, learner, mc):
    other_mc = published_microcredential(slug="other", title="Other")
    mine = enrolment_create(actor=learner, microcredential=mc)
    enrolment_create(actor=learner, microcredential=other_mc)
    enrolment_create(actor=UserFactory(), microcredential=mc)
    api.post(f"{API}/enrolments/{mine.pk}/lessons/{reading(mc).pk}/complete")

    response = api.get(f"{API}/enrolments")

    body = response.json()
    assert body["count"] == 2 and response["X-Total-Count"] == "2"
    by_id = {item["id"]: item for item in body["items"]}
    assert by_id[mine.pk]["progress"] == {"done": 1, "total": 2, "percent": 50}
    assert {item["microcredential"]["slug"] for item in body["items"]} == {"data-basics", "other"}


def test_my_enrolments_query_count_is_constant(learner, session_client, django_assert_num_queries):
    client = session_client(learner)
    for i in range(8):
        mc = published_microcredential(slug=f"course-{i}", title=f"Course {i}")
        enrolment = enrolment_create(actor=learner, microcredential=mc)
        client.post(f"{API}/enrolments/{enrolment.pk}/lessons/{reading(mc).pk}/complete")
    # session, user, count, page, then progress: required lessons, lessons done, quizzes passed
    with django_assert_num_queries(7):
        small = client.get(f"{API}/enrolments", {"limit": 2})
    with django_assert_num_queries(7):
        large = client.get(f"{API}/enrolments", {"limit": 8})
    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) == 8
    assert all(item["progress"]["done"] == 1 for item in large.json()["items"])


def test_enrolment_detail_shows_lesson_level_progress(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    api.post(f"{API}/enrolments/{enrolment.pk}/lessons/{reading(mc).pk}/complete")

    body = api.get(f"{API}/enrolments/{enrolment.pk}").json()

    lessons = {lesson["title"]: lesson for module in body["modules"] for lesson in module["lessons"]}
    assert lessons["What is tidy data?"]["done"] is True
    assert lessons["Optional talk"] == {**lessons["Optional talk"], "done": False, "required": False}
    assert lessons["Final quiz"]["kind"] == "quiz" and lessons["Final quiz"]["done"] is False
    assert body["progress"] == {"done": 1, "total": 2, "percent": 50}


def test_lesson_content_for_an_enrolled_learner(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    lesson = reading(mc)
    body = api.get(f"{API}/enrolments/{enrolment.pk}/lessons/{lesson.pk}").json()
    assert body["title"] == "What is tidy data?" and body["kind"] == "reading"
    assert "<h1>Tidy</h1>" in body["body_html"] and body["quiz"] is None and body["done"] is False

    quiz = api.get(f"{API}/enrolments/{enrolment.pk}/lessons/{quiz_lesson(mc).pk}").json()
    assert quiz["quiz"]["passing_score"] == 70

    foreign = published_microcredential(slug="foreign")
    assert_problem(api.get(f"{API}/enrolments/{enrolment.pk}/lessons/{reading(foreign).pk}"), 404, "not_found")


def test_completing_lessons_is_idempotent_and_quizzes_need_an_attempt(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    url = f"{API}/enrolments/{enrolment.pk}/lessons/{reading(mc).pk}/complete"
    first = api.post(url)
    assert first.status_code == 200
    assert first.json()["progress"] == {"done": 1, "total": 2, "percent": 50} and first.json()["completion"] is None
    assert api.post(url).json()["completed_at"] == first.json()["completed_at"]
    assert LessonProgress.objects.count() == 1

    quiz = api.post(f"{API}/enrolments/{enrolment.pk}/lessons/{quiz_lesson(mc).pk}/complete")
    assert_problem(quiz, 422, "quiz_needs_attempt")
    assert LessonProgress.objects.count() == 1


def test_withdraw_then_enrol_again(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    withdrawn = api.post(f"{API}/enrolments/{enrolment.pk}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    blocked = api.post(f"{API}/enrolments/{enrolment.pk}/lessons/{reading(mc).pk}/complete")
    assert_problem(blocked, 409, "conflict")
    back = enrol(api, mc.pk)
    assert back.status_code == 200 and back.json()["status"] == "active" and back.json()["id"] == enrolment.pk


def test_completion_is_404_until_complete(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    assert_problem(api.get(f"{API}/enrolments/{enrolment.pk}/completion"), 404, "not_found")
    assert not Completion.objects.exists()


def test_another_learners_enrolment_is_404_everywhere(mc, session_client):
    owner, intruder = UserFactory(), UserFactory()
    enrolment = enrolment_create(actor=owner, microcredential=mc)
    client = session_client(intruder)
    base = f"{API}/enrolments/{enrolment.pk}"
    for response in (
        client.get(base),
        client.post(f"{base}/withdraw"),
        client.get(f"{base}/lessons/{reading(mc).pk}"),
        client.post(f"{base}/lessons/{reading(mc).pk}/complete"),
        client.get(f"{base}/completion"),
        client.post(f"{base}/quizzes/{quiz_lesson(mc).pk}/attempts"),
    ):
        body = assert_problem(response, 404, "not_found")
        assert str(owner.email) not in body["detail"]
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and not LessonProgress.objects.exists()
    assert client.get(f"{API}/enrolments").json()["count"] == 0


def test_non_integer_path_ids_are_422(api):
    body = assert_problem(api.get(f"{API}/enrolments/first"), 422, "validation_failed")
    assert error_fields(body) == {"path.enrolment_id"}
