"""Project statistics through their interfaces: the assignment statistics page and the grading
overview (figures, charts, empty states, permissions), their CSV, and the API. The figures are
worked out by hand for this grading round (rubric of ``conftest``: Analysis 0/2/4, Clarity 0/2;
max 6, pass mark 50 %), "now" being when the test runs:

    learner  submitted    graded (by the grader)  final grade                          regrade
    a        10 days ago  8 days ago: 6/6         100 %    Thorough, Clear             asked, open
    b         6 days ago  5 days ago: 0/6         changed to 4/6 = 66.67 %: Partial, Clear   changed now
    c         3 days ago  2 days ago: 2/6         33.33 %  Missing, Clear (fails)      upheld
    d         2 days ago  waiting (1–3 days)
    e         3 hours ago waiting (under 1 day)
    f         9 days ago  waiting (over 7 days)

Scores 100, 66.67, 33.33: mean and median 66.67 %, pass rate 2/3 = 66.7 %, one each in the bands
30–40, 60–70 and 90–100. Analysis: Missing 1, Partial 1, Thorough 1, mean 2.00 points; Clarity:
Clear 3, mean 2.00. Regrades: 3 asked, 1 open, 1 upheld, 1 changed: 50 % upheld. Time to grade:
a 48 h, c 24 h (b's grade was changed on regrade: left out), median 36 h. Graded in the last 8
weeks: 3 (b's at its change, now).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from microcred.accounts.models import Membership
from microcred.core.clock import now, shifted_to
from microcred.learning.services import enrolment_create
from microcred.projects.models import Assignment, PeerReview
from microcred.projects.selectors import (
    assignment_statistics,
    grading_overview,
    reviewer_quality,
)
from microcred.projects.services import (
    peer_review_submit,
    peer_reviews_allocate,
    regrade_request_create,
    regrade_request_decide,
    submission_create,
    submission_grade,
)
from tests.api.conftest import API, assert_problem
from tests.factories import UserFactory

from .conftest import FAILING, PASSING, Course, build_course
from .peer import build_peer_course

PARTIAL = {"Analysis": "Partial", "Clarity": "Clear"}  # 4 of 6
NOTHING = {"Analysis": "Missing", "Clarity": "Unclear"}  # 0 of 6


def assert_unique_ids(html: str) -> None:
    """A chart is named by its title's id: a duplicate id would name it by something else."""
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _learner(course: Course, name: str):
    user = UserFactory(email=f"{name}@learners.example", full_name=f"Learner {name.upper()}")
    return user, enrolment_create(actor=user, microcredential=course.mc)


def _submit(course: Course, name: str, ago: timedelta):
    user, enrolment = _learner(course, name)
    with shifted_to(now() - ago):
        return submission_create(actor=user, enrolment=enrolment, assignment=course.assignment, text=f"Work of {name}.")


def _grade(course: Course, submission, levels, ago: timedelta) -> None:
    with shifted_to(now() - ago):
        submission_grade(actor=course.grader, submission=submission, levels=levels, feedback="Read.")


def grading_round() -> Course:
    """The round of the module docstring."""
    course = build_course()
    day = timedelta(days=1)
    a = _submit(course, "a", 10 * day)
    b = _submit(course, "b", 6 * day)
    c = _submit(course, "c", 3 * day)
    _submit(course, "d", 2 * day)
    _submit(course, "e", timedelta(hours=3))
    _submit(course, "f", 9 * day)
    _grade(course, a, PASSING, 8 * day)
    _grade(course, b, NOTHING, 5 * day)
    _grade(course, c, FAILING, 2 * day)
    regrade_request_create(actor=a.user, submission=a, reason="Look again, please.")
    for work, levels in ((b, PARTIAL), (c, None)):
        regrade = regrade_request_create(actor=work.user, submission=work, reason="Unfair.")
        regrade_request_decide(actor=course.instructor, regrade=regrade, note="Looked again.", levels=levels)
    return course


@pytest.fixture
def graded(db) -> Course:
    return grading_round()


def stats_url(course: Course, name: str = "projects:assignment_statistics") -> str:
    return reverse(name, args=[course.provider.slug, course.assignment.pk])


def overview_url(course: Course, name: str = "projects:grading_overview") -> str:
    return reverse(name, args=[course.provider.slug])


# -- The assignment's statistics ------------------------------------------------------------------


