"""Production: everything from the environment, and a refusal to run with the default key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import INSECURE_DEFAULT_SECRET_KEY, SECRET_KEY

if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value (at least 32 characters) before running in "
        "production; the built-in development key is refused."
    )
