"""The organisation workspace: a provider's catalog, an accreditor's accreditations, an owner's
members. Every page is for members only and answers 404 to anyone else, so private organisation
pages and ids do not leak; every write goes through the apps' services."""

from . import accreditations, catalog, content, members, orgs

__all__ = ["accreditations", "catalog", "content", "members", "orgs"]
