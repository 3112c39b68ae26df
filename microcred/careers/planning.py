"""The adapter between Microcred's rows and the Django-free planner (``microcred.pathways``).

- ``goal_gap``: what the learner's goal needs beside what they hold, level by level, each item
  weighed by importance × market demand and explained in one line (issue 9 §5).
- ``offer_catalogue``: the published micro-credentials as planner ``Offer``s, indexed once and
  kept per process until the catalogue or the accreditations change (a cheap version key).
- ``learner_plan``: the gap, the offers and the goal's constraints through ``plan_path``.

Skills are named to the planner by their primary key (a string), offers by the micro-credential's.
ADR 0037 records the rules.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from django.db.models import Count, Max

from microcred.accreditation.models import Accreditation
from microcred.accreditation.selectors import current_accreditations_by_provider
from microcred.catalog.models import (
    MicroCredential,
    MicroCredentialPrerequisite,
    MicroCredentialSkill,
    ProgrammeMember,
    Status,
)
from microcred.learning.models import Completion
from microcred.market.selectors import demand_weights
from microcred.pathways import (
    Constraints,
    Form,
    Gap,
    Level,
    Objective,
    Offer,
    OfferIndex,
    Plan,
    Programme,
    SkillRequirement,
    offer_relevance,
    plan_path,
)
from microcred.skills.models import Level as SkillLevel
from microcred.skills.models import Skill

from .models import CareerGoal, GoalKind
from .selectors import ProfileSkill, career_goal_of, goal_requirements, level_rank, skill_profile

# A requirement that names no level (an ESCO relation never does) asks for working competence,
# as a posting's skills do (careers.services.POSTING_SKILL_LEVEL).
DEFAULT_REQUIRED_LEVEL: Final = SkillLevel.INTERMEDIATE
# Importance when the source gives none: an essential skill counts fully, an optional one half.
ESSENTIAL_IMPORTANCE: Final = 1.0
OPTIONAL_IMPORTANCE: Final = 0.5
# Market demand never silences a requirement: the least asked-for skill keeps this share of its weight.
DEMAND_FLOOR: Final = 0.2
# With no goal-hours the planner assumes a pace; five hours a week is an evening course.
DEFAULT_HOURS_PER_WEEK: Final = 5.0


class GapStatus:
    MET = "met"
    PARTLY = "partly"
    MISSING = "missing"


STATUS_LABELS = {GapStatus.MET: "Met", GapStatus.PARTLY: "Partly met", GapStatus.MISSING: "Missing"}


def _label(level: str | None) -> str:
    return SkillLevel(level).label.lower() if level else "none"


@dataclass(frozen=True)
class GapItem:
    skill: Skill
    required_level: str
    importance: float
    essential: bool | None
    demand: float | None  # 0–1 against the most asked-for skill; None: no market data
    verified_level: str | None
    verified_by: str  # the strongest counting verified source's title
    unverified_level: str | None  # the learner's own word, shown only when above the verified level
    status: str
    weight: float
    explanation: str

    @property
    def required_rank(self) -> int:
        return level_rank(self.required_level)

    @property
    def verified_rank(self) -> int:
        return level_rank(self.verified_level) if self.verified_level else 0

    @property
    def unverified_rank(self) -> int:
        return level_rank(self.unverified_level) if self.unverified_level else 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status != GapStatus.MET


@dataclass(frozen=True)
class GoalGap:
    goal: CareerGoal | None
    target: str  # "Data scientist", "the posting “Analyst”", "your chosen skills"
    items: tuple[GapItem, ...]
    market_data: bool

    @property
    def open_items(self) -> tuple[GapItem, ...]:
        return tuple(item for item in self.items if item.is_open)

    @property
    def has_goal(self) -> bool:
        return self.goal is not None and bool(self.items)

    def as_pathways(self) -> Gap:
        """Only verified levels count as held: the learner's word does not close a gap."""
        return Gap(
            requirements=tuple(
                SkillRequirement(
                    str(item.skill.pk),
                    Level(item.required_rank),
                    importance=item.importance,
                    demand=_demand_factor(item.demand),
                )
                for item in self.items
            ),
            held={str(item.skill.pk): Level(item.verified_rank) for item in self.items if item.verified_rank},
        )


def _demand_factor(demand: float | None) -> float:
    return 1.0 if demand is None else DEMAND_FLOOR + (1 - DEMAND_FLOOR) * demand


def goal_target(goal: CareerGoal | None) -> str:
    if goal is None:
        return ""
    if goal.kind == GoalKind.OCCUPATION and goal.occupation is not None:
        return goal.occupation.label
    if goal.kind == GoalKind.POSTING:
        return f"the posting “{goal.posting_title}”" if goal.posting_title else "the posting you pasted"
    return "your chosen skills" if goal.kind == GoalKind.SKILLS else ""


