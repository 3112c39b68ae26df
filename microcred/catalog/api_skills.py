"""Skill suggestions for a micro-credential's authors (issue 9 §2): the same list as the editor's
"Suggested skills" panel, as JSON. A router of its own, mounted beside ``api.router`` in
``config/api.py``, for the provider's staff only."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from microcred.accounts.workspace import provider_for_staff
from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH

from .selectors import access_provider_microcredential, microcredential_skill_suggestions

router = Router(tags=["catalog"])


class SkillSuggestionOut(Schema):
    skill_id: int
    uri: str
    label: str
    source: str = Field(description="Where it was found: title, summary, description, learning outcome, lesson title.")
    matched_text: str = Field(description="The words of that text that matched.")
    matched_label: str = Field(description="The skill's label (preferred or alternative) they matched.")
    reason: str = Field(description="'exact label', 'alt label', 'token overlap' or 'fuzzy'.")
    score: float = Field(description="The matcher's score, 0–100.")
    mentions: int = Field(description="In how many of the texts the skill was found.")


class SkillSuggestionsOut(Schema):
    microcredential_id: int
    version: int
    status: str
    suggested_level: str = Field(description="The micro-credential's own level, the editor's one-click choice.")
    suggestions: list[SkillSuggestionOut] = Field(description="Best first; skills already aligned are left out.")


@router.get(
    "/orgs/{slug}/microcredentials/{microcredential_id}/skill-suggestions",
    response={200: SkillSuggestionsOut, **PROBLEMS_AUTH},
    summary="Skills a micro-credential's own text mentions and it is not aligned with (provider staff)",
)
def get_skill_suggestions(request: HttpRequest, slug: str, microcredential_id: int) -> SkillSuggestionsOut:
    """The taxonomy's skills found in the micro-credential's title, summary, description, learning
    outcomes and lesson titles, with the text that matched and why. Skills of another provider's
    private framework are never suggested. Another organisation's micro-credential, or one of an
    organisation you are not staff of, answers 404."""
    provider = provider_for_staff(actor_of(request), slug)
    mc = access_provider_microcredential(provider=provider, pk=microcredential_id)
    return SkillSuggestionsOut(
        microcredential_id=mc.pk,
        version=mc.version,
        status=mc.status,
        suggested_level=mc.level,
        suggestions=[
            SkillSuggestionOut(
                skill_id=s.skill.pk,
                uri=s.skill.uri,
                label=s.skill.label,
                source=s.source,
                matched_text=s.matched_text,
                matched_label=s.matched_label,
                reason=s.reason,
                score=s.score,
                mentions=s.mentions,
            )
            for s in microcredential_skill_suggestions(microcredential=mc)
        ],
    )
