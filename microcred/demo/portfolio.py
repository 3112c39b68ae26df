"""Aoife's public portfolio: her credential, her verified skills and a badge from another issuer,
imported as a learner imports one (ADR 0046), so that a newcomer sees every part of the page.

The other issuer is the demo's employer, Lumen Analytics, which awarded her a workshop badge: an
Open Badges 3.0 credential built by the credential core, signed with Lumen's own issuer key and
verified by the real verifier on import (it names her e-mail address, as an import must). Lumen
issues nothing through our catalogue, so the badge is hers only as an import. A real sample from
the test corpus would not do: none is issued to her address, and the import refuses those."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.urls import reverse

from microcred.accounts.models import Organisation, User
from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import skill_profile
from microcred.careers.services import external_credential_upload
from microcred.core import clock
from microcred.credentials import links
from microcred.credentials.issuing import issuer_profile_for
from microcred.credentials.keys import private_key_of
from microcred.credentials.keys.services import issuer_key_active
from microcred.credentials.models import Credential, PageVisibility
from microcred.credentials.selectors import display_status
from microcred.credentials.vc import ob3
from microcred.credentials.vc.dataintegrity import sign
from microcred.portfolio.selectors import portfolio_of
from microcred.portfolio.services import portfolio_choices_set, portfolio_save
from microcred.skills.models import Skill

from .dataset import EMPLOYER_ORG, LEARNER
from .report import DemoReport

PORTFOLIO_HANDLE = "aoife-byrne"
PORTFOLIO_HEADLINE = "Data analyst moving into machine learning: what I have learned, verified"
# ESCO's "data visualisation software": the workshop's skill, which no course of hers proves.
WORKSHOP_SKILL_URI = "http://data.europa.eu/esco/skill/65e58886-bd1e-4c5b-8ca5-8d9b353c8aa1"
WORKSHOP_DAYS_AGO = 45


def demo_portfolio(report: DemoReport) -> None:
    """Give Aoife her published portfolio, once: a portfolio she has (she may have changed it
    while trying the site) is left as it is, and so is the badge once imported."""
    learner = User.objects.get(email__iexact=LEARNER.email)
    portfolio = portfolio_of(learner)
    if portfolio is None:
        employer = Organisation.objects.get(slug=EMPLOYER_ORG["slug"])
        badge = _imported_badge(learner, employer)
        portfolio = portfolio_save(
            actor=learner, owner=learner, handle=PORTFOLIO_HANDLE, headline=PORTFOLIO_HEADLINE, published=True
        )
        moment = clock.now()
        shown = Credential.objects.filter(user=learner).exclude(page_visibility=PageVisibility.PRIVATE)
        verified = [item.skill.pk for item in skill_profile(learner, today=moment.date()) if item.verified]
        portfolio_choices_set(
            actor=learner,
            owner=learner,
            credentials=[credential.uuid for credential in shown if display_status(credential, now=moment).is_valid],
            externals=[badge.pk],
            skills=verified,
        )
        report.portfolios_created += 1
    report.portfolio_url = links.absolute(reverse("portfolio:public", args=[portfolio.handle]))


def _imported_badge(learner: User, employer: Organisation) -> ExternalCredential:
    credential_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{employer.slug}/workshops/{learner.email}')}"
    existing = ExternalCredential.objects.filter(user=learner, credential_id=credential_id).first()
    if existing is not None:
        return existing
    return external_credential_upload(actor=learner, learner=learner, document=_workshop_badge(learner, employer))


def _workshop_badge(learner: User, employer: Organisation) -> dict[str, object]:
    """The badge Lumen awarded her, signed with Lumen's active key (made on first use)."""
    moment = clock.now().replace(microsecond=0)
    awarded = moment - timedelta(days=WORKSHOP_DAYS_AGO)
    skill = Skill.objects.get(uri=WORKSHOP_SKILL_URI)
    achievement = ob3.Achievement(
        id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{employer.slug}/workshops/dashboards')}",
        name="Dashboards that decide: a Lumen Analytics workshop",
        description="Two days on designing dashboards for decisions: choosing charts, building them in a "
        "visualisation tool, and testing them with the people who act on them.",
        criteria_narrative="Built and presented a sales dashboard that a panel of Lumen analysts reviewed.",
        achievement_type="Badge",
        tags=("dashboards", "data visualisation"),
        alignments=(ob3.Alignment(target_name=skill.label, target_url=skill.uri, target_framework="ESCO"),),
    )
    document = ob3.build_credential(
        credential_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{employer.slug}/workshops/{learner.email}')}",
        issuer=issuer_profile_for(employer, today=moment.date()),
        achievement=achievement,
        subject=ob3.Subject.from_email(learner.email.lower(), secrets.token_hex(16)),
        valid_from=awarded,
        awarded_date=awarded,
    )
    key = issuer_key_active(organisation=employer)
    return sign(
        document,
        private_key=private_key_of(key),
        verification_method=links.verification_method_url(employer.slug, key.key_id),
        created=moment,
        proof_as_list=True,
    )
