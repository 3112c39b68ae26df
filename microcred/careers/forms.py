"""The forms of "My skills" and "My goal". They read input; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.catalog.models import ParticipationForm
from microcred.skills.models import Level

from .models import EXTERNAL_FILE_MAX_BYTES, POSTING_MAX_CHARS, Objective


class SkillLevelForm(forms.Form):
    """Declare a skill (from the search results) at a level, or add it to a chosen-skills goal."""

    skill = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    level = forms.ChoiceField(choices=Level.choices, initial=Level.BEGINNER)
    note = forms.CharField(required=False, max_length=300, label="Where you got it")


class SkillRefForm(forms.Form):
    skill = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ExternalCredentialForm(forms.Form):
    credential = forms.CharField(
        required=False,
        label="Paste the credential",
        help_text="Its JSON, or a VC-JWT (eyJ…).",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        required=False,
        label="…or upload its file",
        help_text=(
            "JSON or .jwt, a baked badge (PNG or SVG), a PDF certificate with the credential attached, "
            f"or an Open Badges 2.0 assertion; up to {filesizeformat(EXTERNAL_FILE_MAX_BYTES)}."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.jsonld,.jwt,.jws,.txt,.png,.svg,.pdf"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > EXTERNAL_FILE_MAX_BYTES:
            limit = filesizeformat(EXTERNAL_FILE_MAX_BYTES)
            raise forms.ValidationError(f"The file is {filesizeformat(upload.size)}; the limit is {limit}.")
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [name for name in ("credential", "file") if cleaned.get(name)]
        if not self.errors and not given:
            raise forms.ValidationError("Paste a credential or upload its file.")
        if len(given) > 1:
            raise forms.ValidationError("Paste it or upload it, not both.")
        return cleaned

    def document(self) -> str | bytes:
        upload = self.cleaned_data.get("file")
        return upload.read() if upload else self.cleaned_data["credential"]


class OccupationChoiceForm(forms.Form):
    occupation = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PostingForm(forms.Form):
    posting_title = forms.CharField(required=False, max_length=200, label="Job title")
    posting_text = forms.CharField(
        max_length=POSTING_MAX_CHARS,
        label="The job posting",
        help_text="Paste the advert; we find the skills it asks for.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class ConstraintsForm(forms.Form):
    hours_per_week = forms.IntegerField(required=False, min_value=1, max_value=80, label="Hours per week")
    budget_eur = forms.DecimalField(required=False, min_value=0, max_digits=9, decimal_places=2, label="Budget (EUR)")
    deadline = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    languages = forms.CharField(
        required=False, max_length=100, label="Languages", help_text="Codes separated by commas, e.g. en, de."
    )
    participation_forms = forms.MultipleChoiceField(
        required=False,
        choices=ParticipationForm.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Forms of participation",
        help_text="None ticked: any.",
    )
    accredited_only = forms.BooleanField(required=False, label="Accredited providers only")
    preferred_providers = forms.ModelMultipleChoiceField(
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="Preferred, not required.",
    )
    objective = forms.ChoiceField(choices=Objective.choices, initial=Objective.LEAST_WORKLOAD, label="Plan for")

    def constraints(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["languages"] = [code.strip().lower() for code in data["languages"].split(",") if code.strip()]
        data["preferred_providers"] = list(data["preferred_providers"])
        return data
