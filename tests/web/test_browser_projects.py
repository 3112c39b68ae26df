"""A project in a real browser (issue 8): a learner submits text and a file on the lesson page, a
grader grades it from the queue with the rubric, and the learner reads the feedback and asks for a
regrade, which an instructor decides. The pages' CSP holds throughout (no console errors)."""

from __future__ import annotations

import re

from django.urls import reverse

from microcred.projects.models import RegradeStatus, Submission, SubmissionStatus
from tests.web.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def choose(page, criterion: str, level: str) -> None:
    """The level's radio in the criterion's fieldset (its label: "Clear (2): Easy to follow.")."""
    page.get_by_role("group", name=criterion).get_by_role("radio", name=re.compile(rf"^{level} \(")).check()


def test_a_submission_and_a_grading_round(browser_context, transactional_db, tmp_path, settings):
    from playwright.sync_api import expect

    from tests.projects.conftest import PDF, build_course

    # The live server runs in another thread: files go to a real private directory here.
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    context, base_url = browser_context
    course = build_course("browser-project")
    errors: list[str] = []
    report = tmp_path / "report.pdf"
    report.write_bytes(PDF)

    sign_in(context, base_url, course.learner)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(reverse("learning:lesson", args=[course.enrolment.pk, course.lesson.pk]))
    expect(page.get_by_role("button", name="Mark as complete")).to_have_count(0)
    page.get_by_label("Your answer").fill("The survey shows a rise in cycling.")
    page.get_by_label("Links").fill("https://example.org/notebook")
    page.locator("#id_files").set_input_files(str(report))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Version 1 submitted. You can replace it")).to_be_visible()
    work = Submission.objects.get()
    assert work.files.get().name == "report.pdf"

    sign_in(context, base_url, course.grader)
    page.goto(reverse("projects:grading", args=[course.provider.slug]))
    page.get_by_role("link", name="Grade").click()
    choose(page, "Analysis", "Missing")
    choose(page, "Clarity", "Clear")
    page.get_by_label("Feedback for the learner").fill("Show the analysis.")
    page.get_by_role("button", name="Record the grade").click()
    expect(page.get_by_text("Graded: 2")).to_be_visible()
    work.refresh_from_db()
    assert work.status == SubmissionStatus.GRADED and not work.grade.passed

    sign_in(context, base_url, course.learner)
    page.goto(reverse("projects:submission", args=[work.pk]))
    expect(page.get_by_text("Show the analysis.")).to_be_visible()
    page.get_by_label("Why should the grade be looked at again?").fill("The analysis is on page 2.")
    page.get_by_role("button", name="Request a regrade").click()
    expect(page.get_by_text("waiting for a decision")).to_be_visible()

    sign_in(context, base_url, course.instructor)
    page.goto(reverse("projects:regrade", args=[course.provider.slug, work.regrade.pk]))
    page.get_by_label("Change the grade to the levels below").check()
    choose(page, "Analysis", "Thorough")
    choose(page, "Clarity", "Clear")
    page.get_by_label("Your decision, for the learner").fill("Page 2 does it.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Regrade decided")).to_be_visible()
    work.regrade.refresh_from_db()
    assert work.regrade.status == RegradeStatus.CHANGED

    sign_in(context, base_url, course.learner)
    page.goto(reverse("projects:submission", args=[work.pk]))
    expect(page.get_by_text("Your grade was changed")).to_be_visible()
    assert errors == []
