"""The verify page's input: exactly one of pasted text, an uploaded file or a URL."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat

from .services import MAX_PRESENTED_BYTES, MAX_URL_LENGTH


class VerifyForm(forms.Form):
    credential = forms.CharField(
        required=False,
        label="Paste a credential",
        help_text="Credential JSON or a VC-JWT (eyJ…).",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        required=False,
        label="…or upload a file",
        help_text="JSON, .jwt, a baked badge image (PNG or SVG) or a PDF certificate with the credential attached, "
        "up to 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.jsonld,.jwt,.jws,.txt,.png,.svg,.pdf"}),
    )
    url = forms.CharField(
        required=False,
        max_length=MAX_URL_LENGTH,
        label="…or give its URL",
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )
    email = forms.EmailField(
        required=False,
        label="Recipient e-mail",
        help_text="Optional: check that the credential was issued to this address.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_PRESENTED_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(MAX_PRESENTED_BYTES)}. "
                "Credentials and badge images are much smaller; is this the right file?"
            )
        return upload

    def clean_credential(self) -> str:
        text = str(self.cleaned_data.get("credential") or "").strip()
        if len(text.encode("utf-8")) > MAX_PRESENTED_BYTES:
            raise forms.ValidationError("The pasted text is larger than 2 MB.")
        return text

    def __init__(self, *args: Any, refusal: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refusal = refusal

    @classmethod
    def refused(cls, message: str) -> VerifyForm:
        """A form answering a request that could not even be read (too large, too frequent)."""
        form = cls(data={}, refusal=message)
        form.is_valid()
        return form

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self._refusal:
            raise forms.ValidationError(self._refusal)
        given = [name for name in ("credential", "file", "url") if cleaned.get(name)]
        if not self.errors and not given:
            raise forms.ValidationError("Paste a credential, upload a file, or give a URL.")
        if len(given) > 1:
            raise forms.ValidationError("Give one credential at a time: paste it, upload it, or give its URL.")
        return cleaned

    def presented(self) -> dict[str, Any]:
        """Keyword arguments for ``verify_credential``."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {"recipient_email": data.get("email") or None}
        if data.get("file"):
            kwargs["data"] = data["file"].read()
        elif data.get("url"):
            kwargs["url"] = data["url"]
        else:
            kwargs["data"] = data["credential"]
        return kwargs
