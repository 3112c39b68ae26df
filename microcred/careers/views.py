"""The learner's "My skills" and "My goal" pages. Thin: forms read input, services write,
selectors read; every object is reached through the signed-in learner's own rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.core.clock import now
from microcred.core.errors import AppError, Conflict, NotFound, ValidationFailed
from microcred.skills.models import Skill
from microcred.web.views.common import app_errors, form_errors_to_messages, service_error_to_form

from .forms import (
    ConstraintsForm,
    ExternalCredentialForm,
    OccupationChoiceForm,
    PostingForm,
    SkillLevelForm,
    SkillRefForm,
)
from .models import GoalKind, Objective
from .planning import GapItem, goal_gap
from .selectors import (
    access_external_credential,
    access_plan,
    career_goal_of,
    current_plan_of,
    declared_skills_of,
    external_credentials_of,
    external_standing,
    first_step_to_enrol,
    goal_requirements,
    occupation_by_reference,
    occupation_search,
    plan_calendar,
    plan_steps_with_placement,
    previous_plan_of,
    skill_by_reference,
    skill_profile,
    skill_search,
)
from .services import (
    career_goal_constraints_set,
    career_goal_set,
    career_goal_skill_add,
    career_goal_skill_remove,
    declared_skill_remove,
    declared_skill_set,
    external_credential_remove,
    external_credentials_recheck_stale,
    plan_accept,
    plan_propose,
    plan_step_enrol,
)
from .uploads import recheck_with_messages, upload_from_form

GROUPS = (
    ("verified", "Verified", "Proven by an assessment, one of our credentials, or a credential from elsewhere."),
    ("unverified", "Unverified", "Only your word so far: an assessment or a credential would prove them."),
    ("lapsed", "No longer counting", "Their credential was revoked, suspended or has expired."),
)


def _skill(pk: int) -> Skill:
    skill = skill_by_reference(pk)
    if skill is None:
        raise NotFound("Skill not found.")
    return skill


def _skills_page(
    request: AuthenticatedRequest, *, upload_form: ExternalCredentialForm | None = None, status: int = 200
) -> HttpResponse:
    moment = now()
    external_credentials_recheck_stale(actor=request.user, learner=request.user, now=moment)
    today = moment.date()
    profile = skill_profile(request.user, today=today)
    query = request.GET.get("q", "")[:100]
    declared = {d.skill_id: d for d in declared_skills_of(request.user)}
    externals = [
        {"credential": c, "standing": external_standing(c, today=today)} for c in external_credentials_of(request.user)
    ]
    context = {
        "groups": [
            (key, title, about, [item for item in profile if item.group == key]) for key, title, about in GROUPS
        ],
        "profile": profile,
        "verified_count": sum(1 for item in profile if item.verified),
        "declared": declared,
        "query": query,
        "results": [(skill, declared.get(skill.pk)) for skill in skill_search(query)],
        "declare_form": SkillLevelForm(),
        "upload_form": upload_form or ExternalCredentialForm(),
        "externals": externals,
    }
    return render(request, "careers/skills.html", context, status=status)


@require_GET
@login_required
@app_errors
def skills(request: AuthenticatedRequest) -> HttpResponse:
    return _skills_page(request)


@require_POST
@login_required
@app_errors
def declare(request: AuthenticatedRequest) -> HttpResponse:
    form = SkillLevelForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("careers:skills")
    skill = _skill(form.cleaned_data["skill"])
    try:
        declared_skill_set(
            actor=request.user,
            learner=request.user,
            skill=skill,
            level=form.cleaned_data["level"],
            note=form.cleaned_data["note"],
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{skill.label}” is on your profile as self-declared.")
    return redirect("careers:skills")


@require_POST
@login_required
@app_errors
def undeclare(request: AuthenticatedRequest) -> HttpResponse:
    form = SkillRefForm(request.POST)
    if form.is_valid():
        skill = _skill(form.cleaned_data["skill"])
        if declared_skill_remove(actor=request.user, learner=request.user, skill=skill):
            messages.success(request, f"You no longer declare “{skill.label}”.")
    return redirect("careers:skills")


@require_POST
@login_required
@app_errors
def upload(request: AuthenticatedRequest) -> HttpResponse:
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused (400) before this view runs; below it, the
    # form and the service refuse anything over EXTERNAL_DOCUMENT_MAX_BYTES with a message.
    external = upload_from_form(request, lambda form, status: _skills_page(request, upload_form=form, status=status))
    if isinstance(external, HttpResponse):
        return external
    named = external.skill_links.count()
    messages.success(
        request,
        f"Verified and added “{external}”: "
        + (f"{named} skill{'s' if named != 1 else ''} now verified." if named else "it names no skill we know."),
    )
    return redirect("careers:skills")


@require_POST
@login_required
@app_errors
def recheck(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recheck_with_messages(request, pk, no_longer_counts="Its skills no longer count as verified.")
    return redirect("careers:skills")


@require_POST
@login_required
@app_errors
def remove_external(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    external = access_external_credential(actor=request.user, pk=pk)
    title = str(external)
    external_credential_remove(actor=request.user, credential=external)
    messages.success(request, f"Removed “{title}” from your profile.")
    return redirect("careers:skills")


# -- My goal ----------------------------------------------------------------------------------


def _goal_page(
    request: AuthenticatedRequest,
    *,
    posting_form: PostingForm | None = None,
    constraints_form: ConstraintsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    goal = career_goal_of(request.user)
    requirements = goal_requirements(goal) if goal is not None else []
    held = {item.skill.pk: item for item in skill_profile(request.user, today=now().date())}
    if constraints_form is None:
        initial: dict[str, Any] = {}
        if goal is not None:
            initial = {
                "hours_per_week": goal.hours_per_week,
                "budget_eur": goal.budget_eur,
                "deadline": goal.deadline,
                "languages": ", ".join(goal.languages),
                "participation_forms": goal.participation_forms,
                "accredited_only": goal.accredited_only,
                "preferred_providers": list(goal.preferred_providers.all()),
                "objective": goal.objective,
            }
        constraints_form = ConstraintsForm(initial=initial)
    occupation_query = request.GET.get("occupation_q", "")[:100]
    skill_query = request.GET.get("q", "")[:100]
    context = {
        "goal": goal,
        "requirements": [(requirement, held.get(requirement.skill.pk)) for requirement in requirements],
        "occupation_query": occupation_query,
        "occupations": occupation_search(occupation_query),
        "skill_query": skill_query,
        "skill_results": skill_search(skill_query),
        "posting_form": posting_form
        or PostingForm(
            initial={"posting_title": goal.posting_title, "posting_text": goal.posting_text}
            if goal is not None and goal.kind == GoalKind.POSTING
            else None
        ),
        "constraints_form": constraints_form,
        "skill_form": SkillLevelForm(),
    }
    return render(request, "careers/goal.html", context, status=status)


@require_GET
@login_required
@app_errors
def goal(request: AuthenticatedRequest) -> HttpResponse:
    return _goal_page(request)


@require_POST
@login_required
@app_errors
def goal_occupation(request: AuthenticatedRequest) -> HttpResponse:
    form = OccupationChoiceForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("careers:goal")
    occupation = occupation_by_reference(int(form.cleaned_data["occupation"]))
    if occupation is None:
        raise NotFound("Occupation not found.")
    career_goal_set(actor=request.user, learner=request.user, kind=GoalKind.OCCUPATION, occupation=occupation)
    messages.success(request, f"Your goal is now: {occupation.label}.")
    return redirect("careers:goal")


@require_POST
@login_required
@app_errors
def goal_posting(request: AuthenticatedRequest) -> HttpResponse:
    form = PostingForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, posting_form=form, status=400)
    try:
        goal = career_goal_set(actor=request.user, learner=request.user, kind=GoalKind.POSTING, **form.cleaned_data)
    except ValidationFailed as exc:
        service_error_to_form(form, exc)
        return _goal_page(request, posting_form=form, status=exc.status)
    found = goal.skill_links.count()
    if found:
        messages.success(
            request, f"Your goal is now this posting: we found {found} skill{'s' if found != 1 else ''} in it."
        )
    else:
        messages.warning(
            request, "Your goal is now this posting, but we found no skill we know in it. Pick skills instead?"
        )
    return redirect("careers:goal")


@require_POST
@login_required
@app_errors
def goal_skill_add(request: AuthenticatedRequest) -> HttpResponse:
    form = SkillLevelForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("careers:goal")
    skill = _skill(form.cleaned_data["skill"])
    career_goal_skill_add(actor=request.user, learner=request.user, skill=skill, level=form.cleaned_data["level"])
    messages.success(request, f"Added “{skill.label}” to your goal.")
    return redirect("careers:goal")


@require_POST
@login_required
@app_errors
def goal_skill_remove(request: AuthenticatedRequest) -> HttpResponse:
    form = SkillRefForm(request.POST)
    if form.is_valid():
        skill = _skill(form.cleaned_data["skill"])
        career_goal_skill_remove(actor=request.user, learner=request.user, skill=skill)
        messages.success(request, f"Removed “{skill.label}” from your goal.")
    return redirect("careers:goal")


@require_POST
@login_required
@app_errors
def goal_constraints(request: AuthenticatedRequest) -> HttpResponse:
    form = ConstraintsForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, constraints_form=form, status=400)
    try:
        career_goal_constraints_set(actor=request.user, learner=request.user, **form.constraints())
    except ValidationFailed as exc:
        service_error_to_form(form, exc)
        return _goal_page(request, constraints_form=form, status=exc.status)
    messages.success(request, "Your constraints are saved.")
    return redirect("careers:goal")


# -- My gap and my plan (ADR 0037) ----------------------------------------------------------------

GAP_CHART_LABEL_WIDTH = 220
GAP_CHART_PLOT_WIDTH = 420
GAP_CHART_ROW = 34


@dataclass(frozen=True)
class GapBar:
    label: str
    y: int
    text_y: int
    required_width: float
    verified_width: float
    unverified_x: float
    unverified_width: float
    summary: str


def _gap_chart(items: Sequence[GapItem]) -> dict[str, Any]:
    """Required against held level per skill, on a 0–3 (none–expert) scale: the required level
    is the track, the verified level the solid bar, a higher unverified level a hatched one after it."""
    unit = GAP_CHART_PLOT_WIDTH / 3
    bars = []
    for n, item in enumerate(items):
        verified = item.verified_rank * unit
        unverified = max(0, item.unverified_rank - item.verified_rank) * unit
        summary = f"{item.skill.label}: required {item.required_level}, verified {item.verified_level or 'none'}" + (
            f", you say {item.unverified_level} (unverified)" if item.unverified_level else ""
        )
        bars.append(
            GapBar(
                label=item.skill.label,
                y=8 + n * GAP_CHART_ROW,
                text_y=8 + n * GAP_CHART_ROW + 16,
                required_width=round(item.required_rank * unit, 1),
                verified_width=round(verified, 1),
                unverified_x=round(GAP_CHART_LABEL_WIDTH + verified, 1),
                unverified_width=round(unverified, 1),
                summary=summary,
            )
        )
    ticks = [
        {"x": round(GAP_CHART_LABEL_WIDTH + k * unit, 1), "label": label}
        for k, label in enumerate(("none", "beginner", "intermediate", "expert"))
    ]
    height = 16 + GAP_CHART_ROW * len(items)
    return {
        "bars": bars,
        "ticks": ticks,
        "width": GAP_CHART_LABEL_WIDTH + GAP_CHART_PLOT_WIDTH + 60,
        "height": height + 20,
        "axis_y": height + 12,
        "label_width": GAP_CHART_LABEL_WIDTH,
    }


@require_GET
@login_required
@app_errors
def gap(request: AuthenticatedRequest) -> HttpResponse:
    found = goal_gap(user=request.user, today=now().date())
    context = {
        "gap": found,
        "chart": _gap_chart(found.items) if found.items else None,
        "open_count": len(found.open_items),
        "plan": current_plan_of(request.user),
    }
    return render(request, "careers/gap.html", context)


@require_GET
@login_required
@app_errors
def plan(request: AuthenticatedRequest) -> HttpResponse:
    current = current_plan_of(request.user)
    goal = career_goal_of(request.user)
    context = {
        "plan": current,
        "goal": goal,
        "has_goal": goal is not None and bool(goal_requirements(goal)),
        "previous": previous_plan_of(current) if current is not None else None,
        "objectives": Objective.choices,
        "first_open": first_step_to_enrol(request.user, current) if current is not None else None,
        "steps": plan_steps_with_placement(current) if current is not None else [],
    }
    return render(request, "careers/plan.html", context)


@require_POST
@login_required
@app_errors
def plan_new(request: AuthenticatedRequest) -> HttpResponse:
    objective = request.POST.get("objective") or None
    try:
        plan_propose(actor=request.user, today=now().date(), objective=objective)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return redirect("careers:goal" if isinstance(exc, Conflict) else "careers:plan")
    messages.success(request, "Here is your proposed plan.")
    return redirect("careers:plan")


@require_POST
@login_required
@app_errors
def plan_accept_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access_plan(actor=request.user, pk=pk)
    try:
        plan_accept(actor=request.user, plan=found)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "You accepted this plan. Enrol in its first step when you are ready.")
    return redirect("careers:plan")


@require_POST
@login_required
@app_errors
def plan_enrol(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One click from the plan into the next step's micro-credential, through the learning service."""
    found = access_plan(actor=request.user, pk=pk)
    step = first_step_to_enrol(request.user, found)
    if step is None:
        messages.info(request, "You are enrolled in every step of this plan already.")
        return redirect("careers:plan")
    try:
        enrolment = plan_step_enrol(actor=request.user, plan=found, microcredential_id=step["microcredential_id"])
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("careers:plan")
    messages.success(request, f"You are enrolled in {step['title']}, step {step['position']} of your plan.")
    return redirect("learning:resume", enrolment_id=enrolment.pk)


@require_GET
@login_required
@app_errors
def plan_ics(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    found = access_plan(actor=request.user, pk=pk) if pk is not None else current_plan_of(request.user)
    if found is None:
        raise NotFound("You have no plan yet.")
    response = HttpResponse(plan_calendar(found, now=now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="learning-plan-{found.pk}.ics"'
    return response
