"""The learner's skill profile, declared skills, credentials from elsewhere and career goal.

Everything is the caller's own (``/me/...``): another learner's uploaded credential answers 404,
exactly like an id that does not exist."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE, ProblemOut, fields_under
from microcred.core.clock import now
from microcred.core.errors import NotFound, ValidationFailed
from microcred.core.problems import problem_response
from microcred.skills.models import Skill
from microcred.verification.throttle import retry_after

from .models import EXTERNAL_DOCUMENT_MAX_BYTES, CareerGoal, ExternalCredential, LearningPlan
from .planning import goal_gap
from .selectors import (
    ProfileSkill,
    SkillSource,
    access_external_credential,
    access_plan,
    career_goal_of,
    current_plan_of,
    declared_skills_of,
    external_credentials_of,
    external_standing,
    goal_requirements,
    plan_calendar,
    plan_steps_with_placement,
    skill_profile,
)
from .services import (
    career_goal_update,
    declared_skills_replace,
    external_credential_recheck,
    external_credential_remove,
    external_credential_upload,
    plan_accept,
    plan_propose,
)

router = Router(tags=["careers"])


class SkillRefOut(Schema):
    id: int
    uri: str
    label: str


def _skill_ref(skill: Skill) -> dict[str, Any]:
    return {"id": skill.pk, "uri": skill.uri, "label": skill.label}


class SourceOut(Schema):
    kind: str = Field(description="declared, assessment, credential (ours) or external (from elsewhere).")
    level: str
    title: str
    verified: bool = Field(description="Every source but the learner's own word.")
    counts: bool = Field(description="False once its credential is revoked, suspended or expired.")
    standing: str = Field(description="valid, or why it no longer counts: revoked, suspended, expired…")
    reason: str
    since: datetime | None
    credential_uuid: str | None = Field(description="Our credential's id, for the credential source.")
    external_credential_id: int | None = Field(description="The uploaded credential, for the external source.")


class ProfileSkillOut(Schema):
    skill: SkillRefOut
    level: str | None = Field(description="The best level any counting source gives.")
    verified: bool
    verified_level: str | None = Field(description="The best level a counting source other than the learner gives.")
    group: str = Field(description="verified, unverified or lapsed (nothing counts any more).")
    sources: list[SourceOut]


class ProfileOut(Schema):
    skills: list[ProfileSkillOut]


def _source(source: SkillSource) -> dict[str, Any]:
    return {
        "kind": source.kind,
        "level": source.level,
        "title": source.title,
        "verified": source.verified,
        "counts": source.counts,
        "standing": source.standing,
        "reason": source.reason,
        "since": source.since,
        "credential_uuid": source.credential_uuid or None,
        "external_credential_id": source.external_id,
    }


def _profile_skill(item: ProfileSkill) -> dict[str, Any]:
    return {
        "skill": _skill_ref(item.skill),
        "level": item.level,
        "verified": item.verified,
        "verified_level": item.verified_level,
        "group": item.group,
        "sources": [_source(source) for source in item.sources],
    }


@router.get("/me/skills", response={200: ProfileOut, **PROBLEMS_AUTH}, summary="My skill profile")
def profile(request: HttpRequest) -> Any:
    """Every skill the caller has evidence for, with its best level and every source (ADR 0035)."""
    items = skill_profile(actor_of(request), today=now().date())
    return {"skills": [_profile_skill(item) for item in items]}


class DeclaredSkillIn(Schema):
    skill: str | int = Field(description="The skill's id or URI.")
    level: str = Field(description="beginner, intermediate or expert.")
    note: str = ""


class DeclaredSkillsIn(Schema):
    skills: list[DeclaredSkillIn]


class DeclaredSkillOut(Schema):
    skill: SkillRefOut
    level: str
    note: str
    updated_at: datetime


class DeclaredSkillsOut(Schema):
    skills: list[DeclaredSkillOut]


def _declared(user: Any) -> dict[str, Any]:
    return {
        "skills": [
            {"skill": _skill_ref(d.skill), "level": d.level, "note": d.note, "updated_at": d.updated_at}
            for d in declared_skills_of(user)
        ]
    }


@router.get("/me/skills/declared", response={200: DeclaredSkillsOut, **PROBLEMS_AUTH}, summary="My declared skills")
def declared(request: HttpRequest) -> Any:
    return _declared(actor_of(request))


@router.put(
    "/me/skills/declared", response={200: DeclaredSkillsOut, **PROBLEMS_WRITE}, summary="Replace my declared skills"
)
def declared_replace(request: HttpRequest, payload: DeclaredSkillsIn) -> Any:
    """The declared skills become exactly this list, all or nothing. They stay unverified."""
    user = actor_of(request)
    with fields_under("body"):
        declared_skills_replace(actor=user, learner=user, items=[item.dict() for item in payload.skills])
    return _declared(user)


class ExternalSkillOut(Schema):
    skill: SkillRefOut
    evidence: str = Field(description="alignment (the issuer aligned it) or matched (from its name or tags).")
    matched_text: str


class ExternalCredentialOut(Schema):
    id: int
    outcome: str = Field(description="The verifier's outcome at the last check: valid, revoked, suspended, expired…")
    headline: str
    counts: bool = Field(description="Whether its skills count as verified today.")
    standing: str
    credential_id: str
    issuer_id: str
    issuer_name: str
    achievement_name: str
    valid_until: datetime | None
    verified_at: datetime
    checked_at: datetime
    steps: list[dict[str, Any]]
    skills: list[ExternalSkillOut]


def _external(credential: ExternalCredential) -> dict[str, Any]:
    standing = external_standing(credential, today=now().date())
    return {
        "id": credential.pk,
        "outcome": credential.outcome,
        "headline": credential.headline,
        "counts": standing.counts,
        "standing": standing.code,
        "credential_id": credential.credential_id,
        "issuer_id": credential.issuer_id,
        "issuer_name": credential.issuer_name,
        "achievement_name": credential.achievement_name,
        "valid_until": credential.valid_until,
        "verified_at": credential.verified_at,
        "checked_at": credential.checked_at,
        "steps": credential.report_summary,
        "skills": [
            {"skill": _skill_ref(link.skill), "evidence": link.evidence, "matched_text": link.matched_text}
            for link in credential.skill_links.all()
        ],
    }


@router.get(
    "/me/external-credentials",
    response={200: list[ExternalCredentialOut], **PROBLEMS_AUTH},
    summary="My credentials from elsewhere",
)
def externals(request: HttpRequest) -> Any:
    return [_external(credential) for credential in external_credentials_of(actor_of(request))]


class _TooLarge(ValidationFailed):
    code = "payload_too_large"
    status = 413
    title = "Payload too large"


def _throttled(request: HttpRequest, user: Any) -> HttpResponse | None:
    wait = retry_after(request, user=user)
    if wait is None:
        return None
    response = problem_response(
        request,
        status=429,
        code="throttled",
        title="Too many requests",
        detail=f"You have verified many credentials in a short time; try again in {wait} seconds.",
    )
    response["Retry-After"] = str(wait)
    return response


def _uploaded_document(request: HttpRequest) -> str | bytes | dict[str, Any]:
    if (request.content_type or "").startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                "Upload the credential as 'file'.", errors={"body.file": ["This field is required."]}
            )
        if upload.size is not None and upload.size > EXTERNAL_DOCUMENT_MAX_BYTES:
            raise _TooLarge(f"The file is larger than {EXTERNAL_DOCUMENT_MAX_BYTES // 1024} KB.")
        data: bytes = upload.read()
        return data
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise _TooLarge("The request body is too large.") from exc
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValidationFailed(
            "The request body is not JSON.", errors={"body": ['Send {"credential": …}, or upload a file.']}
        ) from exc
    credential = payload.get("credential") if isinstance(payload, dict) else None
    if not isinstance(credential, (dict, str)):
        raise ValidationFailed(
            "Give the credential.",
            errors={"body.credential": ["The credential as a JSON object, or a string (JSON text or a VC-JWT)."]},
        )
    return credential


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "credential": {
                            "description": "The credential: a JSON object, or a string (JSON text or a VC-JWT).",
                            "oneOf": [{"type": "object"}, {"type": "string"}],
                        }
                    },
                    "required": ["credential"],
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary", "description": "JSON or JWT."}},
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post(
    "/me/external-credentials",
    response={201: ExternalCredentialOut, **PROBLEMS_WRITE, 413: ProblemOut, 429: ProblemOut},
    summary="Add a credential earned elsewhere",
    openapi_extra=_UPLOAD_BODY,
)
def external_upload(request: HttpRequest) -> Any:
    """Verify the credential (it must be valid and issued to the caller's e-mail address) and add
    it with the skills it names. Anything else is a 422 problem with code `credential_not_accepted`
    whose detail is the verifier's reason; nothing is stored. The same credential twice is a 409."""
    user = actor_of(request)
    document = _uploaded_document(request)
    throttled = _throttled(request, user)
    if throttled is not None:
        return throttled
    with fields_under("body"):
        credential = external_credential_upload(actor=user, learner=user, document=document)
    return Status(201, _external(access_external_credential(actor=user, pk=credential.pk)))


@router.post(
    "/me/external-credentials/{credential_id}/recheck",
    response={200: ExternalCredentialOut, **PROBLEMS_AUTH, 429: ProblemOut},
    summary="Verify a credential from elsewhere again",
)
def external_recheck(request: HttpRequest, credential_id: int) -> Any:
    """Its issuer may have revoked or suspended it: the new outcome is stored, and only `valid` counts."""
    user = actor_of(request)
    credential = access_external_credential(actor=user, pk=credential_id)
    throttled = _throttled(request, user)
    if throttled is not None:
        return throttled
    external_credential_recheck(actor=user, credential=credential)
    return _external(access_external_credential(actor=user, pk=credential_id))


@router.delete(
    "/me/external-credentials/{credential_id}",
    response={204: None, **PROBLEMS_AUTH},
    summary="Remove a credential from elsewhere",
)
def external_delete(request: HttpRequest, credential_id: int) -> Any:
    user = actor_of(request)
    external_credential_remove(actor=user, credential=access_external_credential(actor=user, pk=credential_id))
    return Status(204, None)


# -- the goal -----------------------------------------------------------------------------------


class GoalSkillIn(Schema):
    skill: str | int = Field(description="The skill's id or URI.")
    level: str = Field(description="beginner, intermediate or expert.")


class ConstraintsIn(Schema):
    hours_per_week: int | None = Field(None, description="1–80; null: no limit.")
    budget_eur: Decimal | None = Field(None, description="In euros; null: no limit.")
    deadline: date | None = None
    languages: list[str] = Field(default_factory=list, description="Language codes, e.g. ['en', 'de']; empty: any.")
    participation_forms: list[str] = Field(default_factory=list, description="online, blended, onsite; empty: any.")
    accredited_only: bool = False
    preferred_providers: list[str] = Field(default_factory=list, description="Providers' slugs (a preference).")
    objective: str = Field("least_workload", description="least_workload, least_cost or most_coverage.")


class GoalIn(Schema):
    kind: str | None = Field(
        None, description="occupation, posting or skills; leave it out to change only the constraints."
    )
    occupation: str | int | None = Field(None, description="For kind occupation: its id, URI or code.")
    posting_title: str = ""
    posting_text: str = Field("", description="For kind posting: the posting; its skills are extracted.")
    skills: list[GoalSkillIn] = Field(default_factory=list, description="For kind skills: what you want to learn.")
    constraints: ConstraintsIn | None = Field(None, description="Replaces the constraints when given.")


class GoalSkillOut(Schema):
    skill: SkillRefOut
    level: str | None
    importance: float | None
    essential: bool | None
    source: str


class ConstraintsOut(Schema):
    hours_per_week: int | None
    budget_eur: Decimal | None
    deadline: date | None
    languages: list[str]
    participation_forms: list[str]
    accredited_only: bool
    preferred_providers: list[str]
    objective: str


class OccupationRefOut(Schema):
    id: int
    uri: str
    code: str
    label: str


class GoalOut(Schema):
    kind: str = Field(description="occupation, posting, skills, or empty when no target is chosen.")
    occupation: OccupationRefOut | None
    posting_title: str
    posting_text: str
    requirements: list[GoalSkillOut] = Field(description="What the goal needs, whatever its kind.")
    constraints: ConstraintsOut
    updated_at: datetime | None


def _goal(goal: CareerGoal | None) -> dict[str, Any]:
    empty = CareerGoal()
    shown = goal or empty
    return {
        "kind": shown.kind,
        "occupation": None
        if shown.occupation is None
        else {
            "id": shown.occupation.pk,
            "uri": shown.occupation.uri,
            "code": shown.occupation.code,
            "label": shown.occupation.label,
        },
        "posting_title": shown.posting_title,
        "posting_text": shown.posting_text,
        "requirements": [
            {
                "skill": _skill_ref(req.skill),
                "level": req.level,
                "importance": req.importance,
                "essential": req.essential,
                "source": req.source,
            }
            for req in (goal_requirements(goal) if goal is not None else [])
        ],
        "constraints": {
            "hours_per_week": shown.hours_per_week,
            "budget_eur": shown.budget_eur,
            "deadline": shown.deadline,
            "languages": shown.languages,
            "participation_forms": shown.participation_forms,
            "accredited_only": shown.accredited_only,
            "preferred_providers": [org.slug for org in goal.preferred_providers.all()] if goal is not None else [],
            "objective": shown.objective,
        },
        "updated_at": goal.updated_at if goal is not None else None,
    }


@router.get("/me/goal", response={200: GoalOut, **PROBLEMS_AUTH}, summary="My career goal")
def goal_get(request: HttpRequest) -> Any:
    """The caller's goal and constraints; `kind` is empty while none is chosen."""
    return _goal(career_goal_of(actor_of(request)))


@router.put("/me/goal", response={200: GoalOut, **PROBLEMS_WRITE}, summary="Set my career goal")
def goal_put(request: HttpRequest, payload: GoalIn) -> Any:
    """Set the target (an occupation, a posting or chosen skills) and, when given, the constraints,
    together: one invalid value and nothing changes."""
    user = actor_of(request)
    constraints: dict[str, Any] | None = None
    if payload.constraints is not None:
        constraints = payload.constraints.dict()
        slugs = constraints.pop("preferred_providers")
        providers = list(Organisation.objects.filter(kind=OrganisationKind.PROVIDER, slug__in=slugs))
        missing = sorted(set(slugs) - {org.slug for org in providers})
        if missing:
            raise ValidationFailed(
                "Unknown providers.",
                errors={"body.constraints.preferred_providers": [f"No provider {', '.join(missing)}."]},
            )
        constraints["preferred_providers"] = providers
    with fields_under("body"):
        career_goal_update(
            actor=user,
            learner=user,
            kind=payload.kind,
            occupation=payload.occupation,
            posting_title=payload.posting_title,
            posting_text=payload.posting_text,
            skills=[(item.skill, item.level) for item in payload.skills],
            constraints=constraints,
        )
    return _goal(career_goal_of(user))


# -- gap and plan (ADR 0037) --------------------------------------------------------------------


class GapItemOut(Schema):
    skill: SkillRefOut
    required_level: str
    importance: float = Field(description="0–1: stated by the source, else essential 1.0, optional 0.5.")
    essential: bool | None
    demand: float | None = Field(description="0–1 against the most asked-for skill; null without postings.")
    verified_level: str | None
    unverified_level: str | None = Field(description="The learner's own higher level: shown, never counted.")
    status: str = Field(description="met, partly or missing (by verified evidence only).")
    weight: float = Field(description="importance × (0.2 + 0.8 × demand); importance alone without postings.")
    explanation: str


class GapOut(Schema):
    target: str = Field(description="The goal in words; empty without a goal.")
    open: int = Field(description="How many skills are not met yet.")
    market_data: bool
    items: list[GapItemOut]


@router.get("/me/gap", response={200: GapOut, **PROBLEMS_AUTH}, summary="My skill gap")
def gap_get(request: HttpRequest) -> Any:
    """What the caller's goal needs beside what they have verified, skill by skill, open and
    heaviest first. Without a goal the list is empty."""
    found = goal_gap(user=actor_of(request), today=now().date())
    return {
        "target": found.target,
        "open": len(found.open_items),
        "market_data": found.market_data,
        "items": [
            {
                "skill": _skill_ref(item.skill),
                "required_level": item.required_level,
                "importance": item.importance,
                "essential": item.essential,
                "demand": item.demand,
                "verified_level": item.verified_level,
                "unverified_level": item.unverified_level,
                "status": item.status,
                "weight": item.weight,
                "explanation": item.explanation,
            }
            for item in found.items
        ],
    }


class PlanOut(Schema):
    id: int
    status: str = Field(description="current, or superseded by a newer plan.")
    created_at: datetime
    accepted_at: datetime | None
    objective: str
    quality: str = Field(description="“optimal” or “within X% of optimal”.")
    trigger: str = Field(description="Why it was proposed: asked for, the goal changed, a credential earned…")
    changes: list[str] = Field(description="What changed from the plan it replaced.")
    goal: dict[str, Any] = Field(description="The goal and its gap as planned against.")
    steps: list[dict[str, Any]] = Field(
        description="In order: microcredential_id, title, provider, price, hours, start, finish, closes, why, "
        "skipped, and placement: null, or the placement quiz that skips the step (quiz_id, title, questions, url)."
    )
    totals: dict[str, Any] = Field(description="price, hours, coverage, finish, meets_deadline, method, notes.")
    uncoverable: list[dict[str, Any]] = Field(description="Gap steps no offer can close, and why.")


def _plan(plan: LearningPlan) -> dict[str, Any]:
    totals = {key: value for key, value in plan.totals.items() if key != "sessions"}
    return {
        "id": plan.pk,
        "status": plan.status,
        "created_at": plan.created_at,
        "accepted_at": plan.accepted_at,
        "objective": plan.objective,
        "quality": plan.quality,
        "trigger": plan.trigger,
        "changes": plan.changes,
        "goal": plan.goal_snapshot,
        "steps": plan_steps_with_placement(plan),
        "totals": totals,
        "uncoverable": plan.uncoverable,
    }


@router.get("/me/plan", response={200: PlanOut, **PROBLEMS_AUTH}, summary="My current learning plan")
def plan_get(request: HttpRequest) -> Any:
    """The caller's current plan; 404 until one is proposed."""
    found = current_plan_of(actor_of(request))
    if found is None:
        raise NotFound("You have no plan yet: POST /me/plan to propose one.")
    return _plan(found)


class PlanIn(Schema):
    objective: str | None = Field(
        default=None, description="least_workload, least_cost or most_coverage; default: the goal's."
    )


@router.post("/me/plan", response={201: PlanOut, **PROBLEMS_WRITE}, summary="Propose a learning plan")
def plan_post(request: HttpRequest, payload: PlanIn) -> Any:
    """Compute the best path to the caller's goal and make it their current plan (the previous one
    is superseded). 409 without a goal that names skills."""
    user = actor_of(request)
    with fields_under("body"):
        created = plan_propose(actor=user, today=now().date(), objective=payload.objective)
    return Status(201, _plan(created))


@router.post("/me/plan/{plan_id}/accept", response={200: PlanOut, **PROBLEMS_WRITE}, summary="Accept a plan")
def plan_accept_post(request: HttpRequest, plan_id: int) -> Any:
    """Accept the caller's current plan (again: no change); a superseded plan answers 409."""
    user = actor_of(request)
    return _plan(plan_accept(actor=user, plan=access_plan(actor=user, pk=plan_id)))


@router.get("/me/plan/{plan_id}.ics", response={200: None, **PROBLEMS_AUTH}, summary="A plan as a calendar")
def plan_ics_get(request: HttpRequest, plan_id: int) -> Any:
    """The plan's weekly study sessions as an iCalendar (RFC 5545) file."""
    found = access_plan(actor=actor_of(request), pk=plan_id)
    response = HttpResponse(plan_calendar(found, now=now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="learning-plan-{found.pk}.ics"'
    return response
