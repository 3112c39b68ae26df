"""Settings shared by every environment, read from environment variables.

Defaults are the safe production ones: DEBUG off, secure cookies, HSTS. Development and
tests relax them in their own modules.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Lets admin and queryset generics like ModelAdmin[Model] work at run time too.
django_stubs_ext.monkeypatch()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def cache_from_url(url: str) -> dict[str, str]:
    """``CACHE_URL``: ``locmem://`` (one process) or ``redis://host:port/db`` (shared by every
    worker, which the verification and login throttles need to count across processes)."""
    scheme = url.partition("://")[0].lower()
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"Set CACHE_URL to locmem:// or redis://host:port/db (got {url!r}).")


PACKAGE_DIR = Path(__file__).resolve().parents[2]
# Writable state (SQLite database, uploaded media) lives outside the package so an
# installed wheel works too; `make run` keeps it under ./var of the checkout.
VAR_DIR = Path(os.environ.get("MICROCRED_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSECURE_DEFAULT_SECRET_KEY = "microcred-insecure-development-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # its bundled Swagger UI assets, so /api/v1/docs works offline
    "django_tasks",
    "django_tasks_db",
    "axes",
    "microcred.core",
    "microcred.accounts",
    "microcred.accreditation",
    "microcred.skills",
    "microcred.market",
    "microcred.catalog",
    "microcred.assessment",
    "microcred.projects",
    "microcred.learning",
    "microcred.credentials",
    "microcred.exchange",
    "microcred.api",
    "microcred.verification",
    "microcred.careers",  # the learner's skill profile and career goal: above everything it reads
    "microcred.portfolio",  # the learner's public portfolio: shows what careers and credentials hold
    "oauth2_provider",  # django-oauth-toolkit: the OB 3.0 API's authorization server (ADR 0045)
    "microcred.obapi",  # the Open Badges 3.0 REST API under /ims/ob/v3p0/: imports into careers' wallet
    "microcred.web",
    "microcred.demo",  # uses every app above, and no app uses it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "microcred.core.middleware.RejectLongUrisMiddleware",
    "microcred.core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last around the views: turns a sign-in refused by the login throttle into its 429 page.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "microcred.config.urls"
WSGI_APPLICATION = "microcred.config.wsgi.application"
ASGI_APPLICATION = "microcred.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "microcred.web.context_processors.site",
                "microcred.catalog.context_processors.compare",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'microcred.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and background tasks share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "learning:dashboard"
LOGOUT_REDIRECT_URL = "catalog:home"
# The throttle comes first: a locked-out account or client is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "microcred.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes) on /login/ and /admin/login/. After MICROCRED_LOGIN_FAILURE_LIMIT
# failed sign-ins, the account (whoever tries it) and, separately, the client address (whatever
# account it tries) are refused for the cool-off period; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = int(os.environ.get("MICROCRED_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MICROCRED_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_CALLABLE = "microcred.accounts.views.auth.login_username"
AXES_CLIENT_IP_CALLABLE = "microcred.web.views.common.client_ip"
AXES_LOCKOUT_CALLABLE = "microcred.accounts.views.auth.login_locked_out"
# The start-up banner would print on every `microcred` command, `--help` included.
AXES_VERBOSE = False
# How many reverse proxies in front of the app each append the address they saw to
# X-Forwarded-For. 0 (direct exposure) uses the socket address; behind one proxy set 1, and that
# proxy must overwrite (not pass through) any X-Forwarded-For the client sent.
MICROCRED_TRUSTED_PROXIES = int(os.environ.get("MICROCRED_TRUSTED_PROXIES", "0"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Learners' project files: outside the web root and MEDIA_URL, served only by
# projects.views.submission_file after a permission check (ADR 0028).
MICROCRED_PRIVATE_MEDIA_ROOT = Path(os.environ.get("MICROCRED_PRIVATE_MEDIA_ROOT", VAR_DIR / "private")).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MICROCRED_PRIVATE_MEDIA_ROOT},
    },
}

# Security: the production defaults. dev.py relaxes the ones that need HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, never
# inline, so injected markup cannot run; images only from us or data: URLs, so author Markdown
# cannot plant tracking pixels (microcred.core.markdown refuses them too).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # A video lesson plays the file its provider hosts (Lesson.video_url).
        "media-src": ["'self'", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Longest path plus query string answered; longer gets a 414 problem or page. The WSGI server's
# and the proxy's request-line limits must be higher (gunicorn: --limit-request-line 8190).
MICROCRED_MAX_URI_LENGTH = int(os.environ.get("MICROCRED_MAX_URI_LENGTH", "4000"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Microcred <no-reply@localhost>")

CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"))}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A cohort run whose runner has not reported for this long is taken over (credentials/cohort/runs.py).
MICROCRED_COHORT_LEASE_SECONDS = int(os.environ.get("MICROCRED_COHORT_LEASE_SECONDS", "60"))

# A timed quiz attempt still takes answers this long after its deadline (network, a slow click); after
# that it is closed and graded with what was saved by the deadline (ADR 0026).
MICROCRED_QUIZ_GRACE_SECONDS = int(os.environ.get("MICROCRED_QUIZ_GRACE_SECONDS", "60"))

# Credential page views are added up in each process and written this often (ADR 0047); 0 writes
# each view at once. A process killed outright loses at most this many seconds of views.
MICROCRED_ENGAGEMENT_FLUSH_SECONDS = float(os.environ.get("MICROCRED_ENGAGEMENT_FLUSH_SECONDS", "10"))

# Who reacts to domain events (microcred/core/events.py): dotted paths of a `Subscription` or a list of
# them. The built-in list (awarding, endorsements) comes first; the environment variable adds an
# installation's own.
MICROCRED_EVENT_SUBSCRIBERS: list[str] = [
    "microcred.config.events.SUBSCRIPTIONS",
    *env_list("MICROCRED_EVENT_SUBSCRIBERS"),
]
# What higher apps add to lower apps' pages (microcred/web/parts.py): dotted paths of a part or a list of
# them. The built-in list (config/pages.py: the quiz in a lesson, the catalog file panel...) comes first.
MICROCRED_PAGE_PARTS: list[str] = [
    "microcred.config.pages.PAGE_PARTS",
    *env_list("MICROCRED_PAGE_PARTS"),
]
# Verifying foreign credentials fetches their issuers' keys and status lists (SSRF-safe fetcher).
MICROCRED_REMOTE_FETCH = env_bool("MICROCRED_REMOTE_FETCH", True)
# A JSON-LD context the verifier does not bundle makes a credential "cannot check"; on, the verifier
# fetches it instead (SSRF-safe fetcher, https only, 256 KB at most) and caches it (ADR 0042).
MICROCRED_VERIFY_FETCH_CONTEXTS = env_bool("MICROCRED_VERIFY_FETCH_CONTEXTS", False)
# Each verification runs in a sandbox worker process (at most WORKERS per web process) with this CPU
# budget (whole seconds), this much time of its own (fetches excluded) and this much more address
# space; over it, it is stopped and reported as such.
MICROCRED_VERIFY_SANDBOX = env_bool("MICROCRED_VERIFY_SANDBOX", True)
MICROCRED_VERIFY_WORKERS = int(os.environ.get("MICROCRED_VERIFY_WORKERS", "2"))
MICROCRED_VERIFY_CPU_SECONDS = int(os.environ.get("MICROCRED_VERIFY_CPU_SECONDS", "5"))
MICROCRED_VERIFY_WALL_SECONDS = float(os.environ.get("MICROCRED_VERIFY_WALL_SECONDS", "10"))
MICROCRED_VERIFY_MEMORY_MB = int(os.environ.get("MICROCRED_VERIFY_MEMORY_MB", "512"))
# Verifications per client on /verify/ and POST /api/v1/verify (django-ratelimit rates: N/s, N/m,
# N/h); the CLI is not limited. Counted in the default cache: use a shared one with several workers.
MICROCRED_VERIFY_RATE = os.environ.get("MICROCRED_VERIFY_RATE", "30/m")
MICROCRED_VERIFY_RATE_AUTHENTICATED = os.environ.get("MICROCRED_VERIFY_RATE_AUTHENTICATED", "300/m")

# The Open Badges 3.0 API's authorization server (django-oauth-toolkit, ADR 0045): authorization code
# with PKCE S256 only, tokens stored as SHA-256 checksums, a used refresh token rotated and its reuse
# refused. The scopes a client may ask for are the four OB 3.0 ones (plus offline_access, which the
# spec's examples send); microcred.obapi.validators narrows them to what the client registered.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly": "Read your credentials",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert": "Add credentials to your wallet",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly": "Read your profile",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update": "Update your profile",
        "offline_access": "Stay connected after you leave (a refresh token)",
    },
    "OAUTH2_VALIDATOR_CLASS": "microcred.obapi.validators.RegisteredScopesValidator",
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],  # http for loopback only: obapi.services checks
    "ALLOW_LOCALHOST_LOOPBACK": True,  # a native wallet's loopback redirect may use any port (RFC 8252)
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("MICROCRED_OBAPI_ACCESS_TOKEN_SECONDS", "3600")),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(os.environ.get("MICROCRED_OBAPI_REFRESH_TOKEN_SECONDS", str(90 * 86400))),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "force",
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
}
# The discovery document's privacy policy and terms (OB 3.0 requires both); empty: our own page,
# /ims/ob/v3p0/policy, which says what the API keeps.
MICROCRED_PRIVACY_POLICY_URL = os.environ.get("MICROCRED_PRIVACY_POLICY_URL", "")
MICROCRED_TERMS_URL = os.environ.get("MICROCRED_TERMS_URL", "")
# Named, so the obapi migration can depend on the (unswapped) model as Django's swappable dependency.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Dynamic client registrations per client address (django-ratelimit rate): registration is open, as
# the OB 3.0 API requires, so this bounds how fast one address can fill the table.
MICROCRED_OBAPI_REGISTRATION_RATE = os.environ.get("MICROCRED_OBAPI_REGISTRATION_RATE", "20/h")

# Fernet keys (comma-separated, newest first) that encrypt issuer private keys at rest; empty derives
# one from SECRET_KEY, which is fine for development only.
MICROCRED_KEY_ENCRYPTION_KEYS: list[str] = env_list("MICROCRED_KEY_ENCRYPTION_KEYS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
