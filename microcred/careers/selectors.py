"""Reading a learner's skills and goal.

``skill_profile`` is the one answer to "which skills does this learner have, at which level, and
how do we know". Each skill lists every source, and the level counts only from the sources that
still count (ADR 0035):

- **declared**: the learner says so. Counts, but never as verified.
- **assessment**: a passed assessment. A passed quiz proves each skill its served questions are
  aligned with at *beginner*; passing an assessed lesson (a quiz or a graded project) proves the
  micro-credential's skills one level *below* their target (an intermediate target proves
  beginner, expert proves intermediate; a beginner target needs the credential itself).
- **credential**: a credential we issued proves its micro-credential's skills at their target
  level, while it is active: not revoked, not suspended, not past its ``valid_until`` (it counts
  through its last day) and already valid.
- **placement**: a passed placement quiz (issue 9 §7) proves its micro-credential's skills at
  their target level, as the credential would: the learner showed they know the course.
- **external**: a credential from elsewhere that our verifier accepted proves the skills it names
  at *beginner* (an OB 3.0 alignment says which skill, never how well), while its last check
  said valid and it is not past its stated end.

Evidence from an enrolment whose credential no longer counts (revoked, suspended, expired) stops
counting with it: revoking a credential must not leave its skills proven by the quizzes behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from microcred.assessment.models import Attempt, Question
from microcred.assessment.selectors import placement_question_count, placement_quizzes_for
from microcred.catalog.models import MicroCredentialSkill
from microcred.core.errors import NotFound
from microcred.credentials.models import Credential, CredentialStatus
from microcred.learning.models import Enrolment, EnrolmentStatus, LessonOutcome
from microcred.market.selectors import skill_index
from microcred.pathways import Session, to_ics
from microcred.skills.matching import Mention
from microcred.skills.models import LEVEL_ORDER, Level, Occupation, Skill
from microcred.skills.selectors import occupation_requirements

from .models import CareerGoal, DeclaredSkill, ExternalCredential, GoalKind, LearningPlan, PlanStatus

VALID_OUTCOME = "valid"


class SourceKind:
    DECLARED = "declared"
    ASSESSMENT = "assessment"
    CREDENTIAL = "credential"
    EXTERNAL = "external"
    PLACEMENT = "placement"


SOURCE_LABELS = {
    SourceKind.DECLARED: "Self-declared",
    SourceKind.ASSESSMENT: "Assessment",
    SourceKind.CREDENTIAL: "Our credential",
    SourceKind.EXTERNAL: "Credential from elsewhere",
    SourceKind.PLACEMENT: "Placement quiz",
}


def level_rank(level: str) -> int:
    return LEVEL_ORDER.get(Level(level), 0) if level in Level.values else 0


def level_below(level: str) -> str | None:
    """The level one step below ``level``; None below beginner."""
    rank = level_rank(level) - 1
    return next((str(value) for value, order in LEVEL_ORDER.items() if order == rank), None)


@dataclass(frozen=True)
class SkillSource:
    """One piece of evidence for a skill. ``counts`` is False when it no longer does, and
    ``standing`` then says why (revoked, suspended, expired, not-yet-valid, or the verifier's outcome)."""

    kind: str
    level: str
    title: str
    counts: bool = True
    standing: str = "valid"
    reason: str = ""
    since: datetime | None = None
    credential_uuid: str = ""  # our credential's page
    external_id: int | None = None  # the learner's uploaded credential

    @property
    def verified(self) -> bool:
        return self.kind != SourceKind.DECLARED

    @property
    def kind_label(self) -> str:
        return SOURCE_LABELS[self.kind]

    @property
    def level_label(self) -> str:
        return Level(self.level).label


@dataclass(frozen=True)
class ProfileSkill:
    skill: Skill
    sources: tuple[SkillSource, ...]

    @cached_property
    def level(self) -> str | None:
        """The best level any counting source gives, verified or not."""
        return _best(source.level for source in self.sources if source.counts)

    @cached_property
    def verified_level(self) -> str | None:
        """The best level a counting source other than the learner's word gives."""
        return _best(source.level for source in self.sources if source.counts and source.verified)

    @property
    def verified(self) -> bool:
        return self.verified_level is not None

    @property
    def group(self) -> str:
        """verified; unverified (only the learner's word counts); lapsed (nothing counts any more)."""
        if self.verified:
            return "verified"
        return "unverified" if self.level is not None else "lapsed"

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""

    @property
    def verified_level_label(self) -> str:
        return Level(self.verified_level).label if self.verified_level else ""


def _best(levels: Iterable[str]) -> str | None:
    ranked = sorted(levels, key=level_rank)
    return ranked[-1] if ranked else None


@dataclass
class _Collected:
    by_skill: dict[int, list[SkillSource]] = field(default_factory=lambda: defaultdict(list))

    def add(self, skill_id: int, source: SkillSource) -> None:
        self.by_skill[skill_id].append(source)


@dataclass(frozen=True)
class Standing:
    counts: bool
    code: str
    reason: str


def credential_standing(credential: Credential, *, today: date) -> Standing:
    """Whether our credential counts today. Revocation wins over suspension, then expiry
    (``valid_until``'s day still counts), then a start in the future."""
    if credential.status == CredentialStatus.REVOKED:
        return Standing(False, "revoked", credential.status_reason or "Revoked by the issuer.")
    if credential.status == CredentialStatus.SUSPENDED:
        return Standing(False, "suspended", credential.status_reason or "Suspended by the issuer.")
    if credential.valid_until is not None and credential.valid_until.date() < today:
        return Standing(False, "expired", f"Expired on {credential.valid_until.date():%d %b %Y}.")
    if credential.valid_from.date() > today:
        return Standing(False, "not-yet-valid", f"Valid from {credential.valid_from.date():%d %b %Y}.")
    return Standing(True, "valid", "")


def external_standing(credential: ExternalCredential, *, today: date) -> Standing:
    """An uploaded credential counts while its last check said valid and its stated end is not past."""
    if credential.outcome != VALID_OUTCOME:
        return Standing(False, credential.outcome, credential.headline)
    if credential.valid_until is not None and credential.valid_until.date() < today:
        return Standing(False, "expired", f"Expired on {credential.valid_until.date():%d %b %Y}.")
    return Standing(True, "valid", "")


def skill_profile(user: Any, *, today: date) -> list[ProfileSkill]:
    """Every skill the learner has any evidence for, by label, each with all its sources."""
    collected = _Collected()
    for declared in DeclaredSkill.objects.filter(user=user):
        collected.add(
            declared.skill_id,
            SkillSource(
                SourceKind.DECLARED,
                declared.level,
                declared.note or "You said so",
                since=declared.updated_at,
            ),
        )
    credentials = list(
        Credential.objects.filter(user=user).select_related("microcredential", "completion").order_by("issued_at", "pk")
    )
    enrolment_standing = _collect_credentials(collected, credentials, today=today)
    _collect_quiz_attempts(collected, user, enrolment_standing)
    _collect_lesson_outcomes(collected, user, enrolment_standing)
    _collect_external(collected, user, today=today)
    skills = Skill.objects.in_bulk(list(collected.by_skill))
    profile = [
        ProfileSkill(skills[skill_id], tuple(_ordered(sources)))
        for skill_id, sources in collected.by_skill.items()
        if skill_id in skills
    ]
    return sorted(profile, key=lambda item: (item.skill.label.casefold(), item.skill.pk))


def _ordered(sources: list[SkillSource]) -> list[SkillSource]:
    """Counting sources first, the strongest first; the learner's word last among them."""
    order = [
        SourceKind.CREDENTIAL,
        SourceKind.PLACEMENT,
        SourceKind.EXTERNAL,
        SourceKind.ASSESSMENT,
        SourceKind.DECLARED,
    ]
    return sorted(sources, key=lambda s: (not s.counts, not s.verified, -level_rank(s.level), order.index(s.kind)))


def _collect_credentials(collected: _Collected, credentials: list[Credential], *, today: date) -> dict[int, Standing]:
    """Our credentials' skills; answers each awarded enrolment's standing, which its assessments follow."""
    links = defaultdict(list)
    for link in MicroCredentialSkill.objects.filter(microcredential__in={c.microcredential_id for c in credentials}):
        links[link.microcredential_id].append(link)
    by_enrolment: dict[int, Standing] = {}
    for credential in credentials:
        standing = credential_standing(credential, today=today)
        if credential.completion is not None:
            by_enrolment[credential.completion.enrolment_id] = standing
        for link in links[credential.microcredential_id]:
            collected.add(
                link.skill_id,
                SkillSource(
                    SourceKind.CREDENTIAL,
                    link.target_level,
                    credential.microcredential.title,
                    counts=standing.counts,
                    standing=standing.code,
                    reason=standing.reason,
                    since=credential.issued_at,
                    credential_uuid=str(credential.uuid),
                ),
            )
    return by_enrolment


def _withdrawn(enrolment_id: int | None, enrolment_standing: dict[int, Standing]) -> Standing | None:
    standing = enrolment_standing.get(enrolment_id) if enrolment_id is not None else None
    if standing is None or standing.counts:
        return None
    return Standing(False, standing.code, f"Its credential no longer counts: {standing.reason}")


def _collect_quiz_attempts(collected: _Collected, user: Any, enrolment_standing: dict[int, Standing]) -> None:
    attempts = (
        Attempt.objects.filter(user=user, passed=True, submitted_at__isnull=False)
        .select_related("quiz__lesson__module__microcredential")
        .order_by("submitted_at", "pk")
    )
    # The latest passed attempt of each quiz speaks for it.
    latest = {attempt.quiz_id: attempt for attempt in attempts}
    question_ids = {int(qid) for attempt in latest.values() for qid in attempt.question_ids}
    skill_of = dict(Question.objects.filter(pk__in=question_ids, skill__isnull=False).values_list("pk", "skill_id"))
    placement_links = defaultdict(list)
    placement_mcs = {a.quiz.lesson.module.microcredential_id for a in latest.values() if a.quiz.placement}
    for link in MicroCredentialSkill.objects.filter(microcredential__in=placement_mcs):
        placement_links[link.microcredential_id].append(link)
    for attempt in latest.values():
        withdrawn = _withdrawn(attempt.enrolment_id, enrolment_standing)
        quiz = attempt.quiz
        title = f"Passed “{quiz.title}” in {quiz.lesson.module.microcredential.title}"
        if quiz.placement:
            for link in placement_links[quiz.lesson.module.microcredential_id]:
                collected.add(
                    link.skill_id,
                    SkillSource(
                        SourceKind.PLACEMENT,
                        link.target_level,
                        f"Passed the placement quiz “{quiz.title}” of {quiz.lesson.module.microcredential.title}",
                        counts=withdrawn is None,
                        standing=withdrawn.code if withdrawn else "valid",
                        reason=withdrawn.reason if withdrawn else "The level the course's credential proves.",
                        since=attempt.submitted_at,
                    ),
                )
        for skill_id in {skill_of[int(qid)] for qid in attempt.question_ids if int(qid) in skill_of}:
            collected.add(
                skill_id,
                SkillSource(
                    SourceKind.ASSESSMENT,
                    Level.BEGINNER,
                    title,
                    counts=withdrawn is None,
                    standing=withdrawn.code if withdrawn else "valid",
                    reason=withdrawn.reason if withdrawn else "A question of this quiz assesses the skill.",
                    since=attempt.submitted_at,
                ),
            )


def _collect_lesson_outcomes(collected: _Collected, user: Any, enrolment_standing: dict[int, Standing]) -> None:
    outcomes = list(
        LessonOutcome.objects.filter(enrolment__user=user, passed=True).select_related(
            "lesson__module__microcredential"
        )
    )
    links = defaultdict(list)
    mc_ids = {outcome.lesson.module.microcredential_id for outcome in outcomes}
    for link in MicroCredentialSkill.objects.filter(microcredential__in=mc_ids):
        links[link.microcredential_id].append(link)
    for outcome in outcomes:
        mc = outcome.lesson.module.microcredential
        withdrawn = _withdrawn(outcome.enrolment_id, enrolment_standing)
        for link in links[mc.pk]:
            level = level_below(link.target_level)
            if level is None:
                continue
            collected.add(
                link.skill_id,
                SkillSource(
                    SourceKind.ASSESSMENT,
                    level,
                    f"Passed “{outcome.lesson.title}” in {mc.title}",
                    counts=withdrawn is None,
                    standing=withdrawn.code if withdrawn else "valid",
                    reason=withdrawn.reason
                    if withdrawn
                    else f"One level below the {Level(link.target_level).label.lower()} level its credential proves.",
                    since=outcome.recorded_at,
                ),
            )


def _collect_external(collected: _Collected, user: Any, *, today: date) -> None:
    for credential in ExternalCredential.objects.filter(user=user).prefetch_related("skill_links"):
        standing = external_standing(credential, today=today)
        for link in credential.skill_links.all():
            collected.add(
                link.skill_id,
                SkillSource(
                    SourceKind.EXTERNAL,
                    Level.BEGINNER,
                    str(credential),
                    counts=standing.counts,
                    standing=standing.code,
                    reason=standing.reason or f"{link.get_evidence_display()}: {link.matched_text}",
                    since=credential.verified_at,
                    external_id=credential.pk,
                ),
            )


# -- the learner's own rows ---------------------------------------------------------------


def declared_skills_of(user: Any) -> QuerySet[DeclaredSkill]:
    return DeclaredSkill.objects.filter(user=user).select_related("skill").order_by("skill__label", "pk")


def external_credentials_of(user: Any) -> QuerySet[ExternalCredential]:
    return ExternalCredential.objects.filter(user=user).prefetch_related("skill_links__skill")


def access_external_credential(*, actor: Any, pk: int) -> ExternalCredential:
    """The actor's own uploaded credential; anyone else's answers not-found, like a missing one."""
    found = external_credentials_of(actor).filter(pk=pk).first() if getattr(actor, "is_authenticated", False) else None
    if found is None:
        raise NotFound("Credential not found.")
    return found


def career_goal_of(user: Any) -> CareerGoal | None:
    return (
        CareerGoal.objects.filter(user=user)
        .select_related("occupation")
        .prefetch_related("skill_links__skill", "preferred_providers")
        .first()
    )


@dataclass(frozen=True)
class Requirement:
    """A skill a goal needs: at which level (None: the source does not say), how important
    (0–1; None: not stated) and where the requirement comes from."""

    skill: Skill
    level: str | None
    importance: float | None
    essential: bool | None
    source: str


def goal_requirements(goal: CareerGoal) -> list[Requirement]:
    """What the goal needs, whatever its kind: the occupation's skills from the taxonomy, or the
    posting's or chosen skills. The gap analysis reads this."""
    if goal.kind == GoalKind.OCCUPATION and goal.occupation is not None:
        return [
            Requirement(
                link.skill,
                link.level or None,
                link.importance,
                None if not link.relation else link.relation == "essential",
                link.get_relation_display() if link.relation else "Occupation",
            )
            for link in occupation_requirements(occupation_uri=goal.occupation.uri)
        ]
    if goal.kind in (GoalKind.POSTING, GoalKind.SKILLS):
        return [
            Requirement(link.skill, link.level, None, None, link.get_source_display())
            for link in goal.skill_links.all()
        ]
    return []


# -- finding skills and occupations -------------------------------------------------------

SEARCH_LIMIT = 20


def skill_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Skill]:
    """Skills whose label or an alternative label contains ``query`` (case-insensitive), labels
    that start with it first."""
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    found = Skill.objects.filter(Q(label__icontains=query) | Q(alt_labels__icontains=query)).order_by("label", "pk")
    rows = list(found[: limit * 3])
    rows.sort(key=lambda skill: (not skill.label.casefold().startswith(query.casefold()), skill.label.casefold()))
    return rows[:limit]


