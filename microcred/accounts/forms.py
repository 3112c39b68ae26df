"""Forms of the accounts pages: sign-up, sign-in, password reset, profile, API tokens and an
organisation's members. They only parse and label input; every write goes through a service."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf.locale import LANG_INFO
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from .models import MAX_SIGNATORIES, MembershipRole, Visibility


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
        from .mail import send_email_task

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


class MemberAddForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=MembershipRole.choices, initial=MembershipRole.INSTRUCTOR)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices)


# linkedin.com/company/<number>/..., the form of the address LinkedIn shows its page admins.
_LINKEDIN_COMPANY_URL = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/company/([0-9]{1,20})(?:[/?#].*)?$")


class SignatoriesField(forms.Field):
    """The certificates' signatories as lines of "name, title" (the model keeps a list of them)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{person['name']}, {person['title']}".rstrip(", ") for person in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:
        if isinstance(value, list):
            return value
        lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
        if len(lines) > MAX_SIGNATORIES:
            raise forms.ValidationError(f"At most {MAX_SIGNATORIES} signatories, one per line.")
        people = []
        for line in lines:
            name, _, title = line.partition(",")
            if not name.strip():
                raise forms.ValidationError(f'"{line}" has no name before its comma.')
            if len(name.strip()) > 100 or len(title.strip()) > 120:
                raise forms.ValidationError(f'"{line}" is too long: a name has at most 100 characters, a title 120.')
            people.append({"name": name.strip(), "title": title.strip()})
        return people


class OrganisationProfileForm(forms.Form):
    """What an organisation says about itself: on its catalog page, its credentials and LinkedIn."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    website = forms.URLField(required=False, assume_scheme="https")
    email = forms.EmailField(required=False, label="Contact email")
    country = forms.CharField(max_length=2, min_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. DE.")
    city = forms.CharField(max_length=100, required=False)
    logo_url = forms.URLField(required=False, label="Logo address", assume_scheme="https")
    linkedin_organization_id = forms.CharField(
        max_length=200,
        required=False,
        label="LinkedIn organisation id",
        help_text=(
            'With it, learners\' "Add to profile" links show your logo and link to your LinkedIn page. '
            "Paste the number, or your page's admin address (linkedin.com/company/<number>/admin/)."
        ),
    )

    brand_colour = forms.CharField(
        max_length=7,
        required=False,
        label="Brand colour",
        help_text="Frames your PDF certificates: # and six hexadecimal digits, e.g. #0f766e. Empty: the site's indigo.",
    )
    certificate_signatories = SignatoriesField(
        required=False,
        label="Certificate signatories",
        help_text=(
            f"Printed at the foot of your PDF certificates, at most {MAX_SIGNATORIES}: one per line, "
            'name then title after a comma, e.g. "Dr. Ana Pérez, Dean of Studies".'
        ),
    )

    def clean_brand_colour(self) -> str:
        value = str(self.cleaned_data["brand_colour"]).strip().lower()
        if value and not re.fullmatch(r"#[0-9a-f]{6}", value):
            raise forms.ValidationError("A colour is # and six hexadecimal digits, e.g. #0f766e.")
        return value

    def clean_country(self) -> str:
        country = str(self.cleaned_data["country"]).strip().upper()
        if not country.isalpha():
            raise forms.ValidationError("Use the two-letter country code, e.g. DE.")
        return country

    def clean_linkedin_organization_id(self) -> str:
        value = str(self.cleaned_data["linkedin_organization_id"]).strip()
        if not value or value.isdigit():
            return value
        match = _LINKEDIN_COMPANY_URL.match(value.lower())
        if match is None:
            raise forms.ValidationError(
                "LinkedIn's organisation id is a number. Your page's name (linkedin.com/company/your-name) "
                "is not it: open your page as an admin and copy the number from the address."
            )
        return match.group(1)
