from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from microcred.accounts.models import Organisation
from microcred.core.errors import NotFound

from .models import Accreditation, AccreditationStatus


def current_accreditations_q(today: date) -> Q:
    return Q(status=AccreditationStatus.ACTIVE, valid_from__lte=today) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def current_accreditations(*, provider: Organisation, today: date) -> QuerySet[Accreditation]:
    return (
        Accreditation.objects.filter(current_accreditations_q(today), provider=provider)
        .select_related("accreditor")
        .order_by("accreditor__name")
    )


def current_accreditations_by_provider(*, provider_ids: Iterable[int], today: date) -> dict[int, list[Accreditation]]:
    """One query for many providers, so lists never do N+1 look-ups."""
    result: dict[int, list[Accreditation]] = defaultdict(list)
    rows = Accreditation.objects.filter(current_accreditations_q(today), provider_id__in=list(provider_ids))
    for accreditation in rows.select_related("accreditor").order_by("accreditor__name"):
        result[accreditation.provider_id].append(accreditation)
    return result


def accreditations_granted(*, accreditor: Organisation) -> QuerySet[Accreditation]:
    return (
        Accreditation.objects.filter(accreditor=accreditor)
        .select_related("provider")
        .order_by("provider__name", "-valid_from", "-id")
    )


def access_granted_accreditation(*, accreditor: Organisation, pk: int) -> Accreditation:
    accreditation = accreditations_granted(accreditor=accreditor).select_related("accreditor").filter(pk=pk).first()
    if accreditation is None:
        raise NotFound("Accreditation not found.", id=pk)
    return accreditation