def _importance(importance: float | None, essential: bool | None) -> float:
    if importance is not None:
        return max(0.0, min(1.0, float(importance)))
    return OPTIONAL_IMPORTANCE if essential is False else ESSENTIAL_IMPORTANCE


def _verified_source(profile_skill: ProfileSkill | None) -> str:
    if profile_skill is None or profile_skill.verified_level is None:
        return ""
    return next(
        (s.title for s in profile_skill.sources if s.counts and s.verified and s.level == profile_skill.verified_level),
        "",
    )


def goal_gap(*, user: Any, today: date, goal: CareerGoal | None = None) -> GoalGap:
    """The learner's gap to their goal (or to ``goal``, an unsaved what-if): one item per required
    skill, open ones first, the heaviest first."""
    goal = goal or career_goal_of(user)
    if goal is None:
        return GoalGap(None, "", (), market_data=False)
    requirements = goal_requirements(goal)
    if not requirements:
        return GoalGap(goal, goal_target(goal), (), market_data=False)
    profile = {item.skill.pk: item for item in skill_profile(user, today=today)}
    weights = demand_weights([r.skill.pk for r in requirements])
    market_data = any(weights.values())
    target = goal_target(goal)
    items = []
    for requirement in requirements:
        required = requirement.level or str(DEFAULT_REQUIRED_LEVEL)
        held = profile.get(requirement.skill.pk)
        verified = held.verified_level if held else None
        said = held.level if held and held.level and level_rank(held.level) > level_rank(verified or "") else None
        demand = weights.get(requirement.skill.pk, 0.0) if market_data else None
        importance = _importance(requirement.importance, requirement.essential)
        if verified and level_rank(verified) >= level_rank(required):
            status = GapStatus.MET
        elif verified:
            status = GapStatus.PARTLY
        else:
            status = GapStatus.MISSING
        items.append(
            GapItem(
                skill=requirement.skill,
                required_level=required,
                importance=importance,
                essential=requirement.essential,
                demand=demand,
                verified_level=verified,
                verified_by=_verified_source(held),
                unverified_level=said,
                status=status,
                weight=round(importance * _demand_factor(demand), 4),
                explanation=_explain(
                    requirement.essential, target, required, requirement.level is None, verified, held, said, demand
                ),
            )
        )
    items.sort(key=lambda i: (not i.is_open, -i.weight, i.skill.label.casefold()))
    return GoalGap(goal, target, tuple(items), market_data=market_data)


def _explain(
    essential: bool | None,
    target: str,
    required: str,
    level_assumed: bool,
    verified: str | None,
    held: ProfileSkill | None,
    said: str | None,
    demand: float | None,
) -> str:
    need = "Needed" if essential is None else ("Essential" if essential else "Optional")
    text = f"{need} for {target}, required at {_label(required)}"
    if level_assumed:
        text += " (no level stated: working competence assumed)"
    if verified:
        text += f"; you hold {_label(verified)}, verified by {_verified_source(held) or 'your evidence'}"
    else:
        text += "; you hold no verified level"
    if said:
        text += f"; you say {_label(said)}, which is not verified yet, so it does not close the gap"
    if demand is None:
        text += "; no job postings to weigh market demand."
    else:
        text += f"; market demand {round(100 * demand)} % of the most asked-for skill."
    return text


# -- the catalogue as offers, kept per process --------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    index: OfferIndex
    microcredentials: dict[str, MicroCredential]  # offer id -> the micro-credential
    family_offer: dict[Any, str]  # a family -> its current offer id


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], Catalogue]] = {}


def _catalogue_version(today: date) -> tuple[Any, ...]:
    """Changes whenever a micro-credential is published, archived or edited, or an accreditation
    changes (publishing saves the row, so ``updated_at`` moves): two aggregate queries."""
    mcs = MicroCredential.objects.aggregate(n=Count("id"), latest=Max("updated_at"), published=Max("published_at"))
    accreditations = Accreditation.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    # Programmes change without touching a micro-credential: replacing members makes new member rows
    # (the largest id moves), an edit moves ``updated_at``. A version's prerequisites move its own.
    members = ProgrammeMember.objects.aggregate(n=Count("id"), latest=Max("id"), edited=Max("programme__updated_at"))
    return (
        today,
        mcs["n"],
        mcs["latest"],
        mcs["published"],
        accreditations["n"],
        accreditations["latest"],
        members["n"],
        members["latest"],
        members["edited"],
    )


