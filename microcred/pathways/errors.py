"""Typed errors of the Django-free path planner: each has a stable ``code`` and a message in words."""

from __future__ import annotations

from typing import Any


class PathwaysError(Exception):
    """Base of every error raised by ``microcred.pathways``."""

    code = "pathways_error"

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message


class InvalidInput(PathwaysError):
    """An offer, a gap or the constraints are not coherent (a level out of range, a negative price...)."""

    code = "invalid_input"
