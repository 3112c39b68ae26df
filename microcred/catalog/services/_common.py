"""Field rules and checks shared by the catalog services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from microcred.core.errors import Conflict, ValidationFailed, full_clean_or_fail

from ..fields import LESSON_FIELDS, MICROCREDENTIAL_FIELDS
from ..models import Industry, MicroCredential, Status

# The services' allow-lists (defined in ..fields with the groups the admin and forms show).
EDITABLE_FIELDS: Final[frozenset[str]] = MICROCREDENTIAL_FIELDS
__all__ = ["EDITABLE_FIELDS", "LESSON_FIELDS"]


def _clean_and_save(instance: Any, **kwargs: Any) -> None:
    full_clean_or_fail(instance, **kwargs)
    instance.save()


def _check_fields(values: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValidationFailed(
            f"Unknown {what} fields: {', '.join(sorted(unknown))}.", errors={k: ["Unknown field."] for k in unknown}
        )


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    if isinstance(fields.get("industry"), str):
        fields["industry"] = industry_get_or_create(name=fields["industry"])
    for key in ("ects", "price"):
        if fields.get(key) is not None and not isinstance(fields[key], Decimal):
            try:
                fields[key] = Decimal(str(fields[key]))
            except ArithmeticError as exc:
                raise ValidationFailed(f"{key} must be a number.", errors={key: ["Not a number."]}) from exc
    if fields.get("country"):
        fields["country"] = str(fields["country"]).upper()
    if fields.get("currency"):
        fields["currency"] = str(fields["currency"]).upper()
    outcomes = fields.get("learning_outcomes")
    if outcomes is not None and (
        not isinstance(outcomes, list) or not all(isinstance(o, str) and o.strip() for o in outcomes)
    ):
        raise ValidationFailed(
            "Learning outcomes must be a list of non-empty statements.",
            errors={"learning_outcomes": ["A list of statements."]},
        )
    return fields


def industry_get_or_create(*, name: str) -> Industry:
    from django.utils.text import slugify

    name = name.strip()
    if not name:
        raise ValidationFailed("An industry is required.", errors={"industry": ["This field is required."]})
    industry = Industry.objects.filter(name__iexact=name).first()
    if industry is None:
        industry = Industry.objects.create(name=name, slug=slugify(name)[:80] or "industry")
    return industry


def _require_draft(mc: MicroCredential) -> None:
    if mc.status != Status.DRAFT:
        raise Conflict(
            "Published content does not change under enrolled learners; edit a new version instead.",
            code="published_is_read_only",
        )
