"""Rendering a page of a quiz in progress: ``python -m bench --only quizpage [--renders N]``.

A published micro-credential whose final quiz has 20 questions of four options, shuffled and
timed; a learner with an attempt open and half of it autosaved. The learner's quiz page is
requested N times (200 by default) through Django's test client, which runs the whole stack
(middleware, session, the view's queries, the templates) without a socket; each request's server
time is measured. Target (issue 8): under 50 ms at the median.

The database is a throwaway SQLite test database built from the models (Django's test-database
machinery), so the bench needs no server and no migrations step.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TARGET_MEDIAN_MS = 50.0
QUESTIONS = 20

Progress = Callable[[str], None]


class QuizPageUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class QuizPageFigures:
    renders: int
    median_ms: float
    p95_ms: float
    queries: int

    @property
    def verdict(self) -> str:
        return "PASS" if self.median_ms < TARGET_MEDIAN_MS else "FAIL"


def make_quiz_in_progress() -> tuple[Any, str]:
    """The learner (to sign in) and the path of their quiz page, with an attempt in progress."""
    from microcred.accounts.models import Organisation, OrganisationKind, User
    from microcred.assessment.services import attempt_answers_save, attempt_start, quiz_lesson_create
    from microcred.catalog.services import lesson_create, microcredential_create, microcredential_publish, module_create
    from microcred.core.actors import SYSTEM
    from microcred.learning.services import enrolment_create
    from tests.factories import microcredential_fields

    provider = Organisation.objects.create(
        kind=OrganisationKind.PROVIDER,
        provider_type="university",
        name="Bench Quiz Academy",
        slug=f"bench-quiz-{Organisation.objects.count()}",
        country="IE",
        website="https://academy.example",
    )
    mc = microcredential_create(
        actor=SYSTEM, provider=provider, **microcredential_fields(slug=f"bench-quiz-{provider.pk}")
    )
    module = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    lesson_create(actor=SYSTEM, module=module, title="Read first", kind="reading", body="Some *text*.")
    questions = [
        {
            "kind": "single" if n % 2 else "multiple",
            "text": f"Question {n}: which of these is **right**?",
            "explanation": f"Explanation {n}.",
            "points": 1 + n % 3,
            "choices": [
                {"text": f"Option {c} of question {n}", "correct": c == 0 or (n % 2 == 0 and c == 1)} for c in range(4)
            ],
        }
        for n in range(QUESTIONS)
    ]
    lesson = quiz_lesson_create(
        actor=SYSTEM, module=module, title="Final quiz", questions=questions, max_attempts=3, time_limit_minutes=60
    )
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    learner = User.objects.create(email=f"bench-quiz-{provider.pk}@bench.example", full_name="Bench Learner")
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    attempt = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    half = {qid: [attempt.choice_orders[str(qid)][0]] for qid in attempt.question_ids[: QUESTIONS // 2]}
    attempt_answers_save(actor=learner, attempt=attempt, answers=half)
    from django.urls import reverse

    return learner, reverse("assessment:quiz", args=[enrolment.pk, lesson.pk])


def measure(learner: Any, path: str, renders: int) -> QuizPageFigures:
    """Request ``path`` as ``learner`` ``renders`` times (after a warm-up); each request's time."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(learner)
    for _ in range(5):  # templates compiled, caches warm
        response = client.get(path)
        if response.status_code != 200 or b'name="action" value="submit"' not in response.content:
            raise QuizPageUnavailable(f"the quiz page answered {response.status_code} without the attempt's form")
    # Counted by a wrapper: the request's start resets Django's own query log.
    queries: list[str] = []

    def count(execute: Any, sql: str, *args: Any) -> Any:
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        client.get(path)
    timings = []
    for _ in range(renders):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return QuizPageFigures(
        renders=renders,
        median_ms=statistics.median(timings),
        p95_ms=timings[min(len(timings) - 1, int(len(timings) * 0.95))],
        queries=len(queries),
    )


def run_quiz_page(renders: int, *, progress: Progress = lambda _: None) -> QuizPageFigures:
    from django.conf import settings

    if settings.configured:
        raise QuizPageUnavailable("Django is already set up in this process; run `python -m bench --only quizpage`")
    os.environ["DATABASE_URL"] = "sqlite:///bench-quiz-page.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.config.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # An in-memory test database built from the models: no migrations to run, nothing left behind.
    connection.settings_dict["TEST"]["MIGRATE"] = False
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        progress("quizpage: building a published 20-question quiz with an attempt in progress")
        learner, path = make_quiz_in_progress()
        return measure(learner, path, renders)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def print_figures(figures: QuizPageFigures) -> None:
    print(
        f"quiz page in progress: median {figures.median_ms:.1f} ms, p95 {figures.p95_ms:.1f} ms over "
        f"{figures.renders} renders ({figures.queries} queries each); target median < {TARGET_MEDIAN_MS:.0f} ms: "
        f"{figures.verdict}"
    )