def occupation_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Occupation]:
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    found = Occupation.objects.filter(Q(label__icontains=query) | Q(alt_labels__icontains=query)).order_by("label")
    rows = list(found[: limit * 3])
    rows.sort(key=lambda occ: (not occ.label.casefold().startswith(query.casefold()), occ.label.casefold()))
    return rows[:limit]


def skill_by_reference(reference: str | int) -> Skill | None:
    """A skill by id or URI."""
    if isinstance(reference, int) or (isinstance(reference, str) and reference.isdigit()):
        return Skill.objects.filter(pk=int(reference)).first()
    return Skill.objects.filter(uri=str(reference).strip()).first()


def occupation_by_reference(reference: str | int) -> Occupation | None:
    """An occupation by id, URI or code."""
    if isinstance(reference, int) or (isinstance(reference, str) and reference.isdigit()):
        return Occupation.objects.filter(pk=int(reference)).first()
    reference = str(reference).strip()
    return Occupation.objects.filter(Q(uri=reference) | Q(code=reference)).order_by("pk").first() if reference else None


# -- the matcher: the one index of the taxonomy per process, kept by the market app ---------


def skills_named(phrases: Iterable[str]) -> list[tuple[Skill, str]]:
    """The best skill each phrase (a tag, an achievement's name) means, if the matcher is sure
    enough; each skill once, with the phrase that named it."""
    index = skill_index()
    found: dict[int, str] = {}
    for phrase in phrases:
        candidates = index.match(phrase, limit=1)
        if candidates:
            found.setdefault(int(candidates[0].skill_id), phrase)
    skills = Skill.objects.in_bulk(list(found))
    return [(skills[pk], phrase) for pk, phrase in found.items() if pk in skills]


