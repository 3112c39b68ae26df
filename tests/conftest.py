from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_and_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_collection_modifyitems(config, items):
    """`postgres_only` tests need PostgreSQL's row locks and concurrency: skip them elsewhere."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture
def schema_restored_after():
    """For a test that migrates back to test a data migration: every later test in the worker
    expects the latest schema, so migrate forward again, whatever the test did."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def apps_as_migrated():
    """The models as the database stands now, mid-way through a migration test: today's model
    classes would ask for columns that later migrations add."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.loader.project_state(sorted(executor.recorder.applied_migrations())).apps
