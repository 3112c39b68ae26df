"""Settings of the real task worker that ``test_cohort_runs`` starts and kills: the test settings
with the production task backend (the database), and the test suite's public site name."""

from microcred.config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SITE_URL = "https://academy.example"