def skills_in_text(text: str) -> list[tuple[Skill, Mention]]:
    """The skills a longer text (a job posting) mentions, most mentioned first."""
    mentions = skill_index().extract(text)
    skills = Skill.objects.in_bulk([int(m.skill_id) for m in mentions])
    found = [(skills[int(m.skill_id)], m) for m in mentions if int(m.skill_id) in skills]
    return sorted(found, key=lambda pair: (-pair[1].count, pair[1].start))


# -- learning plans (ADR 0037) --------------------------------------------------------------------


def current_plan_of(user: Any) -> LearningPlan | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return LearningPlan.objects.filter(user=user, status=PlanStatus.CURRENT).order_by("-pk").first()


def previous_plan_of(plan: LearningPlan) -> LearningPlan | None:
    """The plan this one replaced, whose changes it lists."""
    return LearningPlan.objects.filter(superseded_by=plan).order_by("-pk").first()


def plans_of(user: Any) -> QuerySet[LearningPlan]:
    return LearningPlan.objects.filter(user=user).order_by("-pk")


def access_plan(*, actor: Any, pk: int) -> LearningPlan:
    """The actor's own plan; anyone else's answers not-found, like a missing one."""
    found = plans_of(actor).filter(pk=pk).first() if getattr(actor, "is_authenticated", False) else None
    if found is None:
        raise NotFound("Plan not found.")
    return found


