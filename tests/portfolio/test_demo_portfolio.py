"""`microcred demo` gives Aoife a public portfolio: her credential, her verified skills and a badge
imported from another issuer (the employer Lumen Analytics, verified as any import is), listed in
the table of places to open; a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from microcred.careers.models import ExternalCredential
from microcred.core.models import AuditLog
from microcred.portfolio.models import Portfolio, ShownCredential, ShownSkill

pytestmark = pytest.mark.django_db


def test_the_demo_learner_has_a_public_portfolio_with_an_import(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    portfolio = Portfolio.objects.get(user__email="learner@demo.microcred.org")
    assert (portfolio.handle, portfolio.published) == ("aoife-byrne", True)
    assert "http://127.0.0.1:8123/p/aoife-byrne" in text.split("Open", 1)[1]

    # The import was verified by the real verifier against her address, and its skill counts.
    [badge] = ExternalCredential.objects.filter(user=portfolio.user)
    assert (badge.outcome, badge.issuer_name, badge.recipient_email) == (
        "valid",
        "Lumen Analytics",
        "learner@demo.microcred.org",
    )
    # Aligned by the issuer with ESCO's skill, and matched from its "data visualisation" tag.
    assert {(link.skill.label, link.evidence) for link in badge.skill_links.all()} == {
        ("data visualisation software", "alignment"),
        ("Data visualisation", "matched"),
    }
    assert AuditLog.objects.filter(action="external_credential.accept").count() == 1

    response = Client().get("/p/aoife-byrne")
    assert response.status_code == 200
    page = response.context["page"]
    assert {(entry.kind, entry.title, entry.issuer) for entry in page.entries} == {
        ("ours", "Data Analysis with Python", "Northbridge University"),
        ("imported", "Dashboards that decide: a Lumen Analytics workshop", "Lumen Analytics"),
    }
    labels = {item.skill.label for item in page.skills}
    assert "data visualisation software" in labels and len(labels) >= 4
    body = response.content.decode()
    assert "Dashboards that decide" in body and "Aoife Byrne" in body
    assert Client().get("/p/aoife-byrne/record").status_code == 200

    # Idempotent: a second run adds, ticks and audits nothing.
    counts = (ExternalCredential.objects.count(), ShownCredential.objects.count(), ShownSkill.objects.count())
    audited = AuditLog.objects.count()
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "Demo data was already loaded; nothing to add." in again.getvalue()
    assert "http://127.0.0.1:8123/p/aoife-byrne" in again.getvalue()
    assert (ExternalCredential.objects.count(), ShownCredential.objects.count(), ShownSkill.objects.count()) == counts
    assert AuditLog.objects.count() == audited
