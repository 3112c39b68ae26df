"""The platform acts as an explicit SYSTEM actor; a forgotten actor (None) is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from microcred.accounts.permissions import has_org_role, require_authenticated, require_org_role
from microcred.catalog.models import MicroCredential
from microcred.catalog.services import microcredential_create
from microcred.core.actors import SYSTEM, MissingActor, SystemActor, actor_from_id, actor_id_of
from microcred.core.errors import AuthenticationRequired, PermissionDenied
from microcred.core.models import ActorKind, AuditLog
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, microcredential_fields

pytestmark = pytest.mark.django_db

CATALOG = Path(__file__).parent.parent / "cli" / "data" / "small_catalog.json"


def test_system_is_one_actor_that_passes_organisation_checks_but_is_no_person():
    org = OrganisationFactory()
    assert SystemActor() is SYSTEM and str(SYSTEM) == "system"
    assert has_org_role(SYSTEM, org)
    require_org_role(SYSTEM, org)
    with pytest.raises(AuthenticationRequired):
        require_authenticated(SYSTEM)


def test_none_is_refused_by_every_permission_check_instead_of_acting_as_superuser():
    org = OrganisationFactory()
    for check in (
        lambda: has_org_role(None, org),
        lambda: require_org_role(None, org),
        lambda: require_authenticated(None),
    ):
        with pytest.raises(MissingActor, match="pass the user acting, or SYSTEM"):
            check()
    assert issubclass(MissingActor, TypeError)


def test_a_service_called_with_actor_none_writes_nothing():
    org = OrganisationFactory()
    with pytest.raises(MissingActor):
        microcredential_create(actor=None, provider=org, **microcredential_fields())
    assert not MicroCredential.objects.exists()
    assert microcredential_create(actor=SYSTEM, provider=org, **microcredential_fields()).pk


def test_people_are_still_checked_as_before():
    org = OrganisationFactory()
    member, outsider = UserFactory(), UserFactory()
    MembershipFactory(user=member, organisation=org, role="instructor")
    require_org_role(member, org)
    with pytest.raises(PermissionDenied):
        require_org_role(outsider, org)


def test_tasks_carry_the_system_as_no_id_and_a_vanished_user_as_nobody():
    user = UserFactory()
    assert actor_id_of(SYSTEM) is None and actor_from_id(None) is SYSTEM
    assert actor_id_of(user) == user.pk and actor_from_id(user.pk) == user
    gone = user.pk
    user.delete()
    stranger = actor_from_id(gone)
    assert stranger is not SYSTEM and not stranger.is_authenticated
    with pytest.raises(AuthenticationRequired):
        require_org_role(stranger, OrganisationFactory())
    with pytest.raises(MissingActor):
        actor_id_of(None)


def _import(tmp_path: Path, document: dict, *args: str) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    call_command("catalog_import", str(path), *args, stdout=io.StringIO())


def test_audit_rows_of_a_command_run_without_as_say_system_and_with_as_name_the_person(tmp_path):
    document = json.loads(CATALOG.read_text(encoding="utf-8"))
    _import(tmp_path, document)
    document["microcredentials"][1]["title"] = "Budgeting Basics, revised"
    _import(tmp_path, document)  # the draft's modules are replaced, and audited, by the system
    system_rows = list(AuditLog.objects.filter(action="module.delete"))
    assert system_rows
    assert {(row.actor_id, row.actor_kind) for row in system_rows} == {(None, ActorKind.SYSTEM)}

    person = UserFactory(email="editor@example.org")
    MembershipFactory(user=person, organisation=MicroCredential.objects.first().provider, role="instructor")
    document["microcredentials"][1]["title"] = "Budgeting Basics, third edition"
    _import(tmp_path, document, "--as", "editor@example.org")
    person_rows = AuditLog.objects.filter(action="module.delete").exclude(pk__in=[row.pk for row in system_rows])
    assert person_rows.exists()
    assert {(row.actor_id, row.actor_kind) for row in person_rows} == {(person.pk, ActorKind.PERSON)}
