"""The staff admin: every model's pages render, actions go through services, and records that
only services may write (grading, progress, audit, tokens, published content) stay read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin

from microcred.accounts.models import ApiToken, LearnerProfile, Membership, User
from microcred.accreditation.models import Accreditation, AccreditationStatus
from microcred.catalog.models import Lesson, MicroCredential, Status
from microcred.catalog.services import microcredential_create
from microcred.core.actors import SYSTEM
from microcred.core.models import AuditLog
from microcred.learning.models import Completion
from tests.admin.helpers import admin_url, form_data
from tests.factories import (
    UserFactory,
    microcredential_fields,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "accounts", "accreditation", "skills", "catalog", "assessment", "learning"}


def our_model_admins() -> list[tuple[Any, admin.ModelAdmin]]:
    return [(model, ma) for model, ma in admin.site._registry.items() if model._meta.app_label in OUR_APPS]


def test_every_model_is_registered():
    registered = {model for model, _ in our_model_admins()}
    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours - registered == set()


def test_changelist_change_and_add_pages_render_for_every_model(client, world):
    for model, model_admin in our_model_admins():
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
        obj = model.objects.order_by("pk").first()
        assert obj is not None, f"no {model.__name__} in the test data"
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
        add = client.get(admin_url(model, "add"))
        assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403), model


def test_changelist_search_works_everywhere(client, world):
    for model, model_admin in our_model_admins():
        if model_admin.search_fields:
            assert client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200, model


def test_publish_action_publishes_through_the_service_and_audits(client, staff, world):
    draft = world["draft"]
    response = client.post(
        admin_url(MicroCredential, "changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_at is not None
    row = AuditLog.objects.get(action="microcredential.publish", target_id=str(draft.pk))
    assert row.actor == staff
    assert "Published: 1." in response.content.decode()


def test_publish_action_reports_a_refusal_and_changes_nothing(client, staff, world):
    empty = microcredential_create(
        actor=SYSTEM, provider=world["provider"], **microcredential_fields(slug="empty", title="Empty")
    )
    response = client.post(
        admin_url(MicroCredential, "changelist"),
        {"action": "publish_selected", "_selected_action": [empty.pk]},
        follow=True,
    )
    assert "Add at least one lesson before publishing." in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == Status.DRAFT
    assert not AuditLog.objects.filter(action="microcredential.publish", target_id=str(empty.pk)).exists()


def test_new_version_action_makes_an_editable_draft(client, world):
    published = world["published"]
    client.post(
        admin_url(MicroCredential, "changelist"), {"action": "new_version_selected", "_selected_action": [published.pk]}
    )
    draft = MicroCredential.objects.get(family=published.family, version=2)
    assert draft.status == Status.DRAFT
    assert Lesson.objects.filter(module__microcredential=draft).count() == 3


def test_published_version_is_view_only(client, world):
    published = world["published"]
    url = admin_url(MicroCredential, "change", published.pk)
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    assert 'name="title"' not in page  # shown, not as an input
    response = client.post(url, {"title": "Hijacked"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title == "Data Basics"


def test_draft_edit_goes_through_the_update_service(client, staff, world):
    draft = world["draft"]
    url = admin_url(MicroCredential, "change", draft.pk)
    data = form_data(client.get(url))
    data["title"] = "Draft Course, improved"
    response = client.post(url, data, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    draft.refresh_from_db()
    assert draft.title == "Draft Course, improved" and draft.version == 1 and draft.status == Status.DRAFT
    assert AuditLog.objects.filter(action="microcredential.update", target_id=str(draft.pk), actor=staff).exists()


def test_lesson_edited_in_the_module_inline_gets_its_markdown_rendered(client, world):
    module = world["draft"].modules.get()
    url = admin_url(module.__class__, "change", module.pk)
    data = form_data(client.get(url))
    body_key = next(k for k in data if k.endswith("-body"))
    data[body_key] = "Now with **bold** text"
    response = client.post(url, data)
    assert response.status_code == 302
    lesson = module.lessons.get()
    assert lesson.body == "Now with **bold** text"
    assert "<strong>bold</strong>" in lesson.body_html


def test_accreditation_suspend_action_uses_the_service(client, staff, world):
    accreditation = world["accreditation"]
    client.post(
        admin_url(Accreditation, "changelist"),
        {"action": "suspend_selected", "_selected_action": [accreditation.pk]},
    )
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.SUSPENDED
    assert AuditLog.objects.get(action="accreditation.suspended", target_id=str(accreditation.pk)).actor == staff


def test_audit_log_cannot_be_added_changed_or_deleted(client, world):
    row = AuditLog.objects.first()
    assert client.get(admin_url(AuditLog, "add")).status_code == 403
    assert client.post(admin_url(AuditLog, "change", row.pk), {"action": "forged"}).status_code == 403
    assert client.post(admin_url(AuditLog, "delete", row.pk), {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.action != "forged"


def test_grading_records_are_read_only(client, world):
    from microcred.assessment.models import Attempt
    from microcred.learning.models import Enrolment, LessonProgress

    for model in (Attempt, Completion, LessonProgress, Enrolment):
        obj = model.objects.first()
        page = client.get(admin_url(model, "change", obj.pk)).content.decode()
        assert 'name="_save"' not in page, model
        assert client.get(admin_url(model, "add")).status_code == 403, model
        assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403, model


def test_api_token_pages_never_show_the_hash(client, world):
    token = world["token"]
    assert token.token_hash
    for url in (admin_url(ApiToken, "changelist"), admin_url(ApiToken, "change", token.pk)):
        page = client.get(url).content.decode()
        assert token.prefix in page
        assert token.token_hash not in page and world["secret"] not in page
    assert client.get(admin_url(ApiToken, "add")).status_code == 403


def test_adding_a_user_goes_through_the_service_and_gets_a_profile(client):
    User.objects.create_superuser(email="boss@example.org", password="x")
    client.login(email="boss@example.org", password="x")
    response = client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Example.org",
            "full_name": "New Person",
            "password1": "a-long-safe-passphrase-42",
            "password2": "a-long-safe-passphrase-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password("a-long-safe-passphrase-42")
    assert LearnerProfile.objects.filter(user=user).exists()


def test_membership_inline_keeps_the_last_owner(client, world):
    provider = world["provider"]
    url = admin_url(provider.__class__, "change", provider.pk)
    data = form_data(client.get(url))
    delete_key = next(k for k in data if k.startswith("memberships-0-"))[: len("memberships-0-")] + "DELETE"
    data[delete_key] = "on"
    response = client.post(url, data, follow=True)
    assert "An organisation keeps at least one owner." in response.content.decode()
    assert Membership.objects.filter(organisation=provider, role="owner").count() == 1


def test_non_staff_are_sent_to_the_login_page(client):
    client.force_login(UserFactory())
    response = client.get(admin_url(MicroCredential, "changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_site_header():
    assert admin.site.site_header == "Microcred administration"
