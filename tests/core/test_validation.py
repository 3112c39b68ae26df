"""``full_clean_or_fail``: the one place a model's ``full_clean`` becomes our ``ValidationFailed``."""

import pytest

from microcred.accounts.models import Organisation, User
from microcred.core.errors import ValidationFailed, full_clean_or_fail


@pytest.mark.django_db
def test_field_errors_become_validation_failed_with_each_field_message():
    organisation = Organisation(kind="provider", name="", slug="not a slug", country="FR")
    with pytest.raises(ValidationFailed) as caught:
        full_clean_or_fail(organisation)
    assert set(caught.value.errors) >= {"name", "slug"}
    assert caught.value.code == "validation_failed"
    assert "name:" in caught.value.message and "slug:" in caught.value.message


@pytest.mark.django_db
def test_options_reach_full_clean():
    user = User(email="someone@example.org", full_name="Someone")
    with pytest.raises(ValidationFailed) as caught:
        full_clean_or_fail(user)
    assert "password" in caught.value.errors
    full_clean_or_fail(user, exclude=["password"], validate_unique=False)


@pytest.mark.django_db
def test_a_valid_instance_passes_unchanged():
    organisation = Organisation(kind="provider", name="Acme", slug="acme", country="FR")
    full_clean_or_fail(organisation)
    assert organisation.pk is None
