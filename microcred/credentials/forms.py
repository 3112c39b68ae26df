"""Forms of the credential pages. They only parse and label input; writes go through services."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Credential, HolderName, PageVisibility

_NAME_CHOICES = [(HolderName.SHOWN.value, HolderName.SHOWN.label), (HolderName.HIDDEN.value, HolderName.HIDDEN.label)]


class CredentialSharingForm(forms.Form):
    holder_name = forms.ChoiceField(
        label="Your name on the page",
        widget=forms.RadioSelect,
        choices=_NAME_CHOICES,
        help_text="The signed credential never carries your name, only a hashed e-mail address; the page can add "
        "it as your own claim.",
    )
    page_visibility = forms.ChoiceField(
        label="Who can open the page",
        widget=forms.RadioSelect,
        choices=PageVisibility.choices,
        help_text="Private also hides the credential's documents at its address; a file you send still verifies.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.initial.get("holder_name") == HolderName.PROFILE:
            # Older credentials followed the profile's visibility; keep that on offer until changed.
            field = self.fields["holder_name"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*_NAME_CHOICES, (HolderName.PROFILE.value, HolderName.PROFILE.label)]


def sharing_initial(credential: Credential) -> dict[str, str]:
    return {"holder_name": credential.holder_name, "page_visibility": credential.page_visibility}
