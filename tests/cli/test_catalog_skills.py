"""Catalog imports and the shared skills taxonomy: providers reference shared skills and extend
their own framework; only platform staff (or the system) add to a shared framework."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from microcred.accounts.models import Organisation
from microcred.catalog.models import MicroCredential
from microcred.core.actors import SYSTEM
from microcred.core.models import AuditLog
from microcred.skills.models import Skill, SkillFramework
from microcred.skills.services import TaxonomyClosed, skill_get_or_create
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).parent / "data" / "small_catalog.json"
ESCO_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
ESCO = {
    "slug": "esco",
    "name": "ESCO (European Skills, Competences, Qualifications and Occupations)",
    "publisher": "European Commission",
    "url": "https://esco.ec.europa.eu",
}


def document_with_esco_skill() -> dict[str, Any]:
    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    document["skills"].append(
        {"uri": ESCO_SKILL, "label": "machine learning", "slug": "machine-learning", "framework": ESCO}
    )
    document["microcredentials"][0]["skills"].append({"uri": ESCO_SKILL, "target_level": "beginner"})
    return document


def run_import(tmp_path: Path, document: dict[str, Any], *args: str) -> str:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    call_command("catalog_import", str(path), *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Organisation, MicroCredential, Skill, SkillFramework, AuditLog)}


def test_the_shared_frameworks_exist_and_belong_to_no_provider():
    shared = SkillFramework.objects.filter(slug__in=["esco", "microcred-skills"])
    assert shared.count() == 2 and not shared.exclude(owner=None).exists()


def test_a_provider_owner_cannot_add_a_skill_to_a_shared_framework_and_nothing_is_written(tmp_path):
    owner = UserFactory(email="owner@harbour.example")
    run_import(tmp_path, json.loads(SOURCE.read_text(encoding="utf-8")))  # the provider exists, as the system
    MembershipFactory(user=owner, organisation=Organisation.objects.get(slug="harbour-college"), role="owner")
    document = document_with_esco_skill()
    document["microcredentials"][1]["title"] = "Budgeting Basics, revised"
    before = counts()

    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, document, "--as", owner.email)
    message = str(refused.value)
    assert ESCO_SKILL in message and "'esco'" in message and "platform staff" in message
    assert counts() == before
    assert MicroCredential.objects.get(slug="budgeting-basics").title == "Budgeting Basics"


def test_platform_staff_and_the_system_may_add_to_a_shared_framework(tmp_path):
    staff = UserFactory(email="staff@microcred.example", is_staff=True)
    run_import(tmp_path, document_with_esco_skill(), "--as", staff.email)
    skill = Skill.objects.get(uri=ESCO_SKILL)
    assert skill.framework.slug == "esco" and skill.framework.owner is None
    mc = MicroCredential.objects.get(slug="spreadsheets-for-analysis")
    assert set(mc.skills.values_list("uri", flat=True)) == {
        ESCO_SKILL,
        "https://skills.microcred.org/skill/spreadsheet-modelling",
    }
    row = AuditLog.objects.get(action="skill.create", target_id=str(skill.pk))
    assert row.actor_id == staff.pk and row.data == {"uri": ESCO_SKILL, "framework": "esco"}


def test_a_provider_references_existing_shared_skills_and_extends_its_own_framework(tmp_path):
    skill_get_or_create(
        actor=SYSTEM,
        framework=SkillFramework.objects.get(slug="esco"),
        uri=ESCO_SKILL,
        label="machine learning",
        slug="machine-learning",
    )
    owner = UserFactory(email="founder@harbour.example")
    # A new provider: its founder imports it, so the framework the file introduces becomes theirs.
    document = document_with_esco_skill()
    document["skills"][1]["label"] = "A different label that must not overwrite the shared one"
    run_import(tmp_path, document, "--as", owner.email)

    harbour = Organisation.objects.get(slug="harbour-college")
    assert SkillFramework.objects.get(slug="harbour-skills").owner == harbour
    assert Skill.objects.get(uri=ESCO_SKILL).label == "machine learning"
    mc = MicroCredential.objects.get(slug="spreadsheets-for-analysis")
    assert ESCO_SKILL in set(mc.skills.values_list("uri", flat=True))
    assert AuditLog.objects.filter(action="skill_framework.create", actor=owner).count() == 1

    # The provider's instructor adds another skill to the provider's own framework later.
    instructor = UserFactory(email="teacher@harbour.example")
    MembershipFactory(user=instructor, organisation=harbour, role="instructor")
    more = copy.deepcopy(document)
    new_uri = "https://skills.harbour.example/skill/forecasting"
    more["skills"].append(
        {"uri": new_uri, "label": "Forecasting", "slug": "forecasting", "framework": document["skills"][0]["framework"]}
    )
    more["microcredentials"][1]["skills"] = [{"uri": new_uri, "target_level": "beginner"}]
    run_import(tmp_path, more, "--as", instructor.email)
    assert Skill.objects.get(uri=new_uri).framework.owner == harbour


def test_another_provider_cannot_extend_a_provider_s_framework():
    harbour = OrganisationFactory(slug="harbour")
    framework = SkillFramework.objects.create(slug="harbour-skills", name="Harbour", owner=harbour)
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(slug="elsewhere"), role="owner")
    with pytest.raises(TaxonomyClosed, match="staff of the provider that owns it"):
        skill_get_or_create(actor=outsider, framework=framework, uri="https://x.example/s", label="S", slug="s-skill")
    assert not Skill.objects.filter(uri="https://x.example/s").exists()


def test_a_new_skill_is_validated_before_it_is_saved():
    from microcred.core.errors import ValidationFailed

    framework = SkillFramework.objects.get(slug="microcred-skills")
    with pytest.raises(ValidationFailed, match="slug"):
        skill_get_or_create(actor=SYSTEM, framework=framework, uri="https://x.example/s", label="S", slug="not a slug")
    assert not Skill.objects.exists()
