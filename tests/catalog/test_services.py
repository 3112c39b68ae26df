"""Catalog write path: who may edit what, and published content never changing under learners."""

from __future__ import annotations

from datetime import date

import pytest

from microcred.accounts.services import membership_add, organisation_create, user_create
from microcred.accreditation.selectors import current_accreditations
from microcred.accreditation.services import accreditation_grant
from microcred.catalog.models import Lesson, MicroCredential, Status
from microcred.catalog.selectors import CatalogFilters, microcredential_search
from microcred.catalog.services import (
    lesson_create,
    microcredential_create,
    microcredential_publish,
    microcredential_update,
    module_create,
)
from microcred.core.actors import SYSTEM
from microcred.core.errors import AuthenticationRequired, Conflict, PermissionDenied, ValidationFailed
from microcred.core.models import AuditLog
from microcred.learning.services import enrolment_create
from tests.factories import (
    AccreditorFactory,
    OrganisationFactory,
    UserFactory,
    microcredential_fields,
    published_microcredential,
)

pytestmark = pytest.mark.django_db


def staff_of(provider, role="instructor"):
    user = UserFactory()
    membership_add(actor=SYSTEM, organisation=provider, user=user, role=role)
    return user


def test_instructor_of_one_provider_cannot_touch_another_providers_catalog():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    instructor = staff_of(mine)
    their_mc = published_microcredential(provider=theirs)
    with pytest.raises(PermissionDenied):
        microcredential_create(actor=instructor, provider=theirs, **microcredential_fields(slug="intruder"))
    with pytest.raises(PermissionDenied):
        microcredential_update(actor=instructor, microcredential=their_mc, title="Hijacked")
    with pytest.raises(PermissionDenied):
        module_create(actor=instructor, microcredential=their_mc, title="Sneaky module")
    assert MicroCredential.objects.filter(provider=theirs).count() == 1
    assert MicroCredential.objects.get(provider=theirs).title == "Data Basics"
    # Their own provider works.
    own = microcredential_create(actor=instructor, provider=mine, **microcredential_fields(slug="mine"))
    assert own.status == Status.DRAFT and own.awarding_body == mine.name


def test_learners_graders_and_anonymous_cannot_edit_the_catalog():
    provider = OrganisationFactory()
    mc = published_microcredential(provider=provider)
    learner = UserFactory()
    grader = staff_of(provider, role="grader")
    with pytest.raises(PermissionDenied):
        microcredential_update(actor=learner, microcredential=mc, title="Mine now")
    with pytest.raises(PermissionDenied):
        microcredential_update(actor=grader, microcredential=mc, title="Graders grade")

    class Anonymous:
        is_authenticated = False

    with pytest.raises(AuthenticationRequired):
        microcredential_update(actor=Anonymous(), microcredential=mc, title="Nobody")
    assert MicroCredential.objects.count() == 1


def test_editing_a_published_microcredential_makes_a_new_version_and_keeps_the_old_for_its_learners():
    provider = OrganisationFactory()
    owner = staff_of(provider, role="owner")
    v1 = published_microcredential(provider=provider)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=v1)
    v1_lessons = list(Lesson.objects.filter(module__microcredential=v1).values_list("title", flat=True))

    v2 = microcredential_update(actor=owner, microcredential=v1, title="Data Basics, revised", workload_hours=30)
    assert v2.pk != v1.pk and v2.version == 2 and v2.status == Status.DRAFT and v2.family == v1.family
    v1.refresh_from_db()
    assert v1.title == "Data Basics" and v1.workload_hours == 25 and v1.status == Status.PUBLISHED
    # The copy carries the content, with its own quiz so old attempts are never regraded.
    v2_lessons = list(Lesson.objects.filter(module__microcredential=v2).values_list("title", flat=True))
    assert v2_lessons == v1_lessons
    v1_quiz = Lesson.objects.get(module__microcredential=v1, kind="quiz").quiz
    v2_quiz = Lesson.objects.get(module__microcredential=v2, kind="quiz").quiz
    assert v1_quiz.pk != v2_quiz.pk

    # Published content itself is read-only.
    with pytest.raises(Conflict):
        module_create(actor=owner, microcredential=v1, title="Bolted on")

    microcredential_publish(actor=owner, microcredential=v2)
    v1.refresh_from_db()
    assert v1.status == Status.ARCHIVED
    # The catalog offers only the new version; the learner keeps the one they enrolled in.
    assert [mc.pk for mc in microcredential_search(CatalogFilters())] == [v2.pk]
    enrolment.refresh_from_db()
    assert enrolment.microcredential_id == v1.pk
    with pytest.raises(Conflict):
        enrolment_create(actor=UserFactory(), microcredential=v1)
    assert AuditLog.objects.filter(action="microcredential.new_version", target_id=str(v2.pk)).exists()


