"""A large synthetic catalog for the load bench: N published micro-credentials with readable,
varied text (titles, summaries, descriptions and skills drawn from ~50 topics), inserted in bulk.

Bench set-up only: it writes straight through the ORM's ``bulk_create`` into a database made
for the bench, never through the services, so it must never run against a real site.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

PREFIX = "load1-"  # bump when the generated data changes, so an old bench database is rebuilt
BATCH = 5000

TOPICS = [
    ("Data Analysis", "data analysis statistics spreadsheets pandas", "Information technology"),
    ("Data Engineering", "data pipelines warehousing sql etl", "Information technology"),
    ("Data Protection and GDPR", "data privacy gdpr compliance", "Law and public administration"),
    ("Big Data Platforms", "data spark distributed storage", "Information technology"),
    ("Data Visualisation", "data charts dashboards storytelling", "Information technology"),
    ("Python Programming", "python programming scripting automation", "Information technology"),
    ("Web Accessibility", "web accessibility wcag inclusive design", "Information technology"),
    ("Front-end Development", "javascript html css web interfaces", "Information technology"),
    ("Cloud Infrastructure", "cloud kubernetes containers devops", "Information technology"),
    ("Cyber Security", "security threats owasp incident response", "Information technology"),
    ("Machine Learning", "machine learning models prediction", "Information technology"),
    ("Project Management", "projects planning agile scrum", "Business and management"),
    ("Leadership", "leadership teams coaching feedback", "Business and management"),
    ("Digital Marketing", "marketing campaigns seo social media", "Business and management"),
    ("Financial Accounting", "accounting ledgers reporting audit", "Finance"),
    ("Corporate Finance", "finance valuation budgeting investment", "Finance"),
    ("Supply Chain Management", "logistics procurement inventory", "Business and management"),
    ("Customer Service", "customers communication complaints", "Business and management"),
    ("Renewable Energy", "solar wind grid renewable energy", "Energy"),
    ("Photovoltaic Installation", "solar photovoltaic panels installation safety", "Energy"),
    ("Energy Efficiency in Buildings", "insulation heating heat pumps retrofit", "Construction"),
    ("Electrical Safety", "electrical safety wiring inspection", "Energy"),
    ("Welding Techniques", "welding metal fabrication safety", "Manufacturing"),
    ("Lean Manufacturing", "lean production waste quality", "Manufacturing"),
    ("Quality Management", "quality iso audits processes", "Manufacturing"),
    ("Robotics and Automation", "robots automation plc control", "Manufacturing"),
    ("Nursing Care", "patients care clinical nursing", "Health and care"),
    ("First Aid", "first aid emergency response resuscitation", "Health and care"),
    ("Mental Health Awareness", "mental health wellbeing support", "Health and care"),
    ("Elderly Care", "elderly care dementia support", "Health and care"),
    ("Food Hygiene", "food hygiene haccp kitchens", "Hospitality and tourism"),
    ("Hospitality Management", "hotels guests service revenue", "Hospitality and tourism"),
    ("Sustainable Tourism", "tourism sustainability destinations", "Hospitality and tourism"),
    ("Early Childhood Education", "children early education play", "Education"),
    ("Online Teaching", "teaching online courses learners", "Education"),
    ("Instructional Design", "course design learning outcomes assessment", "Education"),
    ("Construction Site Safety", "construction safety scaffolding hazards", "Construction"),
    ("Building Information Modelling", "bim models construction drawings", "Construction"),
    ("Sustainable Agriculture", "farming soil crops sustainability", "Agriculture"),
    ("Precision Farming", "farming sensors drones yields", "Agriculture"),
    ("Circular Economy", "circular economy recycling materials", "Environment"),
    ("Climate Risk", "climate risk adaptation emissions", "Environment"),
    ("Public Procurement", "procurement tenders contracts", "Law and public administration"),
    ("Employment Law", "employment law contracts dismissal", "Law and public administration"),
    ("Graphic Design", "graphic design typography layout", "Creative industries"),
    ("Video Production", "video editing filming storytelling", "Creative industries"),
    ("Business English", "english writing presentations meetings", "Languages"),
    ("German for Work", "german language workplace conversation", "Languages"),
    ("Negotiation Skills", "negotiation persuasion agreements", "Business and management"),
    ("Entrepreneurship", "startups business models funding", "Business and management"),
]
OPENERS = ["Introduction to", "Foundations of", "Applied", "Practical", "Advanced", "Essentials of", ""]
ENDINGS = ["", "for Beginners", "in Practice", "for Managers", "for Professionals", "at Work", "Bootcamp"]
SENTENCES = [
    "Learners complete weekly exercises and receive written feedback from tutors.",
    "The course combines short videos, readings and a final assessment.",
    "Participants work on a case study drawn from a real organisation.",
    "Each module ends with a quiz that checks the learning outcomes.",
    "No prior experience is required, though basic computer skills help.",
    "The final project is assessed against a published rubric.",
    "Teaching is online and self-paced, with live sessions every fortnight.",
    "Graduates can stack this micro-credential towards a postgraduate certificate.",
    "Employers helped design the curriculum so it matches current practice.",
    "Learners compare approaches and justify their choices in a short report.",
    "The assessment is supervised online and takes about two hours.",
    "Examples come from small businesses, public services and industry.",
]
CITIES = ["Dublin", "Lisbon", "Tallinn", "Lyon", "Graz", "Ghent", "Turku", "Porto", "Bologna", "Aarhus", "Kraków"]
KINDS = ["University", "Institute of Technology", "Academy", "College", "Training Centre", "School of Management"]
LEVELS = ["beginner", "intermediate", "expert"]

Progress = Callable[[str], None]


def existing(count: int) -> bool:
    from microcred.catalog.models import MicroCredential, Status

    return MicroCredential.objects.filter(slug__startswith=PREFIX, status=Status.PUBLISHED).count() == count


def populate(count: int, *, progress: Progress = lambda _: None) -> None:
    """Replace any earlier bench catalog with ``count`` fresh published micro-credentials."""
    from django.db import transaction
    from django.utils import timezone

    from microcred.accounts.models import Organisation, OrganisationKind
    from microcred.catalog.models import Industry, MicroCredential, MicroCredentialSkill, Status
    from microcred.skills.models import Skill, SkillFramework

    rng = random.Random(2026)
    with transaction.atomic():
        MicroCredential.objects.filter(slug__startswith="load").delete()
        providers = []
        for index in range(250):
            city, kind = CITIES[index % len(CITIES)], KINDS[index % len(KINDS)]
            slug = f"{PREFIX}provider-{index}"
            provider, _ = Organisation.objects.get_or_create(
                slug=slug,
                defaults={"kind": OrganisationKind.PROVIDER, "name": f"{city} {kind} {index}", "country": "IE"},
            )
            providers.append(provider)
        framework, _ = SkillFramework.objects.get_or_create(slug=f"{PREFIX}skills", defaults={"name": "Bench skills"})
        industries: dict[str, Industry] = {}
        skills_by_topic: dict[str, list[Skill]] = {}
        for title, words, industry_name in TOPICS:
            industry_slug = f"{PREFIX}{industry_name.lower().replace(' ', '-')}"
            industries[industry_name] = (
                Industry.objects.filter(name=industry_name).first()
                or (Industry.objects.get_or_create(slug=industry_slug, defaults={"name": industry_name})[0])
            )
            topic_skills = []
            for word in words.split()[:4]:
                label = f"{word.capitalize()} ({title.lower()})"
                slug = f"{PREFIX}{title.lower().replace(' ', '-')}-{word}"
                skill, _ = Skill.objects.get_or_create(
                    slug=slug[:120],
                    defaults={"framework": framework, "uri": f"https://skills.example/{slug}", "label": label},
                )
                topic_skills.append(skill)
            skills_by_topic[title] = topic_skills
        moment = timezone.now()
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            rows, chosen = [], []
            for number in range(start, start + size):
                title, words, industry_name = TOPICS[rng.randrange(len(TOPICS))]
                full_title = " ".join(part for part in (rng.choice(OPENERS), title, rng.choice(ENDINGS)) if part)
                provider = providers[rng.randrange(len(providers))]
                topic_words = words.split()
                summary = (
                    f"Build {rng.choice(topic_words)} and {rng.choice(topic_words)} skills for your work "
                    f"in {industry_name.lower()}, with {rng.choice(['weekly', 'hands-on', 'guided'])} practice."
                )
                description = " ".join(rng.sample(SENTENCES, 4)) + f" Topics: {', '.join(topic_words)}."
                rows.append(
                    MicroCredential(
                        provider=provider,
                        slug=f"{PREFIX}{number}",
                        status=Status.PUBLISHED,
                        published_at=moment - timedelta(minutes=number),
                        title=full_title,
                        awarding_body=provider.name,
                        country="IE",
                        learning_outcomes=[f"Apply {word} in practice" for word in topic_words[:3]],
                        workload_hours=rng.choice([10, 15, 25, 30, 50, 75, 120]),
                        ects=Decimal(rng.choice([1, 2, 3, 5, 6])),
                        eqf_level=rng.randrange(3, 8),
                        assessment_type="quiz",
                        participation_form=rng.choice(["online", "onsite", "blended"]),
                        quality_assurance="Internal quality assurance of the provider",
                        summary=summary,
                        description=description,
                        level=rng.choice(LEVELS),
                        industry=industries[industry_name],
                        language=rng.choice(["en", "en", "en", "de", "fr", "nl"]),
                        price=Decimal(rng.choice([0, 0, 49, 99, 150, 300, 750])),
                    )
                )
                chosen.append(title)
            created = MicroCredential.objects.bulk_create(rows)
            links = []
            for mc, title in zip(created, chosen, strict=True):
                for skill in rng.sample(skills_by_topic[title], 3):
                    links.append(MicroCredentialSkill(microcredential=mc, skill=skill, target_level=mc.level))
            MicroCredentialSkill.objects.bulk_create(links)
            progress(f"    {start + size:,} of {count:,} micro-credentials")


def summary() -> dict[str, Any]:
    from microcred.catalog.models import MicroCredential, Status

    return {"published": MicroCredential.objects.filter(status=Status.PUBLISHED).count()}
