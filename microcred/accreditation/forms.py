"""Forms of an accreditor's workspace. They parse and label input only; the services do the
writing and the domain checks (accreditation windows)."""

from __future__ import annotations

from typing import Any

from django import forms

from microcred.accounts.models import Organisation

from .models import AccreditationStatus


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