def first_step_to_enrol(user: Any, plan: LearningPlan) -> dict[str, Any] | None:
    """The plan's first step the learner is not enrolled in yet (a withdrawn enrolment counts as not)."""
    taken = set(
        Enrolment.objects.filter(user=user)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .values_list("microcredential_id", flat=True)
    )
    return next((step for step in plan.steps if step["microcredential_id"] not in taken), None)


def plan_calendar(plan: LearningPlan, *, now: datetime) -> str:
    """The plan's weekly study sessions as an ICS calendar, as they were scheduled."""
    sessions = [
        Session(
            offer_id=str(s["offer_id"]),
            title=s["title"],
            start=date.fromisoformat(s["start"]),
            end=date.fromisoformat(s["end"]),
            hours=float(s["hours"]),
        )
        for s in plan.totals.get("sessions", [])
    ]
    return to_ics(sessions, now=now, name="My learning plan")


def plan_steps_with_placement(plan: LearningPlan) -> list[dict[str, Any]]:
    """The plan's steps as stored, each with the placement quiz that would skip it (issue 9 §7):
    ``placement`` is None, or its quiz id, title, question count and page (``url``, absolute on
    SITE_URL; ``path`` for our own pages), which comes back to the plan page."""
    quizzes = placement_quizzes_for([step["microcredential_id"] for step in plan.steps])
    back = reverse("careers:plan")
    steps = []
    for step in plan.steps:
        quiz = quizzes.get(step["microcredential_id"])
        placement = None
        if quiz is not None:
            path = reverse("assessment:placement", args=[quiz.pk]) + f"?next={back}"
            placement = {
                "quiz_id": quiz.pk,
                "title": quiz.title,
                "questions": placement_question_count(quiz),
                "path": path,
                "url": settings.SITE_URL + path,
            }
        steps.append({**step, "placement": placement})
    return steps
