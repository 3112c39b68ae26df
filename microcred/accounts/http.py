"""The request type of pages behind ``login_required``, for every app's views."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    """The request type of views behind ``login_required``: ``user`` is a real account."""

    user: User
