"""Production: everything from the environment, and a refusal to run with development secrets.

Every missing secret is named in one message, so an operator fixes them all in one go.
"""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import INSECURE_DEFAULT_SECRET_KEY, MICROCRED_KEY_ENCRYPTION_KEYS, SECRET_KEY

_problems = []
if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
    _problems.append(
        "Set SECRET_KEY to a long random value (at least 32 characters) before running in production; "
        "the built-in development key is refused."
    )

# Issuer private keys must not hang on SECRET_KEY in production: rotating the session secret
# would make every issuer key undecryptable. Keys are checked here so a typo fails at start-up.
if not MICROCRED_KEY_ENCRYPTION_KEYS:
    _problems.append(
        "Set MICROCRED_KEY_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first) to encrypt issuer "
        "private keys at rest. Make one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'"
    )
for _key in MICROCRED_KEY_ENCRYPTION_KEYS:
    try:
        Fernet(_key.encode())
    except ValueError:
        _problems.append("MICROCRED_KEY_ENCRYPTION_KEYS holds a value that is not a Fernet key.")
        break
if _problems:
    raise ImproperlyConfigured(" ".join(_problems))
