"""Small hand-checked catalogues for the planner's unit tests (the planner is pure Python: no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microcred.pathways import Form, Offer

TODAY = date(2027, 1, 4)  # a Monday


def offer(
    offer_id: str,
    teaches: dict[str, int],
    price: int | str,
    hours: float = 10,
    *,
    weeks: int = 2,
    languages: tuple[str, ...] = ("en",),
    provider: str = "acme",
    **fields: object,
) -> Offer:
    return Offer(
        id=offer_id,
        title=fields.pop("title", offer_id.replace("-", " ").title()),  # type: ignore[arg-type]
        provider=provider,
        teaches=teaches,  # type: ignore[arg-type]  # plain ints: the offer checks them
        workload_hours=hours,
        duration_weeks=weeks,
        price=Decimal(price),
        languages=frozenset(languages),
        form=fields.pop("form", Form.ONLINE),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )
