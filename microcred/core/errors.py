"""One error tree for the domain, with stable codes.

Services raise these; the API maps them once to RFC 9457 problem details, pages turn them
into messages and the CLI into ``CommandError``. Nothing here knows about HTTP except the
``status`` hint the API uses.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = "error"
    status = 400
    title = "Request could not be completed"

    def __init__(self, message: str, *, code: str | None = None, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.data = data

    def __str__(self) -> str:
        return self.message


class ValidationFailed(AppError):
    code = "validation_failed"
    status = 422
    title = "Invalid input"

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None, **data: Any) -> None:
        super().__init__(message, **data)
        self.errors = errors or {}


class NotFound(AppError):
    code = "not_found"
    status = 404
    title = "Not found"


class PermissionDenied(AppError):
    code = "permission_denied"
    status = 403
    title = "Permission denied"


class Conflict(AppError):
    code = "conflict"
    status = 409
    title = "Conflict"


class AuthenticationRequired(AppError):
    code = "authentication_required"
    status = 401
    title = "Authentication required"


def validation_from_django(exc: Exception) -> ValidationFailed:
    """Turn a Django ValidationError from ``full_clean`` into our error, keeping field messages."""
    from django.core.exceptions import ValidationError

    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    summary = "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in errors.items())
    return ValidationFailed(summary or "Invalid input.", errors=errors)


def full_clean_or_fail(instance: Any, **options: Any) -> None:
    """Run the model's ``full_clean(**options)``, raising ``ValidationFailed`` instead of Django's error."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(**options)
    except ValidationError as exc:
        raise validation_from_django(exc) from exc
