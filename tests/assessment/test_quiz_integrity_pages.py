"""Quiz integrity through what learners touch: the quiz pages (with and without JavaScript's
autosave) and the JSON API. Nothing that grades reaches the browser before it may (issue 8, §1.5):
every state's HTML and JSON is checked for the right choices' ids, marks and explanations."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from microcred.assessment.models import Attempt, Choice
from microcred.core.clock import now, shifted_to
from tests.api.conftest import API, assert_problem
from tests.assessment.test_quiz_integrity import QUESTIONS, answers, published_quiz
from tests.factories import as_served

pytestmark = pytest.mark.django_db

EXPLANATIONS = [q["explanation"] for q in QUESTIONS]
PAGE_CORRECTNESS_MARKS = ["Correct answer", "is-correct", "is-wrong", "· correct", "Right</span>", "Wrong</span>"]


def world(**settings):
    learner, enrolment, quiz = published_quiz(**settings)
    client = Client()
    client.force_login(learner)
    return learner, enrolment, quiz, client


def quiz_url(enrolment, quiz) -> str:
    return reverse("assessment:quiz", args=[enrolment.pk, quiz.lesson_id])


def start(client, enrolment, quiz):
    client.post(quiz_url(enrolment, quiz), {"action": "start"})
    return Attempt.objects.get(enrolment=enrolment, submitted_at__isnull=True)


def correct_ids(attempt: Attempt) -> set[int]:
    """The right choices as the attempt's page and API name them (its served ids)."""
    right = Choice.objects.filter(question_id__in=attempt.question_ids, is_correct=True)
    served = as_served(attempt, {str(c.question_id): [c.pk] for c in right})
    return {c for ids in served.values() for c in ids}


def served_id(attempt: Attempt, qid: int, choice: int) -> int:
    """The id the attempt's page and API show for one choice."""
    return as_served(attempt, {str(qid): [choice]})[str(qid)][0]


def served_form(attempt: Attempt, authored: dict) -> dict:
    """Answers (choice row ids) as the quiz page's form posts them: in the attempt's served ids."""
    return {f"q{qid}": ids for qid, ids in as_served(attempt, authored).items()}


def assert_nothing_grading_in(text: str) -> None:
    for explanation in EXPLANATIONS:
        assert explanation not in text
    for mark in PAGE_CORRECTNESS_MARKS:
        assert mark not in text
    assert "is_correct" not in text and 'correct_choice_ids": [' not in text


# --- Pages ----------------------------------------------------------------------------------------


def test_a_get_never_starts_an_attempt_and_a_reload_resumes_with_saved_answers():
    _learner, enrolment, quiz, client = world()
    page = client.get(quiz_url(enrolment, quiz))
    assert page.status_code == 200 and "Start the quiz" in page.content.decode()
    assert not Attempt.objects.exists()
    attempt = start(client, enrolment, quiz)
    qid = attempt.question_ids[0]
    picked = served_id(attempt, qid, attempt.choice_orders[str(qid)][2])
    # htmx's autosave posts the whole form on each change.
    saved = client.post(
        reverse("assessment:quiz_autosave", args=[enrolment.pk, quiz.lesson_id]),
        {"attempt": attempt.pk, f"q{qid}": str(picked)},
    )
    assert saved.status_code == 200 and "Saved at" in saved.content.decode()
    reloaded = client.get(quiz_url(enrolment, quiz)).content.decode()
    assert f'value="{picked}" checked' in reloaded
    assert Attempt.objects.count() == 1
    assert_nothing_grading_in(reloaded)
    # The options appear in the order the attempt's seed gave them.
    served = [int(v) for v in re.findall(rf'name="q{qid}" value="(\d+)"', reloaded)]
    assert served == [served_id(attempt, qid, c) for c in attempt.choice_orders[str(qid)]]


def test_without_javascript_the_save_button_saves():
    _learner, enrolment, quiz, client = world()
    attempt = start(client, enrolment, quiz)
    qid = attempt.question_ids[1]
    choice = attempt.choice_orders[str(qid)][0]
    shown = served_id(attempt, qid, choice)
    response = client.post(quiz_url(enrolment, quiz), {"action": "save", "attempt": attempt.pk, f"q{qid}": shown})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.answers == {str(qid): [choice]} and not attempt.is_submitted
    assert "Your answers are saved" in client.get(quiz_url(enrolment, quiz)).content.decode()