def test_the_assignment_page_shows_the_hand_computed_figures(graded):
    response = client_for(graded.grader).get(stats_url(graded))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Assignment statistics: Capstone" in html and "6 learners submitted" in html
    assert "3 submissions wait for a grade" in html
    for label, figure in [
        ("Graded", "3"),
        ("Mean score", "66.7 %"),
        ("Median score", "66.7 %"),
        ("Pass rate", "66.7 %"),
        ("Passed", "2"),
        ("Requested", "3"),
        ("Waiting for a decision", "1"),
        ("Grade upheld", "1"),
        ("Grade changed", "1"),
        ("Share upheld", "50.0 %"),
    ]:
        assert f"<dt>{label}</dt><dd>{figure}</dd>" in html, label
    # The histogram: a column per band, its figures in a table too.
    assert "<title>30–40 %: 1 submission</title>" in html and "<title>90–100 %: 1 submission</title>" in html
    assert "<td>60–70</td><td>1</td>" in html and "<td>0–10</td><td>0</td>" in html
    # The rubric levels: stacked bars, the lowest level lightest, and the table.
    assert "<title>Analysis, Partial: 1 submission of 3</title>" in html
    assert "<title>Clarity, Clear: 3 submissions of 3</title>" in html
    assert 'class="chart-series-0"' in html and 'class="chart-series-5"' in html
    assert "Missing: 1 · Partial: 1 · Thorough: 1" in html and "Unclear: 0 · Clear: 3" in html
    assert "<td>2.00</td><td>4.00</td>" in html and "<td>2.00</td><td>2.00</td>" in html
    # No peer review here, two charts with titles and descriptions, and no inline style (CSP).
    assert "Peer review" not in html
    assert html.count('role="img"') == 2 and 'aria-labelledby="as-hist-title as-hist-desc"' in html
    assert "style=" not in html.split("<main", 1)[-1] and "<script" not in html.split("<main", 1)[-1]
    assert_unique_ids(html)


