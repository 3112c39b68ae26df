"""Who is in the demo and what they have done: people, organisations, learners' plans and the
states their credentials are in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from microcred.accounts.models import OrganisationKind

DEMO_PASSWORD = "microcred-demo"
DEMO_CATALOG_DIR = Path(__file__).resolve().parent / "data"

# Progress a demo learner has made in one micro-credential.
COMPLETED = "completed"  # every required lesson done and every quiz passed
COMPLETED_AFTER_RETRY = "completed_after_retry"  # failed the quiz once, then passed
HALF = "half"  # about half of the required lessons done
STARTED = "started"  # enrolled and read the first lesson
ENROLLED = "enrolled"  # enrolled, nothing done yet
WITHDRAWN = "withdrawn"  # tried a lesson, then withdrew


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: str
    is_superuser: bool = False


@dataclass(frozen=True)
class DemoLearner:
    email: str
    full_name: str
    profile: dict[str, Any]
    # (micro-credential slug, progress). A slug missing from the loaded catalogs falls back to
    # a published micro-credential by position, so other catalog files still get activity.
    plan: tuple[tuple[str, str], ...]
    # What to look at when signed in as them (the demo logins table).
    tour: str = ""


LEARNER = DemoLearner(
    email="learner@demo.microcred.org",
    full_name="Aoife Byrne",
    profile={
        "headline": "Data analyst moving into machine learning",
        "location": "Dublin, Ireland",
        "languages": ["en", "ga", "fr"],
        "bio": "Five years of reporting in retail; now learning Python, statistics and ML engineering.",
        "visibility": "public",
    },
    plan=(
        ("data-analysis-with-python", COMPLETED),
        ("applied-machine-learning", HALF),
        ("cloud-infrastruktur-mit-terraform", STARTED),
    ),
    tour="a valid credential, 1 half done, 1 started, a public portfolio with an imported badge",
)
OTHER_LEARNERS = (
    DemoLearner(
        email="jonas.weber@demo.microcred.org",
        full_name="Jonas Weber",
        profile={
            "headline": "Electrician retraining for solar installations",
            "location": "Leipzig, Germany",
            "languages": ["de", "en"],
            "visibility": "employers",
        },
        plan=(
            ("veilig-werken-aan-pv-installaties", COMPLETED_AFTER_RETRY),
            ("bess-commissioning", COMPLETED),
            ("grid-code-compliance-renewable-plants", ENROLLED),
        ),
        tour="an expired credential (PV safety, completed two years ago), a valid one whose practical "
        "his supervisor signed off",
    ),
    DemoLearner(
        email="sofia.rossi@demo.microcred.org",
        full_name="Sofia Rossi",
        profile={
            "headline": "Junior web developer",
            "location": "Milan, Italy",
            "languages": ["it", "en"],
            "visibility": "public",
        },
        plan=(
            ("front-end-web-accessibility", COMPLETED),
            ("secure-coding-owasp-top-10", COMPLETED),
            ("devops-ci-cd-pipelines", STARTED),
        ),
        tour="a valid and a revoked credential",
    ),
    DemoLearner(
        email="lukas.nowak@demo.microcred.org",
        full_name="Lukas Nowak",
        profile={
            "headline": "Operations coordinator",
            "location": "Kraków, Poland",
            "languages": ["pl", "en"],
            "visibility": "private",
        },
        plan=(
            ("devops-ci-cd-pipelines", HALF),
            ("research-data-management", WITHDRAWN),
            ("data-analysis-with-python", STARTED),
        ),
        tour="no credential yet, a withdrawal, private profile",
    ),
    DemoLearner(
        email="amara.diallo@demo.microcred.org",
        full_name="Amara Diallo",
        profile={
            "headline": "Sustainability consultant",
            "location": "Lyon, France",
            "languages": ["fr", "en", "wo"],
            "visibility": "public",
        },
        plan=(
            ("grid-code-compliance-renewable-plants", COMPLETED),
            ("research-data-management", HALF),
            ("applied-machine-learning", STARTED),
        ),
        tour="a suspended credential",
    ),
)

OWNER = DemoPerson(
    "owner@demo.microcred.org", "Niamh Gallagher", "Owner of Northbridge University and Helix Energy Systems"
)
FORGE_OWNER = DemoPerson("forge@demo.microcred.org", "Mateo Ruiz", "Owner of Forge Academy")
INSTRUCTOR = DemoPerson("instructor@demo.microcred.org", "Priya Raman", "Instructor at Forge Academy")
ACCREDITOR = DemoPerson("accreditor@demo.microcred.org", "Henrik Vos", "Accreditor: owner of EDSAC")
EMPLOYER = DemoPerson("employer@demo.microcred.org", "Claire Dubois", "Employer: owner of Lumen Analytics")
ADMIN = DemoPerson("admin@demo.microcred.org", "Demo Administrator", "Staff superuser (/admin/)", is_superuser=True)

# Who owns which demo provider; the import runs as that owner so the audit trail names a person.
# A catalog file for a provider not listed here is imported by the system with no owner.
PROVIDER_OWNERS = {
    "northbridge-university": OWNER,
    "helix-energy": OWNER,
    "forge-academy": FORGE_OWNER,
}

# How each demo provider's PDF certificates look (its profile page sets the same): a brand colour
# and the people who sign. Fictional names, like everything in the demo.
PROVIDER_CERTIFICATE_DESIGNS: dict[str, dict[str, Any]] = {
    "northbridge-university": {
        "brand_colour": "#1f4e79",
        "certificate_signatories": [
            {"name": "Prof. Orla Kennedy", "title": "Dean of Lifelong Learning"},
            {"name": "Dr. Cian Moran", "title": "Academic Registrar"},
        ],
    },
    "helix-energy": {
        "brand_colour": "#b45309",
        "certificate_signatories": [{"name": "Ir. Maarten de Vries", "title": "Head of the Helix Academy"}],
    },
    "forge-academy": {
        "brand_colour": "#0f766e",
        "certificate_signatories": [
            {"name": "Lena Hoffmann", "title": "Head of Curriculum"},
            {"name": "Jakob Schulz", "title": "Lead Instructor, Security"},
        ],
    },
}

ACCREDITOR_ORG = {
    "kind": OrganisationKind.ACCREDITOR,
    "name": "European Digital Skills Accreditation Council",
    "slug": "edsac",
    "country": "BE",
    "city": "Brussels",
    "website": "https://edsac.example.eu",
    "email": "office@edsac.example.eu",
    "description": "An independent council that reviews the quality assurance of digital-skills providers.",
}
EMPLOYER_ORG = {
    "kind": OrganisationKind.EMPLOYER,
    "name": "Lumen Analytics",
    "slug": "lumen-analytics",
    "country": "NL",
    "city": "Utrecht",
    "website": "https://lumen-analytics.example.nl",
    "description": "A data consultancy hiring analysts and ML engineers.",
}
ACCREDITATIONS = (
    {
        "provider": "northbridge-university",
        "scope": "Short courses and micro-credentials in data science and software engineering (EQF 5–7)",
        "reference": "EDSAC-2025-0147",
    },
    {
        "provider": "forge-academy",
        "scope": "Bootcamp micro-credentials in web development and cloud operations (EQF 4–6)",
        "reference": "EDSAC-2025-0212",
    },
)
ACCREDITATION_VALID_FROM = date(2025, 1, 1)
ACCREDITATION_VALID_UNTIL = date(2028, 12, 31)


# The states a credential can be in for someone looking at it (``selectors.display_status``).
VALID, REVOKED, SUSPENDED, EXPIRED = "valid", "revoked", "suspended", "expired"


@dataclass(frozen=True)
class DemoCredential:
    """The state one demo completion's credential is put in, by the provider's owner."""

    learner: str
    slug: str
    state: str
    reason: str = ""
    # The learner completed (and was issued) this many months ago: with a validity period
    # shorter than that, the credential has expired.
    months_ago: int = 0


CREDENTIALS = (
    DemoCredential(LEARNER.email, "data-analysis-with-python", VALID),
    # Its supervised practical signed off by his supervisor, its final quiz with a calculated question.
    DemoCredential("jonas.weber@demo.microcred.org", "bess-commissioning", VALID),
    DemoCredential("sofia.rossi@demo.microcred.org", "front-end-web-accessibility", VALID),
    DemoCredential(
        "sofia.rossi@demo.microcred.org",
        "secure-coding-owasp-top-10",
        REVOKED,
        reason="Issued in error: the final assessment was found to be another candidate's work.",
    ),
    DemoCredential(
        "amara.diallo@demo.microcred.org",
        "grid-code-compliance-renewable-plants",
        SUSPENDED,
        reason="Under review: the exam centre reported an irregularity in the assessment session.",
    ),
    # Valid for 24 months, so it lapsed three months ago.
    DemoCredential("jonas.weber@demo.microcred.org", "veilig-werken-aan-pv-installaties", EXPIRED, months_ago=27),
)