def test_another_learners_attempt_answers_404_on_autosave():
    _learner, enrolment, quiz, _client = world()
    attempt = start(_client, enrolment, quiz)
    intruder = Client()
    intruder.force_login(published_quiz()[0])
    response = intruder.post(
        reverse("assessment:quiz_autosave", args=[enrolment.pk, quiz.lesson_id]), {"attempt": attempt.pk}
    )
    assert response.status_code == 404


def test_the_result_page_hides_what_the_review_options_hide():
    options = {"immediately": [], "open": ["score"], "closed": ["score", "answers", "feedback", "correctness"]}
    _learner, enrolment, quiz, client = world(review_options=options)
    attempt = start(client, enrolment, quiz)
    form = served_form(attempt, answers(attempt, right=False))
    client.post(quiz_url(enrolment, quiz), {"action": "submit", "attempt": attempt.pk, **form})
    attempt.refresh_from_db()
    result_url = reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk])
    response = client.get(result_url)
    html = response.content.decode()
    assert response.status_code == 200, (response.status_code, response.get("Location"), attempt.submitted_at)
    assert "Your answers are in" in html and "Not passed" not in html and "0%" not in html
    assert_nothing_grading_in(html)
    body = client.get(f"{API}/attempts/{attempt.pk}").json()["result"]
    assert body["shown"] == [] and body["score"] is None and body["passed"] is None
    with shifted_to(now() + timedelta(minutes=10)):
        later = client.get(result_url).content.decode()
    assert "Not passed" in later
    assert_nothing_grading_in(later)


@override_settings(MICROCRED_QUIZ_GRACE_SECONDS=60)
def test_a_timed_attempt_shows_the_time_left_and_after_the_grace_a_get_only_says_time_is_up():
    start_at = now()
    _learner, enrolment, quiz, client = world(time_limit_minutes=10)
    with shifted_to(start_at):
        attempt = start(client, enrolment, quiz)
        saved = served_form(attempt, dict(list(answers(attempt, right=True).items())[:2]))
        client.post(quiz_url(enrolment, quiz), {"action": "save", "attempt": attempt.pk, **saved})
    with shifted_to(start_at + timedelta(minutes=4)):
        page = client.get(quiz_url(enrolment, quiz)).content.decode()
    seconds = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 355 <= seconds <= 365
    with shifted_to(start_at + timedelta(minutes=15)):
        response = client.get(quiz_url(enrolment, quiz))
        html = response.content.decode()
        # A GET writes nothing: the page says time is up, offers no inputs, and the close is a POST.
        assert response.status_code == 200 and "Time is up for this attempt" in html
        assert 'name="q' not in html and 'value="close"' in html
        attempt.refresh_from_db()
        assert not attempt.is_submitted
        # Nor may the attempt take answers now: a save closes it with what was saved by its deadline.
        late = served_form(attempt, answers(attempt, right=True))
        client.post(quiz_url(enrolment, quiz), {"action": "submit", "attempt": attempt.pk, **late})
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.timed_out and attempt.score == Decimal("20.00")  # the two saved


@override_settings(MICROCRED_QUIZ_GRACE_SECONDS=60)
def test_the_close_button_grades_an_expired_attempt_as_saved():
    start_at = now()
    _learner, enrolment, quiz, client = world(time_limit_minutes=10)
    with shifted_to(start_at):
        attempt = start(client, enrolment, quiz)
    with shifted_to(start_at + timedelta(minutes=10, seconds=30)):
        # Within the grace the page still takes answers.
        assert 'name="q' in client.get(quiz_url(enrolment, quiz)).content.decode()
    with shifted_to(start_at + timedelta(minutes=15)):
        closed = client.post(quiz_url(enrolment, quiz), {"action": "close", "attempt": attempt.pk})
    assert closed.status_code == 302 and closed["Location"].endswith(f"/{attempt.pk}/")
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.timed_out and attempt.score == Decimal("0.00")
    # Closing again (a second tab) is no error: the page shows the attempt as submitted.
    again = client.post(quiz_url(enrolment, quiz), {"action": "close", "attempt": attempt.pk})
    assert again.status_code == 302


def test_the_start_button_says_why_it_cannot_start():
    _learner, enrolment, quiz, client = world(opens_at=now() + timedelta(days=1))
    html = client.get(quiz_url(enrolment, quiz)).content.decode()
    assert "This quiz opens on" in html and 'value="start"' not in html
    lesson_page = client.get(reverse("learning:lesson", args=[enrolment.pk, quiz.lesson_id])).content.decode()
    assert "This quiz opens on" in lesson_page


