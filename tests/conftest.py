from __future__ import annotations

import threading

import pytest

# The 390 px Chromium context the phone-sized browser tests share (tests/web/browser.py).
from tests.web.browser import phone  # noqa: F401


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


class _OneRequestAtATime:
    """The live server's application, one request at a time while a browser test runs. With SQLite in
    memory, the live server's threads share the test's one connection (Django's
    ``connections_override``), so a page's requests at once (an autosave racing a submit) would start
    a transaction within a transaction. Other live-server tests (the verifier's hardening) need
    requests served side by side, so the lock is taken only for tests marked ``browser``. The
    response is read whole inside the lock, since a streamed body also reads the database."""

    serialised = threading.Event()

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not self.serialised.is_set():
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


@pytest.fixture(scope="session", autouse=True)
def _live_server_can_serve_one_request_at_a_time():
    from django.test.testcases import LiveServerThread

    create_server = LiveServerThread._create_server

    def _create_server(self, connections_override=None):
        server = create_server(self, connections_override=connections_override)
        set_app = server.set_app
        server.set_app = lambda app: set_app(_OneRequestAtATime(app))
        return server

    LiveServerThread._create_server = _create_server
    yield
    LiveServerThread._create_server = create_server


@pytest.fixture(autouse=True)
def _browser_tests_one_request_at_a_time(request):
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    _OneRequestAtATime.serialised.set()
    yield
    _OneRequestAtATime.serialised.clear()
