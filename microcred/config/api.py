"""The JSON API at /api/v1/: each app's router, mounted on the shared kit (``microcred.api``).

Adding a router: give the app an ``api.py`` and add it here. The order of ``add_router`` is the
order of the paths in the OpenAPI document.
"""

from __future__ import annotations

from microcred.accounts.api import router as accounts_router
from microcred.accounts.api_auth import token_auth
from microcred.api.api import MicrocredAPI
from microcred.api.auth import session_auth
from microcred.assessment.api import router as assessment_router
from microcred.assessment.api_banks import router as assessment_banks_router
from microcred.assessment.api_stats import router as assessment_stats_router
from microcred.careers.api import router as careers_router
from microcred.catalog.api import router as catalog_router
from microcred.catalog.api_skills import router as catalog_skills_router
from microcred.core.problems import PROBLEM_BASE
from microcred.credentials.api import router as credentials_router
from microcred.learning.api import router as learning_router
from microcred.market.api import router as market_router
from microcred.projects.api import router as projects_router
from microcred.projects.api_stats import router as projects_stats_router
from microcred.verification.api import router as verification_router

DESCRIPTION = f"""
Browse the catalog of micro-credentials, enrol, learn, take quizzes and collect completions.

**Authentication.** Catalog and provider reads are public. Everything else needs either a
personal API token, sent as `Authorization: Bearer mcp_…` (create one with `POST /me/tokens`
from a signed-in browser session; the secret is shown once), or the browser session cookie, in
which case writes must carry the CSRF token in the `X-CSRFToken` header.

**Errors** are RFC 9457 problem details (`application/problem+json`) with `type`, `title`,
`status`, `detail`, `instance` and a stable machine-readable `code`; `type` is always
`{PROBLEM_BASE}<code>`. Validation errors (422) list each problem in `errors` with its location,
e.g. `["query", "limit"]` or `["body", "answers", "12"]`. Another person's enrolments, attempts
and completions answer 404, exactly like ids that do not exist. Any operation may also answer
400 (`invalid_characters`: a NUL character in the address, query or body; `invalid_value`: a value
the database cannot hold), 413 (`payload_too_large`: a body over the size limit) and 414
(`uri_too_long`: an address over the length limit).

**Credentials** come as JSON with the signed document and its VC-JWT, or, with `?format=jwt`, as
the bare VC-JWT in `text/plain`. Each credential's public URL (`id`) answers the signed JSON-LD
document (`application/vc+ld+json`), or the VC-JWT with `?format=jwt` (`text/plain`) or with
`Accept: application/vc+jwt` (`application/vc+jwt`), or the credential's page for browsers.

**Lists** take `limit` (1–100, default 20) and `offset`, answer `{{items, count, limit, offset}}`
and send `X-Total-Count` and an RFC 8288 `Link` header with `next`/`prev` pages.
"""


# Every operation takes a token or the session unless it says ``auth=None`` (public catalog reads);
# the token first, so a script sending one never needs a CSRF token.
api = MicrocredAPI(
    title="Microcred API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[token_auth, session_auth],
)
api.add_router("", catalog_router)
api.add_router("", catalog_skills_router)
api.add_router("", learning_router)
api.add_router("", assessment_router)
api.add_router("", assessment_stats_router)
api.add_router("", assessment_banks_router)
api.add_router("", projects_router)
api.add_router("", projects_stats_router)
api.add_router("", accounts_router)
api.add_router("", credentials_router)
api.add_router("", verification_router)
api.add_router("", careers_router)
api.add_router("", market_router)
