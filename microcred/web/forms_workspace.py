"""Forms of the organisation workspace. They parse and label input only; services do the writing
and the domain checks (slug uniqueness, publish rules, last owner, accreditation windows)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms

from microcred.accounts.models import MembershipRole, Organisation
from microcred.accreditation.models import AccreditationStatus
from microcred.assessment.questions import validate_question
from microcred.catalog.exchange import CHOICE_KEYS, QUESTION_KEYS
from microcred.catalog.fields import MICROCREDENTIAL_GROUPS
from microcred.catalog.models import (
    AssessmentType,
    LessonKind,
    MicroCredential,
    ParticipationForm,
    Supervision,
)
from microcred.core.errors import ValidationFailed
from microcred.skills.models import Level

MAX_IMPORT_BYTES = 5 * 1024 * 1024

EQF_CHOICES = [(n, f"EQF {n}") for n in range(1, 9)]


class MicroCredentialForm(forms.Form):
    """Every EU mandatory element plus the catalog information. The slug is set once, at creation."""

    # Identity
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=120, help_text="Part of the public address; lower-case letters, digits and hyphens. Cannot change."
    )
    summary = forms.CharField(max_length=300, help_text="One or two sentences shown on catalog cards.")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown: headings, lists, links."
    )
    # EU mandatory elements
    awarding_body = forms.CharField(max_length=200, label="Awarding body")
    country = forms.CharField(
        max_length=2, min_length=2, label="Country of the issuer", help_text="ISO 3166-1 alpha-2 code, e.g. IE."
    )
    learning_outcomes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label="Learning outcomes", help_text="One outcome per line."
    )
    workload_hours = forms.IntegerField(min_value=1, max_value=10000, label="Notional workload (hours)")
    ects = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=4, decimal_places=1, label="ECTS credits"
    )
    eqf_level = forms.TypedChoiceField(choices=EQF_CHOICES, coerce=int, label="EQF level")
    assessment_type = forms.ChoiceField(choices=AssessmentType.choices, label="Type of assessment")
    assessment_description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="How learners are assessed"
    )
    participation_form = forms.ChoiceField(choices=ParticipationForm.choices, label="Form of participation")
    quality_assurance = forms.CharField(max_length=300, label="Quality assurance")
    # EU optional elements
    prerequisites = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    supervision = forms.ChoiceField(choices=Supervision.choices, label="Supervision of the assessment")
    identity_verified = forms.BooleanField(required=False, label="Identity checked during assessment")
    stackable = forms.BooleanField(required=False, label="Stackable into a larger credential")
    stackability = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What it stacks into"
    )
    # Catalog information
    level = forms.ChoiceField(choices=Level.choices)
    industry = forms.CharField(
        max_length=100,
        help_text="Pick one or type a new industry.",
        widget=forms.TextInput(attrs={"list": "industries"}),
    )
    language = forms.CharField(max_length=8, initial="en", help_text="Language code, e.g. en, de, nl.")
    price = forms.DecimalField(min_value=Decimal(0), max_digits=9, decimal_places=2, initial=Decimal(0))
    currency = forms.CharField(max_length=3, min_length=3, initial="EUR")
    duration_weeks = forms.IntegerField(min_value=1, max_value=520, initial=4, label="Typical duration (weeks)")
    validity_months = forms.IntegerField(
        required=False, min_value=1, max_value=1200, label="Valid for (months)", help_text="Empty: never expires."
    )
    image_url = forms.URLField(required=False, max_length=300, label="Image URL", assume_scheme="https")
    criteria = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Criteria", help_text="What a learner must do."
    )

    SECTIONS = tuple((group.title, group.fields) for group in MICROCREDENTIAL_GROUPS)

    def __init__(self, *args: Any, editing: MicroCredential | None = None, **kwargs: Any) -> None:
        if editing is not None:
            kwargs.setdefault("initial", self.initial_from(editing))
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            # The slug is part of public URLs and credentials; it is shown but never posted back.
            self.fields["slug"].disabled = True
            self.fields["slug"].required = False

    @staticmethod
    def initial_from(mc: MicroCredential) -> dict[str, Any]:
        initial = {name: getattr(mc, name) for name in MicroCredentialForm.base_fields if name != "industry"}
        initial["industry"] = mc.industry.name
        initial["learning_outcomes"] = "\n".join(mc.learning_outcomes or [])
        return initial

    def clean_learning_outcomes(self) -> list[str]:
        lines = [line.strip().lstrip("-•*").strip() for line in self.cleaned_data["learning_outcomes"].splitlines()]
        outcomes = [line for line in lines if line]
        if not outcomes:
            raise forms.ValidationError("Add at least one learning outcome.")
        return outcomes

    def sections(self) -> list[tuple[str, list[tuple[forms.BoundField, bool]]]]:
        """Fieldsets of (field, spans the whole row) pairs: long text gets the full width."""
        return [
            (
                title,
                [
                    (self[name], isinstance(self.fields[name].widget, forms.Textarea) or name in {"title", "summary"})
                    for name in names
                ],
            )
            for title, names in self.SECTIONS
        ]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.editing is not None:
            data.pop("slug", None)
        return data


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200, label="Module title")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Summary")


def parse_questions(raw: str) -> list[dict[str, Any]]:
    """Questions pasted as JSON in the catalog format, checked by the quiz service's own rules."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from exc
    if isinstance(data, dict) and "questions" in data:
        data = data["questions"]
    if not isinstance(data, list) or not data:
        raise forms.ValidationError("Paste a JSON list of questions (or an object with a “questions” list).")
    for i, question in enumerate(data):
        where = f"Question {i + 1}"
        if not isinstance(question, dict):
            raise forms.ValidationError(f"{where}: expected an object.")
        unknown = set(question) - QUESTION_KEYS
        if unknown:
            raise forms.ValidationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
        points = question.get("points", 1)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            raise forms.ValidationError(f"{where}: points must be a whole number ≥ 0.")
        choices = question.get("choices")
        if not isinstance(choices, list):
            raise forms.ValidationError(f"{where}: “choices” must be a list.")
        for n, choice in enumerate(choices):
            if not isinstance(choice, dict) or "text" not in choice or set(choice) - CHOICE_KEYS:
                raise forms.ValidationError(f'{where}, choice {n + 1}: expected {{"text": …, "correct": true|false}}.')
            if len(str(choice["text"])) > 500:
                raise forms.ValidationError(f"{where}, choice {n + 1}: at most 500 characters.")
    for i, question in enumerate(data):
        try:
            validate_question(question, where=f"questions[{i}]")
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from exc
    return data


