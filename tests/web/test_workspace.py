"""The organisation workspace pages: a provider's catalog, an accreditor's accreditations, an
owner's members — who may open them, and that every action goes through the services."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microcred.accounts.models import Membership, Organisation
from microcred.accreditation.models import Accreditation
from microcred.assessment.models import Quiz
from microcred.catalog.models import Lesson, MicroCredential, Module
from microcred.exchange.services import catalog_export
from microcred.learning.models import Enrolment
from microcred.learning.services import enrolment_create
from tests.factories import (
    QUIZ_QUESTIONS,
    AccreditorFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    microcredential_fields,
)
from tests.pages import build_microcredential

pytestmark = pytest.mark.django_db


@dataclass
class World:
    provider: Organisation
    other: Organisation
    accreditor: Organisation
    owner: Any
    instructor: Any
    grader: Any
    other_instructor: Any
    accreditor_owner: Any
    learner: Any


@pytest.fixture
def world(db) -> World:
    provider = OrganisationFactory(name="Northbridge University", slug="northbridge")
    other = OrganisationFactory(name="Forge Academy", slug="forge", country="DE")
    accreditor = AccreditorFactory(name="European Quality Agency", slug="eqa")
    people = {
        "owner": (provider, "owner"),
        "instructor": (provider, "instructor"),
        "grader": (provider, "grader"),
        "other_instructor": (other, "instructor"),
        "accreditor_owner": (accreditor, "owner"),
    }
    users = {}
    for name, (org, role) in people.items():
        users[name] = UserFactory(email=f"{name}@example.org", full_name=name.replace("_", " ").title())
        MembershipFactory(user=users[name], organisation=org, role=role)
    MembershipFactory(user=UserFactory(email="forge-owner@example.org"), organisation=other, role="owner")
    return World(provider, other, accreditor, learner=UserFactory(email="learner@example.org"), **users)


def as_user(client, user):
    client.force_login(user)
    return client


def html_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def mc_form_data(**overrides: Any) -> dict[str, Any]:
    """What the micro-credential form posts for the factories' standard micro-credential."""
    fields = microcredential_fields(**overrides)
    data = {k: ("" if v is None else str(v)) for k, v in fields.items()}
    data["learning_outcomes"] = "\n".join(fields["learning_outcomes"])
    data.update(
        awarding_body=fields.get("awarding_body", "Northbridge University"),
        country=fields.get("country", "IE"),
        supervision="none",
        duration_weeks="4",
    )
    return data


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


# --- Who sees what ---------------------------------------------------------------------------


def test_organisations_page_lists_each_membership_with_the_pages_its_role_opens(client, world):
    MembershipFactory(user=world.owner, organisation=world.accreditor, role="grader")
    html = html_of(as_user(client, world.owner).get(url("accounts:workspace")))
    assert "Northbridge University" in html and "European Quality Agency" in html
    assert url("catalog:workspace_catalog", "northbridge") in html
    assert url("accounts:workspace_members", "northbridge") in html
    assert reverse("credentials:manage", args=["northbridge"]) in html
    # A grader of the accreditor opens none of its pages.
    assert (
        url("accreditation:workspace_accreditations", "eqa") not in html
        and url("accounts:workspace_members", "eqa") not in html
    )

    html = html_of(as_user(client, world.instructor).get(url("accounts:workspace")))
    assert url("catalog:workspace_catalog", "northbridge") in html
    assert url("accounts:workspace_members", "northbridge") not in html

    html = html_of(as_user(client, world.accreditor_owner).get(url("accounts:workspace")))
    assert (
        url("accreditation:workspace_accreditations", "eqa") in html
        and url("accounts:workspace_members", "eqa") in html
    )
    assert "/catalog/" not in html.split('id="main"')[1].split("site-footer")[0]


def test_dashboard_and_user_menu_link_to_the_workspace(client, world):
    html = html_of(as_user(client, world.owner).get(url("learning:dashboard")))
    assert html.count(f'href="{url("accounts:workspace")}"') == 2  # user menu and the organisations panel
    learner_html = html_of(as_user(client, world.learner).get(url("accounts:workspace")))
    assert "You are not a member of any organisation" in learner_html


