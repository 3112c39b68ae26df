"""Admin writes go through the services: the same rules as the workspace and the API, an audit
row where the service keeps one, and a refusal shown as a message with nothing changed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from microcred.accounts.models import ApiToken, Membership, User
from microcred.assessment.models import Choice, Question, QuestionBank, Quiz
from microcred.assessment.services import quiz_lesson_create
from microcred.catalog.models import Lesson, MicroCredential, MicroCredentialSkill, Module, Status
from microcred.catalog.services import microcredential_publish
from microcred.core.actors import SYSTEM
from microcred.core.models import AuditLog
from tests.admin.helpers import admin_url, form_data
from tests.factories import MembershipFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "kind": "single",
        "text": "Which is a prime?",
        "choices": [{"text": "4", "correct": False}, {"text": "7", "correct": True}],
    },
    {
        "kind": "multiple",
        "text": "Which are even?",
        "choices": [{"text": "2", "correct": True}, {"text": "3", "correct": False}, {"text": "8", "correct": True}],
    },
]


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


@pytest.fixture
def draft_quiz(world) -> Quiz:
    module = world["draft"].modules.get()
    lesson = quiz_lesson_create(actor=SYSTEM, module=module, title="Check", questions=QUESTIONS, max_attempts=3)
    return lesson.quiz


def single_choice_question(quiz: Quiz) -> Question:
    return quiz.bank.questions.get(kind="single")


# Questions and choices


def test_single_choice_question_with_two_correct_choices_is_refused(client, draft_quiz):
    question = single_choice_question(draft_quiz)
    url = admin_url(Question, "change", question.pk)
    data = form_data(client.get(url))
    data.update(
        {k.replace("-text", "-is_correct"): "on" for k in data if k.startswith("choices-") and k[-5:] == "-text"}
    )
    data["text"] = "Renamed"
    response = client.post(url, data, follow=True)
    assert messages_of(response) == [
        ("error", "This question: a single-choice question has exactly one correct choice.")
    ]
    question.refresh_from_db()
    assert question.text == "Which is a prime?"
    assert list(question.choices.values_list("text", "is_correct")) == [("4", False), ("7", True)]
    assert not AuditLog.objects.filter(action="question.update").exists()


def test_multiple_choice_question_needs_a_wrong_choice(client, draft_quiz):
    question = draft_quiz.bank.questions.get(kind="multiple")
    url = admin_url(Question, "change", question.pk)
    data = form_data(client.get(url))
    for key in [k for k in data if k.endswith("-text") and k.startswith("choices-")]:
        data[key.replace("-text", "-is_correct")] = "on"
    response = client.post(url, data, follow=True)
    assert "needs at least one correct and one wrong choice" in messages_of(response)[0][1]
    assert question.choices.filter(is_correct=False).count() == 1


def test_question_edit_goes_through_the_service_and_is_audited(client, staff, draft_quiz):
    question = single_choice_question(draft_quiz)
    url = admin_url(Question, "change", question.pk)
    data = form_data(client.get(url))
    data["text"] = "Which number is prime?"
    data["choices-0-is_correct"] = "on"
    data.pop("choices-1-is_correct")
    response = client.post(url, data, follow=True)
    assert [level for level, _ in messages_of(response)] == ["success"]
    question.refresh_from_db()
    assert question.text == "Which number is prime?"
    assert list(question.choices.values_list("text", "is_correct")) == [("4", True), ("7", False)]
    assert AuditLog.objects.get(action="question.update", target_id=str(question.pk)).actor == staff


def test_question_added_with_its_choices(client, staff, draft_quiz):
    bank = draft_quiz.bank
    page = client.get(admin_url(Question, "add"))
    data = form_data(page)
    data.update(
        {
            "bank": bank.pk,
            "kind": "single",
            "text": "Capital of France?",
            "points": 2,
            "choices-0-text": "Paris",
            "choices-0-is_correct": "on",
            "choices-1-text": "Lyon",
        }
    )
    response = client.post(admin_url(Question, "add"), data, follow=True)
    assert [level for level, _ in messages_of(response)] == ["success"]
    question = bank.questions.get(text="Capital of France?")
    assert question.position == 3 and question.points == 2
    assert list(question.choices.values_list("text", "is_correct")) == [("Paris", True), ("Lyon", False)]
    assert AuditLog.objects.filter(action="question.create", target_id=str(question.pk), actor=staff).exists()


def test_question_without_enough_choices_is_not_added(client, draft_quiz):
    data = form_data(client.get(admin_url(Question, "add")))
    data.update({"bank": draft_quiz.bank.pk, "kind": "single", "text": "Alone?", "points": 1})
    data.update({"choices-0-text": "Yes", "choices-0-is_correct": "on"})
    response = client.post(admin_url(Question, "add"), data, follow=True)
    assert "at least two choices" in messages_of(response)[0][1]
    assert not Question.objects.filter(text="Alone?").exists()


def test_question_delete_keeps_the_quiz_drawable(client, staff, draft_quiz):
    Quiz.objects.filter(pk=draft_quiz.pk).update(question_count=2)
    question = single_choice_question(draft_quiz)
    response = client.post(admin_url(Question, "delete", question.pk), {"post": "yes"}, follow=True)
    assert "draws more questions than would be left" in messages_of(response)[0][1]
    assert Question.objects.filter(pk=question.pk).exists()

    Quiz.objects.filter(pk=draft_quiz.pk).update(question_count=None)
    client.post(admin_url(Question, "delete", question.pk), {"post": "yes"})
    assert not Question.objects.filter(pk=question.pk).exists()
    assert AuditLog.objects.filter(action="question.delete", actor=staff).exists()


def test_questions_of_a_published_quiz_cannot_be_changed(client, draft_quiz, world):
    question = single_choice_question(draft_quiz)
    url = admin_url(Question, "change", question.pk)
    data = form_data(client.get(url))
    microcredential_publish(actor=SYSTEM, microcredential=world["draft"])
    data["text"] = "Changed under the learners"
    assert client.post(url, data).status_code == 403
    assert 'name="_save"' not in client.get(url).content.decode()
    question.refresh_from_db()
    assert question.text == "Which is a prime?"


def test_choices_are_only_edited_on_their_question(client, draft_quiz):
    choice = Choice.objects.filter(question__bank=draft_quiz.bank).first()
    assert client.get(admin_url(Choice, "add")).status_code == 403
    assert client.post(admin_url(Choice, "change", choice.pk), {"text": "x"}).status_code == 403


def test_bank_title_and_quiz_settings_go_through_services(client, staff, draft_quiz):
    bank = draft_quiz.bank
    url = admin_url(QuestionBank, "change", bank.pk)
    data = form_data(client.get(url))
    data["title"] = "Numbers"
    client.post(url, data)
    bank.refresh_from_db()
    assert bank.title == "Numbers"
    assert AuditLog.objects.filter(action="question_bank.update", target_id=str(bank.pk), actor=staff).exists()

    url = admin_url(Quiz, "change", draft_quiz.pk)
    data = form_data(client.get(url))
    data["question_count"] = 5  # the bank has two questions
    response = client.post(url, data, follow=True)
    assert "question_count must be between 1 and the number of questions." in messages_of(response)[0][1]
    data["question_count"] = 1
    data["passing_score"] = 80
    client.post(url, data)
    draft_quiz.refresh_from_db()
    assert (draft_quiz.question_count, draft_quiz.passing_score) == (1, 80)
    row = AuditLog.objects.get(action="quiz.update", target_id=str(draft_quiz.pk))
    assert row.data["fields"] == ["passing_score", "question_count"]


# Modules, lessons, skills and draft versions


def test_module_rename_goes_through_the_service(client, world):
    module = world["draft"].modules.get()
    url = admin_url(Module, "change", module.pk)
    data = form_data(client.get(url))
    data["title"] = "The only module"
    data["position"] = 4
    response = client.post(url, data, follow=True)
    assert [level for level, _ in messages_of(response)] == ["success"]
    module.refresh_from_db()
    assert (module.title, module.position) == ("The only module", 4)


def test_module_of_a_published_version_cannot_be_changed_or_deleted(client, world):
    module = world["published"].modules.first()
    url = admin_url(Module, "change", module.pk)
    assert client.post(url, {"title": "Hijacked", "position": 1}).status_code == 403
    assert client.post(admin_url(Module, "delete", module.pk), {"post": "yes"}).status_code == 403
    module.refresh_from_db()
    assert module.title == "Getting started"


def test_modules_added_changed_and_removed_on_the_microcredential_page(client, staff, world, draft_quiz):
    draft = world["draft"]
    url = admin_url(MicroCredential, "change", draft.pk)
    data = form_data(client.get(url))
    assert data["modules-TOTAL_FORMS"] == 1
    data["modules-0-DELETE"] = "on"
    data.update({"modules-TOTAL_FORMS": 2, "modules-1-title": "Fresh start", "modules-1-position": 2})
    response = client.post(url, data, follow=True)
    assert [level for level, _ in messages_of(response)] == ["success"]
    assert list(draft.modules.values_list("title", flat=True)) == ["Fresh start"]
    # module_delete discarded the quiz of the removed lesson with its bank, and left a trail.
    assert not Quiz.objects.filter(pk=draft_quiz.pk).exists()
    assert AuditLog.objects.filter(action="module.delete", target_id=str(draft.pk), actor=staff).exists()


def test_lesson_removed_in_the_module_inline_goes_through_the_service(client, staff, world, draft_quiz):
    module = world["draft"].modules.get()
    url = admin_url(Module, "change", module.pk)
    data = form_data(client.get(url))
    quiz_row = next(k for k, v in data.items() if k.endswith("-title") and v == "Check")
    data[quiz_row.replace("-title", "-DELETE")] = "on"
    client.post(url, data)
    assert list(module.lessons.values_list("title", flat=True)) == ["Read me"]
    assert not Quiz.objects.filter(pk=draft_quiz.pk).exists()
    assert AuditLog.objects.get(action="lesson.delete", actor=staff).data == {"lesson": "Check"}


def test_lesson_and_module_delete_pages_use_the_services(client, staff, world):
    module = world["draft"].modules.get()
    lesson = module.lessons.get()
    client.post(admin_url(Lesson, "delete", lesson.pk), {"post": "yes"})
    assert AuditLog.objects.filter(action="lesson.delete", actor=staff).exists()
    client.post(admin_url(Module, "delete", module.pk), {"post": "yes"})
    assert not Module.objects.filter(pk=module.pk).exists()
    assert AuditLog.objects.filter(action="module.delete", actor=staff).exists()


def test_bulk_delete_is_not_offered_where_deleting_has_rules(client, world):
    for model in (MicroCredential, Module, Lesson, Membership, Question):
        page = client.get(admin_url(model, "changelist")).content.decode()
        assert 'value="delete_selected"' not in page, model


def test_skill_links_are_set_through_the_update_service(client, staff, world):
    draft = world["draft"]
    skill = SkillFactory()
    url = admin_url(MicroCredential, "change", draft.pk)
    data = form_data(client.get(url))
    data.update({"skill_links-TOTAL_FORMS": 1, "skill_links-0-skill": skill.pk, "skill_links-0-target_level": "expert"})
    response = client.post(url, data, follow=True)
    assert [level for level, _ in messages_of(response)] == ["success"]
    assert MicroCredentialSkill.objects.get(microcredential=draft).target_level == "expert"
    assert AuditLog.objects.filter(action="microcredential.update", target_id=str(draft.pk), actor=staff).exists()
    assert client.get(admin_url(MicroCredentialSkill, "add")).status_code == 403


def test_draft_deleted_through_the_service_published_kept(client, staff, world):
    draft, published = world["draft"], world["published"]
    MicroCredentialSkill.objects.create(microcredential=draft, skill=SkillFactory(), target_level="beginner")
    client.post(admin_url(MicroCredential, "delete", draft.pk), {"post": "yes"})
    assert not MicroCredential.objects.filter(pk=draft.pk).exists()
    assert AuditLog.objects.get(action="microcredential.delete", target_id=str(draft.pk)).actor == staff
    assert client.post(admin_url(MicroCredential, "delete", published.pk), {"post": "yes"}).status_code == 403
    assert MicroCredential.objects.filter(pk=published.pk, status=Status.PUBLISHED).exists()


# Accounts


def test_user_change_is_audited_with_the_changed_fields(client, staff, world):
    learner = world["learner"]
    url = admin_url(User, "change", learner.pk)
    data = form_data(client.get(url))
    data["full_name"] = "  Ada King "
    data["is_staff"] = "on"
    response = client.post(url, data, follow=True)
    assert [level for level, _ in messages_of(response)] == ["success"]
    learner.refresh_from_db()
    assert learner.full_name == "Ada King" and learner.is_staff
    row = AuditLog.objects.get(action="user.update", target_id=str(learner.pk))
    assert row.actor == staff and row.data == {"fields": ["full_name", "is_staff"]}


def test_only_a_superuser_grants_superuser(client, world):
    editor = UserFactory(email="editor@example.org", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(editor)
    learner = world["learner"]
    url = admin_url(User, "change", learner.pk)
    data = form_data(client.get(url))
    data["is_superuser"] = "on"
    response = client.post(url, data, follow=True)
    assert ("error", "Only a superuser can change superuser status, groups or permissions.") in messages_of(response)
    learner.refresh_from_db()
    assert not learner.is_superuser
    assert not AuditLog.objects.filter(action="user.update").exists()


def test_a_superuser_cannot_lock_themselves_out(client, staff):
    url = admin_url(User, "change", staff.pk)
    data = form_data(client.get(url))
    data.pop("is_active")
    response = client.post(url, data, follow=True)
    assert ("error", "You cannot remove your own access; ask another superuser.") in messages_of(response)
    staff.refresh_from_db()
    assert staff.is_active


def test_password_change_goes_through_the_service(client, staff, world):
    learner = world["learner"]
    url = reverse("admin:auth_user_password_change", args=[learner.pk])
    too_short = client.post(url, {"password1": "abc", "password2": "abc", "usable_password": "true"})
    assert too_short.status_code == 200 and too_short.context["form"].errors
    response = client.post(
        url,
        {"password1": "correct-horse-battery-9", "password2": "correct-horse-battery-9", "usable_password": "true"},
        follow=True,
    )
    assert ("success", "Password changed successfully.") in messages_of(response)
    learner.refresh_from_db()
    assert learner.check_password("correct-horse-battery-9")
    row = AuditLog.objects.get(action="user.set_password", target_id=str(learner.pk))
    assert row.actor == staff and row.data == {"usable": True}
    assert "correct-horse" not in str(row.data)


def test_membership_added_and_last_owner_kept_on_the_user_page(client, world):
    provider = world["provider"]
    learner = world["learner"]
    url = admin_url(User, "change", learner.pk)
    data = form_data(client.get(url))
    data.update(
        {"memberships-TOTAL_FORMS": 1, "memberships-0-organisation": provider.pk, "memberships-0-role": "grader"}
    )
    client.post(url, data)
    assert Membership.objects.get(organisation=provider, user=learner).role == "grader"

    owner = Membership.objects.get(organisation=provider, role="owner").user
    url = admin_url(User, "change", owner.pk)
    data = form_data(client.get(url))
    data["memberships-0-DELETE"] = "on"
    response = client.post(url, data, follow=True)
    assert ("error", "An organisation keeps at least one owner.") in messages_of(response)
    assert Membership.objects.filter(organisation=provider, user=owner, role="owner").exists()


def test_membership_changes_need_an_owner_or_superuser(client, world):
    provider = world["provider"]
    editor = UserFactory(email="editor@example.org", is_staff=True)
    codenames = ["view_user", "change_user", "view_membership", "add_membership", "change_membership"]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    MembershipFactory(organisation=provider, user=editor, role="instructor")
    client.force_login(editor)
    learner = world["learner"]
    url = admin_url(User, "change", learner.pk)
    data = form_data(client.get(url))
    data.update(
        {"memberships-TOTAL_FORMS": 1, "memberships-0-organisation": provider.pk, "memberships-0-role": "owner"}
    )
    response = client.post(url, data, follow=True)
    assert ("error", "You do not have a role in this organisation that allows this.") in messages_of(response)
    assert not Membership.objects.filter(organisation=provider, user=learner).exists()


def test_api_token_is_revoked_not_deleted(client, staff, world):
    token = world["token"]
    assert client.post(admin_url(ApiToken, "delete", token.pk), {"post": "yes"}).status_code == 403
    response = client.post(
        admin_url(ApiToken, "changelist"), {"action": "revoke_selected", "_selected_action": [token.pk]}, follow=True
    )
    assert ("success", "Revoked: 1.") in messages_of(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditLog.objects.get(action="api_token.revoke", target_id=str(token.pk)).actor == staff
