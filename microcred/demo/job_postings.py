"""The demo's job postings: a few hundred, for the demo's industries, in ``data/job-postings.jsonl``.

They are written by ``generate`` from hand-written parts, deterministically (a fixed seed): per
occupation of the demo taxonomy (``data/taxonomy/occupations.csv``) a few titles, an industry, the
towns it is advertised in, how its volume moves over the 18 months, and the skills it asks for;
per skill, sentences that name it the way postings do (its label or one of its alternative labels,
"Docker" for containerisation). Some skills are given a trend (a probability that grows or shrinks
month by month), so the demand pages show rising and falling skills. After editing the parts,
write the file again with ``python -m microcred.demo.job_postings`` (it prints the file).

The demo loader imports the file through ``market.services.postings_import`` as the system,
source ``demo``, after the taxonomy: a second load writes nothing. This module needs no Django.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any, Final

from microcred.market.trends import add_months

# Beside the demo catalogs (``dataset.DEMO_CATALOG_DIR``); not a ``*.json``, so never read as a catalog.
DEMO_POSTINGS_FILE: Final = Path(__file__).parent / "data" / "job-postings.jsonl"
SOURCE: Final = "demo"
SEED: Final = 20261130
LAST_MONTH: Final = date(2026, 11, 1)
MONTHS: Final = 18
# Scales every occupation's volume below: about 480 postings in all.
VOLUME_SCALE: Final = 1.2
ESCO: Final = "http://data.europa.eu/esco/occupation/"
MICROCRED: Final = "https://skills.microcred.org/occupation/"

# How a skill is named in postings: each sentence names it once (a label or alternative label of
# the demo taxonomy).
PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "html": ("You write semantic HTML that works without a mouse.", "Clean, semantic HTML is second nature to you."),
    "wcag": ("Our sites must meet WCAG 2.2 AA.", "You know web accessibility (WCAG) from practice, not slides."),
    "aria": ("You use WAI-ARIA only where HTML falls short.", "Experience with ARIA patterns for custom widgets."),
    "at": ("You test with screen readers (NVDA, VoiceOver).", "Assistive technology testing is part of every release."),
    "audit": ("You lead accessibility audits for public-sector clients.", "You write the accessibility statement."),
    "js": ("Modern JavaScript (ES2022) and TypeScript.", "You are fluent in JavaScript."),
    "css": ("You write maintainable CSS.", "Cascading Style Sheets without a framework do not scare you."),
    "frontend": ("We build with React.", "Experience with Vue or a similar framework.", "Our front end is Svelte."),
    "responsive": ("Mobile-first design is our default.", "You build responsive web design that holds on any screen."),
    "perf": ("You care about Core Web Vitals.", "Page speed is a feature for you."),
    "git": ("We work in Git with pull requests.", "Daily work in GitLab: merge requests and reviews."),
    "cicd": (
        "You keep our CI/CD running.",
        "You build pipelines for continuous delivery.",
        "Continuous integration on every commit.",
    ),
    "websec": ("You know the OWASP Top 10 by heart.", "Web application security is part of code review."),
    "securecoding": ("You practise secure coding.", "Secure software development is how we work."),
    "python": ("We write Python.", "Strong Python skills.", "Our services are Python 3 and FastAPI."),
    "sql": ("You write SQL fluently.", "Solid SQL and PostgreSQL."),
    "docker": ("Everything ships as Docker images.", "You are at home with containers."),
    "k8s": ("We run Kubernetes in production.", "Experience with Kubernetes and Helm.", "K8s operators are a plus."),
    "iac": ("All infrastructure is infrastructure as code.", "You practise IaC with reviews and tests."),
    "terraform": (
        "Our cloud is managed with Terraform.",
        "Terraform modules are your daily bread.",
        "Terraform or OpenTofu.",
    ),
    "ansible": ("Configuration with Ansible.",),
    "linux": ("Solid Linux system administration.", "You are comfortable with Linux and shell scripting."),
    "observability": ("You set up monitoring with Prometheus and Grafana.", "Observability and monitoring are yours."),
    "supplychain": ("You care about software supply chain security.", "SBOM generation and artefact signing."),
    "secrets": ("Secrets management with Vault.", "Key rotation and credential management."),
    "iam": ("Identity and access management across our cloud.", "Single sign-on with OpenID Connect."),
    "cloud": ("Hands-on cloud computing experience (AWS or Azure).", "You know cloud technologies well."),
    "devops": ("You live DevOps culture.", "You bring DevOps practice to product teams."),
    "threat": ("You run threat modelling sessions with STRIDE.", "Threat modelling for new features."),
    "cyber": ("A broad grounding in cyber security.", "You follow current cybersecurity threats."),
    "pentest": ("You perform security vulnerability assessments.",),
    "gdpr": (
        "You understand data protection (GDPR).",
        "Privacy by design is how we build.",
        "GDPR compliance matters to us.",
    ),
    "ml": ("You apply machine learning to real problems.", "Experience with ML in production."),
    "mlops": ("You bring MLOps to our team.", "Model deployment and model monitoring are in scope."),
    "modeleval": ("Rigorous model evaluation and validation.", "Cross-validation and honest metrics."),
    "features": ("Feature engineering on messy data.",),
    "pandas": ("Data work in pandas.", "You are fluent with dataframes."),
    "cleaning": ("Data cleaning is half the job.", "You enjoy data wrangling."),
    "viz": ("You build clear data visualisation.", "Data viz for non-specialists."),
    "stats": ("A sound basis in statistics.",),
    "bi": ("You build dashboards with business intelligence tools.",),
    "jupyter": ("We prototype in Jupyter notebooks.",),
    "reproducible": ("Reproducible research is expected.", "Computational reproducibility matters."),
    "rdm": ("You advise on research data management.", "RDM support for research groups."),
    "fair": ("You apply the FAIR principles.", "FAIR data stewardship across projects."),
    "dmp": ("You review data management plans.", "You help researchers write a DMP."),
    "pid": ("Persistent identifiers (DOI, ORCID).", "Experience with DOI registration."),
    "metadata": ("Metadata with DataCite and Dublin Core.",),
    "repositories": ("You curate deposits in Zenodo and Dataverse.", "Data archiving for long-term access."),
    "rse": ("Some research software engineering.",),
    "epimeasures": ("You calculate incidence and prevalence.", "Relative risk and odds ratio are everyday tools."),
    "studydesign": ("You design cohort studies.", "Epidemiological study design for new projects."),
    "surveillance": ("Public health surveillance of notifiable diseases.", "You run disease surveillance."),
    "outbreak": ("Outbreak investigation and contact tracing.", "You join outbreak response teams."),
    "regression": ("Regression analysis (linear and logistic regression).",),
    "rlang": ("Analysis in R with the tidyverse.",),
    "healthethics": ("Research ethics and informed consent are part of the work.",),
    "epi": ("A degree in epidemiology.",),
    "publichealth": ("A passion for public health.",),
    "pvsafety": ("PV safety on every site.", "Solar installation safety comes first."),
    "height": ("Working at height with fall protection.", "Roof work safety certificate required."),
    "elecsafety": (
        "You follow the five safety rules.",
        "Electrical safety procedures (EN 50110).",
        "NEN 3140 certified.",
    ),
    "pvcommissioning": (
        "PV commissioning and testing to IEC 62446.",
        "I-V curve tracing and insulation resistance test.",
    ),
    "pvfault": ("PV fault finding with thermography.", "PV troubleshooting on large roofs."),
    "pvdesign": ("PV system design and string sizing in PVsyst.", "String sizing for commercial roofs."),
    "bess": ("Battery energy storage commissioning on grid-scale sites.", "BESS commissioning from cold to energised."),
    "liion": ("Lithium-ion battery safety and thermal runaway.", "Battery fire safety plans."),
    "bessintegration": ("BESS integration with the EMS.", "Battery container integration."),
    "besstest": ("Capacity test and round-trip efficiency test.", "BESS performance testing."),
    "storagestandards": ("You know NFPA 855 and IEC 62933.", "Energy storage safety standards."),
    "gridcode": ("Grid-code compliance (RfG).", "Grid connection compliance studies.", "Network code compliance."),
    "ibr": ("Grid-forming inverters.", "Inverter-based resources and their behaviour."),
    "plantcontrol": ("Power plant controller tuning.", "Reactive power control and fault ride-through."),
    "scada": ("SCADA and IEC 61850.", "Plant monitoring over Modbus."),
    "powerstudies": ("Load flow and short-circuit study in PowerFactory.", "Power system studies."),
    "powerquality": ("Power quality: harmonics and flicker.",),
}

# Skills whose demand moves: the chance a posting names them changes by this much a month,
# compounded. A rising skill reaches the chance its occupations give it in the last month, a falling
# one starts from it in the first.
TRENDS: Final = {
    "k8s": 0.10,
    "terraform": 0.07,
    "mlops": 0.12,
    "supplychain": 0.10,
    "bess": 0.08,
    "gridcode": 0.06,
    "ibr": 0.08,
    "wcag": 0.08,  # the European Accessibility Act applies from June 2025
    "fair": 0.06,
    "jupyter": -0.05,
    "ansible": -0.06,
    "pvsafety": -0.05,
    "bi": -0.05,
    "css": -0.05,
}

TOWNS: Final = {
    "tech": (
        ("Berlin", "Germany"),
        ("Munich", "Germany"),
        ("Hamburg", "Germany"),
        ("Amsterdam", "Netherlands"),
        ("Eindhoven", "Netherlands"),
        ("Paris", "France"),
        ("Lyon", "France"),
        ("Barcelona", "Spain"),
        ("Warsaw", "Poland"),
        ("Kraków", "Poland"),
        ("Stockholm", "Sweden"),
        ("Dublin", "Ireland"),
        ("Lisbon", "Portugal"),
        ("Tallinn", "Estonia"),
        ("Vienna", "Austria"),
    ),
    "energy": (
        ("Rotterdam", "Netherlands"),
        ("Utrecht", "Netherlands"),
        ("Freiburg", "Germany"),
        ("Leipzig", "Germany"),
        ("Hamburg", "Germany"),
        ("Seville", "Spain"),
        ("Valencia", "Spain"),
        ("Porto", "Portugal"),
        ("Montpellier", "France"),
        ("Bologna", "Italy"),
        ("Aarhus", "Denmark"),
        ("Gdańsk", "Poland"),
    ),
    "research": (
        ("Delft", "Netherlands"),
        ("Leiden", "Netherlands"),
        ("Heidelberg", "Germany"),
        ("Ghent", "Belgium"),
        ("Uppsala", "Sweden"),
        ("Copenhagen", "Denmark"),
        ("Milan", "Italy"),
        ("Helsinki", "Finland"),
        ("Dublin", "Ireland"),
        ("Vienna", "Austria"),
    ),
}

EMPLOYERS: Final = {
    "Information technology": ("A product company", "A digital agency", "A scale-up", "A public-sector IT service"),
    "Cybersecurity": ("A security consultancy", "A bank's security team", "A managed security provider"),
    "Energy": ("An installer", "A utility", "A storage developer", "A grid operator", "An EPC contractor"),
    "Data & AI": ("An analytics consultancy", "A retail group's data team", "A health-tech start-up"),
    "Education & research": ("A research university", "A national research institute", "A university library"),
    "Health care": ("A regional public health service", "A national institute for public health", "A hospital group"),
}


def _occupation(
    uri: str,
    industry: str,
    towns: str,
    volume: int,
    slope: float,
    titles: tuple[str, ...],
    role: str,
    skills: dict[str, float],
) -> dict[str, Any]:
    return {
        "uri": uri,
        "industry": industry,
        "towns": towns,
        "volume": volume,
        "slope": slope,
        "titles": titles,
        "role": role,
        "skills": skills,
    }


# Per occupation: postings over 18 months (about), how that volume moves, titles, one sentence on
# the role, and the chance a posting names each skill.
OCCUPATIONS: Final = (
    _occupation(
        ESCO + "c40a2919-48a9-40ea-b506-1f34f693496d",
        "Information technology",
        "tech",
        26,
        -0.1,
        ("Web Developer", "Full-stack Web Developer", "Medior Web Developer"),
        "you build and maintain our customers' websites and web apps",
        {
            "html": 0.7,
            "js": 0.8,
            "css": 0.6,
            "frontend": 0.5,
            "git": 0.6,
            "wcag": 0.4,
            "responsive": 0.4,
            "websec": 0.3,
            "perf": 0.3,
            "cicd": 0.3,
            "sql": 0.3,
        },
    ),
    _occupation(
        ESCO + "866c7813-2c03-47d7-9bdc-192cfbace57c",
        "Information technology",
        "tech",
        20,
        0.0,
        ("Front-end Developer", "UI Developer", "Senior Front-end Engineer"),
        "you turn designs into fast, accessible interfaces",
        {
            "html": 0.8,
            "js": 0.8,
            "css": 0.6,
            "frontend": 0.8,
            "wcag": 0.5,
            "aria": 0.4,
            "responsive": 0.6,
            "perf": 0.4,
            "git": 0.4,
            "at": 0.2,
        },
    ),
    _occupation(
        ESCO + "50af07f0-7a75-424e-a66d-5a9deea10f4c",
        "Information technology",
        "tech",
        14,
        0.7,
        ("Accessibility Tester", "Digital Accessibility Specialist", "Accessibility Consultant"),
        "you test our services with disabled users in mind and tell teams how to fix what you find",
        {"wcag": 0.9, "audit": 0.7, "at": 0.8, "aria": 0.6, "html": 0.6},
    ),
    _occupation(
        ESCO + "f2b15a0e-e65a-438a-affb-29b9d50b77d1",
        "Information technology",
        "tech",
        30,
        0.0,
        ("Software Developer", "Backend Developer", "Software Engineer", "Python Developer"),
        "you design, build and run the services behind our products",
        {
            "python": 0.6,
            "js": 0.3,
            "sql": 0.5,
            "git": 0.7,
            "securecoding": 0.4,
            "cicd": 0.5,
            "docker": 0.5,
            "supplychain": 0.2,
            "websec": 0.2,
        },
    ),
    _occupation(
        ESCO + "349ee6f6-c295-4c38-9b98-48765b55280e",
        "Information technology",
        "tech",
        24,
        0.3,
        ("Cloud Engineer", "Cloud Infrastructure Engineer", "Senior Cloud Engineer"),
        "you run our cloud platform and help teams ship on it",
        {
            "cloud": 0.7,
            "iac": 0.6,
            "terraform": 0.6,
            "linux": 0.5,
            "docker": 0.5,
            "k8s": 0.5,
            "observability": 0.4,
            "iam": 0.4,
            "cicd": 0.3,
        },
    ),
    _occupation(
        ESCO + "cc867bee-ab5c-427f-9244-f7a204d9574b",
        "Information technology",
        "tech",
        26,
        0.3,
        ("DevOps Engineer", "Platform Engineer", "Site Reliability Engineer"),
        "you build the paved road our developers ship on",
        {
            "devops": 0.5,
            "cicd": 0.8,
            "iac": 0.6,
            "terraform": 0.6,
            "git": 0.5,
            "docker": 0.7,
            "k8s": 0.6,
            "observability": 0.5,
            "linux": 0.5,
            "supplychain": 0.3,
            "secrets": 0.3,
            "ansible": 0.4,
            "python": 0.3,
        },
    ),
    _occupation(
        ESCO + "0ce5a9f4-e00a-4bbe-b255-3c63407167a4",
        "Cybersecurity",
        "tech",
        22,
        0.2,
        ("Security Engineer", "Application Security Engineer", "Cloud Security Engineer"),
        "you keep attackers out and help developers build securely",
        {
            "cyber": 0.6,
            "threat": 0.6,
            "securecoding": 0.5,
            "websec": 0.6,
            "iam": 0.5,
            "supplychain": 0.4,
            "secrets": 0.4,
            "pentest": 0.4,
            "gdpr": 0.3,
            "linux": 0.3,
        },
    ),
    _occupation(
        ESCO + "258e46f9-0075-4a2e-adae-1ff0477e0f30",
        "Data & AI",
        "tech",
        26,
        0.2,
        ("Data Scientist", "Machine Learning Engineer", "Senior Data Scientist"),
        "you turn data into models that change decisions",
        {
            "ml": 0.8,
            "python": 0.8,
            "modeleval": 0.5,
            "cleaning": 0.4,
            "viz": 0.3,
            "features": 0.4,
            "pandas": 0.5,
            "mlops": 0.4,
            "git": 0.3,
            "jupyter": 0.4,
            "stats": 0.3,
            "gdpr": 0.2,
        },
    ),
    _occupation(
        ESCO + "d3edb8f8-3a06-47a0-8fb9-9b212c006aa2",
        "Data & AI",
        "tech",
        24,
        0.0,
        ("Data Analyst", "Business Analyst (Data)", "Junior Data Analyst"),
        "you answer the business's questions with data",
        {
            "cleaning": 0.7,
            "viz": 0.8,
            "sql": 0.8,
            "python": 0.5,
            "pandas": 0.4,
            "bi": 0.5,
            "stats": 0.4,
            "gdpr": 0.2,
            "ml": 0.2,
        },
    ),
    _occupation(
        ESCO + "2079755f-d809-49e6-8037-4de6180e54c0",
        "Data & AI",
        "tech",
        20,
        0.2,
        ("Data Engineer", "Analytics Engineer", "Big Data Engineer"),
        "you build the pipelines our analysts and models depend on",
        {"python": 0.8, "sql": 0.8, "cleaning": 0.4, "git": 0.5, "cicd": 0.4, "docker": 0.4, "cloud": 0.4, "gdpr": 0.2},
    ),
    _occupation(
        ESCO + "b73c752b-9858-4f53-82de-f3a340cbcae9",
        "Health care",
        "research",
        16,
        0.0,
        ("Epidemiologist", "Infectious Disease Epidemiologist", "Epidemiologist (Surveillance)"),
        "you study how disease spreads in our population and advise on what to do",
        {
            "epimeasures": 0.7,
            "studydesign": 0.6,
            "surveillance": 0.6,
            "outbreak": 0.4,
            "regression": 0.5,
            "rlang": 0.5,
            "python": 0.2,
            "viz": 0.3,
            "healthethics": 0.3,
            "epi": 0.5,
        },
    ),
    _occupation(
        ESCO + "d4d6842b-27f0-4222-85db-c542acf6d434",
        "Health care",
        "research",
        10,
        -0.2,
        ("Public Health Policy Officer", "Public Health Advisor"),
        "you turn evidence into public health policy",
        {"publichealth": 0.8, "epi": 0.4, "epimeasures": 0.4, "surveillance": 0.4, "viz": 0.3},
    ),
    _occupation(
        MICROCRED + "research-data-steward",
        "Education & research",
        "research",
        18,
        0.3,
        ("Research Data Steward", "Data Steward", "Research Data Officer"),
        "you help researchers keep their data findable, safe and reusable",
        {
            "rdm": 0.8,
            "fair": 0.7,
            "dmp": 0.6,
            "pid": 0.5,
            "metadata": 0.4,
            "repositories": 0.4,
            "gdpr": 0.5,
            "reproducible": 0.3,
            "git": 0.2,
            "python": 0.2,
            "rse": 0.2,
        },
    ),
    _occupation(
        ESCO + "75b63949-1b93-4bf2-a777-ccf978dc3e8a",
        "Energy",
        "energy",
        30,
        -0.1,
        ("Solar PV Installer", "PV Technician", "Solar Service Technician"),
        "you install and service rooftop solar systems",
        {"pvsafety": 0.8, "height": 0.8, "elecsafety": 0.7, "pvcommissioning": 0.4, "pvfault": 0.3},
    ),
    _occupation(
        ESCO + "42dbb769-4c91-47dc-bd16-ec8e70c4180f",
        "Energy",
        "energy",
        18,
        0.1,
        ("Solar PV Design Engineer", "PV Engineer"),
        "you design commercial and utility-scale PV plants",
        {
            "pvdesign": 0.8,
            "pvcommissioning": 0.4,
            "elecsafety": 0.4,
            "gridcode": 0.4,
            "ibr": 0.3,
            "scada": 0.2,
            "powerstudies": 0.3,
        },
    ),
    _occupation(
        MICROCRED + "bess-commissioning-engineer",
        "Energy",
        "energy",
        22,
        0.9,
        ("BESS Commissioning Engineer", "Battery Storage Commissioning Engineer", "Energy Storage Field Engineer"),
        "you bring grid-scale battery storage sites into service",
        {
            "bess": 0.8,
            "liion": 0.7,
            "elecsafety": 0.7,
            "bessintegration": 0.5,
            "besstest": 0.5,
            "storagestandards": 0.4,
            "scada": 0.4,
            "gridcode": 0.3,
            "plantcontrol": 0.2,
        },
    ),
    _occupation(
        ESCO + "0e99c929-364f-4b0a-8a64-2aab42420f00",
        "Energy",
        "energy",
        20,
        0.4,
        ("Renewable Energy Engineer", "Grid Integration Engineer", "Power Plant Control Engineer"),
        "you connect wind, solar and storage plants to the grid",
        {
            "gridcode": 0.8,
            "plantcontrol": 0.6,
            "ibr": 0.6,
            "powerstudies": 0.6,
            "scada": 0.4,
            "bess": 0.3,
            "elecsafety": 0.3,
        },
    ),
    _occupation(
        ESCO + "ac37627c-a999-4779-997e-9795cc4f9a3d",
        "Energy",
        "energy",
        14,
        0.2,
        ("Distribution Network Engineer", "Power Distribution Engineer"),
        "you plan and operate the medium- and low-voltage network",
        {"powerstudies": 0.7, "gridcode": 0.6, "elecsafety": 0.6, "powerquality": 0.5, "ibr": 0.3},
    ),
    _occupation(
        ESCO + "f1b89616-5dfe-40d4-8b02-58a6982b1a01",
        "Energy",
        "energy",
        10,
        0.0,
        ("Substation Engineer", "Substation Commissioning Engineer"),
        "you design and commission high-voltage substations",
        {"powerstudies": 0.6, "elecsafety": 0.8, "scada": 0.5, "powerquality": 0.3, "height": 0.3},
    ),
    _occupation(
        ESCO + "5dbb9cf0-b226-402c-a295-2f42ef05ff8b",
        "Energy",
        "energy",
        16,
        -0.2,
        ("Electrician", "Domestic Electrician", "Electrician (Solar)"),
        "you wire homes and connect their solar panels and heat pumps",
        {"elecsafety": 0.9, "height": 0.4, "pvsafety": 0.4},
    ),
)

OPENINGS: Final = (
    "{employer} in {town} is looking for a {title}: {role}.",
    "{employer} is hiring in {town}. As {article} {title}, {role}.",
    "Join us in {town} as {article} {title}. {role_sentence}.",
)
CLOSINGS: Final = (
    "Hybrid work, learning budget and a friendly team.",
    "Full-time, permanent; we sponsor certificates.",
    "We welcome applicants of every background.",
    "Part-time possible. Training on the job.",
)


def _chance(key: str, base: float, month_index: int) -> float:
    rate = TRENDS.get(key, 0.0)
    months_from_peak = month_index - (MONTHS - 1) if rate > 0 else month_index
    return base * (1 + rate) ** months_from_peak


def _posting(
    rng: random.Random, number: int, spec: dict[str, Any], month_index: int, carries: dict[str, float]
) -> dict[str, Any]:
    month = add_months(LAST_MONTH, month_index - MONTHS + 1)
    day = date(month.year, month.month, rng.randint(1, 28))
    town, country = rng.choice(TOWNS[spec["towns"]])
    title = rng.choice(spec["titles"])
    # Each skill is named by its share of the occupation's postings, not by a coin toss per posting
    # (error diffusion: a running sum of its chance, one mention per whole unit), so a few hundred
    # postings show the trends as written rather than noise.
    wanted = []
    for key, base in spec["skills"].items():
        carries[key] += _chance(key, base, month_index)
        if carries[key] >= 1:
            carries[key] -= 1
            wanted.append(key)
    if not wanted:  # every posting asks for something: its most likely skill
        wanted = [max(spec["skills"], key=spec["skills"].get)]
    sentences = [rng.choice(PHRASES[key]) for key in wanted]
    rng.shuffle(sentences)
    opening = rng.choice(OPENINGS).format(
        employer=rng.choice(EMPLOYERS[spec["industry"]]),
        town=town,
        title=title,
        article="an" if title[0] in "AEIOU" else "a",
        role=spec["role"],
        role_sentence=spec["role"][0].upper() + spec["role"][1:],
    )
    text = "\n".join([opening, "What we ask:", *(f"- {sentence}" for sentence in sentences), rng.choice(CLOSINGS)])
    return {
        "id": f"demo-{number:04d}",
        "title": title,
        "text": text,
        "location": f"{town}, {country}",
        "industry": spec["industry"],
        "date": day.isoformat(),
        "occupation": spec["uri"],
    }


def generate() -> list[dict[str, Any]]:
    """Every demo posting, oldest first, the same on every run."""
    rng = random.Random(SEED)
    planned: list[tuple[date, dict[str, Any], int]] = []
    for spec in OCCUPATIONS:
        carry = rng.random()
        for month_index in range(MONTHS):
            # The occupation's volume, spread over the months and tilted by its slope.
            progress = month_index / (MONTHS - 1)
            carry += VOLUME_SCALE * spec["volume"] / MONTHS * (1 - spec["slope"] + 2 * spec["slope"] * progress)
            count = int(carry)
            carry -= count
            planned += [(add_months(LAST_MONTH, month_index - MONTHS + 1), spec, month_index)] * count
    planned.sort(key=lambda item: (item[0], item[1]["uri"]))
    carries = {spec["uri"]: {key: rng.random() for key in spec["skills"]} for spec in OCCUPATIONS}
    postings = [
        _posting(rng, number, spec, month_index, carries[spec["uri"]])
        for number, (_, spec, month_index) in enumerate(planned, 1)
    ]
    return sorted(postings, key=lambda posting: (posting["date"], posting["id"]))


def write(stream: Any = sys.stdout) -> None:
    for posting in generate():
        stream.write(json.dumps(posting, ensure_ascii=False) + "\n")


if __name__ == "__main__":  # pragma: no cover - writes the data file
    write()
