"""Forms of the web pages. They only parse and label input; every write goes through a service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf.locale import LANG_INFO
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from microcred.accounts.models import Visibility
from microcred.catalog.models import ParticipationForm
from microcred.catalog.selectors import SORTS, CatalogFilters
from microcred.core.errors import ValidationFailed
from microcred.skills.models import Level

from .widgets import PlainSelect

SORT_CHOICES = [
    ("relevance", "Best match"),
    ("newest", "Newest"),
    ("title", "Title (A–Z)"),
    ("price", "Price (low to high)"),
    ("workload", "Workload (short first)"),
]
assert {value for value, _ in SORT_CHOICES} == {"relevance", *SORTS}


def language_name(code: str) -> str:
    info = LANG_INFO.get(code) or {}
    return str(info.get("name", code.upper()))


class CatalogFilterForm(forms.Form):
    """The catalog's query string. Choice lists come from what is published, so every option finds something."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search skills, topics, providers…"}),
    )
    industry = forms.ChoiceField(required=False, label="Industry")
    level = forms.ChoiceField(required=False, label="Level", choices=[("", "Any level"), *Level.choices])
    skill = forms.ChoiceField(required=False, label="Skill")
    provider = forms.ChoiceField(required=False, label="Provider")
    accredited = forms.BooleanField(required=False, label="Accredited providers only")
    min_hours = forms.IntegerField(required=False, min_value=0, max_value=10000, label="Min. hours")
    max_hours = forms.IntegerField(required=False, min_value=0, max_value=10000, label="Max. hours")
    max_price = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=9, decimal_places=2, label="Max. price (€)"
    )
    free = forms.BooleanField(required=False, label="Free only")
    language = forms.ChoiceField(required=False, label="Language")
    participation_form = forms.ChoiceField(
        required=False, label="Form of participation", choices=[("", "Any form"), *ParticipationForm.choices]
    )
    sort = forms.ChoiceField(required=False, label="Sort by", choices=SORT_CHOICES)

    def __init__(
        self,
        data: Any = None,
        *,
        industries: list[tuple[str, str]],
        providers: list[tuple[str, str]],
        skills: list[tuple[str, str]],
        languages: list[str],
    ) -> None:
        super().__init__(data)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = PlainSelect(attrs=field.widget.attrs, choices=field.widget.choices)
        self._set_choices("industry", [("", "All industries"), *industries])
        self._set_choices("provider", [("", "All providers"), *providers])
        self._set_choices("skill", [("", "Any skill"), *skills])
        self._set_choices("language", [("", "Any language"), *[(c, language_name(c)) for c in languages]])

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_hours"), data.get("max_hours")
        if low is not None and high is not None and low > high:
            self.add_error("max_hours", "Must be at least the minimum.")
            data.pop("max_hours", None)
        return data

    def to_filters(self) -> CatalogFilters:
        """Filters from the fields that parsed; a bad field is reported and ignored, not fatal."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        return CatalogFilters(
            q=data.get("q") or "",
            industry=data.get("industry") or "",
            level=data.get("level") or "",
            skill=data.get("skill") or "",
            provider=data.get("provider") or "",
            accredited=bool(data.get("accredited")),
            min_hours=data.get("min_hours"),
            max_hours=data.get("max_hours"),
            max_price=data.get("max_price"),
            free=bool(data.get("free")),
            language=data.get("language") or "",
            participation_form=data.get("participation_form") or "",
            sort=data.get("sort") or "relevance",
        )

    def active_count(self) -> int:
        if not hasattr(self, "cleaned_data"):
            return 0
        return sum(
            1
            for name, value in self.cleaned_data.items()
            if name not in {"q", "sort"} and value not in (None, "", False)
        )


def apply_app_error(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's field errors on the matching form fields and the rest on the form."""
    placed = False
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class SignupForm(forms.Form):
    full_name = forms.CharField(
        max_length=200, label="Full name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not only numbers, not a common password.",
    )


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for our email-as-username accounts."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and try again.",
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form (which answers the same for unknown addresses), with the e-mail queued
    as a background task like every other account e-mail, so sending it takes no visible time."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from microcred.accounts.mail import send_email_task

        subject = " ".join(loader.render_to_string(subject_template_name, context).split())
        body = loader.render_to_string(email_template_name, context)
        send_email_task.enqueue(to_email, subject, body)


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Full name")
    headline = forms.CharField(
        max_length=200, required=False, label="Headline", help_text="e.g. “Data analyst moving into ML”"
    )
    location = forms.CharField(max_length=120, required=False, label="Location")
    languages = forms.CharField(
        max_length=200, required=False, label="Languages", help_text="Language codes separated by commas, e.g. en, de"
    )
    bio = forms.CharField(required=False, label="About you", widget=forms.Textarea(attrs={"rows": 5}))
    visibility = forms.ChoiceField(choices=Visibility.choices, label="Who can see your profile")

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data.get("languages") or ""
        codes = [part.strip().lower() for part in raw.replace(";", ",").split(",") if part.strip()]
        unknown = [c for c in codes if c not in LANG_INFO]
        if unknown:
            raise forms.ValidationError(f"Unknown language code(s): {', '.join(unknown)}.")
        return list(dict.fromkeys(codes))


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="Something you will recognise, e.g. “CI export script”."
    )