def offer_catalogue(*, today: date) -> Catalogue:
    version = _catalogue_version(today)
    with _cache_lock:
        cached = _cache.get("catalogue")
        if cached is not None and cached[0] == version:
            return cached[1]
    catalogue = _build_catalogue(today)
    with _cache_lock:
        _cache["catalogue"] = (version, catalogue)
    return catalogue


def _build_catalogue(today: date) -> Catalogue:
    latest: dict[Any, MicroCredential] = {}
    published = MicroCredential.objects.filter(status=Status.PUBLISHED).select_related("provider")
    for mc in published.order_by("family", "-version", "-pk"):
        latest.setdefault(mc.family, mc)
    links: dict[int, dict[str, Level]] = {}
    for link in MicroCredentialSkill.objects.filter(microcredential__in=[mc.pk for mc in latest.values()]):
        links.setdefault(link.microcredential_id, {})[str(link.skill_id)] = Level(level_rank(link.target_level))
    accredited = current_accreditations_by_provider(
        provider_ids={mc.provider_id for mc in latest.values()}, today=today
    )
    current = {mc.family: mc for mc in latest.values() if links.get(mc.pk)}
    prerequisites = _prerequisite_ids(latest.values(), current)
    programmes = _programmes(current)
    offers = []
    by_id: dict[str, MicroCredential] = {}
    for mc in current.values():
        teaches = {skill: level for skill, level in links.get(mc.pk, {}).items() if level}
        if not teaches:
            continue  # aligned with no skill: it cannot close a gap
        offer = Offer(
            id=str(mc.pk),
            title=mc.title,
            provider=mc.provider.name,
            teaches=teaches,
            workload_hours=float(mc.workload_hours),
            duration_weeks=max(1, mc.duration_weeks or 1),
            price=Decimal(mc.price),
            languages=frozenset({_language(mc.language)}),
            form=Form(mc.participation_form),
            accredited=bool(accredited.get(mc.provider_id)),
            prerequisites=prerequisites.get(mc.pk, ()),
            programmes=tuple(p.id for p in programmes if str(mc.pk) in p.offer_ids),
        )
        offers.append(offer)
        by_id[offer.id] = mc
    family_offer: dict[Any, str] = {mc.family: str(mc.pk) for mc in by_id.values()}
    return Catalogue(OfferIndex(offers, programmes), by_id, family_offer)


def unpublished_prerequisite_id(family: Any) -> str:
    """The planner's name for a prerequisite with no published version: no offer has it, so an offer
    that needs it is ruled out ("it requires an offer you cannot take") unless the learner has
    completed it (``completed_offers`` names completed families this way too)."""
    return f"family:{family}"


def _prerequisite_ids(
    offers: Iterable[MicroCredential], current: dict[Any, MicroCredential]
) -> dict[int, tuple[str, ...]]:
    """Each offer's prerequisites as planner offer ids: the prerequisite family's published version.
    A published prerequisite aligned with no skill is no planner offer and cannot be scheduled: it is
    left out (the micro-credential's page still says "Builds on" it), so the offer stays plannable."""
    published_families = set(
        MicroCredential.objects.filter(status=Status.PUBLISHED).values_list("family", flat=True).distinct()
    )
    ids: dict[int, list[str]] = {}
    links = MicroCredentialPrerequisite.objects.filter(microcredential__in=[mc.pk for mc in offers])
    for mc_id, family in links.order_by("position", "id").values_list("microcredential_id", "required__family"):
        if family in current:
            ids.setdefault(mc_id, []).append(str(current[family].pk))
        elif family not in published_families:
            ids.setdefault(mc_id, []).append(unpublished_prerequisite_id(family))
    return {mc_id: tuple(dict.fromkeys(found)) for mc_id, found in ids.items()}


def _programmes(current: dict[Any, MicroCredential]) -> tuple[Programme, ...]:
    """Stackable programmes over the planner's offers: a member with no offer (unpublished, or aligned
    with no skill) cannot be planned, so the programme is noted with the members that can."""
    members: dict[int, list[str]] = {}
    titles: dict[int, str] = {}
    rows = ProgrammeMember.objects.order_by("programme_id", "position", "id").values_list(
        "programme_id", "programme__title", "microcredential__family"
    )
    for programme_id, title, family in rows:
        titles[programme_id] = title
        if family in current:
            members.setdefault(programme_id, []).append(str(current[family].pk))
    return tuple(
        Programme(id=f"programme:{pk}", title=titles[pk], offer_ids=tuple(dict.fromkeys(ids)))
        for pk, ids in members.items()
        if len(set(ids)) >= 2
    )


def _language(code: str) -> str:
    return code.strip().lower().split("-")[0]


