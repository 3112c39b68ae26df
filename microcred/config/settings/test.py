"""Tests: fast hashing, in-memory mail, tasks run immediately. DATABASE_URL picks the database."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT

# WhiteNoise warns about a missing static root on every request otherwise.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

DEBUG = False
SECRET_KEY = "microcred-test-secret-key-not-for-production-000000"
ALLOWED_HOSTS = ["*"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
MICROCRED_REMOTE_FETCH = False
# Suites verify many times from one client; the rate-limit tests set their own rates.
MICROCRED_VERIFY_RATE = "100000/m"
MICROCRED_VERIFY_RATE_AUTHENTICATED = "100000/m"
# Suites register many OB 3.0 API clients from one address; the throttle test sets its own rate.
MICROCRED_OBAPI_REGISTRATION_RATE = "100000/h"
# Each view counted at once, so a test sees it (tests/credentials/test_engagement.py tests the buffer).
MICROCRED_ENGAGEMENT_FLUSH_SECONDS = 0