# --- API -----------------------------------------------------------------------------------------


def test_the_api_in_every_state_sends_only_what_may_be_shown():
    _learner, enrolment, quiz, client = world(max_attempts=2)
    started = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz.lesson_id}/attempts")
    assert started.status_code == 201
    attempt = Attempt.objects.get(pk=started.json()["id"])
    # In progress: questions and options only.
    raw = started.content.decode()
    assert_nothing_grading_in(raw)
    assert started.json()["result"] is None
    # Autosave through PUT, then read back for a reload.
    qid = attempt.question_ids[0]
    wrong = as_served(attempt, answers(attempt, right=False))
    put = client.put(
        f"{API}/attempts/{attempt.pk}/answers", {"answers": {qid: wrong[str(qid)]}}, content_type="application/json"
    )
    assert put.status_code == 200 and put.json()["saved_answers"] == {str(qid): wrong[str(qid)]}
    assert_nothing_grading_in(put.content.decode())
    # Submitted, answers held back (a credential's quiz with an attempt left).
    graded = client.post(f"{API}/attempts/{attempt.pk}/submit", {"answers": wrong}, content_type="application/json")
    body = graded.json()["result"]
    assert body["shown"] == ["score"] and body["answers_shown"] is False and body["score"] == "0.00"
    assert all(q["correct_choice_ids"] is None and q["explanation"] is None for q in body["questions"])
    assert all(q["is_correct"] is None for q in body["questions"])
    text = graded.content.decode()
    for explanation in EXPLANATIONS:
        assert explanation not in text
    # Submitted again: the same result, still held back.
    again = client.post(f"{API}/attempts/{attempt.pk}/submit", {"answers": {}}, content_type="application/json")
    assert again.status_code == 200 and again.json()["result"] == body
    # Last attempt used: now settled, so everything is shown.
    second = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz.lesson_id}/attempts").json()
    assert second["id"] != attempt.pk
    client.post(f"{API}/attempts/{second['id']}/submit", {"answers": {}}, content_type="application/json")
    revealed = client.get(f"{API}/attempts/{attempt.pk}").json()["result"]
    assert revealed["answers_shown"] is True
    assert {c for q in revealed["questions"] for c in q["correct_choice_ids"]} == correct_ids(attempt)
    assert {q["explanation"] for q in revealed["questions"]} <= set(EXPLANATIONS)


def test_autosave_problems():
    _learner, enrolment, quiz, client = world(question_count=3)
    attempt = start(client, enrolment, quiz)
    other = quiz.bank.questions.exclude(pk__in=attempt.question_ids).first()
    url = f"{API}/attempts/{attempt.pk}/answers"
    bad = client.put(url, {"answers": {other.pk: [1]}}, content_type="application/json")
    assert_problem(bad, 422, "validation_failed")
    client.post(f"{API}/attempts/{attempt.pk}/submit", {"answers": {}}, content_type="application/json")
    assert_problem(client.put(url, {"answers": {}}, content_type="application/json"), 409, "already_submitted")
    stranger = Client()
    stranger.force_login(published_quiz()[0])
    assert_problem(stranger.put(url, {"answers": {}}, content_type="application/json"), 404, "not_found")


@override_settings(MICROCRED_QUIZ_GRACE_SECONDS=60)
def test_the_api_refuses_autosave_after_the_grace_and_reports_the_close():
    start_at = now()
    _learner, enrolment, quiz, client = world(time_limit_minutes=5)
    with shifted_to(start_at):
        started = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz.lesson_id}/attempts").json()
    assert started["seconds_left"] == 300 or started["seconds_left"] == 299
    with shifted_to(start_at + timedelta(minutes=7)):
        # Reading writes nothing: the attempt is open still, and says it takes no more answers.
        read = client.get(f"{API}/attempts/{started['id']}").json()
        assert read["state"] == "open" and read["expired"] is True and read["result"] is None
        assert not Attempt.objects.get(pk=started["id"]).is_submitted
        late = client.put(f"{API}/attempts/{started['id']}/answers", {"answers": {}}, content_type="application/json")
        assert_problem(late, 409, "attempt_expired")
        body = client.get(f"{API}/attempts/{started['id']}").json()
    assert body["state"] == "submitted" and body["result"]["timed_out"] is True and body["expired"] is False