def completed_offers(user: Any, catalogue: Catalogue) -> frozenset[str]:
    """The learner's completed micro-credentials, as the current offer of each family."""
    families = Completion.objects.filter(enrolment__user=user).values_list(
        "enrolment__microcredential__family", flat=True
    )
    return frozenset(
        catalogue.family_offer[f] if f in catalogue.family_offer else unpublished_prerequisite_id(f) for f in families
    )


def goal_constraints(goal: CareerGoal, *, completed: Iterable[str] = ()) -> Constraints:
    return Constraints(
        hours_per_week=float(goal.hours_per_week or DEFAULT_HOURS_PER_WEEK),
        budget=goal.budget_eur,
        deadline=goal.deadline,
        languages=frozenset(_language(code) for code in goal.languages),
        forms=frozenset(Form(f) for f in goal.participation_forms if f in Form.__members__.values()),
        accredited_only=goal.accredited_only,
        preferred_providers=frozenset(p.name for p in goal.preferred_providers.all()) if goal.pk else frozenset(),
        completed_offers=frozenset(completed),
    )


@dataclass(frozen=True)
class LearnerPlan:
    gap: GoalGap
    plan: Plan
    catalogue: Catalogue
    objective: Objective
    completed: frozenset[str]


def learner_plan(
    *, user: Any, today: date, objective: str | None = None, goal: CareerGoal | None = None
) -> LearnerPlan | None:
    """The best path to the learner's goal (or to ``goal``) today; None without a goal that names skills."""
    gap = goal_gap(user=user, today=today, goal=goal)
    if gap.goal is None or not gap.items:
        return None
    catalogue = offer_catalogue(today=today)
    chosen = Objective(objective or gap.goal.objective or Objective.LEAST_WORKLOAD)
    completed = completed_offers(user, catalogue)
    constraints = goal_constraints(gap.goal, completed=completed)
    plan = plan_path(gap.as_pathways(), catalogue.index, constraints, chosen, today=today)
    return LearnerPlan(gap, plan, catalogue, chosen, completed)


@dataclass(frozen=True)
class GoalFit:
    """What one micro-credential does for the learner's goal: the gaps it closes, in words."""

    target: str
    closes: int
    open_gaps: int
    message: str
    helps: bool


def goal_fit(*, user: Any, microcredential: MicroCredential, today: date) -> GoalFit | None:
    """For the micro-credential's page: "closes 3 of your 7 gaps", or a kind word that it does not
    help the goal. None for a visitor without a goal that names skills."""
    return goal_fits(user=user, microcredentials=[microcredential], today=today).get(microcredential.pk)


def goal_fits(*, user: Any, microcredentials: Sequence[MicroCredential], today: date) -> dict[int, GoalFit]:
    """``goal_fit`` for each of ``microcredentials`` (a page of the catalog), with the learner's gap
    worked out once and every skill link read in one query. Empty for a visitor without a goal."""
    if not microcredentials or not getattr(user, "is_authenticated", False):
        return {}
    gap = goal_gap(user=user, today=today)
    if not gap.open_items:
        return {}
    teaches: dict[int, dict[str, Level]] = {mc.pk: {} for mc in microcredentials}
    for link in MicroCredentialSkill.objects.filter(microcredential__in=list(teaches)):
        if level_rank(link.target_level):
            teaches[link.microcredential_id][str(link.skill_id)] = Level(level_rank(link.target_level))
    pathways_gap = gap.as_pathways()
    labels = {str(item.skill.pk): item.skill.label for item in gap.items}
    open_count = len(pathways_gap.open)
    fits = {}
    for microcredential in microcredentials:
        lifted: tuple[Any, ...] = ()
        if teaches[microcredential.pk]:
            offer = Offer(
                id=str(microcredential.pk),
                title=microcredential.title,
                provider="",
                teaches=teaches[microcredential.pk],
                workload_hours=float(microcredential.workload_hours),
                duration_weeks=max(1, microcredential.duration_weeks or 1),
                price=Decimal(microcredential.price),
                languages=frozenset({_language(microcredential.language)}),
            )
            lifted, _text = offer_relevance(offer, pathways_gap)
        if lifted:
            names = ", ".join(f"{labels[c.skill]} to {c.after.name.lower()}" for c in lifted)
            message = f"This closes {len(lifted)} of your {open_count} gaps towards {gap.target}: {names}."
        else:
            message = (
                f"This one does not move you towards your goal of {gap.target}: it teaches nothing your goal "
                "still needs. It may well be worth it for its own sake; your plan shows the steps that count."
            )
        fits[microcredential.pk] = GoalFit(gap.target, len(lifted), open_count, message, bool(lifted))
    return fits