def test_the_figures_come_from_the_graded_work_only(graded):
    report = assignment_statistics(assignment=graded.assignment, now=now())
    assert report.scores.graded == 3 and report.waiting == 3
    assert report.scores.mean == pytest.approx(66.6666, abs=1e-3) and report.scores.median == pytest.approx(66.67)
    assert [b.count for b in report.scores.histogram] == [0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    analysis, clarity = report.criteria
    assert analysis.counts == (("Missing", 1), ("Partial", 1), ("Thorough", 1)) and analysis.between == 0
    assert clarity.counts == (("Unclear", 0), ("Clear", 3)) and clarity.mean_points == 2.0
    assert report.reviews is None
    assert (report.regrades.requested, report.regrades.open, report.regrades.upheld_share) == (3, 1, 50.0)


def test_the_assignment_csv_has_a_row_per_learner(graded):
    response = client_for(graded.instructor).get(stats_url(graded, "projects:assignment_statistics_csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="assignment-{graded.assignment.pk}-submissions.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["learner_email"] for r in rows] == [f"{n}@learners.example" for n in "afbcde"]  # oldest first
    by = {r["learner_email"][0]: r for r in rows}
    assert (by["b"]["score"], by["b"]["passed"], by["b"]["Analysis"], by["b"]["regrade"]) == (
        "66.67",
        "yes",
        "Partial",
        "changed",
    )
    assert (by["c"]["status"], by["c"]["points"], by["c"]["max_points"], by["c"]["Clarity"]) == (
        "graded",
        "2.00",
        "6.00",
        "Clear",
    )
    assert by["a"]["regrade"] == "open" and by["a"]["graded_by"] == "instructor"
    assert by["d"]["status"] == "submitted" and by["d"]["score"] == "" and by["d"]["Analysis"] == ""
    assert by["e"]["peer_reviews_done"] == ""  # not a peer-reviewed assignment


def test_a_formula_in_a_learner_name_is_not_run_by_a_spreadsheet(graded):
    user, enrolment = _learner(graded, "formula")
    user.full_name = "=HYPERLINK(1)"
    user.save()
    submission_create(actor=user, enrolment=enrolment, assignment=graded.assignment, text="x")
    content = client_for(graded.grader).get(stats_url(graded, "projects:assignment_statistics_csv")).content.decode()
    assert "'=HYPERLINK(1)" in content


def test_an_assignment_without_grades_has_a_designed_empty_state(course):
    html = client_for(course.grader).get(stats_url(course)).content.decode()
    assert "No graded submissions yet" in html and "The rubric has 2 criteria." in html
    assert 'role="img"' not in html
    rows = list(
        csv.reader(
            io.StringIO(
                client_for(course.grader).get(stats_url(course, "projects:assignment_statistics_csv")).content.decode()
            )
        )
    )
    assert rows[0][:3] == ["submission_id", "learner_email", "learner_name"] and len(rows) == 1


# -- The grading overview -------------------------------------------------------------------------


def test_the_grading_page_links_to_the_overview_which_links_each_assignment(graded):
    client = client_for(graded.grader)
    assert overview_url(graded) in client.get(reverse("projects:grading", args=[graded.provider.slug])).content.decode()
    html = client.get(overview_url(graded)).content.decode()
    assert stats_url(graded) in html


def test_the_overview_shows_the_hand_computed_figures(graded):
    html = client_for(graded.grader).get(overview_url(graded)).content.decode()
    for label, figure in [
        ("Waiting for a grade", "3"),
        ("Of which in the graders’ queue", "3"),
        ("Regrades pending", "1"),
        ("Graded, last 8 weeks", "3"),
        ("Median time to grade", "36.0 h"),
    ]:
        assert f"<dt>{label}</dt><dd>{figure}</dd>" in html, label
    assert "<title>Capstone: 3 submissions</title>" in html  # waiting, by assignment
    for band in ("under 1 day", "1–3 days", "over 7 days"):
        assert f"<td>{band}</td><td>1</td>" in html
    assert "<td>3–7 days</td><td>0</td>" in html
    assert html.count('role="img"') == 3 and "style=" not in html.split("<main", 1)[-1]
    assert_unique_ids(html)


def test_the_overview_selector_reads_in_five_queries(graded, django_assert_num_queries):
    with django_assert_num_queries(5):
        overview = grading_overview(organisation=graded.provider, now=timezone.localtime(now()))
    (row,) = overview.rows
    assert (row.waiting, row.ages, row.graded, row.regrades_open) == (3, (1, 1, 0, 1), 3, 1)
    assert row.pace.median_hours == pytest.approx(36.0, abs=0.01) and row.pace.timed == 2
    assert sum(n for _w, n in overview.pace.weeks) == 3 and len(overview.pace.weeks) == 8


def test_the_overview_csv_has_a_row_per_assignment(graded):
    response = client_for(graded.instructor).get(overview_url(graded, "projects:grading_overview_csv"))
    assert response.status_code == 200
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["assignment_id"] == str(graded.assignment.pk) and row["assignment"] == "Capstone"
    assert row["review_mode"] == "instructor" and row["waiting"] == "3"
    assert (row["waiting_under_1_day"], row["waiting_1_to_3_days"], row["waiting_3_to_7_days"]) == ("1", "1", "0")
    assert row["waiting_over_7_days"] == "1" and row["graded"] == "3" and row["graded_last_8_weeks"] == "3"
    assert float(row["median_hours_to_grade"]) == pytest.approx(36.0, abs=0.01) and row["regrades_open"] == "1"


def test_a_provider_without_submissions_has_a_designed_empty_overview(course):
    html = client_for(course.instructor).get(overview_url(course)).content.decode()
    assert "No submissions yet" in html and 'role="img"' not in html


# -- Peer review ----------------------------------------------------------------------------------


@pytest.fixture
def peer_round(db):
    """Four learners, two reviewers per submission. Work 0: PASSING (100 %) and PARTIAL (66.67 %):
    Analysis' median of 4 and 2 is 3, between two levels; grade 5/6 = 83.33 %, spread 33.33 points.
    Work 1: PASSING twice, 100 %, spread 0. Works 2 and 3: reviews open."""
    course = build_peer_course(learners=4, per_submission=2, review_due_at=now() + timedelta(days=2))
    works = [course.submit(n) for n in range(4)]
    peer_reviews_allocate(actor=course.instructor, assignment=course.assignment)
    for work, marks in ((works[0], (PASSING, PARTIAL)), (works[1], (PASSING, PASSING))):
        for review, levels in zip(PeerReview.objects.filter(submission=work), marks, strict=True):
            peer_review_submit(actor=review.reviewer, review=review, levels=levels, comment="Fine.")
    return course


def test_peer_figures(peer_round):
    report = assignment_statistics(assignment=peer_round.assignment, now=now())
    assert report.scores.graded == 2 and report.scores.mean == pytest.approx(91.665)
    analysis, clarity = report.criteria
    assert analysis.counts == (("Missing", 0), ("Partial", 0), ("Thorough", 1)) and analysis.between == 1
    assert analysis.mean_points == 3.5 and clarity.counts == (("Unclear", 0), ("Clear", 2))
    reviews = report.reviews
    assert (reviews.given, reviews.done, reviews.open, reviews.overdue, reviews.dropped) == (8, 4, 4, 0, 0)
    assert reviews.spread_submissions == 2
    assert reviews.spread_mean == pytest.approx(16.665) and reviews.spread_max == pytest.approx(33.33)
    quality = [float(q) for q in reviewer_quality(peer_round.assignment).values() if q is not None]
    assert quality and reviews.quality_mean == pytest.approx(sum(quality) / len(quality))
    assert reviews.accuracy_mean is None  # no calibration examples
    # After the review deadline, the open reviews are overdue.
    later = assignment_statistics(assignment=peer_round.assignment, now=now() + timedelta(days=3))
    assert later.reviews.overdue == 4


def test_peer_page_api_and_overview(peer_round):
    client = client_for(peer_round.grader)
    stats = reverse("projects:assignment_statistics", args=[peer_round.provider.slug, peer_round.assignment.pk])
    html = client.get(stats).content.decode()
    assert (
        "<dt>Reviews given out</dt><dd>8</dd>" in html
        and "<dt>Mean spread between reviewers</dt><dd>16.7 points</dd>" in html
    )
    assert (
        "<dt>Largest spread</dt><dd>33.3 points</dd>" in html and "<dt>Mean calibration accuracy</dt><dd>–</dd>" in html
    )
    assert "<title>Analysis, between levels: 1 submission of 2</title>" in html and "chart-series-other" in html
    assert_unique_ids(html)
    # The round's page names the reviewers: linked for instructors, not for graders.
    round_url = reverse("projects:peer_round", args=[peer_round.provider.slug, peer_round.assignment.pk])
    assert round_url not in html
    assert round_url in client_for(peer_round.instructor).get(stats).content.decode()
    body = client.get(f"{API}/orgs/{peer_round.provider.slug}/assignments/{peer_round.assignment.pk}/statistics").json()
    assert body["review_mode"] == "peer" and body["peer_review"]["done"] == 4
    assert body["criteria"][0]["between_levels"] == 1 and body["peer_review"]["spread_max"] == pytest.approx(33.33)
    overview = client.get(f"{API}/orgs/{peer_round.provider.slug}/grading/overview").json()
    assert overview["waiting"] == 2 and overview["in_queue"] == 0  # waiting for peers, not for graders
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse(
                        "projects:assignment_statistics_csv", args=[peer_round.provider.slug, peer_round.assignment.pk]
                    )
                ).content.decode()
            )
        )
    )
    assert sorted(r["peer_reviews_done"] for r in csv_rows) == ["0", "0", "2", "2"]
    assert {r["Analysis"] for r in csv_rows if r["status"] == "graded"} == {"3.00", "4.00"}