def test_workspace_requires_login(client, world):
    for path in (
        url("accounts:workspace"),
        url("catalog:workspace_catalog", "northbridge"),
        url("accounts:workspace_members", "eqa"),
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


PRIVATE_PAGES = {
    "catalog": ("catalog:workspace_catalog", "northbridge"),
    "new": ("catalog:workspace_mc_create", "northbridge"),
    "export": ("exchange:workspace_catalog_export", "northbridge"),
    "members": ("accounts:workspace_members", "northbridge"),
    "accreditations": ("accreditation:workspace_accreditations", "eqa"),
    "accreditor-members": ("accounts:workspace_members", "eqa"),
}
ALLOWED = {
    "catalog": {"owner", "instructor"},
    "new": {"owner", "instructor"},
    "export": {"owner", "instructor"},
    "members": {"owner"},
    "accreditations": {"accreditor_owner"},
    "accreditor-members": {"accreditor_owner"},
}


@pytest.mark.parametrize("page", sorted(PRIVATE_PAGES))
@pytest.mark.parametrize("who", ["owner", "instructor", "grader", "other_instructor", "accreditor_owner", "learner"])
def test_each_page_opens_for_its_roles_and_is_not_found_for_everyone_else(client, world, page, who):
    name, slug = PRIVATE_PAGES[page]
    response = as_user(client, getattr(world, who)).get(url(name, slug))
    assert response.status_code == (200 if who in ALLOWED[page] else 404)


def test_unknown_organisations_and_wrong_kinds_are_not_found(client, world):
    as_user(client, world.owner)
    assert client.get(url("catalog:workspace_catalog", "no-such-org")).status_code == 404
    # An accreditor has no catalog and a provider no accreditations, even for their owners.
    as_user(client, world.accreditor_owner)
    assert client.get(url("catalog:workspace_catalog", "eqa")).status_code == 404
    as_user(client, world.owner)
    assert client.get(url("accreditation:workspace_accreditations", "northbridge")).status_code == 404


def test_instructor_of_one_provider_can_neither_see_nor_change_another(client, world):
    forge_mc = build_microcredential(provider=world.other, slug="forge-draft", publish=False)
    module = forge_mc.modules.first()
    lesson = module.lessons.first()
    as_user(client, world.instructor)
    before = (MicroCredential.objects.count(), Module.objects.count(), Lesson.objects.count())
    attempts = [
        client.get(url("catalog:workspace_mc", "forge", forge_mc.pk)),
        client.post(url("catalog:workspace_mc_publish", "forge", forge_mc.pk)),
        client.post(url("catalog:workspace_mc_create", "forge"), mc_form_data(slug="sneaky")),
        client.post(url("catalog:workspace_module_add", "forge", forge_mc.pk), {"title": "Sneaky"}),
        client.post(url("catalog:workspace_lesson_delete", "forge", forge_mc.pk, lesson.pk)),
        # Their own workspace URL with the other provider's ids: still not found.
        client.get(url("catalog:workspace_mc", "northbridge", forge_mc.pk)),
        client.post(url("catalog:workspace_mc_publish", "northbridge", forge_mc.pk)),
        client.post(url("catalog:workspace_lesson_delete", "northbridge", forge_mc.pk, lesson.pk)),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    forge_mc.refresh_from_db()
    assert forge_mc.status == "draft"
    assert (MicroCredential.objects.count(), Module.objects.count(), Lesson.objects.count()) == before


def test_lesson_ids_of_another_version_are_not_found(client, world):
    first = build_microcredential(provider=world.provider, slug="one", publish=False)
    second = build_microcredential(provider=world.provider, slug="two", publish=False)
    lesson = second.modules.first().lessons.first()
    as_user(client, world.owner)
    assert client.get(url("catalog:workspace_lesson_edit", "northbridge", first.pk, lesson.pk)).status_code == 404
    assert client.post(url("catalog:workspace_lesson_delete", "northbridge", first.pk, lesson.pk)).status_code == 404
    assert Lesson.objects.filter(pk=lesson.pk).exists()


# --- Authoring ---------------------------------------------------------------------------------


def test_author_a_draft_with_every_lesson_kind_publish_it_and_find_it_in_the_catalog(client, world):
    as_user(client, world.instructor)
    page = client.get(url("catalog:workspace_mc_create", "northbridge"))
    assert 'value="Northbridge University"' in html_of(page)  # awarding body defaults to the provider

    response = client.post(
        url("catalog:workspace_mc_create", "northbridge"),
        mc_form_data(slug="grid-basics", title="Grid Basics", learning_outcomes=["Read a single-line diagram"]),
        follow=True,
    )
    mc = MicroCredential.objects.get(provider=world.provider, slug="grid-basics")
    assert response.redirect_chain == [(url("catalog:workspace_mc", "northbridge", mc.pk), 302)]
    assert (mc.status, mc.version, mc.learning_outcomes, mc.industry.name) == (
        "draft",
        1,
        ["Read a single-line diagram"],
        "Data & AI",
    )
    assert client.get(reverse("catalog:catalog") + "?q=Grid").content.decode().count("Grid Basics") == 0

    client.post(
        url("catalog:workspace_module_add", "northbridge", mc.pk), {"title": "Foundations", "summary": "Start."}
    )
    module = mc.modules.get()
    base = {"estimated_minutes": "15", "required": "on"}
    posts = {
        "reading": {"title": "What a grid is", "body": "## Grid\n\nWires **and** stations."},
        "video": {"title": "A tour", "video_url": "https://videos.example.org/tour.mp4", "transcript": "Hi."},
        "assignment": {"title": "Draw one", "instructions": "Draw a diagram of your street."},
        "quiz": {
            "title": "Check",
            "questions": json.dumps(QUIZ_QUESTIONS),
            "passing_score": "80",
            "max_attempts": "3",
        },
    }
    for kind, data in posts.items():
        response = client.post(
            url("catalog:workspace_lesson_add", "northbridge", mc.pk, module.pk, kind), {**base, **data}
        )
        assert response.status_code == 302, (kind, response.context and response.context["form"].errors)
    lessons = {lesson.kind: lesson for lesson in module.lessons.select_related("quiz")}
    assert set(lessons) == {"reading", "video", "assignment", "quiz"}
    assert "<strong>and</strong>" in lessons["reading"].body_html
    assert lessons["quiz"].quiz.passing_score == 80 and lessons["quiz"].quiz.bank.questions.count() == 2

    editor = html_of(client.get(url("catalog:workspace_mc", "northbridge", mc.pk)))
    assert "What a grid is" in editor and "Draw one" in editor and "Publish v1" in editor

    response = client.post(url("catalog:workspace_mc_publish", "northbridge", mc.pk), follow=True)
    assert any("is published" in m for m in messages_of(response))
    mc.refresh_from_db()
    assert mc.status == "published"
    catalog = html_of(client.get(reverse("catalog:catalog") + "?q=Grid"))
    assert "Grid Basics" in catalog
    assert client.get(url("catalog:microcredential", "northbridge", "grid-basics")).status_code == 200


def test_publish_refusals_are_shown_as_messages_and_change_nothing(client, world):
    as_user(client, world.owner)
    client.post(url("catalog:workspace_mc_create", "northbridge"), mc_form_data(slug="empty"))
    mc = MicroCredential.objects.get(slug="empty")
    response = client.post(url("catalog:workspace_mc_publish", "northbridge", mc.pk), follow=True)
    assert response.status_code == 200
    assert "v1 is not published: Add at least one lesson before publishing." in messages_of(response)
    mc.refresh_from_db()
    assert mc.status == "draft"


def test_bad_micro_credential_input_shows_errors_and_writes_nothing(client, world):
    build_microcredential(provider=world.provider, slug="taken", publish=False)
    as_user(client, world.owner)
    before = MicroCredential.objects.count()
    response = client.post(
        url("catalog:workspace_mc_create", "northbridge"),
        mc_form_data(slug="Not a slug!", workload_hours="0", eqf_level="9", learning_outcomes=["-", "•"]),
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "Add at least one learning outcome." in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert "Select a valid choice. 9 is not one of the available choices." in html
    response = client.post(url("catalog:workspace_mc_create", "northbridge"), mc_form_data(slug="taken"))
    assert "Already used." in html_of(response)
    assert MicroCredential.objects.count() == before


def test_editing_a_published_version_makes_a_v2_draft_and_v1_stays_until_v2_is_published(client, world):
    v1 = build_microcredential(provider=world.provider, slug="grid", title="Grid Basics")
    enrolled = UserFactory()
    enrolment = enrolment_create(actor=enrolled, microcredential=v1)
    as_user(client, world.owner)
    page = html_of(client.get(url("catalog:workspace_mc_edit", "northbridge", v1.pk)))
    assert "Saving creates a new draft version" in page

    response = client.post(
        url("catalog:workspace_mc_edit", "northbridge", v1.pk),
        mc_form_data(slug="grid", title="Grid Basics 2026"),
        follow=True,
    )
    v2 = MicroCredential.objects.get(family=v1.family, version=2)
    assert response.redirect_chain[-1][0] == url("catalog:workspace_mc", "northbridge", v2.pk)
    assert "A new draft version v2 was created; learners of v1 keep their version" in " ".join(messages_of(response))
    v1.refresh_from_db()
    assert (v1.status, v1.title, v2.status, v2.title) == ("published", "Grid Basics", "draft", "Grid Basics 2026")
    assert v2.modules.count() == v1.modules.count() == 2
    catalog = html_of(client.get(reverse("catalog:catalog")))
    assert "Grid Basics" in catalog and "Grid Basics 2026" not in catalog

    # v1's edit page now leads to the existing draft rather than making another.
    response = client.get(url("catalog:workspace_mc_edit", "northbridge", v1.pk))
    assert response["Location"] == url("catalog:workspace_mc_edit", "northbridge", v2.pk)
    # v1's content stays read-only.
    module = v1.modules.first()
    response = client.post(
        url("catalog:workspace_module_add", "northbridge", v1.pk), {"title": "Sneaked in"}, follow=True
    )
    assert any("edit a new version instead" in m for m in messages_of(response))
    assert v1.modules.count() == 2 and module.title != "Sneaked in"

    client.post(url("catalog:workspace_mc_publish", "northbridge", v2.pk))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("archived", "published")
    catalog = html_of(client.get(reverse("catalog:catalog")))
    assert "Grid Basics 2026" in catalog
    enrolment.refresh_from_db()
    assert enrolment.microcredential_id == v1.pk  # the learner keeps the version they enrolled in
    listing = html_of(client.get(url("catalog:workspace_catalog", "northbridge")))
    assert "v2" in listing and "v1" in listing and "Archived" in listing


def test_new_version_button_opens_a_draft_copy_of_the_content(client, world):
    v1 = build_microcredential(provider=world.provider, slug="grid")
    as_user(client, world.instructor)
    response = client.post(url("catalog:workspace_mc_new_version", "northbridge", v1.pk))
    v2 = MicroCredential.objects.get(family=v1.family, version=2)
    assert response["Location"] == url("catalog:workspace_mc", "northbridge", v2.pk)
    assert Lesson.objects.filter(module__microcredential=v2).count() == 4


def test_edit_and_delete_draft_lessons_and_modules(client, world):
    mc = build_microcredential(provider=world.provider, slug="grid", publish=False)
    foundations, assessment = mc.modules.order_by("position")
    reading = foundations.lessons.get(kind="reading")
    quiz_lesson = assessment.lessons.get(kind="quiz")
    old_quiz_id = Quiz.objects.get(lesson=quiz_lesson).pk
    as_user(client, world.instructor)

    page = html_of(client.get(url("catalog:workspace_lesson_edit", "northbridge", mc.pk, reading.pk)))
    assert "Reading the data" in page
    client.post(
        url("catalog:workspace_lesson_edit", "northbridge", mc.pk, reading.pk),
        {"title": "Reading tidy data", "estimated_minutes": "20", "body": "Now *better*."},
    )
    reading.refresh_from_db()
    assert (reading.title, reading.estimated_minutes, reading.required) == ("Reading tidy data", 20, False)
    assert "<em>better</em>" in reading.body_html

    # Saving a quiz lesson with its questions unchanged keeps its quiz; new questions replace it.
    page = client.get(url("catalog:workspace_lesson_edit", "northbridge", mc.pk, quiz_lesson.pk))
    questions_json = page.context["form"].initial["questions"]
    client.post(
        url("catalog:workspace_lesson_edit", "northbridge", mc.pk, quiz_lesson.pk),
        {
            "title": "Final quiz",
            "estimated_minutes": "10",
            "required": "on",
            "questions": questions_json,
            "passing_score": "70",
            "max_attempts": "3",
        },
    )
    quiz_lesson.refresh_from_db()
    assert Quiz.objects.get(lesson=quiz_lesson).pk == old_quiz_id
    client.post(
        url("catalog:workspace_lesson_edit", "northbridge", mc.pk, quiz_lesson.pk),
        {
            "title": "Final quiz",
            "estimated_minutes": "10",
            "required": "on",
            "questions": json.dumps(QUIZ_QUESTIONS[:1]),
            "passing_score": "100",
            "max_attempts": "3",
        },
    )
    new_quiz = Quiz.objects.get(lesson=quiz_lesson)
    assert new_quiz.pk != old_quiz_id and not Quiz.objects.filter(pk=old_quiz_id).exists()
    assert (new_quiz.passing_score, new_quiz.bank.questions.count()) == (100, 1)

    client.post(
        url("catalog:workspace_module_edit", "northbridge", mc.pk, foundations.pk), {"title": "Basics", "summary": ""}
    )
    foundations.refresh_from_db()
    assert foundations.title == "Basics"

    client.post(url("catalog:workspace_lesson_delete", "northbridge", mc.pk, reading.pk))
    assert not Lesson.objects.filter(pk=reading.pk).exists()
    quiz_id = new_quiz.pk
    client.post(url("catalog:workspace_module_delete", "northbridge", mc.pk, assessment.pk))
    assert not Module.objects.filter(pk=assessment.pk).exists()
    assert not Quiz.objects.filter(pk=quiz_id).exists()  # no orphaned quiz left behind


def test_bad_lesson_input_shows_errors_and_writes_nothing(client, world):
    mc = build_microcredential(provider=world.provider, slug="grid", publish=False)
    module = mc.modules.first()
    as_user(client, world.owner)
    before = (Lesson.objects.count(), Quiz.objects.count())
    cases = {
        "video": ({"title": "Talk", "estimated_minutes": "5", "video_url": "not a url"}, "Enter a valid URL."),
        "assignment": ({"title": "Task", "estimated_minutes": "5", "instructions": ""}, "This field is required."),
        "quiz": ({"title": "Q", "estimated_minutes": "5", "passing_score": "70", "questions": "[{"}, "Not valid JSON"),
    }
    for kind, (data, error) in cases.items():
        response = client.post(url("catalog:workspace_lesson_add", "northbridge", mc.pk, module.pk, kind), data)
        assert response.status_code == 200 and error in html_of(response), kind
    # The service's quiz rules: the quiz would be written before the lesson, so both must roll back.
    two_correct = [
        {"kind": "single", "text": "Pick", "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}
    ]
    response = client.post(
        url("catalog:workspace_lesson_add", "northbridge", mc.pk, module.pk, "quiz"),
        {"title": "Q", "estimated_minutes": "5", "passing_score": "70", "questions": json.dumps(two_correct)},
    )
    assert "questions[0]: a single-choice question has exactly one correct choice." in html_of(response)
    assert (
        client.get(url("catalog:workspace_lesson_add", "northbridge", mc.pk, module.pk, "podcast")).status_code == 404
    )
    assert (Lesson.objects.count(), Quiz.objects.count()) == before


# --- Import and export -------------------------------------------------------------------------


def upload(data: Any, name: str = "catalog.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def test_export_and_import_round_trip_through_the_pages(client, world):
    build_microcredential(provider=world.provider, slug="grid", title="Grid Basics")
    as_user(client, world.instructor)
    response = client.get(url("exchange:workspace_catalog_export", "northbridge"))
    assert response["Content-Disposition"] == 'attachment; filename="northbridge-catalog.json"'
    document = json.loads(response.content)
    assert document == json.loads(json.dumps(catalog_export(provider=world.provider)))

    # Content that was never imported has no fingerprint yet: the first import records it as a
    # new version, and from then on the same file changes nothing.
    client.post(url("exchange:workspace_catalog_import", "northbridge"), {"file": upload(document)})
    response = client.post(
        url("exchange:workspace_catalog_import", "northbridge"), {"file": upload(document)}, follow=True
    )
    assert "Catalog imported — 1 unchanged. (unchanged: grid)" in messages_of(response)
    assert list(MicroCredential.objects.filter(slug="grid").values_list("version", "status")) == [
        (2, "published"),
        (1, "archived"),
    ]

    document["microcredentials"][0]["title"] = "Grid Basics, revised"
    document["microcredentials"][0]["status"] = "draft"
    new = dict(document["microcredentials"][0], slug="grid-advanced", title="Grid Advanced")
    document["microcredentials"].append(new)
    response = client.post(
        url("exchange:workspace_catalog_import", "northbridge"), {"file": upload(document)}, follow=True
    )
    message = " ".join(messages_of(response))
    assert "1 created, 1 new version" in message and "created: grid-advanced" in message
    versions = list(MicroCredential.objects.filter(slug="grid").order_by("version").values_list("status", "title"))
    assert versions == [("archived", "Grid Basics"), ("published", "Grid Basics"), ("draft", "Grid Basics, revised")]
    assert MicroCredential.objects.get(slug="grid-advanced").status == "draft"
    listing = html_of(client.get(url("catalog:workspace_catalog", "northbridge")))
    assert "Grid Advanced" in listing and "Grid Basics, revised" in listing


def test_import_refuses_another_providers_file_and_bad_files_and_writes_nothing(client, world):
    build_microcredential(provider=world.other, slug="solar")
    forge_document = catalog_export(provider=world.other)
    forge_document["microcredentials"][0]["title"] = "Changed from the wrong workspace"
    MembershipFactory(user=world.owner, organisation=world.other, role="owner")  # even an owner of both
    as_user(client, world.owner)
    before = (MicroCredential.objects.count(), Organisation.objects.count(), Lesson.objects.count())

    response = client.post(
        url("exchange:workspace_catalog_import", "northbridge"), {"file": upload(forge_document)}, follow=True
    )
    assert any("This file is the catalog of “forge”, not of Northbridge University" in m for m in messages_of(response))

    unknown = dict(forge_document, provider=dict(forge_document["provider"], slug="brand-new"))
    response = client.post(
        url("exchange:workspace_catalog_import", "northbridge"), {"file": upload(unknown)}, follow=True
    )
    assert any("catalog of “brand-new”" in m for m in messages_of(response))

    response = client.post(
        url("exchange:workspace_catalog_import", "northbridge"), {"file": upload(b"{nope")}, follow=True
    )
    assert any("This is not a JSON file in UTF-8." in m for m in messages_of(response))

    broken = catalog_export(provider=world.provider)
    broken["microcredentials"] = [
        dict(microcredential_fields(slug="x"), modules=[{"title": "M", "lessons": [{"title": "L", "kind": "podcast"}]}])
    ]
    broken["microcredentials"][0]["ects"] = "1.0"
    broken["microcredentials"][0]["price"] = "0"
    response = client.post(
        url("exchange:workspace_catalog_import", "northbridge"), {"file": upload(broken)}, follow=True
    )
    assert any(
        m.startswith("Nothing was imported.") and "unknown lesson kind 'podcast'" in m for m in messages_of(response)
    )

    response = client.post(url("exchange:workspace_catalog_import", "northbridge"), {}, follow=True)
    assert any("This field is required." in m for m in messages_of(response))
    assert (MicroCredential.objects.count(), Organisation.objects.count(), Lesson.objects.count()) == before
    assert not MicroCredential.objects.filter(title="Changed from the wrong workspace").exists()


# --- Accreditations ----------------------------------------------------------------------------


def test_accreditor_grants_suspends_and_reactivates_and_the_provider_page_follows(client, world):
    as_user(client, world.accreditor_owner)
    page = html_of(client.get(url("accreditation:workspace_accreditations", "eqa")))
    assert "Northbridge University" in page and "Forge Academy" in page  # providers to choose from
    response = client.post(
        url("accreditation:workspace_accreditations", "eqa"),
        {
            "provider": world.provider.pk,
            "scope": "Short programmes up to EQF 6",
            "reference": "EQA-7",
            "valid_from": "2020-01-01",
            "valid_until": "",
        },
        follow=True,
    )
    accreditation = Accreditation.objects.get(accreditor=world.accreditor)
    assert (accreditation.provider, accreditation.valid_until, accreditation.status) == (world.provider, None, "active")
    assert "Northbridge University is accredited for “Short programmes up to EQF 6”." in messages_of(response)
    assert "European Quality Agency" in html_of(client.get(url("catalog:provider", "northbridge")))

    status_url = url("accreditation:workspace_accreditation_status", "eqa", accreditation.pk)
    response = client.post(status_url, {"status": "suspended", "reason": ""}, follow=True)
    assert any("Give a reason" in m for m in messages_of(response))
    accreditation.refresh_from_db()
    assert accreditation.status == "active"

    client.post(status_url, {"status": "suspended", "reason": "Audit pending"})
    accreditation.refresh_from_db()
    assert accreditation.status == "suspended"
    assert "European Quality Agency" not in html_of(client.get(url("catalog:provider", "northbridge")))
    assert "Suspended" in html_of(client.get(url("accreditation:workspace_accreditations", "eqa")))

    client.post(status_url, {"status": "active", "reason": ""})
    assert "European Quality Agency" in html_of(client.get(url("catalog:provider", "northbridge")))
    client.post(status_url, {"status": "withdrawn", "reason": "Closed"})
    accreditation.refresh_from_db()
    assert accreditation.status == "withdrawn"


def test_bad_accreditation_input_shows_errors_and_writes_nothing(client, world):
    other_accreditor = AccreditorFactory(slug="other-agency")
    as_user(client, world.accreditor_owner)
    response = client.post(
        url("accreditation:workspace_accreditations", "eqa"),
        {"provider": world.provider.pk, "scope": "All", "valid_from": "2024-06-01", "valid_until": "2024-01-01"},
    )
    assert response.status_code == 200 and "Before valid_from." in html_of(response)
    response = client.post(
        url("accreditation:workspace_accreditations", "eqa"),
        {"provider": other_accreditor.pk, "scope": "All", "valid_from": "2024-06-01"},
    )
    assert "Select a valid choice." in html_of(response)  # only providers are offered
    assert Accreditation.objects.count() == 0
    # Another accreditor's accreditation is not found from this workspace.
    theirs = Accreditation.objects.create(
        accreditor=other_accreditor, provider=world.provider, scope="x", valid_from=datetime.date(2020, 1, 1)
    )
    response = client.post(
        url("accreditation:workspace_accreditation_status", "eqa", theirs.pk), {"status": "withdrawn", "reason": "x"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"


# --- Members -------------------------------------------------------------------------------------


def test_owner_adds_changes_and_removes_a_member(client, world):
    newcomer = UserFactory(email="newcomer@example.org")
    as_user(client, world.owner)
    response = client.post(
        url("accounts:workspace_members", "northbridge"),
        {"email": "NEWCOMER@example.org", "role": "grader"},
        follow=True,
    )
    assert "We've invited newcomer@example.org to join as grader." in messages_of(response)[0]
    # They join by accepting the e-mailed invitation (tests/web/test_member_invitations.py).
    accept = re.search(r"/invitations/\S+", mail.outbox[-1].body).group(0)
    as_user(client, newcomer).post(accept)
    assert Membership.objects.get(user=newcomer, organisation=world.provider).role == "grader"
    as_user(client, world.owner)

    client.post(url("accounts:workspace_member_role", "northbridge", newcomer.pk), {"role": "instructor"})
    assert Membership.objects.get(user=newcomer, organisation=world.provider).role == "instructor"
    assert as_user(client, newcomer).get(url("catalog:workspace_catalog", "northbridge")).status_code == 200

    as_user(client, world.owner)
    client.post(url("accounts:workspace_member_remove", "northbridge", newcomer.pk))
    assert not Membership.objects.filter(user=newcomer, organisation=world.provider).exists()
    assert as_user(client, newcomer).get(url("catalog:workspace_catalog", "northbridge")).status_code == 404


def test_bad_member_input_and_the_last_owner_rule_write_nothing(client, world):
    as_user(client, world.owner)
    before = list(Membership.objects.order_by("pk").values_list("user_id", "organisation_id", "role"))
    response = client.post(
        url("accounts:workspace_members", "northbridge"), {"email": "not-an-address", "role": "grader"}
    )
    assert "Enter a valid email address." in html_of(response)
    response = client.post(
        url("accounts:workspace_members", "northbridge"), {"email": "instructor@example.org", "role": "owner"}
    )
    assert "instructor@example.org is already a member (instructor)" in html_of(response)
    response = client.post(
        url("accounts:workspace_members", "northbridge"), {"email": "learner@example.org", "role": "boss"}
    )
    assert "Select a valid choice." in html_of(response)

    response = client.post(url("accounts:workspace_member_remove", "northbridge", world.owner.pk), follow=True)
    assert "An organisation keeps at least one owner." in messages_of(response)
    response = client.post(
        url("accounts:workspace_member_role", "northbridge", world.owner.pk), {"role": "instructor"}, follow=True
    )
    assert any("keeps at least one owner" in m for m in messages_of(response))
    assert (
        client.post(url("accounts:workspace_member_remove", "northbridge", world.other_instructor.pk)).status_code
        == 404
    )
    assert list(Membership.objects.order_by("pk").values_list("user_id", "organisation_id", "role")) == before


def test_an_owner_who_steps_down_is_sent_to_their_organisations(client, world):
    second = UserFactory()
    MembershipFactory(user=second, organisation=world.provider, role="owner")
    as_user(client, world.owner)
    response = client.post(url("accounts:workspace_member_role", "northbridge", world.owner.pk), {"role": "instructor"})
    assert response["Location"] == url("accounts:workspace")
    assert client.get(url("accounts:workspace_members", "northbridge")).status_code == 404


# --- Query counts ----------------------------------------------------------------------------------


def test_catalog_workspace_query_count_does_not_grow_with_the_catalog(client, world, django_assert_num_queries):
    for n in range(3):
        build_microcredential(provider=world.provider, slug=f"mc-{n}", title=f"Course {n}")
    MicroCredential.objects.filter(slug="mc-0").first()
    as_user(client, world.instructor)
    first = MicroCredential.objects.get(slug="mc-0")
    client.post(url("catalog:workspace_mc_new_version", "northbridge", first.pk))
    enrolment_create(actor=world.learner, microcredential=first)
    client.get(url("catalog:workspace_catalog", "northbridge"))  # warm the session

    # session + user, organisation + membership guard, role for the tabs, the catalog, industries-free
    with django_assert_num_queries(6):
        response = client.get(url("catalog:workspace_catalog", "northbridge"))
    assert html_of(response).count('class="card ws-family"') == 3
    for n in range(3, 8):
        build_microcredential(provider=world.provider, slug=f"mc-{n}", title=f"Course {n}")
    with django_assert_num_queries(6):
        response = client.get(url("catalog:workspace_catalog", "northbridge"))
    assert html_of(response).count('class="card ws-family"') == 8
    assert Enrolment.objects.count() == 1 and "1 learner" in html_of(response)
