"""The editor's "Skills" panel: the skills a micro-credential is aligned with, and the skills its
own text mentions that it is not aligned with yet, each added in one click (issue 9 §2)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.workspace import provider_for_staff
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.skills.models import Level
from microcred.web.views.common import app_errors

from ..models import MicroCredential, Status
from ..selectors import (
    access_provider_microcredential,
    microcredential_skill_alignments,
    microcredential_skill_suggestions,
)
from ..services import microcredential_skill_add


def _editor_url(mc: MicroCredential) -> str:
    # Not workspace.editor_url: the workspace's editor view imports this module for its panel.
    return reverse("catalog:workspace_mc", args=[mc.provider.slug, mc.pk])


def skills_panel_context(mc: MicroCredential) -> dict[str, Any]:
    """What ``catalog/workspace/_skills.html`` shows. An archived version takes no suggestions:
    it never changes."""
    archived = mc.status == Status.ARCHIVED
    return {
        "skill_alignments": list(microcredential_skill_alignments(microcredential=mc)),
        "skill_suggestions": [] if archived else microcredential_skill_suggestions(microcredential=mc),
        "skill_suggestions_open": not archived,
        # The author's own level first: the one-click choice.
        "skill_levels": sorted(Level.choices, key=lambda choice: choice[0] != mc.level),
    }


@require_POST
@login_required
@app_errors
def skill_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    mc = access_provider_microcredential(provider=provider, pk=pk)
    skill_id = request.POST.get("skill", "")
    level = request.POST.get("level", "")
    if not skill_id.isdigit():
        messages.error(request, "Choose a skill to add.")
        return redirect(_editor_url(mc))
    try:
        updated = microcredential_skill_add(actor=request.user, microcredential=mc, skill_id=int(skill_id), level=level)
    except (ValidationFailed, Conflict, NotFound) as exc:
        messages.error(request, exc.message)
        return redirect(_editor_url(mc))
    added = updated.skill_links.select_related("skill").get(skill_id=int(skill_id))
    text = f"“{added.skill.label}” added at {added.get_target_level_display().lower()} level"
    if updated.pk != mc.pk:
        text += f" to draft v{updated.version}; v{mc.version} stays as published until you publish it"
    messages.success(request, text + ".")
    return redirect(_editor_url(updated))