class LessonForm(forms.Form):
    """One form for every lesson kind; the fields a kind does not use are dropped."""

    KIND_FIELDS = {
        LessonKind.READING: ("body",),
        LessonKind.VIDEO: ("video_url", "transcript", "body"),
        LessonKind.ASSIGNMENT: ("instructions", "body"),
        LessonKind.QUIZ: ("questions", "passing_score", "max_attempts", "body"),
    }

    title = forms.CharField(max_length=200)
    estimated_minutes = forms.IntegerField(min_value=0, max_value=10000, initial=10, label="Estimated minutes")
    required = forms.BooleanField(
        required=False, initial=True, label="Required for completion", help_text="Untick for optional extra material."
    )
    body = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 10}), label="Text", help_text="Markdown."
    )
    video_url = forms.URLField(label="Video URL", assume_scheme="https")
    transcript = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown: what to do and submit."
    )
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "false"}),
        label="Questions (JSON)",
        help_text="A list of questions in the catalog format: kind (single or multiple), text, "
        "explanation, points, and choices with text and correct.",
    )
    passing_score = forms.IntegerField(min_value=1, max_value=100, initial=70, label="Pass mark (%)")
    max_attempts = forms.IntegerField(
        required=False, min_value=1, max_value=100, label="Attempts allowed", help_text="Empty: unlimited."
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {"title", "estimated_minutes", "required", *self.KIND_FIELDS[LessonKind(kind)]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind != LessonKind.READING and "body" in self.fields:
            self.fields["body"].label = "Introduction"
            self.fields["body"].help_text = "Markdown, shown above the lesson."

    def clean_questions(self) -> list[dict[str, Any]]:
        return parse_questions(self.cleaned_data["questions"])


class CatalogImportForm(forms.Form):
    file = forms.FileField(label="Catalog file (JSON)", help_text="The microcred.catalog/1 format; at most 5 MB.")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError("This is not a JSON file in UTF-8.") from exc
        if not isinstance(data, dict):
            raise forms.ValidationError("Expected a catalog document (a JSON object).")
        provider = data.get("provider")
        slug = provider.get("slug") if isinstance(provider, dict) else None
        if slug != self.organisation.slug:
            # Importing creates the file's provider when it does not exist; from this page that
            # would found or touch another organisation, so only this one's own files are taken.
            raise forms.ValidationError(
                f"This file is the catalog of “{slug or 'no provider'}”, not of {self.organisation.name} "
                f"(“{self.organisation.slug}”). Import it from that organisation's workspace."
            )
        return data


class AccreditationGrantForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), empty_label="Choose a provider…")
    scope = forms.CharField(max_length=300, help_text="What the accreditation covers.")
    reference = forms.CharField(max_length=100, required=False, help_text="Your own reference number.")
    valid_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Valid from")
    valid_until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Valid until",
        help_text="Empty: open-ended.",
    )

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = providers


class AccreditationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AccreditationStatus.choices)
    reason = forms.CharField(max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") in {AccreditationStatus.SUSPENDED, AccreditationStatus.WITHDRAWN}
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", "Give a reason; it is recorded with the change.")
        return data


class MemberAddForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=MembershipRole.choices, initial=MembershipRole.INSTRUCTOR)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices)
