from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_and_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
