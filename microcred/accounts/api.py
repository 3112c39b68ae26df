"""The signed-in person: who they are, their learner profile, their personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from microcred.accounts.models import ApiToken, LearnerProfile, User, Visibility
from microcred.accounts.selectors import access_api_token, api_tokens_of, learner_profile_of
from microcred.accounts.services import api_token_create, api_token_revoke, profile_update
from microcred.api.auth import SESSION_ONLY, actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE, fields_under

router = Router(tags=["me"])


class ProfileOut(Schema):
    headline: str
    location: str
    languages: list[str]
    bio: str
    visibility: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    display_name: str
    date_joined: datetime
    profile: ProfileOut


class ProfilePatchIn(Schema):
    """Only the fields sent are changed."""

    full_name: str | None = Field(None, max_length=200)
    headline: str | None = Field(None, max_length=200)
    location: str | None = Field(None, max_length=120)
    languages: list[str] | None = Field(None, max_length=20, description="Language codes, e.g. ['en', 'de'].")
    bio: str | None = Field(None, max_length=5000)
    visibility: Visibility | None = None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'CI export'.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it by.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. It is shown only in this response; store it now.")


def _me(user: User, profile: LearnerProfile) -> MeOut:
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        display_name=user.display_name,
        date_joined=user.date_joined,
        profile=ProfileOut(
            headline=profile.headline,
            location=profile.location,
            languages=list(profile.languages or []),
            bio=profile.bio,
            visibility=profile.visibility,
        ),
    )


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response={200: MeOut, **PROBLEMS_AUTH}, summary="Who am I")
def get_me(request: HttpRequest) -> MeOut:
    user = actor_of(request)
    return _me(user, learner_profile_of(user=user))


@router.patch("/me/profile", response={200: MeOut, **PROBLEMS_AUTH}, summary="Update my learner profile")
def patch_profile(request: HttpRequest, payload: ProfilePatchIn) -> MeOut:
    user = actor_of(request)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("visibility") is not None:
        changes["visibility"] = Visibility(changes["visibility"]).value
    # An explicit null means "leave as is" for text fields, which are never nullable in the model.
    changes = {key: value for key, value in changes.items() if value is not None}
    with fields_under("body"):
        profile = profile_update(actor=user, user=user, **changes)
    return _me(user, profile)


@router.get(
    "/me/tokens",
    response={200: list[TokenOut], **PROBLEMS_AUTH},
    auth=SESSION_ONLY,
    tags=["tokens"],
    summary="My personal API tokens",
)
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    """Newest first, revoked ones included (with ``revoked_at``). Secrets are never shown again."""
    return [TokenOut(**_token(t)) for t in api_tokens_of(actor=actor_of(request))]


@router.post(
    "/me/tokens",
    response={201: TokenCreatedOut, **PROBLEMS_WRITE},
    auth=SESSION_ONLY,
    tags=["tokens"],
    summary="Create a personal API token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    """Needs a browser session (not a token), so a leaked token cannot mint more tokens."""
    with fields_under("body"):
        token, secret = api_token_create(actor=actor_of(request), name=payload.name)
    return Status(201, TokenCreatedOut(**_token(token), token=secret))


@router.delete(
    "/me/tokens/{token_id}",
    response={204: None, **PROBLEMS_WRITE},
    auth=SESSION_ONLY,
    tags=["tokens"],
    summary="Revoke a personal API token",
)
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    actor = actor_of(request)
    api_token_revoke(actor=actor, token=access_api_token(actor=actor, token_id=token_id))
    return Status(204, None)
