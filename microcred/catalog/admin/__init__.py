"""Catalog admin for staff: offers (micro-credentials and their skills) and draft content."""

from . import content, links, offers  # noqa: F401  (registers the ModelAdmins)
