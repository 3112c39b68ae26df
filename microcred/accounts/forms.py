"""Forms of the accounts pages: sign-up, sign-in, password reset, profile, API tokens and an
organisation's members. They only parse and label input; every write goes through a service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf.locale import LANG_INFO
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from .models import MembershipRole, Visibility


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
