"""A peer-review round in a real browser (issue 8, ADR 0030): a learner submits on the lesson page,
an instructor allocates reviews (after a confirmation), each reviewer reviews anonymously with the
rubric, and the author reads the combined grade and the reviewers' comments without their names.
The pages' CSP holds throughout (no console errors)."""

from __future__ import annotations

import re

from django.urls import reverse

from microcred.projects.models import PeerReview, SubmissionStatus
from tests.web.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def choose(page, criterion: str, level: str) -> None:
    page.get_by_role("group", name=criterion).get_by_role("radio", name=re.compile(rf"^{level} \(")).check()


def test_a_peer_review_round(browser_context, transactional_db):
    from playwright.sync_api import expect

    from tests.projects.peer import build_peer_course

    context, base_url = browser_context
    course = build_peer_course(learners=3, per_submission=2)
    errors: list[str] = []
    author = course.learners[0]

    sign_in(context, base_url, author)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(reverse("learning:lesson", args=[course.enrolments[0].pk, course.lesson.pk]))
    expect(page.get_by_text("You also review your peers' work")).to_be_visible()
    page.get_by_label("Your answer").fill("My plan: survey, analyse, report.")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Version 1 submitted. You can replace it until it is sent")).to_be_visible()
    for n in (1, 2):
        course.submit(n, text=f"Plan {n}.")

    sign_in(context, base_url, course.instructor)
    page.goto(reverse("projects:grading", args=[course.provider.slug]))
    page.get_by_role("link", name="Peer capstone").click()
    page.get_by_role("link", name=re.compile("^Allocate reviews")).click()
    expect(page.get_by_text("Reviewers are told at once")).to_be_visible()
    page.get_by_role("button", name="Allocate reviews").click()
    expect(page.get_by_text("Reviews allocated.")).to_be_visible()
    work = course.assignment.submissions.get(user=author)
    reviews = list(PeerReview.objects.filter(submission=work).select_related("reviewer"))
    assert len(reviews) == 2 and author.pk not in {r.reviewer_id for r in reviews}

    for n, review in enumerate(reviews):
        sign_in(context, base_url, review.reviewer)
        page.goto(reverse("projects:review_tasks"))
        page.get_by_role("link", name=re.compile("Peer capstone")).first.click()
        if "My plan" not in page.content():  # the other task on the list
            page.goto(reverse("projects:review", args=[review.pk]))
        expect(page.get_by_text("My plan: survey, analyse, report.")).to_be_visible()
        assert author.full_name not in page.content() and author.email not in page.content()
        choose(page, "Analysis", "Thorough" if n == 0 else "Partial")
        choose(page, "Clarity", "Clear")
        page.get_by_label("Your comment for the author").fill(f"Comment {n + 1}: good structure.")
        page.get_by_role("button", name="Submit the review").click()
        expect(page.get_by_text("your review is recorded")).to_be_visible()

    work.refresh_from_db()
    assert work.status == SubmissionStatus.GRADED
    sign_in(context, base_url, author)
    page.goto(reverse("projects:submission", args=[work.pk]))
    expect(page.get_by_text("What your reviewers said")).to_be_visible()
    expect(page.get_by_text("Comment 2: good structure.")).to_be_visible()
    html = page.content()
    # Median of (4, 2) and (2, 2): 3 + 2 = 5 of 6.
    assert "83.33" in html
    assert all(r.reviewer.full_name not in html and r.reviewer.email not in html for r in reviews)
    assert errors == []
