"""The benchmark's baseline: a naive greedy set cover, blind to levels and prerequisites.

It treats the gap as a set of skills and an offer as the set of skills it names, and takes the
offer covering most uncovered skills per unit of cost until every skill is named. That is what a
catalogue search with a skill filter amounts to; the planner's plans are measured beside it
(its plans are cheaper when they are wrong: a beginner course does not make an expert).
"""

from __future__ import annotations

from datetime import date

from .model import Constraints, Gap, Objective, Offer
from .problem import OfferIndex, effective_cost, exclusion_of


def naive_set_cover(
    gap: Gap, index: OfferIndex, constraints: Constraints, objective: Objective, *, today: date
) -> tuple[str, ...]:
    uncovered = {r.skill for r in gap.open}
    offers: dict[str, Offer] = {}
    for skill in uncovered:
        for offer in index.teaching(skill):
            if offer.id not in offers and exclusion_of(offer, constraints, today) is None:
                offers[offer.id] = offer
    chosen: list[str] = []
    while uncovered:
        best: tuple[float, str] | None = None
        for offer in offers.values():
            gain = len(uncovered & offer.teaches.keys())
            if gain:
                ratio = effective_cost(offer, objective, constraints) / gain
                if best is None or (ratio, offer.id) < best:
                    best = (ratio, offer.id)
        if best is None:
            break
        chosen.append(best[1])
        uncovered -= offers.pop(best[1]).teaches.keys()
    return tuple(sorted(chosen))