# -- The API --------------------------------------------------------------------------------------


def test_api_assignment_statistics(graded):
    response = client_for(graded.grader).get(
        f"{API}/orgs/{graded.provider.slug}/assignments/{graded.assignment.pk}/statistics"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["graded"], body["waiting"], body["submitted"], body["passed"]) == (3, 3, 6, 2)
    assert body["mean"] == pytest.approx(66.6666, abs=1e-3) and body["pass_rate"] == pytest.approx(66.6666, abs=1e-3)
    assert [b["count"] for b in body["histogram"]] == [0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert body["criteria"][0]["levels"] == [
        {"level": "Missing", "count": 1},
        {"level": "Partial", "count": 1},
        {"level": "Thorough", "count": 1},
    ]
    assert body["peer_review"] is None
    assert body["regrades"] == {"requested": 3, "open": 1, "upheld": 1, "changed": 1, "upheld_share": 50.0}


def test_api_grading_overview(graded):
    body = client_for(graded.instructor).get(f"{API}/orgs/{graded.provider.slug}/grading/overview").json()
    assert (body["waiting"], body["in_queue"], body["regrades_open"]) == (3, 3, 1)
    assert [a["count"] for a in body["ages"]] == [1, 1, 0, 1]
    assert len(body["weeks"]) == 8 and sum(w["graded"] for w in body["weeks"]) == 3
    assert body["median_hours_to_grade"] == pytest.approx(36.0, abs=0.01)
    (row,) = body["assignments"]
    assert row["assignment_id"] == graded.assignment.pk and row["waiting"] == 3 and row["graded_recently"] == 3


def test_openapi_documents_the_endpoints(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/orgs/{slug}/grading/overview"]
    assert "get" in paths["/api/v1/orgs/{slug}/assignments/{assignment_id}/statistics"]


# -- Who sees them --------------------------------------------------------------------------------


def test_only_the_providers_staff_see_the_statistics(graded):
    urls = [
        stats_url(graded),
        stats_url(graded, "projects:assignment_statistics_csv"),
        overview_url(graded),
        overview_url(graded, "projects:grading_overview_csv"),
    ]
    for url in urls:
        assert Client().get(url).status_code == 302  # to sign in
        for user in (graded.learner, graded.stranger):
            assert client_for(user).get(url).status_code == 404, (url, user)
        for user in (graded.grader, graded.instructor):
            assert client_for(user).get(url).status_code == 200, (url, user)
    slug, pk = graded.provider.slug, graded.assignment.pk
    for user in (graded.learner, graded.stranger):
        assert_problem(client_for(user).get(f"{API}/orgs/{slug}/assignments/{pk}/statistics"), 404, "not_found")
        assert_problem(client_for(user).get(f"{API}/orgs/{slug}/grading/overview"), 404, "not_found")
    assert Client().get(f"{API}/orgs/{slug}/grading/overview").status_code == 401


def test_another_providers_assignment_under_my_workspace_is_not_found(graded, db):
    mine = build_course(slug="other-course")
    slug = mine.provider.slug
    client = client_for(mine.grader)
    assert client.get(reverse("projects:assignment_statistics", args=[slug, graded.assignment.pk])).status_code == 404
    assert (
        client.get(reverse("projects:assignment_statistics_csv", args=[slug, graded.assignment.pk])).status_code == 404
    )
    assert_problem(client.get(f"{API}/orgs/{slug}/assignments/{graded.assignment.pk}/statistics"), 404, "not_found")
    # And my overview does not count the other provider's work.
    assert client_for(mine.instructor).get(f"{API}/orgs/{slug}/grading/overview").json()["assignments"] == []


# -- The demo's projects, in every state ------------------------------------------------------------


def test_every_demo_assignment_has_its_statistics(db):
    """The demo's assignments (rubric-graded, peer-reviewed rounds in every state, mentor sign-offs,
    regrades) each render their statistics, CSV and API, and every provider its overview."""
    call_command("demo", "--quiet", stdout=io.StringIO())
    assignments = list(Assignment.objects.select_related("lesson__module__microcredential__provider"))
    assert len(assignments) >= 5
    providers = {a.lesson.module.microcredential.provider for a in assignments}
    for provider in providers:
        staff = (
            Membership.objects.filter(organisation=provider, role__in=["owner", "instructor", "grader"])
            .select_related("user")
            .first()
            .user
        )
        client = client_for(staff)
        html = client.get(reverse("projects:grading_overview", args=[provider.slug])).content.decode()
        assert "Grading overview" in html
        assert client.get(reverse("projects:grading_overview_csv", args=[provider.slug])).status_code == 200
        assert client.get(f"{API}/orgs/{provider.slug}/grading/overview").status_code == 200
        for assignment in (a for a in assignments if a.lesson.module.microcredential.provider == provider):
            args = [provider.slug, assignment.pk]
            page = client.get(reverse("projects:assignment_statistics", args=args))
            assert page.status_code == 200 and "Assignment statistics" in page.content.decode()
            assert client.get(reverse("projects:assignment_statistics_csv", args=args)).status_code == 200
            api = client.get(f"{API}/orgs/{provider.slug}/assignments/{assignment.pk}/statistics")
            assert api.status_code == 200 and api.json()["assignment_id"] == assignment.pk
    # The demo grades some work, and some of it is peer-reviewed: the figures are not all empty.
    reports = [assignment_statistics(assignment=a, now=now()) for a in assignments]
    assert any(r.scores.graded for r in reports) and any(r.reviews and r.reviews.done for r in reports)
