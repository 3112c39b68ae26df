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
