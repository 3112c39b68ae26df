"""Template helpers for pages that show a learner's credential outside this app's own views."""

from __future__ import annotations

from django import template

from ..models import Credential
from ..selectors import verify_page_url

register = template.Library()


@register.filter
def verify_url(credential: Credential) -> str:
    """The verify page, checking this credential by its public URL (as a verifier would)."""
    return verify_page_url(credential)
