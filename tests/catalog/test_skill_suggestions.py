"""Suggesting a micro-credential's skill alignments to its author (issue 9 §2): the editor's
"Suggested skills" panel, its one-click add, and the API; who may see and use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from microcred.accounts.models import Organisation
from microcred.accounts.services import api_token_create
from microcred.catalog.models import MicroCredential, MicroCredentialSkill, Status
from microcred.catalog.services import lesson_create, microcredential_archive, microcredential_create, module_create
from microcred.core.actors import SYSTEM
from microcred.core.models import AuditLog
from microcred.skills.models import Skill
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SkillFactory,
    SkillFrameworkFactory,
    UserFactory,
    microcredential_fields,
)
from tests.pages import build_microcredential

pytestmark = pytest.mark.django_db

API = "/api/v1"


@dataclass
class World:
    provider: Organisation
    other: Organisation
    owner: Any
    other_staff: Any
    learner: Any
    cleaning: Skill
    pandas: Skill
    sql: Skill
    statistics: Skill
    rivals_skill: Skill
    mc: MicroCredential


@pytest.fixture
def world(db) -> World:
    provider = OrganisationFactory(name="Northbridge University", slug="northbridge")
    other = OrganisationFactory(name="Forge Academy", slug="forge")
    owner, other_staff = UserFactory(email="owner@example.org"), UserFactory(email="forge@example.org")
    MembershipFactory(user=owner, organisation=provider, role="owner")
    MembershipFactory(user=other_staff, organisation=other, role="instructor")
    shared = SkillFrameworkFactory()
    rivals = SkillFrameworkFactory(slug="forge-skills", name="Forge skills", owner=other)
    cleaning = SkillFactory(framework=shared, label="data cleaning", alt_labels=["cleanse data"])
    pandas = SkillFactory(framework=shared, label="pandas")
    sql = SkillFactory(framework=shared, label="SQL", alt_labels=["structured query language"])
    statistics = SkillFactory(framework=shared, label="descriptive statistics")
    SkillFactory(framework=shared, label="welding")  # named nowhere: never suggested
    # Another provider's private framework names a skill the text mentions: not for this provider.
    rivals_skill = SkillFactory(framework=rivals, label="tidy data")
    mc = microcredential_create(
        actor=SYSTEM,
        provider=provider,
        skills=[(statistics, "beginner")],
        **microcredential_fields(
            title="Data cleaning with pandas",
            description="Learners cleanse data and compute descriptive statistics.",
            learning_outcomes=["Query tables with structured query language", "Summarise a data set"],
            level="intermediate",
        ),
    )
    module = module_create(actor=SYSTEM, microcredential=mc, title="Basics")
    lesson_create(actor=SYSTEM, module=module, title="Tidy data and SQL joins", kind="reading", body="Text.")
    return World(
        provider, other, owner, other_staff, UserFactory(), cleaning, pandas, sql, statistics, rivals_skill, mc
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def editor(mc: MicroCredential) -> str:
    return reverse("catalog:workspace_mc", args=[mc.provider.slug, mc.pk])


def add_url(mc: MicroCredential) -> str:
    return reverse("catalog:workspace_mc_skill_add", args=[mc.provider.slug, mc.pk])


def suggested(response) -> dict[str, Any]:
    return {s.skill.label: s for s in response.context["skill_suggestions"]}


def test_the_editor_suggests_the_skills_its_text_names_with_why(world):
    response = signed_in(world.owner).get(editor(world.mc))
    assert response.status_code == 200
    found = suggested(response)
    assert set(found) == {"data cleaning", "pandas", "SQL"}
    assert (found["pandas"].source, found["pandas"].matched_text) == ("title", "pandas")
    assert found["data cleaning"].mentions == 2  # the title, and "cleanse data" in the description
    assert found["SQL"].mentions == 2  # a learning outcome's alternative label and a lesson title
    html = response.content.decode()
    assert "Suggested skills" in html
    assert "Title: “pandas”" in html
    # The author's level is the first, one-click choice; the others are beside it.
    assert html.index("Add at intermediate") < html.index("Add at beginner")
    # Already aligned: listed as a skill, not suggested.
    assert "descriptive statistics" not in found
    assert "descriptive statistics" in html


def test_another_providers_private_skill_is_never_suggested(world):
    found = suggested(signed_in(world.owner).get(editor(world.mc)))
    assert "tidy data" not in found
    response = signed_in(world.owner).post(
        add_url(world.mc), {"skill": world.rivals_skill.pk, "level": "beginner"}, follow=True
    )
    assert "Skill not found." in response.content.decode()
    assert not MicroCredentialSkill.objects.filter(skill=world.rivals_skill).exists()


def test_one_click_adds_the_alignment_and_it_is_no_longer_suggested(world):
    client = signed_in(world.owner)
    response = client.post(add_url(world.mc), {"skill": world.pandas.pk, "level": "intermediate"}, follow=True)
    assert response.redirect_chain[-1][0] == editor(world.mc)
    assert "“pandas” added at intermediate level." in response.content.decode()
    link = MicroCredentialSkill.objects.get(microcredential=world.mc, skill=world.pandas)
    assert link.target_level == "intermediate"
    assert "pandas" not in suggested(response)
    audit = AuditLog.objects.get(action="microcredential.skill_add")
    assert audit.data["skill"] == world.pandas.uri
    # Twice is a conflict, said on the page, not a silent change of level.
    again = client.post(add_url(world.mc), {"skill": world.pandas.pk, "level": "expert"}, follow=True)
    assert "already aligned with “pandas”" in again.content.decode()
    assert MicroCredentialSkill.objects.get(microcredential=world.mc, skill=world.pandas).target_level == "intermediate"


def test_bad_input_is_a_message_not_a_500(world):
    client = signed_in(world.owner)
    for data, message in (
        ({"skill": world.sql.pk, "level": "guru"}, "Unknown level"),
        ({"skill": "", "level": "beginner"}, "Choose a skill to add."),
        ({"skill": "999999", "level": "beginner"}, "Skill not found."),
    ):
        response = client.post(add_url(world.mc), data, follow=True)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not MicroCredentialSkill.objects.filter(skill=world.sql).exists()


def test_adding_to_a_published_version_goes_to_a_draft(world):
    mc = build_microcredential(
        provider=world.provider, slug="sql-intro", title="SQL for analysts", skills=[world.statistics]
    )
    response = signed_in(world.owner).post(add_url(mc), {"skill": world.sql.pk, "level": "beginner"}, follow=True)
    draft = MicroCredential.objects.get(family=mc.family, status=Status.DRAFT)
    assert response.redirect_chain[-1][0] == editor(draft)
    assert f"to draft v{draft.version}" in response.content.decode()
    assert set(draft.skill_links.values_list("skill__label", flat=True)) == {"SQL", "descriptive statistics"}
    assert list(mc.skill_links.values_list("skill__label", flat=True)) == ["descriptive statistics"]


def test_an_archived_version_takes_no_suggestions(world):
    mc = build_microcredential(provider=world.provider, slug="pandas-old", title="Pandas in depth")
    microcredential_archive(actor=SYSTEM, microcredential=mc)
    client = signed_in(world.owner)
    response = client.get(editor(mc))
    assert response.context["skill_suggestions"] == []
    assert "Suggested skills" not in response.content.decode()
    refused = client.post(add_url(mc), {"skill": world.pandas.pk, "level": "beginner"}, follow=True)
    assert "archived" in refused.content.decode()
    assert not mc.skill_links.exists()


def test_only_the_providers_staff_see_and_add(world):
    for user in (world.other_staff, world.learner):
        client = signed_in(user)
        assert client.get(editor(world.mc)).status_code in (403, 404)
        assert client.post(add_url(world.mc), {"skill": world.pandas.pk, "level": "beginner"}).status_code in (
            403,
            404,
        )
    # Another provider's micro-credential under my own workspace's address is not found.
    theirs = build_microcredential(provider=world.other, slug="theirs", publish=False)
    mine = reverse("catalog:workspace_mc_skill_add", args=[world.provider.slug, theirs.pk])
    assert signed_in(world.owner).post(mine, {"skill": world.pandas.pk, "level": "beginner"}).status_code == 404
    anonymous = Client().post(add_url(world.mc), {"skill": world.pandas.pk, "level": "beginner"})
    assert anonymous.status_code == 302
    assert not MicroCredentialSkill.objects.filter(skill=world.pandas).exists()


def api_url(slug: str, mc_id: int) -> str:
    return f"{API}/orgs/{slug}/microcredentials/{mc_id}/skill-suggestions"


def token_client(user) -> Client:
    _, secret = api_token_create(actor=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_api_lists_the_same_suggestions(world):
    response = token_client(world.owner).get(api_url("northbridge", world.mc.pk))
    assert response.status_code == 200
    body = response.json()
    assert (body["microcredential_id"], body["status"], body["suggested_level"]) == (
        world.mc.pk,
        "draft",
        "intermediate",
    )
    by_label = {s["label"]: s for s in body["suggestions"]}
    assert set(by_label) == {"data cleaning", "pandas", "SQL"}
    assert by_label["SQL"]["uri"] == world.sql.uri
    assert by_label["SQL"]["mentions"] == 2
    assert by_label["data cleaning"]["source"] == "title"
    assert by_label["data cleaning"]["reason"] == "exact label"


def test_api_refuses_strangers_with_problem_details(world):
    assert Client().get(api_url("northbridge", world.mc.pk)).status_code == 401
    stranger = token_client(world.other_staff).get(api_url("northbridge", world.mc.pk))
    assert stranger.status_code == 404
    assert stranger["Content-Type"].startswith("application/problem+json")
    theirs = build_microcredential(provider=world.other, slug="theirs", publish=False)
    assert token_client(world.owner).get(api_url("northbridge", theirs.pk)).status_code == 404