def test_the_openapi_document_lists_autosave():
    schema = json.loads(Client().get(f"{API}/openapi.json").content)
    assert "put" in schema["paths"]["/api/v1/attempts/{attempt_id}/answers"]


def test_the_result_page_says_when_the_next_attempt_may_start():
    _learner, enrolment, quiz, client = world(attempt_delay_minutes=60)
    attempt = start(client, enrolment, quiz)
    form = served_form(attempt, answers(attempt, right=False))
    client.post(quiz_url(enrolment, quiz), {"action": "submit", "attempt": attempt.pk, **form})
    html = client.get(reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk])).content.decode()
    assert "You can start your next attempt in 60 minutes" in html and "Retake the quiz" not in html
    refused = client.post(quiz_url(enrolment, quiz), {"action": "start"}, follow=True).content.decode()
    assert "You can start your next attempt in" in refused
    assert Attempt.objects.filter(enrolment=enrolment).count() == 1


def test_the_api_serves_options_in_the_attempts_order_and_the_lesson_shows_the_rules():
    _learner, enrolment, quiz, client = world(grading_method="last", attempt_delay_minutes=5)
    started = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz.lesson_id}/attempts").json()
    attempt = Attempt.objects.get(pk=started["id"])
    assert [q["id"] for q in started["questions"]] == attempt.question_ids
    for question in started["questions"]:
        served = [c["id"] for c in question.get("choices") or question["form"]["choices"]]
        assert served == [served_id(attempt, question["id"], c) for c in attempt.choice_orders[str(question["id"])]]
    lesson = client.get(f"{API}/enrolments/{enrolment.pk}/lessons/{quiz.lesson_id}").json()
    assert lesson["quiz"]["grading_method"] == "last" and lesson["quiz"]["attempt_delay_minutes"] == 5


@override_settings(MICROCRED_QUIZ_GRACE_SECONDS=60)
def test_the_scheduled_close_grades_expired_attempts_as_the_learners_next_post_would():
    from django.core.management import call_command

    from microcred.learning.models import LessonOutcome

    start_at = now()
    _learner, enrolment, quiz, client = world(time_limit_minutes=10)
    _other_learner, other_enrolment, other_quiz, other_client = world(time_limit_minutes=10)
    with shifted_to(start_at):
        attempt = start(client, enrolment, quiz)
        other = start(other_client, other_enrolment, other_quiz)
        for who, their_attempt, their_quiz, their_enrolment in (
            (client, attempt, quiz, enrolment),
            (other_client, other, other_quiz, other_enrolment),
        ):
            right = dict(list(answers(their_attempt, right=True).items())[:8])
            saved = served_form(their_attempt, right)
            who.post(quiz_url(their_enrolment, their_quiz), {"action": "save", "attempt": their_attempt.pk, **saved})
    with shifted_to(start_at + timedelta(minutes=10, seconds=30)):  # within the grace: left alone
        call_command("attempts", "close-expired", stdout=(out := io.StringIO()))
    assert "Closed 0 attempt(s)" in out.getvalue()
    attempt.refresh_from_db()
    assert not attempt.is_submitted
    with shifted_to(start_at + timedelta(minutes=20)):
        other_client.get(quiz_url(other_enrolment, other_quiz))  # a read closes nothing
        other_client.post(quiz_url(other_enrolment, other_quiz), {"action": "close", "attempt": other.pk})
        call_command("attempts", "close-expired", stdout=(out := io.StringIO()))
        assert "Closed 1 attempt(s)" in out.getvalue()  # the other learner closed theirs
        call_command("attempts", "close-expired", stdout=(out := io.StringIO()))
        assert "Closed 0 attempt(s)" in out.getvalue()  # safe to run again
    attempt.refresh_from_db()
    other.refresh_from_db()
    graded = ("is_submitted", "timed_out", "score", "passed", "points_earned", "points_possible")
    # The same saved answers (translated to the same stored choices) give the same result.
    assert attempt.is_submitted and attempt.timed_out and attempt.score == Decimal("80.00")
    assert [getattr(attempt, f) for f in graded] == [getattr(other, f) for f in graded]
    assert len(attempt.answers) == len(other.answers) == 8
    # The platform reported the outcome to learning, as the learner's own POST did for the other.
    for their_enrolment in (enrolment, other_enrolment):
        outcome = LessonOutcome.objects.get(enrolment=their_enrolment)
        assert outcome.passed and outcome.score == Decimal("80.00")
