"""The OB 3.0 API's scopes (spec §6.2.1) and what each lets a client do, in the learner's words."""

from __future__ import annotations

from typing import Final

PREFIX: Final = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READONLY: Final = PREFIX + "credential.readonly"
CREDENTIAL_UPSERT: Final = PREFIX + "credential.upsert"
PROFILE_READONLY: Final = PREFIX + "profile.readonly"
PROFILE_UPDATE: Final = PREFIX + "profile.update"
# Not an OB scope: the spec's own examples ask for it, and refusing it would break those clients.
# Refresh tokens are issued with or without it.
OFFLINE_ACCESS: Final = "offline_access"

OB_SCOPES: Final[dict[str, str]] = {
    CREDENTIAL_READONLY: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: "Permission to create or update AchievementCredentials for the authenticated entity.",
    PROFILE_READONLY: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}
KNOWN_SCOPES: Final[frozenset[str]] = frozenset({*OB_SCOPES, OFFLINE_ACCESS})

# What the consent page says each scope lets the application do.
CONSENT_WORDS: Final[dict[str, str]] = {
    CREDENTIAL_READONLY: "See your credentials: the ones we issued you and the ones you added",
    CREDENTIAL_UPSERT: "Add credentials to your wallet (each is verified first)",
    PROFILE_READONLY: "See your name, e-mail address and bio",
    PROFILE_UPDATE: "Change your name and bio",
    OFFLINE_ACCESS: "Keep this access until you revoke it, without asking you again",
}