def test_a_second_edit_goes_to_the_same_draft_version():
    provider = OrganisationFactory()
    owner = staff_of(provider, role="owner")
    v1 = published_microcredential(provider=provider)
    first = microcredential_update(actor=owner, microcredential=v1, title="Edit one")
    second = microcredential_update(actor=owner, microcredential=v1, summary="Edit two")
    assert first.pk == second.pk
    second.refresh_from_db()
    assert (second.title, second.summary) == ("Edit one", "Edit two")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"eqf_level": 9}, "eqf_level"),
        ({"level": "wizard"}, "level"),
        ({"participation_form": "telepathy"}, "participation_form"),
        ({"learning_outcomes": "not a list"}, "learning_outcomes"),
        ({"learning_outcomes": ["", "ok"]}, "learning_outcomes"),
        ({"price": "cheap"}, "price"),
        ({"workload_hours": 0}, "workload_hours"),
    ],
)
def test_bad_catalog_input_is_refused_and_nothing_is_written(overrides, field):
    provider = OrganisationFactory()
    with pytest.raises(ValidationFailed) as excinfo:
        microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(**overrides))
    assert field in excinfo.value.errors
    assert MicroCredential.objects.count() == 0


def test_unknown_fields_and_incomplete_lessons_are_refused():
    provider = OrganisationFactory()
    with pytest.raises(ValidationFailed):
        microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(colour="blue"))
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields())
    module = module_create(actor=SYSTEM, microcredential=mc, title="M")
    with pytest.raises(ValidationFailed):
        lesson_create(actor=SYSTEM, module=module, title="Video without a URL", kind="video")
    with pytest.raises(ValidationFailed):
        lesson_create(actor=SYSTEM, module=module, title="Quiz without a quiz", kind="quiz")
    with pytest.raises(ValidationFailed):
        microcredential_publish(actor=SYSTEM, microcredential=mc)  # no lessons yet
    assert not Lesson.objects.exists()
    mc.refresh_from_db()
    assert mc.status == Status.DRAFT


def test_reading_markdown_is_sanitised():
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields())
    module = module_create(actor=SYSTEM, microcredential=mc, title="M")
    lesson = lesson_create(
        actor=SYSTEM,
        module=module,
        title="R",
        kind="reading",
        body="**Bold** <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>",
    )
    assert "<strong>Bold</strong>" in lesson.body_html
    for bad in ("<script", "javascript:", "onerror"):
        assert bad not in lesson.body_html


def test_accreditation_is_current_only_within_its_window_and_only_accreditors_grant_it():
    accreditor, provider = AccreditorFactory(), OrganisationFactory()
    owner = UserFactory()
    membership_add(actor=SYSTEM, organisation=accreditor, user=owner, role="owner")
    accreditation_grant(
        actor=owner,
        accreditor=accreditor,
        provider=provider,
        scope="Digital skills",
        valid_from=date(2025, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    assert current_accreditations(provider=provider, today=date(2026, 6, 1)).count() == 1
    assert current_accreditations(provider=provider, today=date(2027, 1, 1)).count() == 0
    assert current_accreditations(provider=provider, today=date(2024, 12, 31)).count() == 0
    with pytest.raises(ValidationFailed):
        accreditation_grant(
            actor=SYSTEM, accreditor=provider, provider=provider, scope="Self", valid_from=date(2025, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        accreditation_grant(
            actor=UserFactory(), accreditor=accreditor, provider=provider, scope="x", valid_from=date(2025, 1, 1)
        )
    with pytest.raises(ValidationFailed):
        accreditation_grant(
            actor=owner,
            accreditor=accreditor,
            provider=provider,
            scope="Backwards",
            valid_from=date(2026, 1, 1),
            valid_until=date(2025, 1, 1),
        )


def test_signup_validates_and_does_not_duplicate_accounts():
    user_create(email="Ada@Example.org", password="a long enough passphrase 42", full_name="Ada")
    with pytest.raises(ValidationFailed):
        user_create(email="ada@example.org", password="another long passphrase 43", full_name="Ada again")
    with pytest.raises(ValidationFailed):
        user_create(email="bob@example.org", password="123", full_name="Bob")
    with pytest.raises(ValidationFailed):
        user_create(email="not-an-email", password="a long enough passphrase 42", full_name="X")
    from microcred.accounts.models import User

    assert list(User.objects.values_list("email", flat=True)) == ["ada@example.org"]


def test_organisation_founder_becomes_owner():
    founder = UserFactory()
    org = organisation_create(actor=founder, kind="employer", name="Lumen", slug="lumen", country="nl")
    assert org.country == "NL"
    assert org.memberships.get().user == founder and org.memberships.get().role == "owner"
