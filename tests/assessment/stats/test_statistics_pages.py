"""A provider's quiz statistics through its interfaces: the workspace page (numbers, charts,
empty state, permissions), the CSV downloads, the API and the CLI. The figures are those of
``test_itemstats``' method, worked out by hand for this quiz (question 1: one point, question 2: two).

    learner  Q1  Q2  total      Q1 right: 1 1 0 1 -> facility .75; Q2: 1 0 0 1 -> .50
    a         1   2  3 (100 %)  Q1 against the rest (= Q2's points 2 0 0 2): r = .5 / sqrt(.75) = .58,
    b         1   0  1 (33.3)   and Q2 against Q1 the same. Mean 58.3 %, median 66.7 %.
    c         0   0  0 (0)      alpha = 2 * (1 - (1/4 + 4/3) / (27/12)) = .59
    d         1   2  3 (100)    c retakes and gets everything right: counted only with attempts=all.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Choice, Question, Quiz
from microcred.assessment.services import attempt_start, attempt_submit, quiz_lesson_create
from microcred.catalog.models import Lesson, LessonKind
from microcred.catalog.services import lesson_create, microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.learning.services import enrolment_create
from tests.api.conftest import API
from tests.factories import (
    QUIZ_QUESTIONS,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    microcredential_fields,
)

pytestmark = pytest.mark.django_db


def take(quiz: Quiz, enrolment, learner, right: set[int]) -> None:
    """One submitted attempt: the questions at positions in ``right`` answered right, others wrong."""
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    answers = {}
    for question in Question.objects.filter(id__in=attempt.question_ids):
        choices = Choice.objects.filter(question=question)
        if question.position in right:
            answers[str(question.pk)] = [c.pk for c in choices if c.is_correct]
        else:
            answers[str(question.pk)] = [choices.filter(is_correct=False).first().pk]
    attempt_submit(actor=learner, attempt=attempt, answers=answers)


def published_microcredential(*, provider=None, slug: str = "stats-basics"):
    """A published micro-credential: a reading, then a final quiz of ``QUIZ_QUESTIONS`` with five attempts."""
    provider = provider or OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug=slug))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Course")
    lesson_create(actor=SYSTEM, module=module, title="Read this", kind="reading", body="Text.")
    quiz_lesson_create(
        actor=SYSTEM, module=module, title="Final quiz", questions=QUIZ_QUESTIONS, passing_score=70, max_attempts=5
    )
    return microcredential_publish(actor=SYSTEM, microcredential=mc)


@pytest.fixture
def world():
    provider = OrganisationFactory()
    mc = published_microcredential(provider=provider)
    lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    quiz = Quiz.objects.get(lesson=lesson)
    enrolments = {}
    for name, right in [("a", {1, 2}), ("b", {1}), ("c", set()), ("d", {1, 2})]:
        learner = UserFactory(email=f"{name}@learners.example")
        enrolments[name] = (learner, enrolment_create(actor=learner, microcredential=mc))
        take(quiz, enrolments[name][1], learner, right)
    learner, enrolment = enrolments["c"]
    take(quiz, enrolment, learner, {1, 2})
    instructor = MembershipFactory(organisation=provider, role="instructor").user
    client = Client()
    client.force_login(instructor)
    return provider, mc, lesson, quiz, client, enrolments


def page_url(provider, mc, lesson, name="assessment:quiz_statistics"):
    return reverse(name, args=[provider.slug, mc.pk, lesson.pk])


def test_the_page_shows_the_summary_and_each_question(world):
    provider, mc, lesson, _quiz, client, _ = world
    response = client.get(page_url(provider, mc, lesson))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quiz statistics: Final quiz" in html
    assert "First attempts" in html and "(4 counted)" in html
    for figure in ["58.3 %", "66.7 %", "0.59", "75.0 %", "50.0 %", "0.58"]:
        assert figure in html, figure
    # The charts are SVG with a title and a description, and the numbers are in tables too.
    assert html.count('role="img"') == 2 and 'aria-labelledby="qs-hist-title qs-hist-desc"' in html
    assert "<title>90–100 %: 2 attempts</title>" in html and "<title>0–10 %: 1 attempt</title>" in html
    assert "<td>90–100</td><td>2</td>" in html
    # Nothing grades in the browser or elsewhere on this page: no choice and no explanation.
    assert "pd.read_csv" not in html and "read_csv parses CSV" not in html and "median</" not in html
    assert "style=" not in html.split("<main", 1)[-1]  # the CSP allows no inline style


def test_all_attempts_count_the_retake(world):
    provider, mc, lesson, _quiz, client, _ = world
    html = client.get(page_url(provider, mc, lesson) + "?attempts=all").content.decode()
    assert "All graded attempts" in html and "(5 counted)" in html
    assert "80.0 %" in html  # Q1 right in 4 of 5


def test_an_unknown_choice_of_attempts_says_so_and_shows_first_attempts(world):
    provider, mc, lesson, _quiz, client, _ = world
    response = client.get(page_url(provider, mc, lesson) + "?attempts=best", follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "showing each learner" in html and "(4 counted)" in html


def test_flags_questions_to_review(world):
    provider, mc, lesson, quiz, client, _ = world
    html = client.get(page_url(provider, mc, lesson)).content.decode()
    assert "to review" not in html  # .75 and .5 facility, .58 discrimination: nothing to flag
    # Six more learners, all right: question 1 is right in 9 of 10 first attempts.
    for _ in range(6):
        learner = UserFactory()
        take(quiz, enrolment_create(actor=learner, microcredential=mc), learner, {1, 2})
    html = client.get(page_url(provider, mc, lesson)).content.decode()
    assert "too easy" not in html  # Q1: 9/10 = .9 is not over .9
    learner = UserFactory()  # 10 of 11
    take(quiz, enrolment_create(actor=learner, microcredential=mc), learner, {1, 2})
    html = client.get(page_url(provider, mc, lesson)).content.decode()
    assert "1 question to review: Q1 (too easy)" in html and '<span class="badge badge-warning">too easy</span>' in html


def test_the_catalog_page_links_each_quiz_to_its_statistics(world):
    provider, mc, lesson, _quiz, client, _ = world
    html = client.get(reverse("catalog:workspace_mc", args=[provider.slug, mc.pk])).content.decode()
    assert page_url(provider, mc, lesson) in html


def test_empty_state():
    provider = OrganisationFactory()
    mc = published_microcredential(provider=provider, slug="fresh")
    lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    client = Client()
    client.force_login(MembershipFactory(organisation=provider, role="owner").user)
    response = client.get(page_url(provider, mc, lesson))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No graded attempts yet" in html and "The quiz has 2 questions." in html
    assert 'role="img"' not in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(page_url(provider, mc, lesson, "assessment:quiz_statistics_questions_csv")).content.decode()
            )
        )
    )
    assert len(rows) == 3 and rows[1][5:10] == ["0", "", "", "", ""]


def test_only_the_providers_staff_see_it(world):
    provider, mc, lesson, quiz, _client, enrolments = world
    urls = [
        page_url(provider, mc, lesson),
        page_url(provider, mc, lesson, "assessment:quiz_statistics_questions_csv"),
        page_url(provider, mc, lesson, "assessment:quiz_statistics_attempts_csv"),
        f"{API}/orgs/{provider.slug}/quizzes/{quiz.pk}/statistics",
        f"{API}/orgs/{provider.slug}/quizzes/{quiz.pk}/statistics/attempts",
    ]
    other_org_staff = MembershipFactory(role="owner").user
    grader = MembershipFactory(organisation=provider, role="grader").user
    learner = enrolments["a"][0]
    for user in (other_org_staff, grader, learner):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    anonymous = Client()
    for url in urls[:3]:
        assert anonymous.get(url).status_code == 302
    for url in urls[3:]:
        assert anonymous.get(url).status_code == 401


def test_another_providers_quiz_under_my_workspace_is_not_found(world):
    provider, mc, _lesson, _quiz, client, _ = world
    other_mc = published_microcredential(slug="elsewhere")  # another provider's
    other_lesson = Lesson.objects.get(module__microcredential=other_mc, kind=LessonKind.QUIZ)
    other_quiz = Quiz.objects.get(lesson=other_lesson)
    assert (
        client.get(reverse("assessment:quiz_statistics", args=[provider.slug, mc.pk, other_lesson.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("assessment:quiz_statistics", args=[provider.slug, other_mc.pk, other_lesson.pk])
        ).status_code
        == 404
    )
    reading = Lesson.objects.filter(module__microcredential=mc, kind=LessonKind.READING).first()
    assert client.get(reverse("assessment:quiz_statistics", args=[provider.slug, mc.pk, reading.pk])).status_code == 404
    assert client.get(f"{API}/orgs/{provider.slug}/quizzes/{other_quiz.pk}/statistics").status_code == 404


def test_question_csv(world):
    provider, mc, lesson, quiz, client, _ = world
    response = client.get(page_url(provider, mc, lesson, "assessment:quiz_statistics_questions_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="quiz-{quiz.pk}-questions-first.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["position"] for r in rows] == ["1", "2"]
    assert rows[0]["text"] == "Which function reads a CSV file in pandas?" and rows[1]["points"] == "2"
    assert [r["attempts"] for r in rows] == ["4", "4"]
    assert [r["facility"] for r in rows] == ["0.7500", "0.5000"]
    assert [r["discrimination"] for r in rows] == ["0.5774", "0.5774"]
    assert rows[0]["flags"] == ""
    everything = client.get(
        page_url(provider, mc, lesson, "assessment:quiz_statistics_questions_csv") + "?attempts=all"
    )
    assert next(csv.DictReader(io.StringIO(everything.content.decode())))["facility"] == "0.8000"
    bad = client.get(page_url(provider, mc, lesson, "assessment:quiz_statistics_questions_csv") + "?attempts=best")
    assert bad.status_code == 400 and "first" in bad.content.decode()


def test_attempts_csv(world):
    provider, mc, lesson, quiz, client, _ = world
    response = client.get(page_url(provider, mc, lesson, "assessment:quiz_statistics_attempts_csv") + "?attempts=all")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    q1, q2 = Question.objects.filter(bank=quiz.bank).order_by("position")
    by_learner = {}
    for row in rows:
        by_learner.setdefault(row["learner_email"], []).append(row)
    assert sorted(by_learner) == [f"{n}@learners.example" for n in "abcd"]
    first, retake = by_learner["c@learners.example"]
    assert (first["number"], first["earned"], first["possible"], first["percent"]) == ("1", "0", "3", "0.00")
    assert (retake["number"], retake["percent"], retake[f"q{q1.pk}"], retake[f"q{q2.pk}"]) == ("2", "100.00", "1", "2")
    assert by_learner["b@learners.example"][0]["percent"] == "33.33"


def test_a_formula_in_a_question_is_not_run_by_a_spreadsheet(world):
    provider, mc, lesson, quiz, client, _ = world
    Question.objects.filter(bank=quiz.bank, position=1).update(text='=HYPERLINK("http://evil")')
    response = client.get(page_url(provider, mc, lesson, "assessment:quiz_statistics_questions_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil")'


def test_api(world):
    provider, mc, lesson, quiz, client, _ = world
    response = client.get(f"{API}/orgs/{provider.slug}/quizzes/{quiz.pk}/statistics")
    assert response.status_code == 200
    body = response.json()
    assert (body["quiz_id"], body["lesson_id"], body["microcredential_id"]) == (quiz.pk, lesson.pk, mc.pk)
    assert body["which"] == "first" and body["attempts"] == 4
    assert body["mean"] == pytest.approx(175 / 3) and body["median"] == pytest.approx(200 / 3)
    assert body["alpha"] == pytest.approx(2 * (1 - (1 / 4 + 4 / 3) / (27 / 12)))
    assert [b["count"] for b in body["histogram"]] == [1, 0, 0, 1, 0, 0, 0, 0, 0, 2]
    q1, q2 = body["questions"]
    assert q1["facility"] == pytest.approx(0.75) and q2["facility"] == pytest.approx(0.5)
    assert q1["discrimination"] == pytest.approx(0.5 / 0.75**0.5)
    # Upper-lower with g = round(.27 * 4) = 1: d or a (100 %, the higher id on top) against c (0 %).
    assert q1["upper_lower"] == pytest.approx(1.0) and q2["upper_lower"] == pytest.approx(1.0)
    assert set(q1) == {
        "position",
        "question_id",
        "kind",
        "points",
        "text",
        "attempts",
        "facility",
        "sd",
        "discrimination",
        "upper_lower",
        "flags",
    }
    raw = response.content.decode()
    assert "pd.read_csv" not in raw and "correct" not in raw and "read_csv parses" not in raw
    everything = client.get(f"{API}/orgs/{provider.slug}/quizzes/{quiz.pk}/statistics?attempts=all").json()
    assert everything["attempts"] == 5 and everything["questions"][0]["facility"] == pytest.approx(0.8)
    bad = client.get(f"{API}/orgs/{provider.slug}/quizzes/{quiz.pk}/statistics?attempts=best")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert client.get(f"{API}/orgs/{provider.slug}/quizzes/999999/statistics").status_code == 404


def test_api_attempt_scores_are_paged(world):
    provider, _mc, _lesson, quiz, client, _ = world
    url = f"{API}/orgs/{provider.slug}/quizzes/{quiz.pk}/statistics/attempts?attempts=all&limit=2"
    response = client.get(url)
    body = response.json()
    assert response.status_code == 200 and body["count"] == 5 and len(body["items"]) == 2
    assert response["X-Total-Count"] == "5" and 'rel="next"' in response["Link"]
    item = body["items"][0]
    assert item["percent"] == 100.0 and item["earned"] == 3 and item["possible"] == 3 and item["number"] == 1
    assert sum(item["points"].values()) == 3


def test_openapi_documents_the_endpoints():
    schema = Client().get(f"{API}/openapi.json").json()
    operation = schema["paths"]["/api/v1/orgs/{slug}/quizzes/{quiz_id}/statistics"]["get"]
    assert "security" in operation and {"200", "401", "404"} <= set(operation["responses"])
    out = schema["components"]["schemas"]["QuestionStatsOut"]["properties"]
    assert "Moodle" in out["discrimination"]["description"] and "description" in out["facility"]
    assert "/api/v1/orgs/{slug}/quizzes/{quiz_id}/statistics/attempts" in schema["paths"]


def test_cli(world):
    _provider, _mc, _lesson, quiz, _client, _ = world
    out = io.StringIO()
    call_command("quiz_stats", str(quiz.pk), stdout=out)
    text = out.getvalue()
    assert "Attempts counted (first): 4" in text and "Mean 58.3 %" in text and "Cronbach's alpha 0.59" in text
    assert "75.0%" in text and "0.58" in text
    out = io.StringIO()
    call_command("quiz_stats", str(quiz.pk), "--attempts", "all", "--csv", "attempts", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 5 and rows[0]["attempt_id"]
    out = io.StringIO()
    call_command("quiz_stats", str(quiz.pk), "--csv", "questions", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("position,question_id,kind,points,text")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No quiz with id 999999"):
        call_command("quiz_stats", "999999")
