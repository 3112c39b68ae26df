"""A timed quiz in a real browser (issue 8): start, answer (autosaved through htmx), reload (the
answers are kept and the clock keeps running), submit."""

from __future__ import annotations

import re

from django.urls import reverse

from microcred.assessment.models import Attempt, Choice
from tests.factories import as_served
from tests.web.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def seconds_of(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_timed_quiz_survives_a_reload_and_is_submitted(browser_context, transactional_db):
    from playwright.sync_api import expect

    from tests.assessment.test_quiz_integrity import published_quiz

    context, base_url = browser_context
    learner, enrolment, quiz = published_quiz(time_limit_minutes=10, max_attempts=2)
    sign_in(context, base_url, learner)
    page = context.new_page()
    quiz_path = reverse("assessment:quiz", args=[enrolment.pk, quiz.lesson_id])

    page.goto(quiz_path)
    assert not Attempt.objects.exists()  # opening the page starts nothing
    page.get_by_role("button", name="Start the quiz").click()
    timer = page.locator(".quiz-timer-value")
    expect(timer).to_have_text(re.compile(r"^(9:[0-5]\d|10:00)$"))
    attempt = Attempt.objects.get()

    first, second = attempt.question_ids[:2]
    stored = {qid: Choice.objects.get(question_id=qid, is_correct=True).pk for qid in attempt.question_ids}
    # The page shows each choice under an id of the attempt's own.
    right = {qid: as_served(attempt, {str(qid): [pk]})[str(qid)][0] for qid, pk in stored.items()}
    for qid in (first, second):
        # Each change posts the form to the autosave endpoint (htmx), which answers with the status.
        with page.expect_response(lambda r: r.url.endswith("/autosave") and r.status == 200):
            page.locator(f'input[name="q{qid}"][value="{right[qid]}"]').check()
        expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    attempt.refresh_from_db()
    assert attempt.answers == {str(first): [stored[first]], str(second): [stored[second]]}
    page.wait_for_timeout(1500)
    before_reload = seconds_of(timer.inner_text())

    page.reload()
    expect(page.locator(f'input[name="q{first}"][value="{right[first]}"]')).to_be_checked()
    expect(page.locator(f'input[name="q{second}"][value="{right[second]}"]')).to_be_checked()
    # The clock was not reset by the reload: it carries on from the server's deadline.
    after_reload = seconds_of(page.locator(".quiz-timer-value").inner_text())
    assert after_reload <= before_reload < 600
    assert Attempt.objects.count() == 1

    for qid in attempt.question_ids[2:]:
        # One request at a time: the live server shares its in-memory SQLite connection between threads.
        with page.expect_response(lambda r: r.url.endswith("/autosave") and r.status == 200):
            page.locator(f'input[name="q{qid}"][value="{right[qid]}"]').check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Well done — you passed!")
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.passed and not attempt.timed_out
    # Back on the quiz page, the attempt is no longer open and nothing is served.
    page.goto(quiz_path)
    expect(page.locator(".quiz-timer")).to_have_count(0)
