"""Issuer keys: encryption at rest and decryption (their writes, rotation and first use, are in ``keys.services``).

Private keys are encrypted with Fernet (pyca ``cryptography``) under keys from settings
(``MICROCRED_KEY_ENCRYPTION_KEYS``: comma-separated Fernet keys, newest first, so the
encryption key itself can rotate). Without that setting a key is derived from SECRET_KEY with
HKDF, which keeps development simple; production should set its own.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from microcred.core.errors import AppError

from ..models import IssuerKey
from ..vc.multikey import ed25519_public_from_multibase


class KeyDecryptionFailed(AppError):
    code = "key_decryption_failed"
    status = 500
    title = "Issuer key unavailable"


def _derived_fernet_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"microcred-issuer-keys", info=b"fernet-v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in getattr(settings, "MICROCRED_KEY_ENCRYPTION_KEYS", []) if k.strip()]
    keys = configured or [_derived_fernet_key(settings.SECRET_KEY).decode()]
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def encrypt_private_key(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.private_bytes(
        encoding=serialization.Encoding.Raw,
        format=serialization.PrivateFormat.Raw,
        encryption_algorithm=serialization.NoEncryption(),
    )
    return _fernet().encrypt(raw).decode()


def decrypt_private_key(token: str) -> Ed25519PrivateKey:
    try:
        raw = _fernet().decrypt(token.encode())
    except InvalidToken as exc:
        raise KeyDecryptionFailed("An issuer key cannot be decrypted with the configured encryption keys.") from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_of(key: IssuerKey) -> Ed25519PublicKey:
    return ed25519_public_from_multibase(key.public_key_multibase)


_private_cache: dict[tuple[int, str], Ed25519PrivateKey] = {}


def private_key_of(key: IssuerKey) -> Ed25519PrivateKey:
    """Decrypt once per process: issuing a cohort signs thousands of credentials with one key."""
    cache_key = (key.pk, key.private_key_encrypted[:32])
    cached = _private_cache.get(cache_key)
    if cached is None:
        cached = decrypt_private_key(key.private_key_encrypted)
        _private_cache[cache_key] = cached
    return cached
