"""Forms of the projects pages and of the assignment fields in the workspace's lesson editor. They
parse and label input only; the services check and write."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from microcred.assessment.review.rubric import Rubric
from microcred.core.errors import ValidationFailed

from .files import DEFAULT_EXTENSIONS
from .models import Aggregation, ReviewMode, SubmissionKind
from .rubrics import rubric_from_spec

RUBRIC_EXAMPLE = {
    "criteria": [
        {
            "name": "Analysis",
            "description": "How well the work reasons from the evidence.",
            "levels": [
                {"name": "Missing", "points": 0, "descriptor": "No analysis."},
                {"name": "Partial", "points": 2, "descriptor": "Some claims supported."},
                {"name": "Thorough", "points": 4, "descriptor": "Every claim supported."},
            ],
        }
    ]
}


def parse_rubric(raw: str) -> dict[str, Any] | None:
    """A rubric pasted as JSON, checked by the services' own rules; empty means none."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from exc
    try:
        rubric_from_spec(data)
    except ValidationFailed as exc:
        raise forms.ValidationError(exc.message) from exc
    return data  # type: ignore[no-any-return]


class AssignmentLessonFields(forms.Form):
    """An assignment lesson's rubric and rules, after the lesson's own fields."""

    rubric = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono", "spellcheck": "false"}),
        label="Rubric (JSON)",
        help_text="Criteria, each with levels from the lowest to the highest (name, points, descriptor). "
        "With a rubric, learners submit their work and your graders grade it; leave it empty for an "
        "exercise learners mark as complete themselves.",
    )
    submission_kinds = forms.MultipleChoiceField(
        required=False,
        choices=SubmissionKind.choices,
        initial=list(SubmissionKind.values),
        widget=forms.CheckboxSelectMultiple,
        label="A submission may hold",
    )
    file_extensions = forms.CharField(
        required=False,
        initial=", ".join(DEFAULT_EXTENSIONS),
        label="Accepted file types",
        help_text="Extensions, separated by commas.",
    )
    max_file_mb = forms.IntegerField(
        required=False, min_value=1, max_value=100, initial=10, label="Largest file (MB)", help_text="Empty: 10."
    )
    passing_score = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        initial=50,
        label="Pass mark (% of the rubric)",
        help_text="Empty: 50.",
    )
    due_at = forms.DateTimeField(
        required=False,
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional, UTC. Later submissions are accepted and marked late.",
    )

    review_mode = forms.ChoiceField(
        required=False,
        choices=ReviewMode.choices,
        initial=ReviewMode.INSTRUCTOR,
        label="Graded by",
        help_text="Your graders; the learners' peers (anonymous, with the rubric); or a mentor the learner names, "
        "who confirms workplace evidence by an e-mailed link.",
    )
    reviewers_per_submission = forms.IntegerField(
        required=False, min_value=1, max_value=10, initial=3, label="Peer reviews per submission", help_text="Empty: 3."
    )
    review_due_at = forms.DateTimeField(
        required=False,
        label="Peer reviews due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional, UTC. After it, work with at least one review is graded.",
    )
    aggregation = forms.ChoiceField(
        required=False, choices=Aggregation.choices, initial=Aggregation.MEDIAN, label="Combine peer reviews by"
    )

    def clean_rubric(self) -> dict[str, Any] | None:
        return parse_rubric(self.cleaned_data["rubric"])

    def clean_review_mode(self) -> str:
        return self.cleaned_data["review_mode"] or ReviewMode.INSTRUCTOR

    def clean_reviewers_per_submission(self) -> int:
        return self.cleaned_data["reviewers_per_submission"] or 3

    def clean_aggregation(self) -> str:
        return self.cleaned_data["aggregation"] or Aggregation.MEDIAN

    def clean_max_file_mb(self) -> int:
        return self.cleaned_data["max_file_mb"] or 10

    def clean_passing_score(self) -> int:
        return self.cleaned_data["passing_score"] or 50

    def clean_file_extensions(self) -> list[str]:
        raw = self.cleaned_data["file_extensions"]
        return [part.strip().lower().lstrip(".") for part in raw.split(",") if part.strip()]


class SubmissionForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Your answer")
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Links",
        help_text="One web address (https://…) per line.",
    )

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class GradeForm(forms.Form):
    """A level per criterion (a radio group each, named ``criterion-<n>``) and the feedback."""

    feedback = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label="Feedback for the learner"
    )

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for n, criterion in enumerate(rubric.criteria):
            self.fields[f"criterion-{n}"] = forms.ChoiceField(
                label=criterion.name,
                choices=[
                    (
                        level.name,
                        f"{level.name} ({level.points})" + (f": {level.descriptor}" if level.descriptor else ""),
                    )
                    for level in criterion.levels
                ],
                widget=forms.RadioSelect,
                help_text=criterion.description,
            )
        self.order_fields([*(f"criterion-{n}" for n in range(len(rubric.criteria))), "feedback"])

    def levels(self) -> dict[str, str]:
        return {criterion.name: self.cleaned_data[f"criterion-{n}"] for n, criterion in enumerate(self.rubric.criteria)}


class RegradeRequestForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Why should the grade be looked at again?", max_length=5000
    )


class RegradeDecisionForm(GradeForm):
    """Uphold the grade, or change it to the levels chosen; either way with a note to the learner."""

    decision = forms.ChoiceField(
        choices=[("uphold", "Uphold the grade"), ("change", "Change the grade to the levels below")],
        widget=forms.RadioSelect,
        initial="uphold",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Your decision, for the learner")

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any) -> None:
        super().__init__(*args, rubric=rubric, **kwargs)
        for n in range(len(rubric.criteria)):
            self.fields[f"criterion-{n}"].required = False
        self.fields["feedback"].label = "New feedback (when changing the grade; empty keeps the old)"
        self.order_fields(["decision", "note", *(f"criterion-{n}" for n in range(len(rubric.criteria))), "feedback"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "change":
            for n in range(len(self.rubric.criteria)):
                if not cleaned.get(f"criterion-{n}"):
                    self.add_error(f"criterion-{n}", "Choose a level to change the grade.")
        return cleaned


class PeerReviewForm(GradeForm):
    """A peer's review: a level per criterion and a comment for the author, who does not see who wrote it."""

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any) -> None:
        super().__init__(*args, rubric=rubric, **kwargs)
        self.fields["feedback"].label = "Your comment for the author"
        self.fields["feedback"].help_text = "Anonymous: the author sees it without your name. Be specific and kind."


class OverrideForm(GradeForm):
    """An instructor's own grade of peer-reviewed work, with the reason."""

    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why you override the peers")


class MentorRequestForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your mentor's or supervisor's name")
    email = forms.EmailField(label="Their e-mail address")
    role = forms.CharField(max_length=200, required=False, label="Their role", help_text="E.g. Site supervisor.")


class MentorDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "I confirm this evidence"), ("decline", "I decline to confirm it")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Comment for the learner",
        help_text="Required when you decline.",
        max_length=10_000,
    )


class CalibrationExampleForm(GradeForm):
    """An example submission and the instructor's reference levels."""

    title = forms.CharField(max_length=200, label="Example title")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="The example work")

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any) -> None:
        super().__init__(*args, rubric=rubric, **kwargs)
        del self.fields["feedback"]
        self.order_fields(["title", "text", *(f"criterion-{n}" for n in range(len(rubric.criteria)))])
